"""Delivering the outbox (SPEC section 6).

Several ``teian worker`` processes may run at once: each claims a batch
with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), marks it ``sending`` with a
lease, commits, and only then talks to the mail server, so no message is
sent twice and a crashed worker's lease simply expires.  With no SMTP
configured, messages are written as ``.eml`` files under the instance
folder: nothing is lost and nothing needs a mail server.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import OutboxMessage, utcnow

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
SENDER = "teian@localhost"


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most 4 hours, between tries."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


def claim(session: Session, batch: int = 50) -> list[OutboxMessage]:
    """Lease up to ``batch`` due messages to this worker and commit the lease."""
    now = utcnow()
    due = or_(
        (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= now),
    )
    rows = list(
        session.execute(
            select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(batch)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    for message in rows:
        message.status = "sending"
        message.attempts += 1
        message.next_attempt_at = now + LEASE
    session.commit()
    return rows


def to_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"teian-{message.id}")
    email.set_content(message.body)
    return email


class Transport:
    """Send over SMTP (``smtp://`` or ``smtps://``, STARTTLS on 587), or
    write ``.eml`` files when no SMTP URL is configured."""

    def __init__(self, smtp_url: str, instance_path: Path, sender: str = SENDER) -> None:
        self.smtp_url = smtp_url
        self.mail_dir = instance_path / "mail"
        self.sender = sender

    def send(self, message: OutboxMessage) -> None:
        email = to_email(message, self.sender)
        if not self.smtp_url:
            self.mail_dir.mkdir(parents=True, exist_ok=True)
            path = self.mail_dir / f"{message.id:08d}-{message.kind}.eml"
            path.write_bytes(bytes(email))
            return
        url = urlsplit(self.smtp_url)
        port = url.port or (465 if url.scheme == "smtps" else 25)
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(url.hostname, port, timeout=30,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(url.hostname, port, timeout=30)
        with client:
            if url.scheme == "smtp" and port == 587:
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(email)


def deliver_due(session: Session, transport: Transport, batch: int = 50) -> tuple[int, int]:
    """Deliver what is due; returns (sent, failed) for this pass."""
    sent = failed = 0
    for message in claim(session, batch):
        try:
            transport.send(message)
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
            else:
                message.status = "pending"
                message.next_attempt_at = utcnow() + backoff(message.attempts)
            failed += 1
        else:
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = ""
            sent += 1
        session.commit()
    return sent, failed

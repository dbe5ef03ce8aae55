"""Delivering the outbox (SPEC section 6).

Several ``teian worker`` processes (and the embedded server thread) may
deliver at once, on SQLite or PostgreSQL, without sending a message twice.
Why it is built the way it is:

* **Claiming is one statement**: ``UPDATE outbox SET status='sending', …
  WHERE id IN (SELECT id … due … ORDER BY id LIMIT n [FOR UPDATE SKIP
  LOCKED]) RETURNING …``.  A SELECT followed by an UPDATE let two SQLite
  workers read the same rows and both send them.  One UPDATE runs under
  SQLite's single write lock; on PostgreSQL ``SKIP LOCKED`` lets workers
  take disjoint batches without waiting for each other.
* **A claim is a lease**: ``attempts`` goes up by one and ``next_attempt_at``
  becomes the end of the lease.  If a worker dies, its messages are due
  again when the lease ends; nothing stays ``sending`` for ever.
* **Outcomes are recorded only under the lease**: the UPDATE that marks a
  message sent, retried or failed matches ``status='sending'`` and the
  ``attempts`` of this claim, so a worker whose lease ran out cannot
  overwrite the claim of the worker that took the message over.  A worker
  does not start sending a message whose lease is about to end; it gives
  it back instead.
* **One bad message fails alone**: any exception while building or sending
  a message is recorded on that message (``last_error``), which backs off
  and after ``MAX_ATTEMPTS`` is ``failed``; the rest of the batch goes on.
* **Delivery is at least once**: a worker that dies after the mail server
  accepted a message but before recording it sends it again later.  The
  ``Message-ID`` is derived from the outbox id, so the resend carries the
  same Message-ID and mail software can recognise it.

With no SMTP configured, messages are written as ``.eml`` files under the
instance folder: nothing is lost and nothing needs a mail server.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import OutboxMessage, OutboxStatus, utcnow

BATCH = 50
LEASE = timedelta(minutes=5)
SMTP_TIMEOUT = 30  # seconds, per connection
# Do not start a message with less lease than this left: one send can take
# an SMTP timeout, and the outcome must be recorded while the lease holds.
LEASE_MARGIN = timedelta(seconds=3 * SMTP_TIMEOUT)
MAX_ATTEMPTS = 8
SENDER = "teian@localhost"
MESSAGE_ID_DOMAIN = "teian.localhost"  # when TEIAN_BASE_URL names no host


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most 4 hours, between tries."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


@dataclass(frozen=True)
class Claimed:
    """A message leased to this worker: what sending needs, plus the lease
    (``attempts`` of this claim, ``lease_until``) that proves it is ours."""

    id: int
    kind: str
    recipient: str
    subject: str
    body: str
    created_at: datetime
    attempts: int
    lease_until: datetime


_CLAIMED = (
    OutboxMessage.id, OutboxMessage.kind, OutboxMessage.recipient, OutboxMessage.subject,
    OutboxMessage.body, OutboxMessage.created_at, OutboxMessage.attempts,
    OutboxMessage.next_attempt_at.label("lease_until"),
)


def claim(session: Session, batch: int = BATCH) -> list[Claimed]:
    """Lease up to ``batch`` due messages to this worker in one atomic
    UPDATE … RETURNING, and commit the lease before any mail is sent.

    Due means ``pending`` whose retry time has come, or ``sending`` whose
    lease has ended (its worker died or stalled)."""
    now = utcnow()
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_([OutboxStatus.pending, OutboxStatus.sending]),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(batch)
        # PostgreSQL: concurrent claims skip each other's rows.  SQLite
        # renders nothing here: its UPDATE holds the database's write lock.
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.sending, attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + LEASE)
        .returning(*_CLAIMED)
        # keep any OutboxMessage objects the caller's session holds truthful
        .execution_options(synchronize_session="fetch")
    ).all()
    session.commit()
    return sorted((Claimed(**row._asdict()) for row in rows), key=lambda c: c.id)


def _settle(session: Session, message: Claimed, **values: object) -> bool:
    """Apply ``values`` only if this claim still holds the message; commit.
    False when the lease was lost (another worker has claimed it since)."""
    still_ours = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status == OutboxStatus.sending,
            OutboxMessage.attempts == message.attempts,
        )
        .values(**values)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session="fetch")
    ).first()
    session.commit()
    return still_ours is not None


def record_sent(session: Session, message: Claimed) -> bool:
    return _settle(session, message, status=OutboxStatus.sent, sent_at=utcnow(), last_error="")


def record_failure(session: Session, message: Claimed, exc: Exception) -> bool:
    """Keep the error; retry after a back-off, or give up after MAX_ATTEMPTS."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        return _settle(session, message, status=OutboxStatus.failed, last_error=error)
    return _settle(session, message, status=OutboxStatus.pending, last_error=error,
                   next_attempt_at=utcnow() + backoff(message.attempts))


def release(session: Session, message: Claimed) -> bool:
    """Give back a message not tried: due at once, the attempt not counted."""
    return _settle(session, message, status=OutboxStatus.pending,
                   attempts=message.attempts - 1, next_attempt_at=utcnow())


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(text: str) -> str:
    """Fold CR, LF and other control characters to single spaces: a header
    value with a line break is refused by ``email`` (or, worse, injects a
    header)."""
    return _CONTROL.sub(" ", text).strip()


def sender_address(value: str) -> str:
    """``value`` if it is one mail address, with or without a display name
    (``協働推進室 <kyodo@city.example.jp>``), as the From header of every message.
    A typo here would otherwise surface only as every message failing at the mail
    server, so it is refused at start-up: ValueError saying what is wrong."""
    value = value.strip()
    header = EmailMessage()
    try:
        header["From"] = value
        addresses = header["From"].addresses
    except (ValueError, IndexError, TypeError) as exc:
        raise ValueError(f"cannot be read as a mail address ({exc})") from None
    if len(addresses) != 1:
        raise ValueError(f"must be exactly one address (found {len(addresses)})")
    if not addresses[0].username or "." not in addresses[0].domain and \
            addresses[0].domain != "localhost":
        raise ValueError("must be a whole address, name@domain")
    if header["From"].defects:
        raise ValueError(f"cannot be read as a mail address ({header['From'].defects[0]})")
    return value


def message_id(message: Claimed | OutboxMessage, domain: str = MESSAGE_ID_DOMAIN) -> str:
    """The same Message-ID every time a message is rendered, so a resend
    after a crash is recognisable as the same message."""
    return f"<teian-outbox-{message.id}@{domain}>"


def to_email(message: Claimed | OutboxMessage, sender: str,
             domain: str = MESSAGE_ID_DOMAIN) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = single_line(message.subject)
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(message, domain)
    email.set_content(message.body)
    return email


class Transport:
    """Send over SMTP (``smtp://`` or ``smtps://``, STARTTLS on 587), or
    write ``.eml`` files when no SMTP URL is configured.  ``base_url``
    (TEIAN_BASE_URL) gives the Message-ID its domain."""

    def __init__(self, smtp_url: str, instance_path: Path, sender: str = SENDER,
                 base_url: str = "") -> None:
        self.smtp_url = smtp_url
        self.mail_dir = instance_path / "mail"
        self.sender = sender
        self.domain = urlsplit(base_url).hostname or MESSAGE_ID_DOMAIN

    def send(self, message: Claimed | OutboxMessage) -> None:
        email = to_email(message, self.sender, self.domain)
        if not self.smtp_url:
            self.mail_dir.mkdir(parents=True, exist_ok=True)
            path = self.mail_dir / f"{message.id:08d}-{message.kind}.eml"
            path.write_bytes(bytes(email))
            return
        url = urlsplit(self.smtp_url)
        port = url.port or (465 if url.scheme == "smtps" else 25)
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(url.hostname, port, timeout=SMTP_TIMEOUT,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(url.hostname, port, timeout=SMTP_TIMEOUT)
        with client:
            if url.scheme == "smtp" and port == 587:
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(email)


def deliver_claimed(session: Session, transport: Transport,
                    messages: list[Claimed]) -> tuple[int, int]:
    """Send claimed messages one by one, recording each outcome as it
    happens; returns (sent, failed).  Messages whose lease is about to end
    are given back unsent."""
    sent = failed = 0
    for message in messages:
        if utcnow() + LEASE_MARGIN > message.lease_until:
            release(session, message)
            continue
        try:
            transport.send(message)
        except Exception as exc:  # whatever it is, it belongs to this message alone
            record_failure(session, message, exc)
            failed += 1
        else:
            record_sent(session, message)
            sent += 1
    return sent, failed


def deliver_due(session: Session, transport: Transport, batch: int = BATCH) -> tuple[int, int]:
    """Deliver everything due, a batch at a time, until a claim comes back
    empty; returns the totals (sent, failed attempts)."""
    sent = failed = 0
    while messages := claim(session, batch):
        batch_sent, batch_failed = deliver_claimed(session, transport, messages)
        sent += batch_sent
        failed += batch_failed
    return sent, failed

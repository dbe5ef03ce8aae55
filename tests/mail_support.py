"""A real SMTP server for the tests (aiosmtpd, in this process): the outbox is delivered to
it as ``teian worker`` delivers it, and a test reads each message as it arrived."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from intake.delivery import Transport, deliver_due
from intake.i18n import translate

BASE = "http://teian.test"  # the tests' TEIAN_BASE_URL: the links in their mail
PHONE = "0123-45-6789（平日 8:30〜17:15）"  # an office telephone written the older way


class Inbox:
    """Accepts everything except recipients starting with ``refused``."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelope_senders: list[str] = []  # MAIL FROM of each message, in order

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        self.envelope_senders.append(envelope.mail_from)
        return "250 OK"

    def to(self, recipient: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == recipient]


@contextmanager
def smtp_server_running() -> Iterator[tuple[Inbox, str]]:
    """The ``smtp_server`` fixture (tests/conftest.py): the inbox and the server's URL."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deliver(db, app, url: str) -> int:
    """Send everything due over SMTP to ``url``; how many were sent (none may fail)."""
    sent, failed = deliver_due(db, Transport(url, app.config["TEIAN"].instance_path))
    assert failed == 0
    return sent


def sent_subject(kind: str, proposal) -> str:
    """The subject mail ``kind`` has in the proposer's language (the receipt's:
    【提案受付】<number> <title>)."""
    return translate(f"mail.{kind}.subject", proposal.language, receipt=proposal.receipt,
                     title=proposal.title)

"""Delivering the outbox: a real SMTP server (aiosmtpd), .eml files, retries."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import select

from intake.cli import main
from intake.delivery import MAX_ATTEMPTS, Transport, deliver_due
from intake.models import OutboxMessage


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_receipt_and_new_item_reach_a_real_smtp_server_once(city, db, app, smtp_server):
    inbox, url = smtp_server
    city.submit(email="hanako@example.jp")
    transport = Transport(url, app.config["TEIAN"].instance_path)
    sent, failed = deliver_due(db, transport)
    assert (sent, failed) == (2, 0)
    by_recipient = {m["To"]: m for m in inbox.messages}
    receipt = by_recipient["hanako@example.jp"]
    assert "T-" in receipt["Subject"]
    body = receipt.get_content()
    assert "http://teian.test/track/" in body
    assert "parks@city.test" in by_recipient
    # a second pass sends nothing again
    assert deliver_due(db, transport) == (0, 0)
    assert len(inbox.messages) == 2


def test_without_smtp_messages_become_eml_files(city, db, app):
    city.submit()
    instance = app.config["TEIAN"].instance_path
    sent, _ = deliver_due(db, Transport("", instance))
    files = sorted((instance / "mail").glob("*.eml"))
    assert sent == len(files) == 2
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"]


def test_unreachable_smtp_is_retried_later_then_marked_failed(city, db, app):
    city.submit()
    transport = Transport(f"smtp://127.0.0.1:{_free_port()}", app.config["TEIAN"].instance_path)
    assert deliver_due(db, transport) == (0, 2)
    messages = db.execute(select(OutboxMessage)).scalars().all()
    assert {m.status for m in messages} == {"pending"}
    assert all(m.last_error and m.attempts == 1 for m in messages)
    assert deliver_due(db, transport) == (0, 0)  # not due yet: backoff
    for m in messages:
        m.attempts = MAX_ATTEMPTS - 1
        m.next_attempt_at = m.created_at
    db.commit()
    assert deliver_due(db, transport) == (0, 2)
    assert {m.status for m in db.execute(select(OutboxMessage)).scalars()} == {"failed"}


def test_worker_once_delivers(city, db, database_url, tmp_path, monkeypatch, smtp_server):
    inbox, url = smtp_server
    city.submit()
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "w"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SMTP_URL", url)
    result = CliRunner().invoke(main, ["worker", "--once"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "delivered 2" in result.output
    assert len(inbox.messages) == 2


# --- escalation of overdue proposals ------------------------------------------------------


def test_overdue_proposals_escalate_once_per_overdue_step(city, db):
    from datetime import timedelta

    from intake.escalation import escalate_overdue

    from intake.models import Escalation, Event
    from workflows.calendar import today_jst

    proposal, _ = city.submit()
    city.submit(category="roads")  # not overdue
    proposal.due_on = today_jst() - timedelta(days=1)
    db.commit()
    outbox_before = db.query(OutboxMessage).count()

    assert escalate_overdue(db, today_jst()) == 1
    assert escalate_overdue(db, today_jst()) == 0  # once per step
    recipients = {m.recipient for m in db.query(OutboxMessage).filter_by(kind="escalation")}
    assert recipients == {"office@city.test", "parks@city.test"}
    assert db.query(OutboxMessage).count() == outbox_before + 2
    events = db.query(Event).filter_by(proposal_id=proposal.id, action="escalate").all()
    assert len(events) == 1

    # a new overdue step (a later due date passed) escalates again
    proposal.due_on = today_jst() - timedelta(days=2)
    db.commit()
    assert escalate_overdue(db, today_jst()) == 1
    assert db.query(Escalation).count() == 2


def test_a_late_proposer_is_not_the_departments_overdue(city, db):
    """While the proposal waits for the proposer, the department's clock is
    stopped: the proposer's lapsed deadline neither shows as overdue nor
    escalates to the department."""
    from datetime import timedelta

    from intake.escalation import escalate_overdue

    from tests import ops as operations
    from workflows.calendar import today_jst

    proposal, _ = city.submit()
    liaison = operations.Actor.staff(city.parks_liaison)
    operations.fire_trigger(db, proposal, "accept", liaison)
    operations.fire_trigger(db, proposal, "request_info", liaison, {"question": "場所は？"})
    proposal.due_on = today_jst() - timedelta(days=5)
    db.commit()
    assert not proposal.is_overdue(today_jst())
    assert escalate_overdue(db, today_jst()) == 0

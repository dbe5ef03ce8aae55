"""Delivering the outbox: a real SMTP server (aiosmtpd), .eml files, retries."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, StatementError

from intake.cli import main
from intake.delivery import (
    MAX_ATTEMPTS,
    Transport,
    claim,
    deliver_claimed,
    deliver_due,
    record_sent,
    to_email,
)
from intake.models import OutboxMessage, OutboxStatus, utcnow

from .mail_support import free_port


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
    transport = Transport(f"smtp://127.0.0.1:{free_port()}", app.config["TEIAN"].instance_path)
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


def test_the_sender_is_the_address_the_city_sets(city, db, database_url, tmp_path,
                                                  monkeypatch, smtp_server):
    inbox, url = smtp_server
    city.submit()
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "w"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SMTP_URL", url)
    monkeypatch.setenv("TEIAN_MAIL_FROM", "みどり市 協働推進室 <kyodo@city.example.jp>")
    result = CliRunner().invoke(main, ["worker", "--once"], catch_exceptions=False)
    assert "delivered 2" in result.output
    senders = [m["From"].addresses[0] for m in inbox.messages]
    assert {(a.display_name, a.addr_spec) for a in senders} == {
        ("みどり市 協働推進室", "kyodo@city.example.jp")}
    assert set(inbox.envelope_senders) == {"kyodo@city.example.jp"}


@pytest.mark.parametrize("value", ["kyodo", "a@city.example.jp, b@city.example.jp",
                                   "協働推進室 <>"])
def test_a_sender_that_is_not_one_address_stops_the_start_naming_the_setting(
        tmp_path, monkeypatch, value):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "w"))
    monkeypatch.setenv("TEIAN_MAIL_FROM", value)
    result = CliRunner().invoke(main, ["worker", "--once"])
    assert result.exit_code != 0
    assert "TEIAN_MAIL_FROM" in str(result.exception) + result.output


# --- escalation of overdue proposals ------------------------------------------------------


def test_overdue_proposals_escalate_once_per_overdue_step(app, city, db):
    from datetime import timedelta

    from intake.links import links_for
    from intake.models import Escalation, Event
    from intake.workflow.escalation import escalate_overdue
    from workflows.calendar import today_jst

    proposal, _ = city.submit()
    city.submit(category="roads")  # not overdue
    proposal.due_on = today_jst() - timedelta(days=1)
    db.commit()
    outbox_before = db.query(OutboxMessage).count()

    assert escalate_overdue(db, today_jst(), links=links_for(app)) == 1
    assert escalate_overdue(db, today_jst(), links=links_for(app)) == 0  # once per step
    recipients = {m.recipient for m in db.query(OutboxMessage).filter_by(kind="escalation")}
    assert recipients == {"office@city.test", "parks@city.test"}
    assert db.query(OutboxMessage).count() == outbox_before + 2
    events = db.query(Event).filter_by(proposal_id=proposal.id, action="escalate").all()
    assert len(events) == 1

    # a new overdue step (a later due date passed) escalates again
    proposal.due_on = today_jst() - timedelta(days=2)
    db.commit()
    assert escalate_overdue(db, today_jst(), links=links_for(app)) == 1
    assert db.query(Escalation).count() == 2


def test_a_late_proposer_is_not_the_departments_overdue(app, city, db):
    """While the proposal waits for the proposer, the department's clock is
    stopped: the proposer's lapsed deadline neither shows as overdue nor
    escalates to the department."""
    from datetime import timedelta

    from intake.links import links_for
    from intake.workflow.escalation import escalate_overdue
    from tests import ops as operations
    from workflows.calendar import today_jst

    proposal, _ = city.submit()
    liaison = operations.Actor.staff(city.parks_liaison)
    operations.fire_trigger(db, proposal, "accept", liaison)
    operations.fire_trigger(db, proposal, "request_info", liaison, {"question": "場所は？"})
    proposal.due_on = today_jst() - timedelta(days=5)
    db.commit()
    assert not proposal.is_overdue(today_jst())
    assert escalate_overdue(db, today_jst(), links=links_for(app)) == 0


# --- one bad message, stable Message-IDs, the lease ---------------------------------------


def _outbox(db, n: int, **kw) -> list[OutboxMessage]:
    """``n`` committed outbox rows (subjects ``backlog #i``) unless ``kw`` says otherwise."""
    rows = [
        OutboxMessage(kind="receipt", recipient=f"p{i}@example.jp", language="ja",
                      subject=f"backlog #{i}", body=f"message {i}\n", **kw)
        for i in range(n)
    ]
    db.add_all(rows)
    db.commit()
    return rows


def _status(db) -> dict[int, OutboxMessage]:
    db.expire_all()
    return {m.id: m for m in db.execute(select(OutboxMessage)).scalars()}


def test_a_bad_message_fails_alone_and_the_rest_of_the_batch_is_delivered(db, app, smtp_server):
    inbox, url = smtp_server
    good_1, = _outbox(db, 1)
    crlf, injected, refused = (
        OutboxMessage(kind="receipt", recipient="hanako@example.jp",
                      subject="件名\r\nBcc: victim@example.jp", body="本文\n"),
        OutboxMessage(kind="receipt", recipient="x@example.jp\r\nBcc: y@example.jp",
                      subject="header injection in the recipient", body="x\n"),
        OutboxMessage(kind="receipt", recipient="refused@example.jp",
                      subject="refused\nby the server", body="x\n"),
    )
    db.add_all([crlf, injected, refused])
    db.commit()
    good_2, = _outbox(db, 1)

    transport = Transport(url, app.config["TEIAN"].instance_path)
    assert deliver_due(db, transport) == (3, 2)

    received = {m["Subject"]: m for m in inbox.messages}
    assert set(received) == {"backlog #0", "件名 Bcc: victim@example.jp"}
    assert len(inbox.messages) == 3
    assert all(m["Bcc"] is None for m in inbox.messages)
    rows = _status(db)
    assert rows[good_1.id].status == rows[good_2.id].status == rows[crlf.id].status == "sent"
    for bad, error in ((injected, "ValueError"), (refused, "SMTPRecipientsRefused")):
        row = rows[bad.id]
        assert row.status == OutboxStatus.pending and row.attempts == 1
        assert row.last_error.startswith(error)
        assert row.next_attempt_at > utcnow()  # backed off

    # the last allowed attempt fails them for good; nothing is left "sending"
    db.execute(update(OutboxMessage).where(OutboxMessage.id.in_([injected.id, refused.id]))
               .values(attempts=MAX_ATTEMPTS - 1, next_attempt_at=utcnow()))
    db.commit()
    assert deliver_due(db, transport) == (0, 2)
    rows = _status(db)
    assert {rows[injected.id].status, rows[refused.id].status} == {OutboxStatus.failed}
    assert rows[injected.id].attempts == MAX_ATTEMPTS
    assert len(inbox.messages) == 3


def test_subjects_are_folded_to_one_line_and_message_ids_are_stable(db):
    message, = _outbox(db, 1)
    message.subject = "一行目\r\n二行目\t\x00\u2028三行目\n"
    first = to_email(message, "teian@localhost", "teian.test")
    again = to_email(message, "teian@localhost", "teian.test")
    assert first["Subject"] == "一行目 二行目 三行目"
    assert first["Message-ID"] == again["Message-ID"] == f"<teian-outbox-{message.id}@teian.test>"


def test_eml_files_carry_the_message_id_of_the_base_url_host(db, app):
    message, = _outbox(db, 1)
    instance = app.config["TEIAN"].instance_path
    deliver_due(db, Transport("", instance, base_url="https://teian.city.example:8443/x"))
    eml, = (instance / "mail").glob("*.eml")
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == f"<teian-outbox-{message.id}@teian.city.example>"


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_new_claim(db, app):
    message, = _outbox(db, 1)
    first, = claim(db)
    assert first.attempts == 1
    # the first worker stalls past its lease; a second worker claims the message
    db.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    second, = claim(db)
    assert (second.id, second.attempts) == (message.id, 2)
    assert record_sent(db, first) is False  # the stale worker changes nothing
    assert _status(db)[message.id].status == OutboxStatus.sending
    assert record_sent(db, second) is True
    assert _status(db)[message.id].status == OutboxStatus.sent


def test_a_message_whose_lease_is_about_to_end_is_given_back_unsent(db, app, smtp_server):
    from dataclasses import replace

    inbox, url = smtp_server
    message, = _outbox(db, 1)
    claimed, = claim(db)
    expiring = replace(claimed, lease_until=utcnow() + timedelta(seconds=5))
    transport = Transport(url, app.config["TEIAN"].instance_path)
    assert deliver_claimed(db, transport, [expiring]) == (0, 0)
    assert inbox.messages == []
    row = _status(db)[message.id]
    assert (row.status, row.attempts) == (OutboxStatus.pending, 0)
    assert row.next_attempt_at <= utcnow()
    assert deliver_due(db, transport) == (1, 0)  # due again at once


def test_outbox_status_is_one_of_four(db):
    message, = _outbox(db, 1)
    assert message.status is OutboxStatus.pending
    with pytest.raises(IntegrityError, match="(?i)check"):
        db.execute(text("UPDATE outbox SET status = 'lost' WHERE id = :id"), {"id": message.id})
        db.commit()
    db.rollback()
    with pytest.raises(StatementError):
        db.execute(update(OutboxMessage).values(status="lost"))
    db.rollback()


# --- draining the backlog, several workers at once ---------------------------------------


def test_worker_once_drains_a_backlog_larger_than_one_batch(db, database_url, tmp_path,
                                                            monkeypatch, smtp_server):
    inbox, url = smtp_server
    _outbox(db, 120)
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "w"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SMTP_URL", url)
    monkeypatch.setenv("TEIAN_SECRET_KEY", "worker-test")
    result = CliRunner().invoke(main, ["worker", "--once"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "delivered 120, failed 0" in result.output
    assert len(inbox.messages) == 120
    assert {m.status for m in _status(db).values()} == {OutboxStatus.sent}


def _run_workers(count: int, env: dict[str, str]) -> list[str]:
    """Start ``count`` real ``teian worker --once`` processes together; their outputs."""
    command = [sys.executable, "-c", "from intake.cli import main; main()", "worker", "--once"]
    workers = [
        subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        outputs.append(out)
    return outputs


def test_four_workers_at_once_deliver_a_backlog_of_500_each_exactly_once(
    db, database_url, tmp_path, smtp_server
):
    inbox, url = smtp_server
    rows = _outbox(db, 500)
    started = time.monotonic()
    outputs = _run_workers(4, {
        "TEIAN_DATABASE_URL": database_url,
        "TEIAN_INSTANCE_PATH": str(tmp_path / "workers"),
        "TEIAN_SMTP_URL": url,
        "TEIAN_SECRET_KEY": "worker-test",
        "TEIAN_BASE_URL": "http://teian.test",
    })
    elapsed = time.monotonic() - started

    by_id = Counter(m["Message-ID"] for m in inbox.messages)
    by_subject = Counter(m["Subject"] for m in inbox.messages)
    assert by_id == Counter({f"<teian-outbox-{r.id}@teian.test>": 1 for r in rows})
    assert by_subject == Counter({f"backlog #{i}": 1 for i in range(500)})
    assert {m.status for m in _status(db).values()} == {OutboxStatus.sent}
    delivered = [int(re.search(r"delivered (\d+)", out)[1]) for out in outputs]
    assert sum(delivered) == 500
    print(f"4 workers delivered 500 messages once each in {elapsed:.1f} s: {delivered}")

"""``kill -9`` (issue 11, "Faults"), on SQLite and on PostgreSQL, against real processes
(the scenarios are in tests/fault_support.py):

- the server killed during bursts of submissions loses nothing it acknowledged with a
  201 and leaves nothing half written; the audit log verifies;
- workers killed mid-batch lose no message, and send a message twice only when the
  worker died between the mail server's acceptance and its own record: at most one
  per killed worker, with the same Message-ID.

``FIGURES`` keeps what was measured, for benchmarks/security_summary.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from .fault_support import half_written, kill_server_during_bursts, kill_workers_mid_batch

pytestmark = pytest.mark.faults

FIGURES: dict[str, object] = {}


def test_a_server_killed_mid_burst_keeps_every_acknowledged_submission_whole(
    city, db, database_url, tmp_path, is_postgresql
):
    db.commit()  # the city, for the server process to route to
    report = kill_server_during_bursts(database_url, tmp_path)
    FIGURES["server"] = report
    FIGURES["database"] = "PostgreSQL" if is_postgresql else "SQLite"

    assert report.kills == 2
    assert report.acknowledged >= 2 * 25 + 1
    assert report.lost == []
    assert report.half_written == []
    assert report.refused_present == []
    # the kills landed mid-burst: some requests were sent and never answered
    assert report.unanswered >= 1
    assert report.proposals == report.acknowledged + report.unanswered_present
    assert report.audit_verify.returncode == 0, report.audit_verify.stderr
    assert "audit log intact" in report.audit_verify.stdout
    print(f"server killed {report.kills}x: {report.acknowledged} acknowledged, "
          f"{len(report.lost)} lost; {report.unanswered} unanswered, "
          f"{report.unanswered_present} of them stored")


def test_workers_killed_mid_batch_deliver_every_message_and_resend_at_most_one_each(
    database_url, tmp_path, is_postgresql
):
    report = kill_workers_mid_batch(database_url, tmp_path)
    FIGURES["worker"] = report
    FIGURES["database"] = "PostgreSQL" if is_postgresql else "SQLite"

    assert report.missing == []
    assert report.statuses == {"sent"}
    # the first worker died with its 20th message in the mail server's hands, unrecorded,
    # and the other 30 of its batch leased to it
    assert report.held_at_death in report.in_flight_at_kills
    assert report.left_leased >= 30
    # a duplicate only of a message in flight when its worker died, at most one each
    assert set(report.duplicates) <= report.in_flight_at_kills
    assert report.held_at_death in report.duplicates
    assert sum(report.duplicates.values()) <= report.bound == 2
    assert report.same_message_id
    print(f"workers killed {report.kills}x mid-batch: {report.queued} queued, "
          f"{len(report.missing)} missing, duplicates {report.duplicates} "
          f"(in flight at the kills: {sorted(report.in_flight_at_kills)}), "
          f"{report.left_leased} left leased; then {report.drained!r}")


@pytest.mark.parametrize("removal", [
    "DELETE FROM proposer_contacts WHERE proposal_id = :id",
    "DELETE FROM outbox WHERE kind = 'receipt' AND proposal_id = :id",
    "DELETE FROM outbox WHERE kind = 'new_item' AND proposal_id = :id",
    "UPDATE event_chain_heads SET seq = seq - 1 WHERE chain = 'P' || :id",
])
def test_the_half_written_check_finds_a_proposal_missing_any_part(city, db, app, removal):
    """The instrument above: it sees a proposal that lost one of its parts."""
    city.submit()
    broken, _ = city.submit(title="公園にベンチを置く提案")
    db.execute(text(removal), {"id": broken.id})
    db.commit()
    assert half_written(app.extensions["teian.engine"]) == [broken.id]

"""The dashboard's kept counts follow a city's workflow change by themselves: they note the
definitions they were counted under (which states run the clock), every worker pass
recounts when those changed, and a recount never races the writers (intake/office/kept.py).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from importlib import resources

import pytest
from sqlalchemy import select

import workflows
from intake.models import KeptBasis
from intake.office.counts import recount, recount_if_stale
from intake.office.figures import EVERYTHING, figures
from tests import ops
from workflows.calendar import today_jst

from .test_kept_figures import worked_out
from .workflow_support import lead

LATER = today_jst() + timedelta(days=400)  # every due date passed


@pytest.fixture
def in_review_pauses_the_clock(tmp_path):
    """The city's copy of the proposal workflow, where nobody is late while in review."""
    folder = tmp_path / "city-workflows"
    folder.mkdir()
    text = resources.files("workflows").joinpath("proposal.toml").read_text(encoding="utf-8")
    marker = "[states.in_review]\n"
    assert marker in text
    (folder / "proposal.toml").write_text(text.replace(marker, marker + "pauses_clock = true\n"),
                                          encoding="utf-8")
    yield folder
    workflows.use_workflow_folder(None)


def _one_in_review_one_submitted(city, db):
    reviewed, _ = city.submit()
    city.submit()
    ops.fire_trigger(db, reviewed, "accept", lead(reviewed))
    db.commit()


def test_a_changed_clock_is_recounted_by_the_next_worker_pass(city, db,
                                                              in_review_pauses_the_clock):
    _one_in_review_one_submitted(city, db)
    assert recount_if_stale(db) is True  # never counted under a recorded basis yet
    assert figures(db, LATER, EVERYTHING).overdue == 2 == worked_out(db, LATER)["overdue"]
    assert recount_if_stale(db) is False  # nothing changed

    workflows.use_workflow_folder(in_review_pauses_the_clock)
    assert worked_out(db, LATER)["overdue"] == 1
    assert recount_if_stale(db) is True
    assert figures(db, LATER, EVERYTHING).overdue == 1
    assert recount_if_stale(db) is False

    workflows.use_workflow_folder(None)  # and back
    assert recount_if_stale(db) is True
    assert figures(db, LATER, EVERYTHING).overdue == 2


def test_the_worker_notes_the_basis_it_counted_under(city, db, run):  # noqa: F811
    _one_in_review_one_submitted(city, db)
    assert db.execute(select(KeptBasis)).first() is None
    result = run("worker", "--once")
    assert result.exit_code == 0, result.output
    db.expire_all()
    stored = db.execute(select(KeptBasis.digest)).scalar_one()
    assert recount_if_stale(db) is False and len(stored) == 64
    assert figures(db, LATER, EVERYTHING).overdue == worked_out(db, LATER)["overdue"]


def test_a_recount_waits_for_a_writer_in_flight(city, db, app):
    """A submission flushed but not committed holds the recount until it commits; then the
    recount counts it once (on PostgreSQL a table lock, on SQLite the one writer's lock)."""
    city.submit()
    db.commit()
    make_session = app.extensions["teian.session"]
    writer = make_session()
    ops.submit_proposal(writer, city.submission(), channel="web")
    writer.flush()  # its delta rows written, not committed

    done = threading.Event()
    failed: list[BaseException] = []

    def recount_elsewhere() -> None:
        with app.app_context():
            other = make_session()
            try:
                recount(other)
            except BaseException as exc:  # noqa: BLE001  (reported below)
                failed.append(exc)
            finally:
                other.close()
                done.set()

    thread = threading.Thread(target=recount_elsewhere)
    thread.start()
    try:
        assert not done.wait(1.0), failed  # waiting for the writer
    finally:
        writer.commit()
        writer.close()
        thread.join(20)
    assert done.is_set() and not failed, failed
    db.expire_all()
    found = figures(db, LATER, EVERYTHING)
    assert found.overdue == worked_out(db, LATER)["overdue"] == 2
    assert sum(row.total for row in found.departments) == 2

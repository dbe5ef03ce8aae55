"""Two officers at once (SPEC section 3): exactly one wins, the others get a clear
conflict, nothing is half-written — and unrelated proposals never wait on each other.

Each thread works like a request: its own application context, its own session on the
application's engine, one operation, one commit, a rollback on an ActionError.  The races
run on both databases (PostgreSQL lets the requests truly overlap; SQLite queues writers
behind its busy timeout, and the loser must still end in a conflict, not a 500).  That
unrelated proposals do not wait on each other is a PostgreSQL property: SQLite has one
writer at a time by design.
"""

from __future__ import annotations

import os
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from intake import audit
from intake.errors import ActionError, Conflict
from intake.models import Event, OutboxMessage, Proposal, User
from tests import ops as operations

from .workflow_support import footprint

ON_POSTGRESQL = bool(os.environ.get("TEIAN_TEST_DATABASE_URL"))

RACERS = 8


@pytest.fixture
def new_session(app):
    """Separate sessions on the application's engine, one per simulated request."""
    factory = sessionmaker(bind=app.extensions["teian.engine"], expire_on_commit=False)
    opened: list[Session] = []

    def make() -> Session:
        opened.append(factory())
        return opened[-1]

    yield make
    for session in opened:
        session.close()


def _accept_as_request(new_session, proposal_id: int, user_id: int, version: int,
                       barrier: threading.Barrier) -> str:
    """Load, wait for the others, fire, commit: what one POST of a transition does."""
    db = new_session()
    try:
        proposal = db.get(Proposal, proposal_id)
        actor = operations.Actor.staff(db.get(User, user_id))
        barrier.wait(timeout=30)
        operations.fire_trigger(db, proposal, "accept", actor, {}, expected_version=version)
        db.commit()
        return "ok"
    except Conflict:
        db.rollback()
        return "conflict"
    except ActionError as exc:  # any other refusal would be a bug here
        db.rollback()
        return f"refused: {exc}"
    except Exception as exc:  # a 500 in a real request
        db.rollback()
        return f"error: {type(exc).__name__}: {exc}"


def _in_thread(app, work, *args) -> threading.Thread:
    """A thread doing ``work`` inside its own application context, as a request would."""

    def run() -> None:
        with app.app_context():
            work(*args)

    return threading.Thread(target=run)


def _race(app, work, count: int) -> list[str]:
    results: list[str | None] = [None] * count

    def run(i: int) -> None:
        results[i] = work(i)

    threads = [_in_thread(app, run, i) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_eight_simultaneous_accepts_one_wins_seven_conflict(app, city, new_session):
    db = city.session
    proposal, _ = city.submit(category="roads")
    before = footprint(db, proposal.id)
    assert before.version == 1
    # Both of the department's liaisons and the office press "accept" at the same moment.
    users = [city.roads_primary, city.roads_deputy, city.office_user]
    barrier = threading.Barrier(RACERS)

    results = _race(
        app,
        lambda i: _accept_as_request(new_session, proposal.id, users[i % len(users)].id, 1,
                                     barrier),
        RACERS,
    )

    assert Counter(results) == {"ok": 1, "conflict": RACERS - 1}, results
    check = new_session()
    after = footprint(check, proposal.id)
    assert after.state == "in_review"
    assert after.version == 2
    accepts = check.execute(
        select(func.count()).select_from(Event)
        .where(Event.proposal_id == proposal.id, Event.trigger == "accept")
    ).scalar()
    assert accepts == 1
    assert after.events == before.events + 1
    # The winner's notification only: one message to the proposer.
    assert after.outbox == before.outbox + 1
    assert audit.verify(check) is None


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL (TEIAN_TEST_DATABASE_URL)")
def test_accepts_of_two_proposals_do_not_wait_on_each_other(app, city, new_session):
    """While one officer's accept is written but not yet committed, another officer's
    accept of a different proposal goes through: per-proposal chains, per-row locks."""
    first, _ = city.submit(category="roads")
    second, _ = city.submit(category="parks")
    holding = threading.Event()
    release = threading.Event()
    outcome: dict[str, str] = {}

    def slow_officer() -> None:
        db = new_session()
        proposal = db.get(Proposal, first.id)
        operations.fire_trigger(db, proposal, "accept",
                                operations.Actor.staff(db.get(User, city.roads_primary.id)),
                                expected_version=1)
        holding.set()  # its proposal row and chain head are locked now
        release.wait(timeout=30)
        db.commit()
        outcome["slow"] = "ok"

    thread = _in_thread(app, slow_officer)
    thread.start()
    assert holding.wait(timeout=30)
    try:
        db = new_session()
        # Waiting would be a failure, not a hang: give up after a few seconds.
        db.execute(text("SET LOCAL lock_timeout = '5s'"))
        proposal = db.get(Proposal, second.id)
        operations.fire_trigger(db, proposal, "accept",
                                operations.Actor.staff(db.get(User, city.parks_liaison.id)),
                                expected_version=1)
        db.commit()
        outcome["fast"] = "ok"
    finally:
        release.set()
        thread.join(timeout=30)
    assert outcome == {"slow": "ok", "fast": "ok"}
    check = new_session()
    assert footprint(check, first.id).state == footprint(check, second.id).state == "in_review"
    assert audit.verify(check) is None


def test_a_loser_leaves_no_event_and_no_message(app, city, new_session):
    """A transfer racing an accept on the same proposal: one wins, the other's event and
    outbox messages are gone with its rollback."""
    proposal, _ = city.submit(category="roads")
    before = footprint(city.session, proposal.id)
    barrier = threading.Barrier(2)

    def act(i: int) -> str:
        db = new_session()
        row = db.get(Proposal, proposal.id)
        actor = operations.Actor.staff(db.get(User, city.office_user.id))
        barrier.wait(timeout=30)
        try:
            if i == 0:
                operations.fire_trigger(db, row, "accept", actor, expected_version=1)
            else:
                operations.transfer_proposal(db, row, "parks", actor, reason="公園の案件",
                                             expected_version=1)
            db.commit()
            return "ok"
        except Conflict:
            db.rollback()
            return "conflict"

    results = _race(app, act, 2)
    assert sorted(results) == ["conflict", "ok"], results
    check = new_session()
    after = footprint(check, proposal.id)
    assert after.version == 2 and after.events == before.events + 1
    messages = check.execute(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.proposal_id == proposal.id)
    ).scalar()
    assert messages == after.outbox
    winner = "accept" if results[0] == "ok" else "transfer"
    last = check.execute(select(Event).where(Event.proposal_id == proposal.id)
                         .order_by(Event.seq.desc()).limit(1)).scalar_one()
    assert (last.trigger or last.action) == winner
    assert audit.verify(check) is None

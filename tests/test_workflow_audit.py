"""Every change is one audit event, written in the same transaction (SPEC section 3).

Each action writes exactly one event on the proposal's hash chain — who, what, from, to,
why — and the change, its event and its outbox messages commit together: a failure after
the change but before the commit leaves none of them, and until the commit no other
session sees any of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from intake import audit
from intake.errors import Conflict
from intake.models import ChainHead, Event, OpinionRequest, OutboxMessage, Proposal
from tests import ops as operations
from workflows.calendar import today_jst

from .workflow_support import (
    INPUTS,
    PROPOSER,
    PUBLIC,
    events_after,
    footprint,
    lead,
    record_deliberation,
    walk,
)

# A new deadline within the calendar's horizon and later than any the steps set.
NEXT_YEAR = today_jst() + timedelta(days=365)


@pytest.fixture
def other_session(app):
    """A second session on the same database, like another request."""
    session = sessionmaker(bind=app.extensions["teian.engine"], expire_on_commit=False)()
    yield session
    session.close()


def only_new_event(db, proposal, before):
    [event] = events_after(db, proposal.id, before.chain_seq)
    return event


def test_a_submission_records_its_receipt_and_its_routing(city):
    db = city.session
    proposal, _ = city.submit(category="roads")
    submit, route = events_after(db, proposal.id, 0)
    assert (submit.actor, submit.action, submit.from_state, submit.to_state) == (
        "proposer", "submit", None, "submitted")
    assert submit.data["channel"] == "test"
    assert (route.actor, route.action) == ("system", "route")
    assert route.data["department"] == "roads"
    assert route.data["assignee"] == city.roads_primary.id
    assert proposal.version == 1  # routed before it was first written


def test_a_transition_records_actor_trigger_from_to_and_reason(city):
    db = city.session
    proposal = walk(db, city.submit()[0], "in_review")
    before = footprint(db, proposal.id)
    operations.fire_trigger(db, proposal, "reject", lead(proposal), INPUTS["reject"])
    db.commit()
    event = only_new_event(db, proposal, before)
    assert event.actor == f"user:{city.parks_liaison.id}"
    assert event.actor_label == city.parks_liaison.display_name
    assert (event.action, event.trigger) == ("transition", "reject")
    assert (event.from_state, event.to_state) == ("in_review", "rejected")
    assert event.reason == INPUTS["reject"]["reason"]
    assert event.data == {"reason_code": "already_done"}
    assert proposal.ruling_reason == event.reason and proposal.ruled_at is not None


def test_inputs_the_transition_does_not_declare_stay_out_of_the_log(city):
    db = city.session
    proposal, _ = city.submit()
    before = footprint(db, proposal.id)
    operations.fire_trigger(db, proposal, "accept", lead(proposal),
                            {"reason": "担当課で受理します", "ruling": "adopted",
                             "question": "紛らわしい"})
    db.commit()
    event = only_new_event(db, proposal, before)
    assert event.reason == "担当課で受理します" and event.data == {}
    assert proposal.ruling_decision is None


# Who hears of each action (the small city's addresses; the proposer is hanako@…).
TOLD = {
    "transfer": {"roads@city.test", "roads-deputy@city.test"},  # the receiving department
    "session": set(),
    "comment": set(),
    "comment_period": set(),
    "opinion_request": {"welfare@city.test"},  # the consulted department
    "opinion_answer": {"parks@city.test"},  # the lead department that asked
    "opinion_waive": {"welfare@city.test"},  # no need to answer any more
    "extend": {"hanako@example.jp"},  # the proposer, with the reason
}


def _messages_after(session, proposal_id: int, last_id: int) -> set[tuple[str, str]]:
    """(recipient, subject) of the messages queued since ``last_id``."""
    return set(session.execute(
        select(OutboxMessage.recipient, OutboxMessage.subject)
        .where(OutboxMessage.proposal_id == proposal_id, OutboxMessage.id > last_id)
    ).all())


def _last_message_id(session) -> int:
    return session.execute(select(func.coalesce(func.max(OutboxMessage.id), 0))).scalar()


@pytest.mark.parametrize("name", TOLD)
def test_every_other_action_writes_exactly_one_event(city, name):
    db = city.session
    proposal = walk(db, city.submit()[0], "in_deliberation")
    liaison = lead(proposal)
    request = None
    if name in ("opinion_answer", "opinion_waive"):
        request = operations.request_opinion(db, proposal, "welfare", liaison,
                                             question="ご意見を")
        db.commit()
    before = footprint(db, proposal.id)
    last_message = _last_message_id(db)
    actor_ref, reason = liaison.ref, ""
    if name == "transfer":
        reason = "道路の案件のため"
        operations.transfer_proposal(db, proposal, "roads", liaison, reason=reason)
    elif name == "session":
        record_deliberation(db, proposal)
    elif name == "comment":
        operations.add_comment(db, proposal, name="近所の人", body="賛成です。")
        actor_ref = PUBLIC.ref
    elif name == "comment_period":
        operations.set_comment_period(db, proposal, liaison, ends_at=datetime.now(UTC))
    elif name == "opinion_request":
        reason = "福祉の観点からご意見を"
        operations.request_opinion(db, proposal, "welfare", liaison, question=reason)
    elif name == "opinion_answer":
        reason = "支障ありません"
        welfare = operations.Actor.staff(city.welfare_liaison)
        operations.answer_opinion(db, request, welfare, answer=reason)
        actor_ref = welfare.ref
    elif name == "opinion_waive":
        reason = "回答期限を過ぎたため"
        operations.waive_opinion(db, request, liaison, reason=reason)
    elif name == "extend":
        reason = "協議会の日程調整のため"
        operations.extend_deadline(db, proposal, liaison, reason=reason,
                                   due_on=NEXT_YEAR)
    db.commit()

    event = only_new_event(db, proposal, before)
    assert (event.action, event.actor, event.reason) == (name, actor_ref, reason)
    assert (event.trigger, event.from_state, event.to_state) == (None, None, None)
    after = footprint(db, proposal.id)
    assert after.state == before.state == "in_deliberation"
    assert after.transitions == before.transitions
    messages = _messages_after(db, proposal.id, last_message)
    assert {to for to, _ in messages} == TOLD[name]
    assert not any(subject.startswith("mail.") for _, subject in messages)  # all written
    assert audit.verify(db) is None


def test_a_transfer_names_both_departments(city):
    db = city.session
    proposal, _ = city.submit()
    before = footprint(db, proposal.id)
    operations.transfer_proposal(db, proposal, "roads", lead(proposal), reason="道路の案件")
    db.commit()
    event = only_new_event(db, proposal, before)
    assert event.data["from_department"] == "parks" and event.data["department"] == "roads"
    assert event.data["assignee"] == city.roads_primary.id
    assert footprint(db, proposal.id).version == before.version + 1


# --- one transaction: the change, its event, its messages ------------------------------------


def _outbox(session, proposal_id: int) -> int:
    return session.execute(select(func.count()).select_from(OutboxMessage)
                           .where(OutboxMessage.proposal_id == proposal_id)).scalar()


def test_nobody_sees_the_change_before_the_commit_and_all_of_it_after(city,
                                                                      other_session):
    db = city.session
    proposal, _ = city.submit()
    before = footprint(other_session, proposal.id)
    other_session.rollback()
    operations.fire_trigger(db, proposal, "accept", lead(proposal))  # flushed, not committed
    assert footprint(db, proposal.id).state == "in_review"  # this transaction sees it
    assert footprint(other_session, proposal.id) == before  # nobody else does
    other_session.rollback()
    db.commit()
    after = footprint(other_session, proposal.id)
    assert after.state == "in_review" and after.events == before.events + 1
    assert after.outbox == before.outbox + 1


def test_a_failure_after_the_change_leaves_no_event_and_no_message(city):
    """The operation has changed the row, appended the event and queued the message
    (all flushed), then the request fails before its commit: the rollback takes all."""
    db = city.session
    proposal = walk(db, city.submit()[0], "in_deliberation")
    record_deliberation(db, proposal)
    db.commit()
    before = footprint(db, proposal.id)
    head = db.get(ChainHead, f"P{proposal.id}")
    head_hash = head.hash

    class RequestFailed(Exception):
        pass

    with pytest.raises(RequestFailed):
        operations.fire_trigger(db, proposal, "adopt", lead(proposal), INPUTS["adopt"])
        assert footprint(db, proposal.id).events == before.events + 1
        raise RequestFailed
    db.rollback()

    assert footprint(db, proposal.id) == before
    assert db.get(ChainHead, f"P{proposal.id}").hash == head_hash
    assert db.get(Proposal, proposal.id).ruling_decision is None
    assert audit.verify(db) is None


# Actions a long-open page could send with no version: each changes the proposal row.
STALE_ACTIONS = {
    "withdraw": lambda db, p: operations.fire_trigger(db, p, "withdraw", PROPOSER),
    "transfer": lambda db, p: operations.transfer_proposal(db, p, "roads", lead(p),
                                                           reason="道路の案件"),
    "extend": lambda db, p: operations.extend_deadline(db, p, lead(p), reason="調整中",
                                                       due_on=NEXT_YEAR),
    "request_opinion": lambda db, p: operations.request_opinion(db, p, "welfare", lead(p),
                                                                question="ご意見を"),
}


@pytest.mark.parametrize("name", STALE_ACTIONS)
def test_a_stale_version_found_at_the_flush_leaves_nothing(city, other_session, name):
    """This session read the proposal; another request accepted it since.  With no
    version sent, the stale row is only found when the UPDATE matches nothing — after
    the operation has changed the proposal in memory.  Conflict; the rollback leaves no
    event and no outbox row of the loser."""
    db = city.session
    proposal, _ = city.submit()
    elsewhere = other_session.get(Proposal, proposal.id)
    operations.fire_trigger(other_session, elsewhere, "accept", lead(elsewhere))
    other_session.commit()
    after_winner = footprint(other_session, proposal.id)
    assert (proposal.state, proposal.version) == ("submitted", 1)  # what this session saw

    with pytest.raises(Conflict):
        STALE_ACTIONS[name](db, proposal)
    db.rollback()

    assert footprint(db, proposal.id) == after_winner
    assert _outbox(db, proposal.id) == after_winner.outbox
    assert audit.verify(db) is None


def test_an_opinion_request_bumps_the_version_so_a_racing_adoption_conflicts(city):
    """An open opinion request blocks ``adopt``: asking one changes the proposal's version,
    so an officer adopting from a page read before the question gets a conflict."""
    db = city.session
    proposal = walk(db, city.submit()[0], "in_deliberation")
    record_deliberation(db, proposal)
    db.commit()
    seen = proposal.version
    operations.request_opinion(db, proposal, "welfare", lead(proposal), question="ご意見を")
    db.commit()
    with pytest.raises(Conflict):
        operations.fire_trigger(db, proposal, "adopt", lead(proposal), INPUTS["adopt"],
                                expected_version=seen)
    db.rollback()
    assert footprint(db, proposal.id).state == "in_deliberation"
    open_requests = db.execute(select(func.count()).select_from(OpinionRequest)
                               .where(OpinionRequest.status == "open")).scalar()
    assert open_requests == 1


def test_events_of_one_proposal_form_one_chain(city):
    db = city.session
    first = walk(db, city.submit()[0], "in_deliberation")
    second = walk(db, city.submit(category="roads")[0], "in_review")
    for proposal in (first, second):
        seqs = db.execute(select(Event.seq, Event.chain).where(Event.proposal_id == proposal.id)
                          .order_by(Event.seq)).all()
        assert [s for s, _ in seqs] == list(range(1, len(seqs) + 1))
        assert {c for _, c in seqs} == {f"P{proposal.id}"}
    assert audit.verify(db) is None


def test_a_long_lived_session_appends_after_another_sessions_event(city, other_session):
    """Sessions keep their objects across commits (``expire_on_commit=False``).  A session
    that wrote a proposal's event earlier must still append after events other sessions
    wrote since — not reuse a chain head it remembers (a duplicate ``seq``, a 500), even
    one it holds as an object."""
    db = city.session
    proposal, _ = city.submit()
    # The session remembers the head for as long as anything holds it (its identity map
    # alone holds objects weakly): here, this test.
    remembered = db.get(ChainHead, f"P{proposal.id}")
    assert remembered.seq == 2
    elsewhere = other_session.get(Proposal, proposal.id)
    operations.fire_trigger(other_session, elsewhere, "accept", lead(elsewhere))
    other_session.commit()

    db.refresh(proposal)  # a new request would load the proposal afresh
    operations.transfer_proposal(db, proposal, "roads", lead(proposal), reason="道路の案件")
    db.commit()
    seqs = db.execute(select(Event.seq).where(Event.proposal_id == proposal.id)
                      .order_by(Event.seq)).scalars().all()
    assert seqs == [1, 2, 3, 4]  # submit, route, accept (elsewhere), transfer
    db.refresh(remembered)  # the row moved on under the object this session holds
    assert (remembered.seq, remembered.hash) == (4, db.execute(
        select(Event.hash).where(Event.proposal_id == proposal.id, Event.seq == 4)).scalar())
    assert audit.verify(db) is None


def test_an_event_from_before_erasable_reasons_still_hashes_its_reason_as_text(city):
    """Events written before migration 0016 carry no digest: their reason is in the hash
    itself, so editing it is still caught — the new format did not open a gap."""
    proposal, _ = city.submit()
    event = city.session.execute(select(Event).where(Event.proposal_id == proposal.id,
                                                     Event.action == "submit")).scalar_one()
    event.reason_salt = event.reason_digest = None  # as a pre-0016 row
    event.reason = "受付"
    event.hash = audit.event_hash(event)
    later = city.session.execute(select(Event).where(Event.chain == event.chain,
                                                     Event.seq > event.seq)
                                 .order_by(Event.seq)).scalars().all()
    prev = event.hash
    for row in later:  # re-link what follows, as the chain was written then
        row.prev_hash = prev
        row.hash = prev = audit.event_hash(row)
    city.session.get(ChainHead, event.chain).hash = prev
    city.session.commit()
    assert audit.verify(city.session) is None

    event = city.session.get(Event, event.id)  # verify let go of the rows it read
    event.reason = "受付（書き換え）"
    city.session.commit()
    problem = audit.verify(city.session)
    assert problem is not None and problem.event_id == event.id and "edited" in problem.problem

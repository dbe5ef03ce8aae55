"""Every guard of SPEC section 3 refuses by name, and a refusal changes nothing.

A refusal is :class:`~intake.errors.Refused` (HTTP 422) whose ``details["guard"]`` names the
check: ``input:<name>`` for a missing or bad input, the guard's own name
(``deliberation_recorded``, ``opinions_settled``) or ``state`` for a trigger not allowed now.
After it the session is rolled back, as every route does, and the database is read again:
state, version, due date, events, outbox messages and the chain head are all as before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake.errors import Conflict, Refused
from tests import ops as operations

from .workflow_support import (
    INPUTS,
    PROPOSER,
    footprint,
    lead,
    record_deliberation,
    walk,
)


def prepared(city, kind: str, state: str, *, deliberation: bool = False):
    proposal, _ = city.submit(kind=kind)
    walk(city.session, proposal, state)
    if deliberation:
        record_deliberation(city.session, proposal)
        city.session.commit()
    return proposal


def assert_refused_and_unchanged(db, proposal, trigger, inputs, guard, *, actor=None):
    before = footprint(db, proposal.id)
    with pytest.raises(Refused) as refused:
        operations.fire_trigger(db, proposal, trigger, actor or lead(proposal), inputs,
                                expected_version=before.version)
    db.rollback()
    assert refused.value.details["guard"] == guard
    assert refused.value.status == 422
    after = footprint(db, proposal.id)
    assert after.state == before.state
    assert after.version == before.version
    assert after.events == before.events
    assert after.outbox == before.outbox
    assert after == before  # due date, open opinions, chain head too
    return refused.value


REASON = INPUTS["adopt"]["reason"]

# (workflow, state, trigger, inputs, the guard that must refuse, fired by the proposer?)
INPUT_CASES = [
    ("proposal", "in_deliberation", "adopt", {}, "input:reason", False),
    ("proposal", "in_deliberation", "adopt", {"reason": "   "}, "input:reason", False),
    ("proposal", "in_review", "reject", {"reason_code": "duplicate"}, "input:reason", False),
    ("proposal", "in_review", "reject", {"reason": REASON}, "input:reason_code", False),
    ("proposal", "in_review", "reject", {"reason": REASON, "reason_code": "too_expensive"},
     "input:reason_code", False),
    ("proposal", "in_deliberation", "reject", {}, "input:reason", False),
    ("proposal", "in_review", "request_info", {}, "input:question", False),
    ("proposal", "in_review", "request_info", {"question": "\n  "}, "input:question", False),
    ("proposal", "awaiting_proposer", "provide_info", {}, "input:answer", True),
    ("proposal", "implementing", "evaluate", {}, "input:evaluation", False),
    ("proposal", "adopted", "start_implementation", {"due_on": "来年の春"}, "input:due_on",
     False),
    ("idea", "in_review", "answer", {}, "input:answer", False),
    ("idea", "in_review", "request_info", {}, "input:question", False),
    ("idea", "awaiting_proposer", "provide_info", {"answer": ""}, "input:answer", True),
]


@pytest.mark.parametrize(
    ("kind", "state", "trigger", "inputs", "guard", "by_proposer"), INPUT_CASES,
    ids=[f"{c[0]}-{c[2]}-{c[4]}-{i}" for i, c in enumerate(INPUT_CASES)],
)
def test_a_missing_or_bad_input_is_refused_by_name(
    city, kind, state, trigger, inputs, guard, by_proposer
):
    proposal = prepared(city, kind, state, deliberation=trigger == "adopt")
    refusal = assert_refused_and_unchanged(
        city.session, proposal, trigger, inputs, guard,
        actor=PROPOSER if by_proposer else None,
    )
    assert list(refusal.fields) == [guard.removeprefix("input:")]  # the field to correct


def test_the_reason_code_must_be_one_of_the_five(city):
    proposal = prepared(city, "proposal", "in_review")
    refusal = assert_refused_and_unchanged(
        city.session, proposal, "reject", {"reason": REASON, "reason_code": "nope"},
        "input:reason_code",
    )
    assert refusal.fields["reason_code"] == ["choice"]  # the rule; the doors word it
    for code in ("out_of_scope", "duplicate", "already_done", "unlawful", "insufficient"):
        assert code in refusal.message  # the developer's message lists the five


@pytest.mark.parametrize(("kind", "state", "trigger"), [
    ("proposal", "in_review", "accept"),
    ("proposal", "submitted", "adopt"),
    ("proposal", "in_deliberation", "request_info"),
    ("proposal", "adopted", "reject"),
    ("idea", "submitted", "answer"),
])
def test_a_trigger_not_allowed_from_the_state_is_refused(city, kind, state, trigger):
    proposal = prepared(city, kind, state)
    assert_refused_and_unchanged(city.session, proposal, trigger, INPUTS[trigger],
                                 "state")


@pytest.mark.parametrize(("kind", "state"), [
    ("proposal", "rejected"), ("proposal", "withdrawn"), ("proposal", "evaluated"),
    ("idea", "answered"), ("idea", "withdrawn"),
])
def test_nothing_leaves_a_final_state(city, kind, state):
    proposal = prepared(city, kind, state)
    office = operations.Actor.staff(city.office_user)
    for trigger in INPUTS:  # every trigger of both workflows
        actor = PROPOSER if trigger == "provide_info" else office
        before = footprint(city.session, proposal.id)
        with pytest.raises(Refused):
            operations.fire_trigger(city.session, proposal, trigger, actor,
                                    INPUTS[trigger])
        city.session.rollback()
        assert footprint(city.session, proposal.id) == before


def test_an_unknown_trigger_is_refused(city):
    proposal = prepared(city, "proposal", "in_review")
    before = footprint(city.session, proposal.id)
    with pytest.raises(Refused) as refused:
        operations.fire_trigger(city.session, proposal, "approve_everything",
                                lead(proposal))
    city.session.rollback()
    assert refused.value.code == "unknown_trigger"
    assert footprint(city.session, proposal.id) == before


# --- adopt: a deliberation record, and every opinion settled ---------------------------------


def test_adopt_without_a_deliberation_record_is_refused(city):
    proposal = prepared(city, "proposal", "in_deliberation")
    assert_refused_and_unchanged(city.session, proposal, "adopt", INPUTS["adopt"],
                                 "deliberation_recorded")


def test_a_comment_period_still_running_is_no_deliberation_record(city):
    db = city.session
    proposal = prepared(city, "proposal", "in_deliberation")
    operations.set_comment_period(db, proposal, lead(proposal),
                                  ends_at=datetime.now(UTC) + timedelta(days=7))
    db.commit()
    assert_refused_and_unchanged(db, proposal, "adopt", INPUTS["adopt"],
                                 "deliberation_recorded")


def test_an_ended_comment_period_is_a_deliberation_record(city):
    db = city.session
    proposal = prepared(city, "proposal", "in_deliberation")
    operations.set_comment_period(db, proposal, lead(proposal), ends_at=datetime.now(UTC))
    db.commit()
    operations.fire_trigger(db, proposal, "adopt", lead(proposal), INPUTS["adopt"])
    db.commit()
    assert footprint(db, proposal.id).state == "adopted"


def test_an_open_opinion_request_blocks_adoption(city):
    db = city.session
    proposal = prepared(city, "proposal", "in_deliberation", deliberation=True)
    operations.request_opinion(db, proposal, "welfare", lead(proposal), question="ご意見は？")
    db.commit()
    refusal = assert_refused_and_unchanged(db, proposal, "adopt", INPUTS["adopt"],
                                           "opinions_settled")
    assert refusal.fields == {}  # about the proposal, not an input to correct


@pytest.mark.parametrize("settle", ["answer", "waive"])
def test_an_answered_or_waived_opinion_lets_adoption_pass(city, settle):
    db = city.session
    proposal = prepared(city, "proposal", "in_deliberation", deliberation=True)
    first = operations.request_opinion(db, proposal, "welfare", lead(proposal),
                                       question="福祉の観点から")
    second = operations.request_opinion(db, proposal, "children", lead(proposal),
                                        question="子育ての観点から")
    db.commit()
    operations.answer_opinion(db, first, operations.Actor.staff(city.welfare_liaison),
                              answer="支障ありません")
    db.commit()
    # One of two still open: still refused.
    assert_refused_and_unchanged(db, proposal, "adopt", INPUTS["adopt"], "opinions_settled")
    if settle == "answer":
        operations.answer_opinion(db, second,
                                  operations.Actor.staff(city.children_liaison),
                                  answer="賛成です")
    else:
        operations.waive_opinion(db, second, lead(proposal), reason="回答期限を過ぎたため")
    db.commit()
    operations.fire_trigger(db, proposal, "adopt", lead(proposal), INPUTS["adopt"])
    db.commit()
    assert footprint(db, proposal.id).state == "adopted"


def test_an_opinion_is_settled_once(city):
    """An answered request cannot be waived or answered again (409), and nothing changes."""
    db = city.session
    proposal = prepared(city, "proposal", "in_deliberation")
    request = operations.request_opinion(db, proposal, "welfare", lead(proposal),
                                         question="ご意見は？")
    db.commit()
    operations.answer_opinion(db, request, operations.Actor.staff(city.welfare_liaison),
                              answer="支障ありません")
    db.commit()
    before = footprint(db, proposal.id)
    with pytest.raises(Conflict):
        operations.waive_opinion(db, request, lead(proposal), reason="不要になった")
    db.rollback()
    with pytest.raises(Conflict):
        operations.answer_opinion(db, request, operations.Actor.staff(city.office_user),
                                  answer="やはり反対")
    db.rollback()
    assert footprint(db, proposal.id) == before
    assert request.status == "answered" and request.answer == "支障ありません"

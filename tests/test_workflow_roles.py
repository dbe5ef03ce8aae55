"""Who may fire what (SPEC sections 1 and 3), at the operations level.

Every trigger of both built-in workflows, from each of its source states, is fired by every
kind of actor: the roles SPEC section 3 names succeed, everyone else — another department's
liaison, the public, the system, the wrong kind of officer — gets Forbidden (HTTP 403) and
nothing changes.  The other staff actions (transfer, deadlines, opinions, sessions, the
comment period) are checked the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import workflows
from intake.errors import Forbidden
from tests import ops as operations

from .workflow_support import (
    INPUTS,
    ROLE_OF,
    actors,
    events_after,
    footprint,
    record_deliberation,
    walk,
)

STAFF = frozenset({"liaison", "office"})

# SPEC section 3, "Triggers and guards": who may fire each trigger.
WHO = {
    "accept": STAFF,
    "request_info": STAFF,
    "provide_info": frozenset({"proposer"}),
    "open_deliberation": STAFF,
    "adopt": STAFF,
    "reject": STAFF,
    "withdraw": frozenset({"proposer", "office"}),
    "start_implementation": STAFF,
    "evaluate": STAFF,
    "answer": STAFF,  # the idea workflow's reply
}

# SPEC section 3: every (workflow, trigger, source state).
CASES = [
    ("proposal", "accept", "submitted"),
    ("proposal", "request_info", "in_review"),
    ("proposal", "provide_info", "awaiting_proposer"),
    ("proposal", "open_deliberation", "in_review"),
    ("proposal", "adopt", "in_deliberation"),
    ("proposal", "reject", "in_review"),
    ("proposal", "reject", "in_deliberation"),
    ("proposal", "withdraw", "submitted"),
    ("proposal", "withdraw", "in_review"),
    ("proposal", "withdraw", "awaiting_proposer"),
    ("proposal", "withdraw", "in_deliberation"),
    ("proposal", "start_implementation", "adopted"),
    ("proposal", "evaluate", "implementing"),
    ("idea", "accept", "submitted"),
    ("idea", "request_info", "in_review"),
    ("idea", "provide_info", "awaiting_proposer"),
    ("idea", "answer", "in_review"),
    ("idea", "withdraw", "submitted"),
    ("idea", "withdraw", "in_review"),
    ("idea", "withdraw", "awaiting_proposer"),
]

ACTOR_NAMES = tuple(ROLE_OF)


def test_the_cases_are_exactly_the_built_in_workflows_transitions():
    """The table above is SPEC section 3; the TOML files must say the same, no more."""
    defined = {
        (kind, t.trigger, source): frozenset(t.roles)
        for kind in ("proposal", "idea")
        for t in workflows.get_workflow(kind).transitions
        for source in t.sources
    }
    assert set(defined) == set(CASES)
    for (kind, trigger, source), roles in defined.items():
        assert roles == WHO[trigger], (kind, trigger, source)


def roads_proposal(city, kind: str, state: str):
    proposal, _ = city.submit(kind=kind, category="roads", title="歩道の段差をなくしてほしい")
    assert proposal.assignee == city.roads_primary
    return walk(city.session, proposal, state)


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
@pytest.mark.parametrize(("kind", "trigger", "source"), CASES,
                         ids=[f"{k}-{t}-from-{s}" for k, t, s in CASES])
def test_each_trigger_obeys_who_may_fire_it(city, kind, trigger, source, actor_name):
    db = city.session
    proposal = roads_proposal(city, kind, source)
    transition = next(t for t in workflows.get_workflow(kind).transitions
                      if t.trigger == trigger and source in t.sources)
    if "deliberation_recorded" in transition.guards:
        record_deliberation(db, proposal)
        db.commit()
    before = footprint(db, proposal.id)
    actor = actors(city)[actor_name]

    if ROLE_OF[actor_name] in WHO[trigger]:
        result = operations.fire_trigger(db, proposal, trigger, actor, INPUTS[trigger],
                                         expected_version=before.version)
        db.commit()
        assert (result.from_state, result.to_state) == (source, transition.dest)
        after = footprint(db, proposal.id)
        assert after.state == transition.dest and after.version == before.version + 1
        [event] = [e for e in events_after(db, proposal.id, before.chain_seq)
                   if e.action == "transition"]
        assert (event.actor, event.trigger) == (actor.ref, trigger)
    else:
        with pytest.raises(Forbidden):
            operations.fire_trigger(db, proposal, trigger, actor, INPUTS[trigger],
                                    expected_version=before.version)
        db.rollback()
        assert footprint(db, proposal.id) == before


# --- the staff actions beside the triggers -------------------------------------------------


def _transfer(db, proposal, actor):
    operations.transfer_proposal(db, proposal, "parks", actor, reason="公園の案件のため")


def _extend(db, proposal, actor):
    operations.extend_deadline(db, proposal, actor, due_on=proposal.due_on + timedelta(30),
                               reason="関係機関との調整に時間を要するため")


def _request_opinion(db, proposal, actor):
    operations.request_opinion(db, proposal, "welfare", actor, question="ご意見をください")


def _record_session(db, proposal, actor):
    record_deliberation(db, proposal, actor)


def _set_comment_period(db, proposal, actor):
    operations.set_comment_period(db, proposal, actor,
                                  ends_at=datetime.now(UTC) + timedelta(days=14))


# name → (state to act in, the action); each may be taken by the lead liaison or the office.
STAFF_ACTIONS = {
    "transfer": ("submitted", _transfer),
    "extend_deadline": ("in_review", _extend),
    "request_opinion": ("in_deliberation", _request_opinion),
    "record_session": ("in_deliberation", _record_session),
    "set_comment_period": ("in_deliberation", _set_comment_period),
}


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_staff_actions_are_for_the_lead_liaison_and_the_office(city, action, actor_name):
    db = city.session
    state, act = STAFF_ACTIONS[action]
    proposal = roads_proposal(city, "proposal", state)
    before = footprint(db, proposal.id)
    actor = actors(city)[actor_name]
    if ROLE_OF[actor_name] in STAFF:
        act(db, proposal, actor)
        db.commit()
        after = footprint(db, proposal.id)
        assert after.events == before.events + 1
        assert events_after(db, proposal.id, before.chain_seq)[0].actor == actor.ref
    else:
        with pytest.raises(Forbidden):
            act(db, proposal, actor)
        db.rollback()
        assert footprint(db, proposal.id) == before


@pytest.mark.parametrize("actor_name", [*ACTOR_NAMES, "consulted_liaison"])
@pytest.mark.parametrize("settle", ["answer", "waive"])
def test_an_opinion_is_answered_by_the_consulted_department_and_waived_by_the_lead(
    city, settle, actor_name
):
    """Answering: a liaison of the consulted department, or the office — not the lead
    department that asked.  Waiving: the lead liaison or the office — not the consulted."""
    db = city.session
    proposal = roads_proposal(city, "proposal", "in_deliberation")
    request = operations.request_opinion(db, proposal, "welfare", actors(city)["office"],
                                         question="福祉の観点からご意見をください")
    db.commit()
    before = footprint(db, proposal.id)
    every = {**actors(city),
             "consulted_liaison": operations.Actor.staff(city.welfare_liaison)}
    actor = every[actor_name]
    if settle == "answer":
        allowed = actor_name in ("consulted_liaison", "office", "admin")

        def act():
            operations.answer_opinion(db, request, actor, answer="支障ありません")
    else:
        allowed = ROLE_OF.get(actor_name) in STAFF

        def act():
            operations.waive_opinion(db, request, actor, reason="期限までに回答がないため")

    if allowed:
        act()
        db.commit()
        after = footprint(db, proposal.id)
        assert after.open_opinions == 0 and after.events == before.events + 1
    else:
        with pytest.raises(Forbidden):
            act()
        db.rollback()
        assert footprint(db, proposal.id) == before


def test_an_inactive_officer_may_do_nothing(city):
    db = city.session
    proposal = roads_proposal(city, "proposal", "submitted")
    city.roads_primary.active = False
    db.commit()
    before = footprint(db, proposal.id)
    with pytest.raises(Forbidden):
        operations.fire_trigger(db, proposal, "accept",
                                operations.Actor.staff(city.roads_primary))
    db.rollback()
    assert footprint(db, proposal.id) == before


def test_the_lead_changes_with_a_transfer(city):
    """After a transfer the new department acts and the old one no longer may."""
    db = city.session
    proposal = roads_proposal(city, "proposal", "submitted")
    office = operations.Actor.staff(city.office_user)
    operations.transfer_proposal(db, proposal, "parks", office, reason="公園の案件のため",
                                 today=date(2026, 6, 1))
    db.commit()
    assert proposal.assignee == city.parks_liaison
    with pytest.raises(Forbidden):
        operations.fire_trigger(db, proposal, "accept",
                                operations.Actor.staff(city.roads_primary))
    db.rollback()
    operations.fire_trigger(db, proposal, "accept",
                            operations.Actor.staff(city.parks_liaison))
    db.commit()
    assert proposal.state == "in_review"

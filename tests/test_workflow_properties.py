"""Random sequences of actions keep the workflow's promises (SPEC section 3).

Hypothesis plays a busy city hall on one fresh proposal per example: any trigger of the
workflow (valid now or not, plus one that does not exist) by any of the lead liaison,
another department's liaison, the office and the proposer, with plausible and implausible
inputs, mixed with the actions that feed the guards (sessions, opinion requests and their
answers, the comment period) and deadline extensions.  After every step:

- a final state stays final;
- a state change writes exactly one ``transition`` event and bumps the version by exactly
  one, into the state the definition names; a refusal writes nothing and changes nothing;
- the other actions never change the state or write a ``transition`` event;
- the whole audit log verifies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import workflows
from intake import audit
from intake.errors import ActionError
from tests import ops as operations

from .workflow_support import (
    FUTURE_YEAR,
    INPUTS,
    PROPOSER,
    footprint,
    record_deliberation,
)

ACTORS = ("lead", "other_liaison", "office", "proposer")

_text = st.one_of(
    st.sampled_from(["", "   ", "理由があります。", "Because the budget is used up."]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
)
_inputs = st.fixed_dictionaries({}, optional={
    "reason": _text,
    "question": _text,
    "answer": _text,
    "evaluation": _text,
    "scope": _text,
    "reason_code": st.sampled_from(["duplicate", "unlawful", "insufficient", "nope", ""]),
    "due_on": st.sampled_from([f"{FUTURE_YEAR}-03-31", "2020-01-01", "someday", ""]),
})


def _triggers(kind: str) -> list[str]:
    names = {t.trigger for t in workflows.get_workflow(kind).transitions}
    return sorted(names) + ["no_such_trigger"]


_OTHER_ACTIONS = ("session", "request_opinion", "answer_opinions", "end_comments", "extend")
_ACTOR_FOR_ROLE = {"liaison": "lead", "office": "office", "proposer": "proposer"}


def _step(data, workflow: workflows.Workflow, state: str):
    """One action, drawn with a lean towards what could succeed now — a trigger leaving
    the current state, by an actor of a role it names, with valid inputs — so that
    proposals travel to every state, while anything else stays possible."""
    if data.draw(st.integers(0, 4), label="kind of step") == 0:
        return (data.draw(st.sampled_from(_OTHER_ACTIONS), label="action"), None,
                data.draw(st.sampled_from(ACTORS), label="actor"), {})
    leaving = workflow.transitions_from(state)
    plausible = leaving and data.draw(st.booleans(), label="plausible")
    if plausible:
        transition = data.draw(st.sampled_from(leaving), label="transition")
        trigger = transition.trigger
        actor = data.draw(st.sampled_from(
            [_ACTOR_FOR_ROLE[r] for r in transition.roles] + ["other_liaison"]), label="actor")
        inputs = data.draw(st.one_of(st.just(INPUTS[trigger]), _inputs), label="inputs")
    else:
        trigger = data.draw(st.sampled_from(_triggers(workflow.name)), label="trigger")
        actor = data.draw(st.sampled_from(ACTORS), label="actor")
        inputs = data.draw(_inputs, label="inputs")
    return "trigger", trigger, actor, inputs


def _perform(db, city, proposal, step) -> None:
    action, trigger, actor_name, inputs = step
    actor = {
        "lead": operations.Actor.staff(city.parks_liaison),
        "other_liaison": operations.Actor.staff(city.roads_primary),
        "office": operations.Actor.staff(city.office_user),
        "proposer": PROPOSER,
    }[actor_name]
    if action == "trigger":
        operations.fire_trigger(db, proposal, trigger, actor, dict(inputs))
    elif action == "session":
        record_deliberation(db, proposal, actor)
    elif action == "request_opinion":
        operations.request_opinion(db, proposal, "welfare", actor, question="ご意見をください")
    elif action == "answer_opinions":
        for request in list(proposal.opinion_requests):
            if request.status == "open":
                operations.answer_opinion(db, request,
                                          operations.Actor.staff(city.welfare_liaison),
                                          answer="支障ありません")
    elif action == "end_comments":
        operations.set_comment_period(db, proposal, actor, ends_at=datetime.now(UTC))
    elif action == "extend":
        due = proposal.due_on
        operations.extend_deadline(db, proposal, actor, reason="調整に時間を要するため",
                                   due_on=(due or datetime.now(UTC).date())
                                   + timedelta(days=7))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(["proposal", "idea"]), steps=st.integers(0, 16), data=st.data())
def test_random_actions_keep_the_workflow_invariants(city, kind, steps, data):
    db = city.session
    workflow = workflows.get_workflow(kind)
    proposal, _ = city.submit(kind=kind)
    assert proposal.assignee == city.parks_liaison
    for _ in range(steps):
        before = footprint(db, proposal.id)
        step = _step(data, workflow, before.state)
        try:
            _perform(db, city, proposal, step)
            db.commit()
            succeeded = True
        except ActionError:
            db.rollback()
            succeeded = False
        after = footprint(db, proposal.id)

        if workflow.is_final(before.state):
            assert after.state == before.state, step
        if not succeeded:
            assert after == before, step
        elif step[0] == "trigger":
            [transition] = [t for t in workflow.transitions_from(before.state)
                            if t.trigger == step[1]]
            assert after.state == transition.dest, step
            assert after.transitions == before.transitions + 1, step
            assert after.version == before.version + 1, step
        else:
            assert after.state == before.state, step
            assert after.transitions == before.transitions, step
        assert audit.verify(db) is None
    event(f"{kind} ended in {footprint(db, proposal.id).state}")

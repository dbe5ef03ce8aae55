"""Every trigger of the built-in workflows, from each of its sources, and every refusal.

The expected moves are written out from SPEC section 3 rather than read from the TOML files,
so a change to a file that breaks the contract fails here.
"""

from __future__ import annotations

from datetime import date

import pytest

from workflows import (
    GuardRefused,
    RoleNotAllowed,
    TransitionRefused,
    TriggerNotAllowed,
    UnknownTrigger,
    WorkflowError,
    get_workflow,
)

STAFF = ("liaison", "office")
PROPOSER_OR_OFFICE = ("proposer", "office")
REASON = {"reason": "市民の参加が確認できたため"}

# (source, trigger, roles, inputs, dest)
PROPOSAL_MOVES = [
    ("submitted", "accept", STAFF, {}, "in_review"),
    ("in_review", "request_info", STAFF, {"question": "場所はどこですか"}, "awaiting_proposer"),
    ("awaiting_proposer", "provide_info", ("proposer",), {"answer": "駅前です"}, "in_review"),
    ("in_review", "open_deliberation", STAFF, {}, "in_deliberation"),
    ("in_deliberation", "adopt", STAFF, REASON, "adopted"),
    ("in_review", "reject", STAFF, {**REASON, "reason_code": "duplicate"}, "rejected"),
    ("in_deliberation", "reject", STAFF, REASON, "rejected"),
    ("submitted", "withdraw", PROPOSER_OR_OFFICE, {}, "withdrawn"),
    ("in_review", "withdraw", PROPOSER_OR_OFFICE, {}, "withdrawn"),
    ("awaiting_proposer", "withdraw", PROPOSER_OR_OFFICE, {}, "withdrawn"),
    ("in_deliberation", "withdraw", PROPOSER_OR_OFFICE, {}, "withdrawn"),
    ("adopted", "start_implementation", STAFF, {}, "implementing"),
    ("implementing", "evaluate", STAFF, {"evaluation": "参加者が増えた"}, "evaluated"),
]

IDEA_MOVES = [
    ("submitted", "accept", STAFF, {}, "in_review"),
    ("in_review", "request_info", STAFF, {"question": "いつ頃ですか"}, "awaiting_proposer"),
    ("awaiting_proposer", "provide_info", ("proposer",), {"answer": "夏です"}, "in_review"),
    ("in_review", "answer", STAFF, {"answer": "検討します"}, "answered"),
    ("submitted", "withdraw", PROPOSER_OR_OFFICE, {}, "withdrawn"),
    ("in_review", "withdraw", PROPOSER_OR_OFFICE, {}, "withdrawn"),
    ("awaiting_proposer", "withdraw", PROPOSER_OR_OFFICE, {}, "withdrawn"),
]

MOVES = {"proposal": PROPOSAL_MOVES, "idea": IDEA_MOVES}
ALL_ROLES = ("liaison", "office", "proposer", "system")


def each_move(roles_wanted):
    """One case per (workflow, move, role) for the roles ``roles_wanted(allowed)`` picks."""
    return [
        pytest.param(
            name, source, trigger, role, inputs, dest, id=f"{name}-{trigger}-{source}-{role}"
        )
        for name, moves in MOVES.items()
        for source, trigger, allowed, inputs, dest in moves
        for role in roles_wanted(allowed)
    ]


@pytest.mark.parametrize("name", MOVES)
def test_the_tables_above_cover_every_trigger_of_the_files(name):
    in_file = {(s, t.trigger, t.dest) for t in get_workflow(name).transitions for s in t.sources}
    assert in_file == {(source, trigger, dest) for source, trigger, _, _, dest in MOVES[name]}


@pytest.mark.parametrize(
    ("name", "source", "trigger", "role", "inputs", "dest"), each_move(lambda allowed: allowed)
)
def test_every_move(make_proposal, name, source, trigger, role, inputs, dest):
    proposal = make_proposal(source, deliberation_records=1)
    fired = get_workflow(name).fire(proposal, trigger, role=role, inputs=inputs)
    assert proposal.state == dest
    assert (fired.trigger, fired.source, fired.dest) == (trigger, source, dest)


@pytest.mark.parametrize(
    ("name", "source", "trigger", "role", "inputs", "dest"),
    each_move(lambda allowed: [role for role in ALL_ROLES if role not in allowed]),
)
def test_wrong_role_is_refused(make_proposal, name, source, trigger, role, inputs, dest):
    proposal = make_proposal(source, deliberation_records=1)
    with pytest.raises(RoleNotAllowed) as refused:
        get_workflow(name).fire(proposal, trigger, role=role, inputs=inputs)
    assert (refused.value.trigger, refused.value.role) == (trigger, role)
    assert proposal.state == source


def test_unknown_role_is_refused(proposal_workflow, make_proposal):
    proposal = make_proposal("submitted")
    with pytest.raises(RoleNotAllowed):
        proposal_workflow.fire(proposal, "accept", role="admin")
    assert proposal.state == "submitted"


PROPOSAL_STATES = (
    "submitted in_review awaiting_proposer in_deliberation adopted rejected withdrawn "
    "implementing evaluated"
).split()
IDEA_STATES = "submitted in_review awaiting_proposer answered withdrawn".split()


def wrong_state_cases(workflow_name, moves, states):
    """Each (trigger, state) pair the table does not allow, once."""
    allowed = {(source, trigger) for source, trigger, *_ in moves}
    cases = {
        f"{workflow_name}-{trigger}-from-{state}": (workflow_name, state, trigger, roles[0], inputs)
        for _, trigger, roles, inputs, _ in moves
        for state in states
        if (state, trigger) not in allowed
    }
    return [pytest.param(*case, id=case_id) for case_id, case in cases.items()]


@pytest.mark.parametrize(
    ("workflow_name", "state", "trigger", "role", "inputs"),
    wrong_state_cases("proposal", PROPOSAL_MOVES, PROPOSAL_STATES)
    + wrong_state_cases("idea", IDEA_MOVES, IDEA_STATES),
)
def test_trigger_from_wrong_state_is_refused(
    make_proposal, workflow_name, state, trigger, role, inputs
):
    proposal = make_proposal(state, deliberation_records=1)
    with pytest.raises(TriggerNotAllowed) as refused:
        get_workflow(workflow_name).fire(proposal, trigger, role=role, inputs=inputs)
    assert (refused.value.trigger, refused.value.state) == (trigger, state)
    assert proposal.state == state


def test_state_is_checked_before_role(proposal_workflow, make_proposal):
    proposal = make_proposal("in_review")
    with pytest.raises(TriggerNotAllowed):
        proposal_workflow.fire(proposal, "accept", role="proposer")


def test_final_states_allow_nothing(proposal_workflow, idea_workflow, make_proposal):
    for workflow in (proposal_workflow, idea_workflow):
        for state in workflow.states.values():
            if state.final:
                assert workflow.available_triggers(make_proposal(state.name), "office") == []


def test_unknown_trigger(proposal_workflow, make_proposal):
    proposal = make_proposal("submitted")
    with pytest.raises(UnknownTrigger):
        proposal_workflow.fire(proposal, "answer", role="office")  # an idea trigger
    assert proposal.state == "submitted"


@pytest.mark.parametrize(
    ("workflow_name", "state", "trigger", "inputs", "field"),
    [
        ("proposal", "in_review", "request_info", {}, "question"),
        ("proposal", "in_review", "request_info", {"question": " \u3000\n"}, "question"),
        ("proposal", "awaiting_proposer", "provide_info", {"answer": ""}, "answer"),
        ("proposal", "in_deliberation", "adopt", {"scope": "一部"}, "reason"),
        ("proposal", "in_deliberation", "reject", {"reason": None}, "reason"),
        ("proposal", "in_review", "reject", {"reason_code": "duplicate"}, "reason"),
        ("proposal", "in_review", "reject", REASON, "reason_code"),
        ("proposal", "implementing", "evaluate", {}, "evaluation"),
        ("idea", "in_review", "answer", {}, "answer"),
        ("idea", "in_review", "request_info", {"question": "  "}, "question"),
    ],
)
def test_missing_required_input_is_refused_naming_the_field(
    make_proposal, workflow_name, state, trigger, inputs, field
):
    workflow = get_workflow(workflow_name)
    proposal = make_proposal(state, deliberation_records=1)
    role = "proposer" if trigger == "provide_info" else "office"
    with pytest.raises(GuardRefused) as refused:
        workflow.fire(proposal, trigger, role=role, inputs=inputs)
    assert refused.value.field == field
    assert refused.value.guard == f"input:{field}"
    assert field in refused.value.message
    assert proposal.state == state


def test_reason_code_outside_the_choices_is_refused(proposal_workflow, make_proposal):
    proposal = make_proposal("in_review")
    with pytest.raises(GuardRefused) as refused:
        proposal_workflow.fire(
            proposal, "reject", role="liaison", inputs={**REASON, "reason_code": "too_expensive"}
        )
    assert refused.value.field == "reason_code"
    assert "out_of_scope" in refused.value.message  # tells the valid choices
    assert proposal.state == "in_review"


def test_text_input_must_be_text(proposal_workflow, make_proposal):
    proposal = make_proposal("implementing")
    with pytest.raises(GuardRefused) as refused:
        proposal_workflow.fire(proposal, "evaluate", role="office", inputs={"evaluation": 42})
    assert refused.value.field == "evaluation"
    assert proposal.state == "implementing"


def test_due_on_must_be_a_date(proposal_workflow, make_proposal):
    proposal = make_proposal("adopted")
    with pytest.raises(GuardRefused) as refused:
        proposal_workflow.fire(
            proposal, "start_implementation", role="liaison", inputs={"due_on": "来年度中"}
        )
    assert refused.value.field == "due_on"
    assert proposal.state == "adopted"


@pytest.mark.parametrize("due_on", ["2027-03-31", date(2027, 3, 31)])
def test_due_on_is_returned_as_a_date(proposal_workflow, make_proposal, due_on):
    proposal = make_proposal("adopted")
    fired = proposal_workflow.fire(
        proposal, "start_implementation", role="liaison", inputs={"due_on": due_on},
        today=date(2026, 11, 30),
    )
    assert fired.inputs["due_on"] == date(2027, 3, 31)


@pytest.mark.parametrize(("due_on", "rule", "dates"), [
    ("2026-11-29", "before_today", {"today": date(2026, 11, 30)}),
    ("2026-01-05", "before_today", {"today": date(2026, 11, 30)}),
    ("2037-01-01", "after_horizon", {"latest": date(2036, 12, 31)}),
    ("9999-12-31", "after_horizon", {"latest": date(2036, 12, 31)}),
])
def test_a_date_input_is_a_day_from_today_to_the_horizon(proposal_workflow, make_proposal,
                                                        due_on, rule, dates):
    """A workflow's date input is a day the workflow counts towards: none already gone,
    none the calendar cannot count to; the refusal names the day its rule is about."""
    proposal = make_proposal("adopted")
    with pytest.raises(GuardRefused) as refused:
        proposal_workflow.fire(proposal, "start_implementation", role="liaison",
                               inputs={"due_on": due_on}, today=date(2026, 11, 30))
    assert (refused.value.field, refused.value.rule, refused.value.dates) == (
        "due_on", rule, dates)
    assert proposal.state == "adopted"


@pytest.mark.parametrize("due_on", [date(2026, 11, 30), date(2036, 12, 31)])
def test_today_and_the_horizon_are_days_a_date_input_takes(proposal_workflow, make_proposal,
                                                          due_on):
    proposal = make_proposal("adopted")
    fired = proposal_workflow.fire(proposal, "start_implementation", role="liaison",
                                   inputs={"due_on": due_on}, today=date(2026, 11, 30))
    assert fired.inputs["due_on"] == due_on and proposal.state == "implementing"


def test_adopt_needs_a_deliberation_record(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation", deliberation_records=0)
    with pytest.raises(GuardRefused) as refused:
        proposal_workflow.fire(proposal, "adopt", role="liaison", inputs=REASON)
    assert refused.value.guard == "deliberation_recorded"
    assert refused.value.field is None
    assert refused.value.message
    assert proposal.state == "in_deliberation"


def test_adopt_needs_every_opinion_settled(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation", deliberation_records=2, open_opinions=2)
    with pytest.raises(GuardRefused) as refused:
        proposal_workflow.fire(proposal, "adopt", role="office", inputs=REASON)
    assert refused.value.guard == "opinions_settled"
    assert "2" in refused.value.message
    assert proposal.state == "in_deliberation"


def test_inputs_are_checked_before_guards(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation", deliberation_records=0)
    with pytest.raises(GuardRefused) as refused:
        proposal_workflow.fire(proposal, "adopt", role="office", inputs={})
    assert refused.value.field == "reason"


def test_rejecting_without_deliberation_needs_no_deliberation_record(
    proposal_workflow, make_proposal
):
    proposal = make_proposal("in_deliberation", deliberation_records=0, open_opinions=1)
    proposal_workflow.fire(proposal, "reject", role="office", inputs=REASON)
    assert proposal.state == "rejected"


def test_every_refusal_is_a_workflow_error_with_a_code(proposal_workflow, make_proposal):
    attempts = [
        ("nonsense", "office", {}),
        ("adopt", "office", {}),  # from submitted
        ("accept", "proposer", {}),
    ]
    codes = set()
    for trigger, role, inputs in attempts:
        with pytest.raises(TransitionRefused) as refused:
            proposal_workflow.fire(make_proposal("submitted"), trigger, role=role, inputs=inputs)
        assert isinstance(refused.value, WorkflowError)
        codes.add(refused.value.code)
    assert codes == {"unknown_trigger", "trigger_not_allowed", "role_not_allowed"}
    assert GuardRefused("g", "m").code == "guard_refused"


def test_rulings_and_notifications(proposal_workflow, idea_workflow, make_proposal):
    def fire(workflow, state, trigger, inputs):
        return workflow.fire(make_proposal(state, 1), trigger, role="office", inputs=inputs)

    adopted = fire(proposal_workflow, "in_deliberation", "adopt", REASON)
    rejected = fire(proposal_workflow, "in_deliberation", "reject", REASON)
    answered = fire(idea_workflow, "in_review", "answer", {"answer": "はい"})
    asked = fire(proposal_workflow, "in_review", "request_info", {"question": "？"})
    accepted = fire(proposal_workflow, "submitted", "accept", {})
    assert adopted.transition.ruling == "adopted"
    assert rejected.transition.ruling == "rejected"
    assert answered.transition.ruling == "answered"
    assert asked.transition.ruling is None
    for fired in (adopted, rejected, answered, asked):
        assert "proposer" in fired.transition.notify
    assert "publish" in accepted.transition.effects


def test_inputs_come_back_cleaned(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation", deliberation_records=1)
    fired = proposal_workflow.fire(
        proposal,
        "adopt",
        role="liaison",
        inputs={"reason": "  全面的に賛成  ", "scope": "   ", "version": 7},
    )
    assert fired.inputs["reason"] == "全面的に賛成"
    assert "scope" not in fired.inputs  # blank optional input dropped
    assert fired.inputs["version"] == 7  # undeclared inputs pass through


def test_partial_adoption_keeps_its_scope(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation", deliberation_records=1)
    fired = proposal_workflow.fire(
        proposal, "adopt", role="liaison", inputs={**REASON, "scope": "清掃活動のみ"}
    )
    assert fired.inputs["scope"] == "清掃活動のみ"

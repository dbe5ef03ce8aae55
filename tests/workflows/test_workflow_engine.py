"""The engine's promises to the app: a plain-str state, no memory of subjects, safe to share
between threads, and the helpers the pages and deadlines rely on."""

from __future__ import annotations

import gc
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

import workflows
from workflows.calendar import today_jst

PATH_TO_EVALUATED = [
    ("accept", "liaison", {}),
    ("request_info", "office", {"question": "予算は？"}),
    ("provide_info", "proposer", {"answer": "10万円"}),
    ("open_deliberation", "liaison", {}),
    ("adopt", "liaison", {"reason": "協議で合意"}),
    ("start_implementation", "liaison",
     {"due_on": (today_jst() + timedelta(days=120)).isoformat()}),
    ("evaluate", "office", {"evaluation": "目標を達成"}),
]


def test_state_stays_a_plain_string(proposal_workflow, make_proposal):
    proposal = make_proposal("submitted")
    proposal_workflow.fire(proposal, "accept", role="office")
    assert type(proposal.state) is str
    assert proposal.state == "in_review"


def test_the_workflow_keeps_no_reference_to_subjects(proposal_workflow, make_proposal):
    proposal = make_proposal("submitted", deliberation_records=1)
    for trigger, role, inputs in PATH_TO_EVALUATED:
        proposal_workflow.fire(proposal, trigger, role=role, inputs=inputs)
    gone = weakref.ref(proposal)
    del proposal
    gc.collect()
    assert gone() is None


def test_a_subject_is_not_reset_or_bound_by_the_engine(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation", deliberation_records=1)
    proposal_workflow.available_triggers(proposal, "office")
    assert proposal.state == "in_deliberation"  # never set to the initial state
    assert not hasattr(proposal, "trigger")  # no methods bolted on
    assert not hasattr(proposal, "adopt")


def test_check_refuses_as_fire_would_and_moves_nothing(proposal_workflow, make_proposal):
    proposal = make_proposal("awaiting_proposer")
    with pytest.raises(workflows.GuardRefused) as refused:
        proposal_workflow.check(proposal, "provide_info", role="proposer",
                                inputs={"answer": "  "})
    assert (refused.value.field, refused.value.rule) == ("answer", "required")
    with pytest.raises(workflows.TriggerNotAllowed):
        proposal_workflow.check(proposal, "accept", role="liaison")
    proposal_workflow.check(proposal, "provide_info", role="proposer",
                            inputs={"answer": "北側です"})
    assert proposal.state == "awaiting_proposer"


def test_one_workflow_serves_many_threads(proposal_workflow, make_proposal):
    def walk(_: int) -> str:
        proposal = make_proposal("submitted", deliberation_records=1)
        for trigger, role, inputs in PATH_TO_EVALUATED:
            proposal_workflow.fire(proposal, trigger, role=role, inputs=inputs)
        return proposal.state

    with ThreadPoolExecutor(max_workers=16) as pool:
        final_states = list(pool.map(walk, range(2000)))
    assert set(final_states) == {"evaluated"}


@pytest.mark.parametrize(
    ("state", "role", "expected"),
    [
        ("submitted", "liaison", ["accept"]),
        ("submitted", "proposer", ["withdraw"]),
        ("submitted", "office", ["accept", "withdraw"]),
        ("in_review", "liaison", ["request_info", "open_deliberation", "reject"]),
        ("in_review", "proposer", ["withdraw"]),
        ("awaiting_proposer", "proposer", ["provide_info", "withdraw"]),
        ("awaiting_proposer", "liaison", []),
        ("in_deliberation", "office", ["adopt", "reject", "withdraw"]),
        ("adopted", "liaison", ["start_implementation"]),
        ("evaluated", "office", []),
    ],
)
def test_available_triggers(proposal_workflow, make_proposal, state, role, expected):
    # Guards are not evaluated here: adopt is offered although no session is recorded.
    available = proposal_workflow.available_triggers(make_proposal(state), role)
    assert [t.trigger for t in available] == expected


def test_available_reject_carries_the_inputs_of_its_source(proposal_workflow, make_proposal):
    def reject_inputs(state):
        (reject,) = [
            t
            for t in proposal_workflow.available_triggers(make_proposal(state), "office")
            if t.trigger == "reject"
        ]
        return {name: spec.required for name, spec in reject.inputs.items()}

    assert reject_inputs("in_review") == {"reason": True, "reason_code": True}
    assert reject_inputs("in_deliberation") == {"reason": True}


@pytest.mark.parametrize(
    ("state", "entered_on", "expected"),
    [
        ("submitted", date(2025, 4, 25), date(2025, 5, 7)),  # 5 days across Golden Week
        ("in_review", date(2026, 12, 1), date(2027, 1, 4)),  # 20 days across the closure
        ("awaiting_proposer", date(2025, 6, 2), date(2025, 6, 23)),  # the proposer's 15 days
        ("in_deliberation", date(2025, 6, 2), date(2025, 7, 29)),  # 40 days, 7/21 Marine Day
        ("implementing", date(2025, 6, 2), None),  # set by the department
        ("adopted", date(2025, 6, 2), None),
        ("rejected", date(2025, 6, 2), None),
    ],
)
def test_deadline_on_entry(proposal_workflow, state, entered_on, expected):
    assert proposal_workflow.deadline_on_entry(state, entered_on) == expected


def test_idea_answer_is_due_ten_business_days_after_acceptance(idea_workflow):
    assert idea_workflow.deadline_on_entry("in_review", date(2025, 4, 28)) == date(2025, 5, 15)


def test_state_flags(proposal_workflow):
    assert proposal_workflow.states["awaiting_proposer"].pauses_clock
    assert proposal_workflow.states["implementing"].deadline_set_by_department
    assert not proposal_workflow.states["in_review"].pauses_clock


@pytest.mark.parametrize(
    ("state", "final"),
    [
        ("rejected", True),
        ("withdrawn", True),
        ("evaluated", True),
        ("adopted", False),  # a ruling that still moves on to implementation
        ("submitted", False),
    ],
)
def test_is_final(proposal_workflow, state, final):
    assert proposal_workflow.is_final(state) is final


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ja", "協議中"),
        ("en", "In deliberation"),
        ("ja-easy", "市民と 話し合って います"),
        ("fr", "協議中"),
    ],
)
def test_state_label(proposal_workflow, lang, expected):
    assert proposal_workflow.state_label("in_deliberation", lang) == expected


def test_state_label_of_an_unknown_state_is_its_name(proposal_workflow):
    assert proposal_workflow.state_label("archived", "en") == "archived"


def test_every_builtin_state_and_trigger_speaks_three_languages(proposal_workflow, idea_workflow):
    for workflow in (proposal_workflow, idea_workflow):
        for labelled in (workflow, *workflow.states.values(), *workflow.transitions):
            assert set(labelled.label) == {"ja", "en", "ja-easy"}, labelled


def test_mermaid_diagram(proposal_workflow):
    diagram = proposal_workflow.mermaid()
    lines = diagram.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> submitted" in lines
    assert '    state "協議中" as in_deliberation' in lines
    assert "    in_deliberation --> adopted: adopt" in lines
    assert "    in_review --> rejected: reject" in lines
    assert "    in_deliberation --> rejected: reject" in lines
    assert "    evaluated --> [*]" in lines
    assert "    adopted --> [*]" not in lines
    assert proposal_workflow.mermaid() == diagram  # deterministic
    assert '    state "In deliberation" as in_deliberation' in proposal_workflow.mermaid("en")

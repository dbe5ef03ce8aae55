"""What the app used to hard-code, now read from the definition: state flags (comments,
sessions), the reason-carrying input of each transition, the rulings vocabulary with partial
adoption, and the guards that would refuse before anyone clicks."""

from __future__ import annotations

import pytest

from workflows import RULINGS, GuardRefused, WorkflowDefinitionError

# A small definition using every key this module is about. Line numbers below refer to it.
COUNCIL = """\
name = "council"
label = { ja = "審議" }
initial = "open"

[states.open]
label = { ja = "受付" }
comments = true
sessions = true

[states.decided]
label = { ja = "決定" }
final = true

[[transitions]]
trigger = "decide"
source = "open"
dest = "decided"
roles = ["office"]
guards = ["deliberation_recorded", "opinions_settled"]
ruling = "adopted"
reason_input = "grounds"
[transitions.inputs.grounds]
required = true
[transitions.inputs.part]
partial_ruling = "partially_adopted"
[transitions.inputs.due_on]
type = "date"

[[transitions]]
trigger = "drop"
source = "open"
dest = "decided"
roles = ["office"]
[transitions.inputs.reason]
"""


def council(old: str = "", new: str = "") -> str:
    assert old in COUNCIL
    return COUNCIL.replace(old, new, 1)


@pytest.fixture
def council_workflow(write_workflow):
    return write_workflow(COUNCIL)


# -- 1. state flags -----------------------------------------------------------------------


def test_state_flags_are_read_from_the_file(council_workflow):
    state = council_workflow.states["open"]
    assert (state.comments, state.sessions) == (True, True)
    decided = council_workflow.states["decided"]
    assert (decided.comments, decided.sessions) == (False, False)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("in_deliberation", True),
        ("in_review", False),
        ("submitted", False),
        ("adopted", False),
        ("rejected", False),
        ("under_discussion", False),  # unknown, e.g. an old row after a rename
    ],
)
def test_only_deliberation_takes_comments_and_sessions(proposal_workflow, state, expected):
    assert proposal_workflow.state_takes_comments(state) is expected
    assert proposal_workflow.state_takes_sessions(state) is expected


def test_the_idea_workflow_takes_no_comments(idea_workflow):
    assert not any(
        idea_workflow.state_takes_comments(s) or idea_workflow.state_takes_sessions(s)
        for s in idea_workflow.states
    )


def test_comments_and_sessions_are_separate_flags(write_workflow):
    workflow = write_workflow(council("sessions = true\n"))
    assert workflow.state_takes_comments("open")
    assert not workflow.state_takes_sessions("open")


# -- 2. the reason input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "trigger", "source", "expected"),
    [
        ("proposal", "accept", "submitted", None),
        ("proposal", "request_info", "in_review", "question"),
        ("proposal", "provide_info", "awaiting_proposer", "answer"),
        ("proposal", "open_deliberation", "in_review", None),
        ("proposal", "adopt", "in_deliberation", "reason"),
        ("proposal", "reject", "in_review", "reason"),
        ("proposal", "reject", "in_deliberation", "reason"),
        ("proposal", "withdraw", "submitted", "reason"),
        ("proposal", "start_implementation", "adopted", None),
        ("proposal", "evaluate", "implementing", "evaluation"),
        ("idea", "request_info", "in_review", "question"),
        ("idea", "provide_info", "awaiting_proposer", "answer"),
        ("idea", "answer", "in_review", "answer"),
        ("idea", "withdraw", "in_review", "reason"),
    ],
)
def test_reason_input_of_each_builtin_transition(
    proposal_workflow, idea_workflow, name, trigger, source, expected
):
    workflow = {"proposal": proposal_workflow, "idea": idea_workflow}[name]
    (transition,) = [t for t in workflow.transitions_from(source) if t.trigger == trigger]
    assert transition.reason_input == expected


def test_every_builtin_reason_input_is_a_declared_input(proposal_workflow, idea_workflow):
    for workflow in (proposal_workflow, idea_workflow):
        for transition in workflow.transitions:
            assert transition.reason_input in (None, *transition.inputs)


def test_reason_input_named_or_defaulted(council_workflow):
    decide, drop = council_workflow.transitions
    assert decide.reason_input == "grounds"  # named
    assert drop.reason_input == "reason"  # declared "reason", not named


def test_no_reason_input_without_a_declared_reason(write_workflow):
    workflow = write_workflow(council("[transitions.inputs.reason]\n"))
    assert workflow.transitions[1].reason_input is None


# -- 3. rulings ---------------------------------------------------------------------------


def test_rulings_vocabulary():
    assert RULINGS == ("adopted", "partially_adopted", "rejected", "answered")


def test_builtin_rulings_are_in_the_vocabulary(proposal_workflow, idea_workflow):
    for workflow in (proposal_workflow, idea_workflow):
        for transition in workflow.transitions:
            assert transition.ruling in (None, *RULINGS)


def adopt(proposal_workflow):
    (transition,) = [
        t for t in proposal_workflow.transitions_from("in_deliberation") if t.trigger == "adopt"
    ]
    return transition


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"reason": "必要性が確認できた"}, "adopted"),
        ({"reason": "一部のみ", "scope": "北口の照明のみ"}, "partially_adopted"),
        ({"reason": "理由", "scope": "  "}, "adopted"),  # blank is not given
        ({"reason": "理由", "scope": None}, "adopted"),
        ({}, "adopted"),
    ],
)
def test_adopt_records_a_partial_adoption_when_a_scope_is_given(
    proposal_workflow, inputs, expected
):
    assert adopt(proposal_workflow).inputs["scope"].partial_ruling == "partially_adopted"
    assert adopt(proposal_workflow).decision_for(inputs) == expected


def test_decision_for_a_fired_adoption(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation", deliberation_records=1)
    fired = proposal_workflow.fire(
        proposal, "adopt", role="office", inputs={"reason": "理由", "scope": " 一部 "}
    )
    assert fired.transition.decision_for(fired.inputs) == "partially_adopted"


@pytest.mark.parametrize(
    ("trigger", "source", "expected"),
    [
        ("reject", "in_review", "rejected"),
        ("accept", "submitted", None),  # not a ruling
        ("withdraw", "in_deliberation", None),
    ],
)
def test_decision_for_other_transitions(proposal_workflow, trigger, source, expected):
    (transition,) = [t for t in proposal_workflow.transitions_from(source) if t.trigger == trigger]
    assert transition.decision_for({"reason": "x", "scope": "y"}) == expected


def test_idea_answer_is_answered(idea_workflow):
    (answer,) = [t for t in idea_workflow.transitions if t.trigger == "answer"]
    assert answer.decision_for({"answer": "回答"}) == "answered"


# -- load errors for the new keys ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            council("[states.decided]\n", "[states.decided]\ncomments = true\n"),
            ["line 11:", "[states.decided]", "a final state cannot take comments"],
            id="final-with-comments",
        ),
        pytest.param(
            council("final = true\n", "final = true\nsessions = true\n"),
            ["line 13:", "[states.decided]", "a final state cannot take sessions"],
            id="final-with-sessions",
        ),
        pytest.param(
            council("comments = true", 'comments = "yes"'),
            ["line 7:", "[states.open]", 'comments must be true or false, not "yes"'],
            id="comments-not-bool",
        ),
        pytest.param(
            council("sessions = true", "session = true"),
            ["line 8:", 'unknown key "session"', 'did you mean "sessions"'],
            id="sessions-typo",
        ),
        pytest.param(
            council('reason_input = "grounds"', 'reason_input = "ground"'),
            [
                "line 21:",
                '[[transitions]] #1 (trigger "decide")',
                'reason_input: "ground" is not an input of this transition',
                'did you mean "grounds"',
                "(declared: grounds, part, due_on)",
            ],
            id="reason-input-undeclared",
        ),
        pytest.param(
            council('reason_input = "grounds"', 'reason_input = "due_on"'),
            ["line 21:", 'reason_input: "due_on" must be a text input'],
            id="reason-input-date",
        ),
        pytest.param(
            council(
                'roles = ["office"]\n[transitions.inputs.reason]',
                'roles = ["office"]\nreason_input = "reason"',
            ),
            ["line 34:", 'reason_input: "reason" is not an input', "(declared: none)"],
            id="reason-input-without-inputs",
        ),
        pytest.param(
            council('roles = ["office"]\n[transitions.inputs.reason]',
                    'roles = ["office"]\nattachments = true\n[transitions.inputs.reason]'),
            ["line 34:", '[[transitions]] #2 (trigger "drop")',
             "attachments are the proposer's files", 'roles are ["proposer"]'],
            id="attachments-on-a-staff-step",
        ),
        pytest.param(
            council('roles = ["office"]\n[transitions.inputs.reason]',
                    'roles = ["office"]\nattachments = "yes"\n[transitions.inputs.reason]'),
            ["line 34:", "attachments must be true or false"],
            id="attachments-not-a-flag",
        ),
        pytest.param(
            council('ruling = "adopted"', 'ruling = "adopt"'),
            [
                "line 20:",
                '[[transitions]] #1 (trigger "decide")',
                'unknown ruling "adopt"',
                'did you mean "adopted"',
                "(known: adopted, partially_adopted, rejected, answered)",
            ],
            id="ruling-typo",
        ),
        pytest.param(
            council('ruling = "adopted"', 'ruling = "done"'),
            ["line 20:", 'unknown ruling "done"'],
            id="ruling-outside-the-list",
        ),
        pytest.param(
            council('partial_ruling = "partially_adopted"', 'partial_ruling = "partial"'),
            [
                "line 25:",
                '[[transitions]] #1 (trigger "decide") input "part"',
                'unknown partial_ruling "partial"',
            ],
            id="partial-ruling-typo",
        ),
        pytest.param(
            council('ruling = "adopted"\n', ""),
            [
                "line 24:",
                'input "part"',
                "partial_ruling needs a ruling on its transition",
            ],
            id="partial-ruling-without-ruling",
        ),
        pytest.param(
            council(
                'partial_ruling = "partially_adopted"',
                'partial_ruling = "partially_adopted"\nrequired = true',
            ),
            ["line 25:", 'input "part"', "partial_ruling needs an optional input"],
            id="partial-ruling-required",
        ),
    ],
)
def test_each_mistake_with_the_new_keys_is_reported_clearly(write_workflow, text, expected):
    with pytest.raises(WorkflowDefinitionError) as error:
        write_workflow(text, name="broken.toml")
    message = str(error.value)
    assert "broken.toml" in message.splitlines()[0]
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


# -- 5. guards before the click -----------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "open_opinions", "expected"),
    [
        (1, 0, []),
        (0, 0, ["deliberation_recorded"]),
        (1, 2, ["opinions_settled"]),
        (0, 1, ["deliberation_recorded", "opinions_settled"]),
    ],
)
def test_unmet_guards_of_adopt(proposal_workflow, make_proposal, records, open_opinions, expected):
    proposal = make_proposal(
        "in_deliberation", deliberation_records=records, open_opinions=open_opinions
    )
    unmet = proposal_workflow.unmet_guards(proposal, adopt(proposal_workflow))
    assert [name for name, _ in unmet] == expected
    assert proposal.state == "in_deliberation"  # nothing fired


def test_unmet_guards_carry_the_refusal_messages(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation", open_opinions=1)
    unmet = dict(proposal_workflow.unmet_guards(proposal, adopt(proposal_workflow)))
    assert unmet == {
        "deliberation_recorded": "record a deliberation session, or end a comment period "
                                 "while the proposal is public, first",
        "opinions_settled": "1 opinion request is still open; each must be answered or waived",
    }


def test_unmet_guards_match_what_fire_refuses(proposal_workflow, make_proposal):
    proposal = make_proposal("in_deliberation")
    ((guard, message),) = proposal_workflow.unmet_guards(proposal, adopt(proposal_workflow))
    with pytest.raises(GuardRefused) as refused:
        proposal_workflow.fire(proposal, "adopt", role="office", inputs={"reason": "理由"})
    assert (refused.value.guard, refused.value.message) == (guard, message)


def test_a_transition_without_guards_has_none_unmet(proposal_workflow, make_proposal):
    proposal = make_proposal("in_review")
    for transition in proposal_workflow.transitions_from("in_review"):
        assert proposal_workflow.unmet_guards(proposal, transition) == []


def test_unmet_guards_ignore_required_inputs(council_workflow, make_proposal):
    # "grounds" is required, yet only the named guards are evaluated before the click.
    proposal = make_proposal("open", deliberation_records=1)
    assert council_workflow.unmet_guards(proposal, council_workflow.transitions[0]) == []

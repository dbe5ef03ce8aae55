"""Loading definitions: a clear error for each kind of mistake, and new workflows as pure data."""

from __future__ import annotations

from datetime import date

import pytest

from workflows import (
    GuardRefused,
    UnknownWorkflow,
    WorkflowDefinitionError,
    builtin_workflow_names,
    get_workflow,
    load_workflow,
    parse_workflow,
)

# A third workflow no Python code knows about: a simple request the office handles.
SIMPLE_REQUEST = """\
name = "simple_request"
label = { ja = "簡単な依頼", en = "Simple request" }
initial = "open"

[states.open]
label = { ja = "受付", en = "Open" }
deadline_days = 3

[states.in_progress]
label = { ja = "対応中", en = "In progress", ja-easy = "たいおう ちゅう" }
deadline_days = 10

[states.done]
label = { ja = "完了", en = "Done" }
final = true

[[transitions]]
trigger = "start"
source = "open"
dest = "in_progress"
roles = ["office", "liaison"]

[[transitions]]
trigger = "finish"
source = ["open", "in_progress"]
dest = "done"
roles = ["office"]
ruling = "answered"
notify = ["proposer"]
[transitions.inputs.result]
required = true
choices = ["fixed", "not_needed"]
"""


def test_a_new_workflow_file_runs_without_python_changes(write_workflow, make_proposal):
    workflow = write_workflow(SIMPLE_REQUEST)
    request = make_proposal(workflow.initial)

    assert [t.trigger for t in workflow.available_triggers(request, "liaison")] == ["start"]
    workflow.fire(request, "start", role="liaison")
    assert request.state == "in_progress"
    with pytest.raises(GuardRefused):
        workflow.fire(request, "finish", role="office", inputs={"result": "maybe"})
    fired = workflow.fire(request, "finish", role="office", inputs={"result": "fixed"})

    assert request.state == "done"
    assert fired.transition.ruling == "answered"
    assert workflow.is_final("done")
    assert workflow.deadline_on_entry("in_progress", date(2025, 4, 28)) == date(2025, 5, 15)
    assert workflow.state_label("in_progress", "ja-easy") == "たいおう ちゅう"
    assert "in_progress --> done: finish" in workflow.mermaid()


def load_error(write_workflow, text: str) -> WorkflowDefinitionError:
    with pytest.raises(WorkflowDefinitionError) as error:
        write_workflow(text, name="broken.toml")
    return error.value


def broken(old: str, new: str) -> str:
    assert old in SIMPLE_REQUEST
    return SIMPLE_REQUEST.replace(old, new, 1)


STUCK_STATE = """
[states.stuck]
label = { ja = "停止" }
"""
LIMBO_STATE = """
[states.limbo]
label = { ja = "宙づり" }
final = true
"""
REOPEN = """
[[transitions]]
trigger = "reopen"
source = "done"
dest = "open"
roles = ["office"]
"""
SECOND_START = """
[[transitions]]
trigger = "start"
source = "open"
dest = "done"
roles = ["office"]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            broken('name = "simple_request"', 'name = "simple_request'),
            ["TOML syntax error", "line 1"],
            id="toml-syntax",
        ),
        pytest.param(
            broken('dest = "in_progress"', 'dest = "in_progres"'),
            [
                "line 20:",
                '[[transitions]] #1 (trigger "start")',
                'unknown state "in_progres"',
                'did you mean "in_progress"',
            ],
            id="unknown-dest",
        ),
        pytest.param(
            broken('source = ["open", "in_progress"]', 'source = ["open", "working"]'),
            ["line 25:", 'source: unknown state "working"'],
            id="unknown-source",
        ),
        pytest.param(
            broken('initial = "open"', 'initial = "opened"'),
            ["line 3:", 'initial: unknown state "opened"'],
            id="unknown-initial",
        ),
        pytest.param(
            SIMPLE_REQUEST + LIMBO_STATE,
            ["[states.limbo]", 'unreachable from the initial state "open"'],
            id="unreachable",
        ),
        pytest.param(
            broken(
                'roles = ["office", "liaison"]', 'roles = ["office"]\nguards = ["mayor_agrees"]'
            ),
            ["line 22:", 'unknown guard "mayor_agrees"', "deliberation_recorded"],
            id="unknown-guard",
        ),
        pytest.param(
            SIMPLE_REQUEST + REOPEN,
            ['[[transitions]] #3 (trigger "reopen")', 'leaves final state "done"'],
            id="final-with-way-out",
        ),
        pytest.param(
            SIMPLE_REQUEST + SECOND_START,
            [
                '[[transitions]] #3 (trigger "start")',
                'trigger "start" from state "open" is already defined by [[transitions]] #1',
            ],
            id="duplicate-trigger",
        ),
        pytest.param(
            broken('roles = ["office"]', 'roles = ["office", "mayor"]'),
            ["line 27:", 'unknown role "mayor"', "liaison"],
            id="unknown-role",
        ),
        pytest.param(
            broken("deadline_days = 3", "deadline_day = 3"),
            [
                "line 7:",
                "[states.open]",
                'unknown key "deadline_day"',
                'did you mean "deadline_days"',
            ],
            id="unknown-key",
        ),
        pytest.param(
            broken(
                'roles = ["office"]\nruling', 'roles = ["office"]\nnotfy = ["proposer"]\nruling'
            ),
            ['unknown key "notfy"', 'did you mean "notify"'],
            id="unknown-transition-key",
        ),
        pytest.param(
            broken('dest = "in_progress"', 'dest = "stuck"') + STUCK_STATE,
            ["[states.stuck]", "dead end", "[states.in_progress]", "unreachable"],
            id="dead-end",
        ),
        pytest.param(
            broken("deadline_days = 3", 'deadline_days = "three"'),
            ["line 7:", "deadline_days must be a whole number", '"three"'],
            id="deadline-text",
        ),
        pytest.param(
            broken("deadline_days = 3", "deadline_days = 0"),
            ["deadline_days must be a whole number of business days (1 or more)"],
            id="deadline-zero",
        ),
        pytest.param(
            broken("deadline_days = 3", "deadline_days = 2.5"),
            ["deadline_days must be a whole number"],
            id="deadline-fraction",
        ),
        pytest.param(
            broken("final = true", "final = true\ndeadline_days = 5"),
            ["[states.done]", "a final state cannot have a deadline"],
            id="deadline-on-final",
        ),
        pytest.param(
            broken(
                'label = { ja = "受付", en = "Open" }', 'label = { en = "Open", fr = "Ouvert" }'
            ),
            ['unknown language "fr"', "label needs a Japanese text"],
            id="labels",
        ),
        pytest.param(
            broken('choices = ["fixed", "not_needed"]', 'type = "number"'),
            ['input "result"', 'unknown type "number"'],
            id="input-type",
        ),
        pytest.param(
            broken("required = true\n", "requird = true\n"),
            ["line 31:", 'input "result"', 'unknown key "requird"'],
            id="input-key",
        ),
        pytest.param(
            broken('notify = ["proposer"]', 'notify = ["mayor"]'),
            ['unknown audience "mayor"'],
            id="notify-audience",
        ),
        pytest.param(
            broken('trigger = "finish"', 'trigger = "Finish now"'),
            ["trigger must be lower-case letters"],
            id="trigger-name",
        ),
        pytest.param(
            broken("final = true", "final = false"),
            ["no final state", "[states.done]", "dead end"],
            id="no-final-state",
        ),
    ],
)
def test_each_mistake_is_reported_clearly(write_workflow, text, expected):
    message = str(load_error(write_workflow, text))
    assert "broken.toml" in message.splitlines()[0]  # the file is named first
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


def test_every_problem_is_reported_one_per_line(write_workflow):
    text = (
        broken("deadline_days = 3", "deadline_days = -1")
        .replace('roles = ["office"]', 'roles = ["mayor"]')
        .replace('dest = "in_progress"', 'dest = "in_progres"')
    )
    error = load_error(write_workflow, text)
    assert len(error.problems) >= 3
    lines = str(error).splitlines()
    assert lines[0].endswith(f"{len(error.problems)} problems in workflow definition")
    assert lines[1:] == [f"  {problem}" for problem in error.problems]


def test_missing_keys_are_named(write_workflow):
    error = load_error(write_workflow, 'name = "x"\n')
    message = str(error)
    for fragment in ("label", "states", 'missing key "initial"', "[[transitions]]"):
        assert fragment in message


def test_an_unreadable_file_is_a_definition_error(tmp_path):
    with pytest.raises(WorkflowDefinitionError, match="cannot read the file"):
        load_workflow(tmp_path / "missing.toml")


def test_a_file_saved_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "notepad.toml"
    path.write_text(SIMPLE_REQUEST, encoding="utf-8-sig")
    assert load_workflow(path).name == "simple_request"


def test_text_can_be_parsed_without_a_file():
    assert parse_workflow(SIMPLE_REQUEST).initial == "open"
    with pytest.raises(WorkflowDefinitionError, match="<memory>"):
        parse_workflow("name = ", source="<memory>")


def test_builtin_workflows_are_loaded_once():
    assert builtin_workflow_names() == ("idea", "proposal")
    assert get_workflow("proposal") is get_workflow("proposal")


@pytest.mark.parametrize("name", ["complaint", "../proposal", "proposal.toml"])
def test_unknown_builtin_workflow(name):
    with pytest.raises(UnknownWorkflow) as error:
        get_workflow(name)
    assert isinstance(error.value, KeyError)  # a lookup by name, as callers expect
    assert str(error.value).startswith(f"no built-in workflow {name!r}")

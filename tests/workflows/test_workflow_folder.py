"""A city's own workflow files from a folder (TEIAN_WORKFLOWS, SPEC section 8): a file named
like a built-in workflow replaces it, any other joins them, and no state name lives in Python,
so a renamed state keeps comments and sessions."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from workflows import (
    WorkflowDefinitionError,
    builtin_workflow_names,
    get_workflow,
    load_workflow,
    register_workflow,
    unregister_workflow,
    use_workflow_folder,
    workflow_names,
)

from .test_workflow_loading import SIMPLE_REQUEST

BUILTIN_PROPOSAL = resources.files("workflows").joinpath("proposal.toml").read_text("utf-8")


@pytest.fixture(autouse=True)
def builtin_workflows_afterwards():
    """Whatever a test loads, the next test (in any module) sees the built-in workflows."""
    yield
    use_workflow_folder(None)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "city_workflows"
    path.mkdir()
    return path


def renamed_proposal() -> str:
    text = BUILTIN_PROPOSAL.replace("in_deliberation", "under_discussion")
    assert "in_deliberation" not in text
    return text


def test_a_city_renames_a_state_and_keeps_comments_and_sessions(folder, make_proposal):
    builtin = get_workflow("proposal")
    (folder / "proposal.toml").write_text(renamed_proposal(), encoding="utf-8")

    (loaded,) = use_workflow_folder(folder)

    proposal = get_workflow("proposal")
    assert proposal is loaded and proposal is not builtin  # instead of the built-in one
    assert "in_deliberation" not in proposal.states
    assert proposal.states["under_discussion"].comments
    assert proposal.states["under_discussion"].sessions
    assert proposal.state_takes_comments("under_discussion")
    assert proposal.state_takes_sessions("under_discussion")
    assert not proposal.state_takes_comments("in_deliberation")  # an old row's state
    assert workflow_names() == ("idea", "proposal")
    assert get_workflow("idea") is get_workflow("idea")  # the built-in one, untouched

    subject = make_proposal("in_review", deliberation_records=1)
    proposal.fire(subject, "open_deliberation", role="liaison")
    assert subject.state == "under_discussion"
    fired = proposal.fire(subject, "adopt", role="office", inputs={"reason": "理由"})
    assert fired.transition.decision_for(fired.inputs) == "adopted"


def test_reset_brings_back_the_builtin_workflow(folder):
    (folder / "proposal.toml").write_text(renamed_proposal(), encoding="utf-8")
    use_workflow_folder(folder)
    assert use_workflow_folder(None) == []
    assert "in_deliberation" in get_workflow("proposal").states


def test_other_names_are_added_beside_the_builtin_ones(folder, make_proposal):
    (folder / "simple_request.toml").write_text(SIMPLE_REQUEST, encoding="utf-8")
    (folder / "README.md").write_text("not a workflow", encoding="utf-8")

    (loaded,) = use_workflow_folder(folder)

    assert loaded.name == "simple_request"
    assert get_workflow("simple_request") is loaded
    assert workflow_names() == ("idea", "proposal", "simple_request")
    assert builtin_workflow_names() == ("idea", "proposal")  # what ships stays what ships
    assert "in_deliberation" in get_workflow("proposal").states


def test_loaded_workflows_are_sorted_by_name(folder):
    (folder / "simple_request.toml").write_text(SIMPLE_REQUEST, encoding="utf-8")
    (folder / "proposal.toml").write_text(BUILTIN_PROPOSAL, encoding="utf-8")
    assert [w.name for w in use_workflow_folder(folder)] == ["proposal", "simple_request"]


def test_a_second_folder_replaces_the_first(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "simple_request.toml").write_text(SIMPLE_REQUEST, encoding="utf-8")
    (second / "proposal.toml").write_text(renamed_proposal(), encoding="utf-8")

    use_workflow_folder(first)
    use_workflow_folder(second)

    assert workflow_names() == ("idea", "proposal")
    assert "under_discussion" in get_workflow("proposal").states


def test_an_empty_folder_means_the_builtin_workflows(folder):
    assert use_workflow_folder(folder) == []
    assert workflow_names() == ("idea", "proposal")


def test_a_broken_file_is_named_and_nothing_changes(folder):
    (folder / "simple_request.toml").write_text(SIMPLE_REQUEST, encoding="utf-8")
    use_workflow_folder(folder)
    (folder / "proposal.toml").write_text(
        renamed_proposal().replace('ruling = "adopted"', 'ruling = "adopt"'), encoding="utf-8"
    )

    with pytest.raises(WorkflowDefinitionError) as error:
        use_workflow_folder(folder)

    assert error.value.source.endswith("proposal.toml")
    assert 'unknown ruling "adopt"' in str(error.value)
    assert "line " in error.value.problems[0]
    # All or nothing: the previous folder's set is still the one in use.
    assert "in_deliberation" in get_workflow("proposal").states
    assert "simple_request" in workflow_names()


def test_several_broken_files_are_reported_together(folder):
    (folder / "a.toml").write_text('name = "a"\n', encoding="utf-8")
    (folder / "b.toml").write_text("name = ", encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError) as error:
        use_workflow_folder(folder)
    assert error.value.source == str(folder)
    assert any(p.startswith("a.toml: ") for p in error.value.problems)
    assert any(p.startswith("b.toml: TOML syntax error") for p in error.value.problems)


def test_the_name_must_match_the_file_stem(folder):
    (folder / "request.toml").write_text(SIMPLE_REQUEST, encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError) as error:
        use_workflow_folder(folder)
    assert error.value.source.endswith("request.toml")
    assert error.value.problems == (
        'line 1: workflow: name "simple_request" must match the file name "request.toml"',
    )


def test_a_missing_folder_is_an_error_not_the_builtin_rules(tmp_path):
    with pytest.raises(WorkflowDefinitionError, match="not a folder"):
        use_workflow_folder(tmp_path / "typo")


def test_a_folder_name_and_a_registered_name_cannot_clash(folder):
    (folder / "simple_request.toml").write_text(SIMPLE_REQUEST, encoding="utf-8")
    registered = load_workflow(folder / "simple_request.toml")
    register_workflow(registered)
    try:
        with pytest.raises(WorkflowDefinitionError, match="already registered"):
            use_workflow_folder(folder)
        unregister_workflow("simple_request")
        use_workflow_folder(folder)
        with pytest.raises(ValueError):
            register_workflow(registered)
    finally:
        unregister_workflow("simple_request")

"""The shape the code keeps (issue: one domain for every door): small modules, operations
that never reach for Flask, and no workflow state named in Python — the workflow is data."""

from __future__ import annotations

import ast
from pathlib import Path

import workflows

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for top in ("intake", "forms", "workflows") for p in (ROOT / top).rglob("*.py")
           if "migrations" not in p.parts]


def test_no_module_is_past_four_hundred_lines():
    long = {str(p.relative_to(ROOT)): n for p in SOURCES
            if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


def test_operations_take_what_they_need_and_never_import_flask():
    modules = [*(ROOT / "intake").glob("*/operations.py"), *(ROOT / "intake/core").glob("*.py"),
               ROOT / "intake/workflow/escalation.py", ROOT / "intake/proposals/tracking.py"]
    assert len(modules) >= 8
    for path in modules:
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom)}
        assert not any(name == "flask" or name.startswith("flask") for name in imported), path
        assert "current_app" not in path.read_text(), path


def _string_constants(tree: ast.AST) -> set[str]:
    """String literals that are not docstrings."""
    docstrings = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings}


def test_no_workflow_state_is_named_in_python():
    """Rulings (adopted, rejected, answered) and opinion statuses are vocabularies of
    their own that happen to share words with states; every other state name would be
    Python knowing the workflow file."""
    states = {s for name in workflows.builtin_workflow_names()
              for s in workflows.get_workflow(name).states}
    shared = {*workflows.RULINGS, "open", "answered", "waived"}
    for path in SOURCES:
        named = _string_constants(ast.parse(path.read_text())) & (states - shared)
        assert not named, (str(path.relative_to(ROOT)), named)


def test_every_streamed_response_goes_through_the_one_that_ends_its_reads():
    """A stream outlives the request's teardown: only ``intake.doors.download_response``
    ends the reads of the session it reads through (else a connection stays idle in a
    transaction, holding its locks), so no other module streams a response itself."""
    streaming = {str(p.relative_to(ROOT)) for p in SOURCES if "stream_with_context" in
                 {node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
                  for node in ast.walk(ast.parse(p.read_text()))}}
    assert streaming == {"intake/doors.py"}

"""The built-in workflows shipped as ``*.toml`` files inside this package.

Loaded on first use and cached for the life of the process: a definition is validated once
and its machine built once, then shared by every request (see :mod:`workflows.engine`).
"""

from __future__ import annotations

import functools
from importlib import resources

from .definition import Workflow
from .errors import UnknownWorkflow, WorkflowDefinitionError
from .loader import parse_workflow


def builtin_workflow_names() -> tuple[str, ...]:
    """Names of the workflows shipped with Teian, e.g. ``("idea", "proposal")``."""
    files = resources.files(__package__).iterdir()
    return tuple(sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml")))


@functools.cache
def get_workflow(name: str) -> Workflow:
    """The built-in workflow ``name`` (a proposal's ``kind``), loaded once per process.

    Raises :class:`~workflows.errors.UnknownWorkflow` for any other name; the name is checked
    against the shipped files, never used as a path.
    """
    known = builtin_workflow_names()
    if name not in known:
        raise UnknownWorkflow(name, known)
    source = f"workflows/{name}.toml"
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    workflow = parse_workflow(text, source=source)
    if workflow.name != name:
        raise WorkflowDefinitionError(source, [f'name "{workflow.name}" must match the file name'])
    return workflow

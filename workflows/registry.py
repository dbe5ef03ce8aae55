"""Which workflow a proposal's ``kind`` names: the built-in ``*.toml`` files inside this
package, a city's own folder of workflow files, and any definition registered at run time.

Built-in files are loaded on first use and cached for the life of the process: a definition is
validated once and its machine built once, then shared by every request (see
:mod:`workflows.engine`). A city's folder (``TEIAN_WORKFLOWS``, SPEC section 8) is loaded at
start-up by :func:`use_workflow_folder`: a file named like a built-in workflow replaces it, any
other joins them. A single definition loaded with :func:`workflows.load_workflow` joins them
through :func:`register_workflow`. Either way proposals of that kind run under it with no change
to Python.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from .definition import Workflow
from .errors import UnknownWorkflow, WorkflowDefinitionError
from .loader import load_workflow, parse_workflow


@functools.cache
def builtin_workflow_names() -> tuple[str, ...]:
    """Names of the workflows shipped with Teian, e.g. ``("idea", "proposal")``: listed once
    per process (the package's files do not change under it; every submission asks)."""
    files = resources.files(__package__).iterdir()
    return tuple(sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml")))


_REGISTERED: dict[str, Workflow] = {}
_from_folder: MappingProxyType[str, Workflow] = MappingProxyType({})


def use_workflow_folder(path: str | os.PathLike[str] | None) -> list[Workflow]:
    """Load every ``*.toml`` file in the folder ``path`` as a city's own workflows.

    Each file is validated, and its ``name`` must be its file name without ``.toml``. A file
    named like a built-in workflow replaces it for :func:`get_workflow` (the city's rules
    instead of ours); any other is added beside them. Returns the loaded workflows, sorted by
    name.

    Called again, the new folder's set replaces the previous one; ``None`` goes back to the
    built-in workflows alone (for tests, and for an app started without ``TEIAN_WORKFLOWS``).
    All or nothing: if any file is broken, :class:`~workflows.errors.WorkflowDefinitionError`
    names it (several broken files are reported together, each problem prefixed by its file)
    and the previous set stays in use. A missing folder is an error too, so a mistyped setting
    cannot silently fall back to the built-in rules. Call at start-up, before requests arrive.
    """
    global _from_folder
    if path is None:
        _from_folder = MappingProxyType({})
        return []
    folder = Path(path)
    if not folder.is_dir():
        raise WorkflowDefinitionError(str(folder), ["not a folder of workflow files"])
    loaded: dict[str, Workflow] = {}
    errors: list[WorkflowDefinitionError] = []
    for file in sorted(folder.glob("*.toml")):
        try:
            workflow = load_workflow(file, expected_name=file.stem)
        except WorkflowDefinitionError as exc:
            errors.append(exc)
            continue
        if workflow.name in _REGISTERED:
            problem = f'a workflow named "{workflow.name}" is already registered'
            errors.append(WorkflowDefinitionError(str(file), [problem]))
            continue
        loaded[workflow.name] = workflow
    if len(errors) == 1:
        raise errors[0]
    if errors:
        problems = [f"{Path(e.source).name}: {p}" for e in errors for p in e.problems]
        raise WorkflowDefinitionError(str(folder), problems)
    _from_folder = MappingProxyType(loaded)
    return [loaded[name] for name in sorted(loaded)]


def register_workflow(workflow: Workflow) -> None:
    """Make ``workflow`` the definition for proposals whose ``kind`` is its name.

    A built-in name, a name from the city's folder or one already registered is refused: a
    running proposal must never change its rules under it by accident. Register at start-up,
    before requests arrive.
    """
    taken = {*builtin_workflow_names(), *_from_folder, *_REGISTERED}
    if workflow.name in taken:
        raise ValueError(f"a workflow named {workflow.name!r} already exists")
    _REGISTERED[workflow.name] = workflow


def unregister_workflow(name: str) -> None:
    """Forget a registered workflow (built-in ones stay); for tests and reloads."""
    _REGISTERED.pop(name, None)


def workflow_names() -> tuple[str, ...]:
    """Every workflow a proposal may name: built-in, from the city's folder, registered."""
    return tuple(sorted({*builtin_workflow_names(), *_from_folder, *_REGISTERED}))


def get_workflow(name: str) -> Workflow:
    """The workflow ``name`` (a proposal's ``kind``): the city's folder's or a registered one,
    else a built-in file loaded once per process.

    Raises :class:`~workflows.errors.UnknownWorkflow` for any other name; the name is checked
    against the loaded and shipped files, never used as a path.
    """
    found = _from_folder.get(name) or _REGISTERED.get(name)
    if found is not None:
        return found
    return _builtin_workflow(name)


def open_kinds_by_state() -> dict[str, tuple[str, ...]]:
    """Each state that is open (not final) in some workflow, and those workflows: what
    "still open" means, for the queue's filter, the agenda and Open311's status."""
    found: dict[str, list[str]] = {}
    for name in workflow_names():
        workflow = get_workflow(name)
        for state in workflow.states:
            if not workflow.is_final(state):
                found.setdefault(state, []).append(name)
    return {state: tuple(kinds) for state, kinds in sorted(found.items())}


def final_states() -> frozenset[str]:
    """Every state that is final in some workflow."""
    return frozenset(state for name in workflow_names()
                     for state in get_workflow(name).states
                     if get_workflow(name).is_final(state))


@functools.cache
def _builtin_workflow(name: str) -> Workflow:
    known = builtin_workflow_names()
    if name not in known:
        raise UnknownWorkflow(name, workflow_names())
    source = f"workflows/{name}.toml"
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return parse_workflow(text, source=source, expected_name=name)

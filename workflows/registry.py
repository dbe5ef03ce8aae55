"""Which workflow a proposal's ``kind`` names: the built-in ``*.toml`` files inside this
package, plus any definition registered at run time.

Built-in files are loaded on first use and cached for the life of the process: a definition is
validated once and its machine built once, then shared by every request (see
:mod:`workflows.engine`). A city's own definition — a file loaded with
:func:`workflows.load_workflow` — joins them through :func:`register_workflow`, so proposals of
that kind run under it with no change to Python.
"""

from __future__ import annotations

import functools
from importlib import resources

from .definition import Workflow
from .errors import UnknownWorkflow
from .loader import parse_workflow


def builtin_workflow_names() -> tuple[str, ...]:
    """Names of the workflows shipped with Teian, e.g. ``("idea", "proposal")``."""
    files = resources.files(__package__).iterdir()
    return tuple(sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml")))


_REGISTERED: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> None:
    """Make ``workflow`` the definition for proposals whose ``kind`` is its name.

    A built-in name or one already registered is refused: a running proposal must never
    change its rules under it by accident. Register at start-up, before requests arrive.
    """
    if workflow.name in builtin_workflow_names() or workflow.name in _REGISTERED:
        raise ValueError(f"a workflow named {workflow.name!r} already exists")
    _REGISTERED[workflow.name] = workflow


def unregister_workflow(name: str) -> None:
    """Forget a registered workflow (built-in ones stay); for tests and reloads."""
    _REGISTERED.pop(name, None)


def workflow_names() -> tuple[str, ...]:
    """Every workflow a proposal may name: the built-in ones and the registered ones."""
    return tuple(sorted({*builtin_workflow_names(), *_REGISTERED}))


def get_workflow(name: str) -> Workflow:
    """The workflow ``name`` (a proposal's ``kind``): a registered one, else a built-in file
    loaded once per process.

    Raises :class:`~workflows.errors.UnknownWorkflow` for any other name; the name is checked
    against the shipped files, never used as a path.
    """
    registered = _REGISTERED.get(name)
    if registered is not None:
        return registered
    return _builtin_workflow(name)


@functools.cache
def _builtin_workflow(name: str) -> Workflow:
    known = builtin_workflow_names()
    if name not in known:
        raise UnknownWorkflow(name, workflow_names())
    source = f"workflows/{name}.toml"
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return parse_workflow(text, source=source, expected_name=name)

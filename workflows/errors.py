"""Every exception the workflow package raises, under one base class.

The app needs two kinds of answer from the engine: "this definition file is broken" (at load
time, for the city's IT person) and "this action is refused" (at request time, for the officer
or the proposer, HTTP 422). Both derive from :class:`WorkflowError`; the refusals share
:class:`TransitionRefused`, so a view can catch one class and still tell the user exactly why
from ``code`` and the exception's attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date


class WorkflowError(Exception):
    """Base class of every error raised by :mod:`workflows`."""


class WorkflowDefinitionError(WorkflowError):
    """A workflow definition could not be loaded.

    ``problems`` holds every problem found, one line each, so that a city's IT person can fix
    the whole file in one go instead of discovering mistakes one reload at a time.
    """

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        header = f"{source}: {count} problem{'s' if count != 1 else ''} in workflow definition"
        super().__init__("\n".join([header, *(f"  {p}" for p in self.problems)]))


class UnknownWorkflow(WorkflowError, KeyError):
    """No built-in workflow has this name.

    A ``KeyError`` too, since ``get_workflow`` is a lookup by name, but printed as a sentence
    (a plain ``KeyError`` would print the repr of its message).
    """

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.message = f"no built-in workflow {name!r} (known: {', '.join(known)})"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class TransitionRefused(WorkflowError):
    """A trigger was refused; nothing about the subject changed.

    ``code`` is a stable, machine-readable reason for API error bodies.
    """

    code = "transition_refused"


class UnknownTrigger(TransitionRefused):
    """The workflow has no trigger of this name at all."""

    code = "unknown_trigger"

    def __init__(self, trigger: str, workflow: str) -> None:
        self.trigger = trigger
        self.workflow = workflow
        super().__init__(f"workflow {workflow!r} has no trigger {trigger!r}")


class TriggerNotAllowed(TransitionRefused):
    """The trigger exists but not from the subject's current state."""

    code = "trigger_not_allowed"

    def __init__(self, trigger: str, state: str) -> None:
        self.trigger = trigger
        self.state = state
        super().__init__(f"{trigger!r} is not allowed from state {state!r}")


class RoleNotAllowed(TransitionRefused):
    """The trigger is allowed from this state, but not for this role."""

    code = "role_not_allowed"

    def __init__(self, trigger: str, role: str) -> None:
        self.trigger = trigger
        self.role = role
        super().__init__(f"role {role!r} may not fire {trigger!r}")


class GuardRefused(TransitionRefused):
    """A guard said no: a required input is missing or invalid, or a named guard refused.

    ``guard`` is the guard's name, or ``"input:<name>"`` for the engine's own input checks;
    ``field`` names the input the user must correct (``None`` when the refusal is about the
    proposal itself, e.g. no deliberation record yet) and ``rule`` which check it failed
    (``required``, ``date``, ``before_today``, ``after_horizon``, ``text``, ``choice``,
    ``length``), so the app can word it per language; ``dates`` holds the days a rule names
    (``{"today": …}``, ``{"latest": …}``).
    """

    code = "guard_refused"

    def __init__(self, guard: str, message: str, field: str | None = None,
                 rule: str | None = None, dates: Mapping[str, date] | None = None) -> None:
        self.guard = guard
        self.message = message
        self.field = field
        self.rule = rule
        self.dates = dict(dates or {})
        super().__init__(f"{guard}: {message}")

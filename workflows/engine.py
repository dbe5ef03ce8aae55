"""Runs a workflow definition on subjects through one shared ``transitions.Machine``.

Why one machine per definition, built with ``model=None`` and fired as
``machine.events[trigger].trigger(subject)``: this is the pytransitions maintainers' pattern
for many objects sharing one state chart. The subject is never bound (no ``add_model``), so
the machine holds no reference to it and no per-subject state; every call gets its own
``EventData``, and with ``queued=False`` the machine's only mutable field (its transition
queue) is never written. That makes the machine safe to fire from many request threads at
once, costs nothing per proposal, and cannot reset a loaded row to the initial state the way
``add_model`` does. Concurrent changes to *the same* proposal are the database's business
(optimistic version column), not the machine's.

Why the engine, not machine conditions, evaluates roles, inputs and guards: a machine
condition can only answer True/False, and the officer needs to be told *which* check refused
and why. So :meth:`Engine.fire` runs every check first, raising a
:class:`~workflows.errors.TransitionRefused` subclass, and only then lets the machine move the
subject. Guards therefore run exactly once per fire, which matters because they may query the
database. :meth:`Engine.unmet_guards` runs the same guards without firing, so a page can say
before the click which checks would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from transitions import Machine

from .calendar import rule_for_day_to_come, today_jst
from .errors import GuardRefused, RoleNotAllowed, TriggerNotAllowed, UnknownTrigger
from .guards import GUARDS, Guard, GuardSubject

if TYPE_CHECKING:
    from .definition import InputDef, TransitionDef, Workflow


@dataclass(frozen=True)
class Fired:
    """What a successful ``fire`` did, for the app to record as an event.

    ``inputs`` holds the declared inputs cleaned (text stripped, dates parsed, blank optional
    inputs dropped) plus any undeclared ones passed through untouched.
    """

    trigger: str
    source: str
    dest: str
    transition: TransitionDef
    inputs: Mapping[str, Any]


class Engine:
    """The runtime half of a :class:`~workflows.definition.Workflow`: lookup tables + machine."""

    def __init__(self, workflow: Workflow) -> None:
        self._workflow_name = workflow.name
        self._route = {(t.trigger, s): t for t in workflow.transitions for s in t.sources}
        self._outgoing = {
            state: tuple(t for t in workflow.transitions if state in t.sources)
            for state in workflow.states
        }
        self._guards: dict[str, Guard] = {
            name: GUARDS[name] for t in workflow.transitions for name in t.guards
        }
        self._machine = Machine(
            model=None,
            states=list(workflow.states),
            initial=workflow.initial,
            transitions=[
                {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
                for t in workflow.transitions
            ],
            auto_transitions=False,  # to_<state> triggers would bypass every check
            send_event=True,
        )

    def transitions_from(self, state: str) -> tuple[TransitionDef, ...]:
        return self._outgoing.get(state, ())

    def fire(
        self,
        subject: GuardSubject,
        trigger: str,
        *,
        role: str,
        inputs: Mapping[str, Any] | None,
        today: date | None = None,
    ) -> Fired:
        source = subject.state
        transition, cleaned = self.check(subject, trigger, role=role, inputs=inputs,
                                         today=today)
        moved = self._machine.events[trigger].trigger(subject, role=role, inputs=cleaned)
        if not moved:  # no machine conditions exist, so this is a bug, not a refusal
            raise RuntimeError(f"machine did not fire checked trigger {trigger!r} from {source!r}")
        return Fired(trigger, source, transition.dest, transition, cleaned)

    def check(
        self,
        subject: GuardSubject,
        trigger: str,
        *,
        role: str,
        inputs: Mapping[str, Any] | None,
        today: date | None = None,
        guards_only: bool = False,
    ) -> tuple[TransitionDef, dict[str, Any]]:
        """Every check :meth:`fire` makes, in its order, raising as it raises; the
        transition and the cleaned inputs when all pass.  Nothing moves.  ``guards_only``
        leaves the inputs out (the guards see none, as for :meth:`unmet_guards`)."""
        transition = self._find(trigger, subject.state)
        if role not in transition.roles:
            raise RoleNotAllowed(trigger, role)
        cleaned = {} if guards_only else clean_inputs(transition, inputs or {},
                                                      today=today or today_jst())
        for name in transition.guards:
            refusal = self._guards[name](subject, cleaned)
            if refusal is not None:
                raise GuardRefused(name, refusal)
        return transition, cleaned

    def unmet_guards(
        self, subject: GuardSubject, transition: TransitionDef
    ) -> list[tuple[str, str]]:
        unmet = []
        for name in transition.guards:
            guard = self._guards.get(name) or GUARDS[name]
            refusal = guard(subject, {})
            if refusal is not None:
                unmet.append((name, refusal))
        return unmet

    def _find(self, trigger: str, state: str) -> TransitionDef:
        if trigger not in self._machine.events:
            raise UnknownTrigger(trigger, self._workflow_name)
        transition = self._route.get((trigger, state))
        if transition is None:
            raise TriggerNotAllowed(trigger, state)
        return transition


TEXT_MAX = 4000
"""The most characters a transition's free text may hold (a reason, a question, an
answer), whoever sends it: the staff pages, the proposer's tracking page, the API."""


def clean_inputs(
    transition: TransitionDef, given: Mapping[str, Any], *, today: date
) -> dict[str, Any]:
    """Check and normalise the declared inputs, in declaration order; raise on the first bad one.

    A required text that is blank after stripping counts as missing: a reason of "  " is no
    reason. A date is a day to come, one the workflow counts towards (the department's
    deadline): from ``today`` to :func:`~workflows.calendar.horizon`
    (:func:`~workflows.calendar.rule_for_day_to_come`, the refusal carrying the day its rule
    names in ``dates``). Undeclared inputs pass through untouched (the staff form may send
    a reason with every trigger); only declared ones are checked, and any text is held to
    :data:`TEXT_MAX`.
    """
    cleaned = dict(given)
    for name, spec in transition.inputs.items():
        value = _clean_value(spec, given.get(name), today)
        if value is None:
            cleaned.pop(name, None)
        else:
            cleaned[name] = value
    for name, value in cleaned.items():
        if isinstance(value, str) and len(value) > TEXT_MAX:
            raise GuardRefused(f"input:{name}", f"{name} must be at most {TEXT_MAX} characters",
                               field=name, rule="length")
    return cleaned


def _clean_value(spec: InputDef, value: Any, today: date) -> Any:
    def refuse(message: str, rule: str, **dates: date) -> GuardRefused:
        return GuardRefused(f"input:{spec.name}", message, field=spec.name, rule=rule,
                            dates=dates)

    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if spec.required:
            raise refuse(f"{spec.name} is required", "required")
        return None
    if spec.type == "date":
        parsed = _as_date(value)
        if parsed is None:
            raise refuse(f"{spec.name} must be a date (YYYY-MM-DD)", "date")
        broken = rule_for_day_to_come(parsed, today)
        if broken is not None:
            rule, dates = broken
            named = ", ".join(f"{name} {day.isoformat()}" for name, day in dates.items())
            raise refuse(f"{spec.name} is a day from today to the horizon ({rule}: {named})",
                         rule, **dates)
        return parsed
    if not isinstance(value, str):
        raise refuse(f"{spec.name} must be text", "text")
    if spec.choices and value not in spec.choices:
        raise refuse(f"{spec.name} must be one of: {', '.join(spec.choices)}", "choice")
    return value


def _as_date(value: Any) -> date | None:
    """A ``date`` as is, or an ISO ``YYYY-MM-DD`` string parsed; anything else is ``None``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None

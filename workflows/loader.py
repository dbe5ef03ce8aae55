"""Load a workflow definition from TOML and validate it, reporting every problem at once.

The people who edit these files are a city's IT staff, not the developers, and a broken
workflow must never reach a running server. So loading is strict (unknown keys are typos,
unknown states, roles, guards and rulings are errors, the state graph must have no dead ends
or unreachable states) and the error lists *all* problems, one per line, each naming the table
and, when it can be found (see :mod:`workflows.source_lines`), the line. Reading single values
and wording problems is :mod:`workflows.fields`' job; this module knows what a workflow is made
of and which combinations make sense.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .definition import (
    AUDIENCES,
    EFFECTS,
    INPUT_TYPES,
    ROLES,
    RULINGS,
    InputDef,
    StateDef,
    TransitionDef,
    Workflow,
)
from .errors import WorkflowDefinitionError
from .fields import NAME, NAME_RULE, FieldReader, did_you_mean, show
from .guards import GUARDS
from .source_lines import TOP, Place

DEPARTMENT = "department"
"""``deadline_days = "department"``: the department sets the date when entering the state."""

REASON = "reason"
"""The input a transition's ``reason_input`` defaults to, when the transition declares it."""

_WORKFLOW_KEYS = ("name", "label", "initial", "states", "transitions")
_STATE_KEYS = ("label", "final", "deadline_days", "pauses_clock", "comments", "sessions")
_TRANSITION_KEYS = (
    "trigger",
    "label",
    "source",
    "dest",
    "roles",
    "guards",
    "inputs",
    "ruling",
    "reason_input",
    "notify",
    "effects",
    "recommended",
    "attachments",
)
_INPUT_KEYS = ("required", "choices", "type", "label", "partial_ruling")


def load_workflow(
    path: str | os.PathLike[str], *, expected_name: str | None = None
) -> Workflow:
    """Read, validate and build the workflow in the TOML file at ``path``.

    Raises :class:`~workflows.errors.WorkflowDefinitionError` for an unreadable file too, so
    ``teian workflow validate FILE`` needs only one ``except``. A UTF-8 byte-order mark (as
    Windows Notepad writes) is accepted. With ``expected_name``, a different ``name`` in the
    file is one more problem (a city's folder names each workflow by its file).
    """
    source = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig") as file:
            text = file.read()
    except OSError as exc:
        raise WorkflowDefinitionError(source, [f"cannot read the file: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise WorkflowDefinitionError(source, [problem]) from exc
    return parse_workflow(text, source=source, expected_name=expected_name)


def parse_workflow(
    text: str, *, source: str = "<string>", expected_name: str | None = None
) -> Workflow:
    """Validate and build a workflow from TOML ``text``; ``source`` names it in errors.

    With ``expected_name``, the definition's ``name`` must be exactly that.
    """
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowDefinitionError(source, [f"TOML syntax error: {exc}"]) from exc
    return _Loader(text, source).build(data, expected_name)


class _Loader(FieldReader):
    """Turns parsed TOML into definition objects, collecting problems instead of stopping."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text)
        self._source = source
        self._state_places: dict[str, Place] = {}

    def build(self, data: dict[str, Any], expected_name: str | None = None) -> Workflow:
        self.check_keys(data, _WORKFLOW_KEYS, TOP)
        name = self.name(data, "name", TOP)
        if name is not None and expected_name is not None and name != expected_name:
            self.report(
                TOP,
                f'name "{name}" must match the file name "{expected_name}.toml"',
                key="name",
            )
        label = self.label(data, TOP, required=True)
        states = self._states(data.get("states"))
        initial = self.name(data, "initial", TOP)
        if initial is not None:
            self._check_state(initial, states, TOP, "initial")
        transitions = self._transitions(data.get("transitions"), states)
        self._check_graph(initial, states, transitions)
        if self.problems:
            raise WorkflowDefinitionError(self._source, self.problems)
        assert name is not None and initial is not None  # else a problem was reported
        return Workflow(
            name=name,
            label=label,
            initial=initial,
            states=MappingProxyType(states),
            transitions=tuple(transition for transition, _ in transitions),
        )

    # -- states -------------------------------------------------------------------------

    def _states(self, value: Any) -> dict[str, StateDef]:
        if not isinstance(value, dict) or not value:
            self.report(TOP, "needs a [states.<name>] table for each state", key="states")
            return {}
        states = {}
        for name, table in value.items():
            where = self.lines.state(name)
            self._state_places[name] = where
            if not NAME.match(name):
                self.report(where, f"a state name must be {NAME_RULE}")
            if not isinstance(table, dict):
                self.report(where, "must be a table")
                continue
            states[name] = self._state(name, table, where)
        return states

    def _state(self, name: str, table: dict[str, Any], where: Place) -> StateDef:
        self.check_keys(table, _STATE_KEYS, where)
        final = self.flag(table, "final", where)
        pauses_clock = self.flag(table, "pauses_clock", where)
        comments = self.flag(table, "comments", where)
        sessions = self.flag(table, "sessions", where)
        deadline_days, set_by_department = self._deadline(table, where)
        if final and (deadline_days is not None or set_by_department):
            self.report(where, "a final state cannot have a deadline", key="deadline_days")
        if final and pauses_clock:
            self.report(where, "a final state cannot pause the clock", key="pauses_clock")
        if final and comments:
            self.report(where, "a final state cannot take comments", key="comments")
        if final and sessions:
            self.report(where, "a final state cannot take sessions", key="sessions")
        return StateDef(
            name=name,
            label=self.label(table, where, required=True),
            final=final,
            deadline_days=deadline_days,
            deadline_set_by_department=set_by_department,
            pauses_clock=pauses_clock,
            comments=comments,
            sessions=sessions,
        )

    def _deadline(self, table: dict[str, Any], where: Place) -> tuple[int | None, bool]:
        value = table.get("deadline_days")
        if value is None:
            return None, False
        if value == DEPARTMENT:
            return None, True
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value, False
        self.report(
            where,
            "deadline_days must be a whole number of business days (1 or more) or "
            f'"{DEPARTMENT}", not {show(value)}',
            key="deadline_days",
        )
        return None, False

    # -- transitions --------------------------------------------------------------------

    def _transitions(
        self, value: Any, states: Mapping[str, StateDef]
    ) -> list[tuple[TransitionDef, Place]]:
        if not isinstance(value, list) or not value:
            self.report(TOP, "needs at least one [[transitions]] table", key="transitions")
            return []
        result = []
        for index, table in enumerate(value):
            trigger = table.get("trigger") if isinstance(table, dict) else None
            where = self.lines.transition(index, trigger)
            if not isinstance(table, dict):
                self.report(where, "must be a table")
                continue
            transition = self._transition(table, where, states)
            if transition is not None:
                result.append((transition, where))
        return result

    def _transition(
        self, table: dict[str, Any], where: Place, states: Mapping[str, StateDef]
    ) -> TransitionDef | None:
        self.check_keys(table, _TRANSITION_KEYS, where)
        trigger = self.name(table, "trigger", where)
        sources = self.strings(table, "source", where, required=True)
        for source in sources:
            self._check_state(source, states, where, "source")
        dest = self.name(table, "dest", where)
        if dest is not None:
            self._check_state(dest, states, where, "dest")
        roles = self.strings(table, "roles", where, required=True, known=ROLES, kind="role")
        guards = self.strings(table, "guards", where, known=GUARDS, kind="guard")
        notify = self.strings(table, "notify", where, known=AUDIENCES, kind="audience")
        effects = self.strings(table, "effects", where, known=EFFECTS, kind="effect")
        ruling = self.one_of(table, "ruling", where, RULINGS)
        inputs = self._inputs(table.get("inputs"), where)
        label = self.label(table, where, required=False)
        reason_input = self._reason_input(table, where, inputs)
        recommended = self.flag(table, "recommended", where)
        if recommended and dest in states and states[dest].final and ruling is None:
            self.report(where, "a recommended step ends the proposal only as its ruling "
                        "(an idea's answer): recommend one that moves it on", key="recommended")
        attachments = self.flag(table, "attachments", where)
        if attachments and roles != ("proposer",):
            self.report(where, 'attachments are the proposer\'s files: only on a step whose '
                        'roles are ["proposer"]', key="attachments")
        if "ruling" not in table:
            for spec in inputs.values():
                if spec.partial_ruling is not None:
                    self.report(
                        self.lines.input(where, spec.name),
                        "partial_ruling needs a ruling on its transition",
                        key="partial_ruling",
                    )
        if trigger is None or dest is None or not sources:
            return None
        return TransitionDef(
            trigger=trigger,
            sources=sources,
            dest=dest,
            roles=roles,
            guards=guards,
            inputs=inputs,
            ruling=ruling,
            notify=notify,
            effects=effects,
            label=label,
            reason_input=reason_input,
            recommended=recommended,
            attachments=attachments,
        )

    def _reason_input(
        self, table: dict[str, Any], where: Place, inputs: Mapping[str, InputDef]
    ) -> str | None:
        """The declared text input named by ``reason_input``; else ``reason`` if declared."""
        if "reason_input" not in table:
            return REASON if REASON in inputs else None
        name = self.name(table, "reason_input", where)
        if name is None:
            return None
        if name not in inputs:
            declared = ", ".join(inputs) or "none"
            self.report(
                where,
                f'reason_input: "{name}" is not an input of this transition'
                f"{did_you_mean(name, inputs)} (declared: {declared})",
                key="reason_input",
            )
            return None
        if inputs[name].type != "text":
            self.report(where, f'reason_input: "{name}" must be a text input', key="reason_input")
            return None
        return name

    def _inputs(self, value: Any, transition: Place) -> Mapping[str, InputDef]:
        if value is None:
            return MappingProxyType({})
        if not isinstance(value, dict):
            self.report(transition, "inputs must be a table of input names", key="inputs")
            return MappingProxyType({})
        inputs = {}
        for name, spec in value.items():
            where = self.lines.input(transition, name)
            if not NAME.match(name):
                self.report(where, f"an input name must be {NAME_RULE}")
            if not isinstance(spec, dict):
                self.report(where, "must be a table, e.g. { required = true }")
                continue
            inputs[name] = self._input(name, spec, where)
        return MappingProxyType(inputs)

    def _input(self, name: str, spec: dict[str, Any], where: Place) -> InputDef:
        self.check_keys(spec, _INPUT_KEYS, where)
        kind = spec.get("type", "text")
        if kind not in INPUT_TYPES:
            known = ", ".join(INPUT_TYPES)
            self.report(where, f"unknown type {show(kind)} (known: {known})", key="type")
        choices = self.strings(spec, "choices", where)
        if "choices" in spec and not choices:
            self.report(where, "choices must list at least one value", key="choices")
        if choices and kind != "text":
            self.report(where, "choices apply only to text inputs", key="choices")
        required = self.flag(spec, "required", where)
        partial_ruling = self.one_of(spec, "partial_ruling", where, RULINGS)
        if partial_ruling is not None and required:
            self.report(
                where,
                "partial_ruling needs an optional input (a required one would make every "
                "ruling partial)",
                key="partial_ruling",
            )
        return InputDef(
            name=name,
            required=required,
            choices=choices,
            type=kind,
            label=self.label(spec, where, required=False),
            partial_ruling=partial_ruling,
        )

    # -- the state graph ----------------------------------------------------------------

    def _check_graph(
        self,
        initial: str | None,
        states: Mapping[str, StateDef],
        transitions: list[tuple[TransitionDef, Place]],
    ) -> None:
        """Whole-definition rules: one meaning per (trigger, state), finals are final, every
        state is reachable and every non-final state has a way out."""
        defined_by: dict[tuple[str, str], Place] = {}
        recommended_by: dict[str, Place] = {}
        for transition, where in transitions:
            for source in dict.fromkeys(transition.sources) if transition.recommended else ():
                first = recommended_by.setdefault(source, where)
                if first is not where:
                    self.report(where, f'state "{source}" already has a recommended step '
                                f"({first.name}); recommend one per state", key="recommended")
            if len(set(transition.sources)) < len(transition.sources):
                self.report(where, "source lists a state twice", key="source")
            for source in dict.fromkeys(transition.sources):
                first = defined_by.setdefault((transition.trigger, source), where)
                if first is not where:
                    self.report(
                        where,
                        f'trigger "{transition.trigger}" from state "{source}" is already '
                        f"defined by {first.name}",
                        key="source",
                    )
                if source in states and states[source].final:
                    self.report(
                        where,
                        f'leaves final state "{source}"; a final state has no way out',
                        key="source",
                    )
        if not states:
            return
        if not any(state.final for state in states.values()):
            self.report(TOP, "no final state; mark at least one with final = true")
        leaving = {source for transition, _ in transitions for source in transition.sources}
        reachable = _reachable(initial, transitions) if initial in states else None
        for name, state in states.items():
            where = self._state_places[name]
            if not state.final and name not in leaving:
                self.report(where, "dead end: not final, yet no transition leaves it")
            if reachable is not None and name not in reachable:
                self.report(where, f'unreachable from the initial state "{initial}"')

    def _check_state(
        self, name: str, states: Mapping[str, StateDef], where: Place, key: str
    ) -> None:
        if states and name not in states:
            hint = did_you_mean(name, states)
            self.report(where, f'{key}: unknown state "{name}"{hint}', key=key)


def _reachable(initial: str, transitions: list[tuple[TransitionDef, Place]]) -> set[str]:
    reached = {initial}
    frontier = [initial]
    while frontier:
        state = frontier.pop()
        for transition, _ in transitions:
            if state in transition.sources and transition.dest not in reached:
                reached.add(transition.dest)
                frontier.append(transition.dest)
    return reached

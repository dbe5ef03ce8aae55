"""Load a workflow definition from TOML and validate it, reporting every problem at once.

The people who edit these files are a city's IT staff, not the developers, and a broken
workflow must never reach a running server. So loading is strict (unknown keys are typos,
unknown states, roles and guards are errors, the state graph must have no dead ends or
unreachable states) and the error lists *all* problems, one per line, each naming the table
and, when it can be found (see :mod:`workflows.source_lines`), the line.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any

from .definition import (
    AUDIENCES,
    EFFECTS,
    INPUT_TYPES,
    LANGUAGES,
    ROLES,
    InputDef,
    Label,
    StateDef,
    TransitionDef,
    Workflow,
)
from .errors import WorkflowDefinitionError
from .guards import GUARDS
from .source_lines import TOP, Place, SourceLines

DEPARTMENT = "department"
"""``deadline_days = "department"``: the department sets the date when entering the state."""

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_NAME_RULE = 'lower-case letters, digits and "_", starting with a letter'
_WORKFLOW_KEYS = ("name", "label", "initial", "states", "transitions")
_STATE_KEYS = ("label", "final", "deadline_days", "pauses_clock")
_TRANSITION_KEYS = (
    "trigger",
    "label",
    "source",
    "dest",
    "roles",
    "guards",
    "inputs",
    "ruling",
    "notify",
    "effects",
)
_INPUT_KEYS = ("required", "choices", "type", "label")


def load_workflow(path: str | os.PathLike[str]) -> Workflow:
    """Read, validate and build the workflow in the TOML file at ``path``.

    Raises :class:`~workflows.errors.WorkflowDefinitionError` for an unreadable file too, so
    ``teian workflow validate FILE`` needs only one ``except``. A UTF-8 byte-order mark (as
    Windows Notepad writes) is accepted.
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
    return parse_workflow(text, source=source)


def parse_workflow(text: str, *, source: str = "<string>") -> Workflow:
    """Validate and build a workflow from TOML ``text``; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowDefinitionError(source, [f"TOML syntax error: {exc}"]) from exc
    return _Loader(text, source).build(data)


class _Loader:
    """Turns parsed TOML into definition objects, collecting problems instead of stopping."""

    def __init__(self, text: str, source: str) -> None:
        self._lines = SourceLines(text)
        self._source = source
        self._problems: list[str] = []
        self._state_places: dict[str, Place] = {}

    def build(self, data: dict[str, Any]) -> Workflow:
        self._check_keys(data, _WORKFLOW_KEYS, TOP)
        name = self._name(data, "name", TOP)
        label = self._label(data, TOP, required=True)
        states = self._states(data.get("states"))
        initial = self._name(data, "initial", TOP)
        if initial is not None:
            self._check_state(initial, states, TOP, "initial")
        transitions = self._transitions(data.get("transitions"), states)
        self._check_graph(initial, states, transitions)
        if self._problems:
            raise WorkflowDefinitionError(self._source, self._problems)
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
            self._report(TOP, "needs a [states.<name>] table for each state", key="states")
            return {}
        states = {}
        for name, table in value.items():
            where = self._lines.state(name)
            self._state_places[name] = where
            if not _NAME.match(name):
                self._report(where, f"a state name must be {_NAME_RULE}")
            if not isinstance(table, dict):
                self._report(where, "must be a table")
                continue
            states[name] = self._state(name, table, where)
        return states

    def _state(self, name: str, table: dict[str, Any], where: Place) -> StateDef:
        self._check_keys(table, _STATE_KEYS, where)
        final = self._bool(table, "final", where)
        pauses_clock = self._bool(table, "pauses_clock", where)
        deadline_days, set_by_department = self._deadline(table, where)
        if final and (deadline_days is not None or set_by_department):
            self._report(where, "a final state cannot have a deadline", key="deadline_days")
        if final and pauses_clock:
            self._report(where, "a final state cannot pause the clock", key="pauses_clock")
        return StateDef(
            name=name,
            label=self._label(table, where, required=True),
            final=final,
            deadline_days=deadline_days,
            deadline_set_by_department=set_by_department,
            pauses_clock=pauses_clock,
        )

    def _deadline(self, table: dict[str, Any], where: Place) -> tuple[int | None, bool]:
        value = table.get("deadline_days")
        if value is None:
            return None, False
        if value == DEPARTMENT:
            return None, True
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value, False
        self._report(
            where,
            "deadline_days must be a whole number of business days (1 or more) or "
            f'"{DEPARTMENT}", not {_show(value)}',
            key="deadline_days",
        )
        return None, False

    # -- transitions --------------------------------------------------------------------

    def _transitions(
        self, value: Any, states: Mapping[str, StateDef]
    ) -> list[tuple[TransitionDef, Place]]:
        if not isinstance(value, list) or not value:
            self._report(TOP, "needs at least one [[transitions]] table", key="transitions")
            return []
        result = []
        for index, table in enumerate(value):
            trigger = table.get("trigger") if isinstance(table, dict) else None
            where = self._lines.transition(index, trigger)
            if not isinstance(table, dict):
                self._report(where, "must be a table")
                continue
            transition = self._transition(table, where, states)
            if transition is not None:
                result.append((transition, where))
        return result

    def _transition(
        self, table: dict[str, Any], where: Place, states: Mapping[str, StateDef]
    ) -> TransitionDef | None:
        self._check_keys(table, _TRANSITION_KEYS, where)
        trigger = self._name(table, "trigger", where)
        sources = self._strings(table, "source", where, required=True)
        for source in sources:
            self._check_state(source, states, where, "source")
        dest = self._name(table, "dest", where)
        if dest is not None:
            self._check_state(dest, states, where, "dest")
        roles = self._strings(table, "roles", where, required=True, known=ROLES, kind="role")
        guards = self._strings(table, "guards", where, known=GUARDS, kind="guard")
        notify = self._strings(table, "notify", where, known=AUDIENCES, kind="audience")
        effects = self._strings(table, "effects", where, known=EFFECTS, kind="effect")
        ruling = self._name(table, "ruling", where, required=False)
        inputs = self._inputs(table.get("inputs"), where)
        label = self._label(table, where, required=False)
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
        )

    def _inputs(self, value: Any, transition: Place) -> Mapping[str, InputDef]:
        if value is None:
            return MappingProxyType({})
        if not isinstance(value, dict):
            self._report(transition, "inputs must be a table of input names", key="inputs")
            return MappingProxyType({})
        inputs = {}
        for name, spec in value.items():
            where = self._lines.input(transition, name)
            if not _NAME.match(name):
                self._report(where, f"an input name must be {_NAME_RULE}")
            if not isinstance(spec, dict):
                self._report(where, "must be a table, e.g. { required = true }")
                continue
            inputs[name] = self._input(name, spec, where)
        return MappingProxyType(inputs)

    def _input(self, name: str, spec: dict[str, Any], where: Place) -> InputDef:
        self._check_keys(spec, _INPUT_KEYS, where)
        kind = spec.get("type", "text")
        if kind not in INPUT_TYPES:
            known = ", ".join(INPUT_TYPES)
            self._report(where, f"unknown type {_show(kind)} (known: {known})", key="type")
        choices = self._strings(spec, "choices", where)
        if "choices" in spec and not choices:
            self._report(where, "choices must list at least one value", key="choices")
        if choices and kind != "text":
            self._report(where, "choices apply only to text inputs", key="choices")
        return InputDef(
            name=name,
            required=self._bool(spec, "required", where),
            choices=choices,
            type=kind,
            label=self._label(spec, where, required=False),
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
        for transition, where in transitions:
            if len(set(transition.sources)) < len(transition.sources):
                self._report(where, "source lists a state twice", key="source")
            for source in dict.fromkeys(transition.sources):
                first = defined_by.setdefault((transition.trigger, source), where)
                if first is not where:
                    self._report(
                        where,
                        f'trigger "{transition.trigger}" from state "{source}" is already '
                        f"defined by {first.name}",
                        key="source",
                    )
                if source in states and states[source].final:
                    self._report(
                        where,
                        f'leaves final state "{source}"; a final state has no way out',
                        key="source",
                    )
        if not states:
            return
        if not any(state.final for state in states.values()):
            self._report(TOP, "no final state; mark at least one with final = true")
        leaving = {source for transition, _ in transitions for source in transition.sources}
        reachable = _reachable(initial, transitions) if initial in states else None
        for name, state in states.items():
            where = self._state_places[name]
            if not state.final and name not in leaving:
                self._report(where, "dead end: not final, yet no transition leaves it")
            if reachable is not None and name not in reachable:
                self._report(where, f'unreachable from the initial state "{initial}"')

    # -- small typed readers, each reporting its own problem ---------------------------

    def _check_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], where: Place) -> None:
        for key in table:
            if key not in allowed:
                self._report(where, f'unknown key "{key}"{_did_you_mean(key, allowed)}', key=key)

    def _check_state(
        self, name: str, states: Mapping[str, StateDef], where: Place, key: str
    ) -> None:
        if states and name not in states:
            hint = _did_you_mean(name, states)
            self._report(where, f'{key}: unknown state "{name}"{hint}', key=key)

    def _name(
        self, table: Mapping[str, Any], key: str, where: Place, *, required: bool = True
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self._report(where, f'missing key "{key}"')
            return None
        if not isinstance(value, str) or not _NAME.match(value):
            self._report(where, f"{key} must be {_NAME_RULE}, not {_show(value)}", key=key)
            return None
        return value

    def _bool(self, table: Mapping[str, Any], key: str, where: Place) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self._report(where, f"{key} must be true or false, not {_show(value)}", key=key)
            return False
        return value

    def _strings(
        self,
        table: Mapping[str, Any],
        key: str,
        where: Place,
        *,
        required: bool = False,
        known: Collection[str] | None = None,
        kind: str = "",
    ) -> tuple[str, ...]:
        """A string or a list of strings, each (if ``known`` is given) one of ``known``."""
        value = table.get(key)
        if value is None:
            if required:
                self._report(where, f'missing key "{key}"')
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            self._report(where, f"{key} must be a list of strings, not {_show(value)}", key=key)
            return ()
        if required and not items:
            self._report(where, f"{key} must not be empty", key=key)
        for item in items:
            if known is not None and item not in known:
                listed = ", ".join(known) or "none registered"
                self._report(where, f'unknown {kind} "{item}" (known: {listed})', key=key)
        return tuple(items)

    def _label(self, table: Mapping[str, Any], where: Place, *, required: bool) -> Label:
        value = table.get("label")
        if value is None:
            if required:
                self._report(where, 'missing label, e.g. label = { ja = "…", en = "…" }')
            return MappingProxyType({})
        if not isinstance(value, dict):
            self._report(where, 'label must be a table, e.g. { ja = "…", en = "…" }', key="label")
            return MappingProxyType({})
        for lang, text in value.items():
            if lang not in LANGUAGES:
                known = ", ".join(LANGUAGES)
                self._report(
                    where, f'label: unknown language "{lang}" (known: {known})', key="label"
                )
            elif not isinstance(text, str) or not text.strip():
                self._report(where, f"label: {lang} must be non-empty text", key="label")
        if required and "ja" not in value:
            self._report(where, 'label needs a Japanese text (ja = "…")', key="label")
        return MappingProxyType(
            {
                lang: text
                for lang, text in value.items()
                if lang in LANGUAGES and isinstance(text, str)
            }
        )

    # -- reporting ----------------------------------------------------------------------

    def _report(self, where: Place, message: str, *, key: str | None = None) -> None:
        line = self._lines.key(where, key) if key is not None else where.line
        prefix = f"line {line}: " if line else ""
        self._problems.append(f"{prefix}{where.name}: {message}")


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


def _did_you_mean(word: str, options: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _show(value: Any) -> str:
    """A value as the TOML author wrote it (strings quoted), for error messages."""
    return json.dumps(value, ensure_ascii=False, default=str)

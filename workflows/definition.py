"""The loaded, validated shape of a workflow definition, and the operations the app calls.

These are frozen dataclasses built by :mod:`workflows.loader` from a TOML file; nothing here
parses text or touches a database. :class:`Workflow` is the object the app holds: its data
(states, transitions, labels) describes the process, and its methods (``fire``,
``available_triggers``, ``unmet_guards``, ``deadline_on_entry`` …) run it through the shared
engine.

The app writes no state or input name in Python: what a state allows (comments, sessions), which
input explains a step (``reason_input``) and which decision a step records (``ruling``,
``partial_ruling``, :meth:`TransitionDef.decision_for`) all come from the file, so a city that
renames a state or an input in its TOML keeps every feature working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import calendar
from .diagram import to_mermaid
from .engine import Engine, Fired

if TYPE_CHECKING:
    from .guards import GuardSubject

LANGUAGES = ("ja", "en", "ja-easy")
"""Label languages; Japanese first, and the fallback for the others."""

ROLES = ("liaison", "office", "proposer", "system")
"""Who may fire a transition. ``liaison`` is the lead department's collaboration officer (the
app checks the department), ``proposer`` acts through the private tracking link, ``system``
is the app itself (e.g. a scheduled job)."""

AUDIENCES = ("proposer", "liaison", "office")
"""Whom a transition notifies; the app turns each audience into outbox messages."""

EFFECTS = ("publish", "publish_reason", "retract_attachments")
"""Side effects the app performs after a transition. ``publish``: make the proposal public
(unless the office withholds it). ``publish_reason``: the reason (or evaluation) given for this
step is public, on the proposal's page and in open data; without it only the proposer and
staff read it, since questions and answers may carry personal details.
``retract_attachments``: every published photo or document leaves the public (a withdrawal
takes the proposer's files with it). Kept as a closed list so a typo fails at load time
instead of silently doing nothing."""

RULINGS = ("adopted", "partially_adopted", "rejected", "answered")
"""Decisions a transition may record (``ruling``, ``partial_ruling``). A closed list: the app
shows, counts and publishes rulings by these values, so a typo must fail at load time."""

ADOPTING = ("adopted", "partially_adopted")
REFUSING = ("rejected",)
"""The adoption rate counts ADOPTING among ADOPTING + REFUSING (an idea's ``answered`` is
neither: it answers, it does not rule on adoption)."""

INPUT_TYPES = ("text", "date")

Label = Mapping[str, str]


def _no_label() -> Label:
    return MappingProxyType({})


def _no_inputs() -> Mapping[str, InputDef]:
    return MappingProxyType({})


def _given(value: Any) -> bool:
    """An input counts as given unless it is absent, ``None`` or blank text."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def pick_label(label: Label, lang: str, fallback: str) -> str:
    """The label in ``lang``, else in Japanese, else ``fallback``."""
    return label.get(lang) or label.get("ja") or fallback


@dataclass(frozen=True)
class InputDef:
    """A value the actor supplies with a trigger (reason, question, answer, due date …).

    The engine checks ``required`` (blank after stripping counts as missing), ``choices`` and
    ``type`` itself, so the refusal can name the field. ``partial_ruling`` (one of
    :data:`RULINGS`, only on an optional input of a transition with a ``ruling``) is the decision
    recorded instead of the transition's ``ruling`` when this input is given: the ``scope`` of a
    partial adoption (一部採択). See :meth:`TransitionDef.decision_for`.
    """

    name: str
    required: bool = False
    choices: tuple[str, ...] = ()
    type: str = "text"
    label: Label = field(default_factory=_no_label)
    partial_ruling: str | None = None

    def label_in(self, lang: str) -> str:
        return pick_label(self.label, lang, self.name)


@dataclass(frozen=True)
class StateDef:
    """One state of the workflow.

    ``deadline_days`` counts business days from entry (see :meth:`Workflow.deadline_on_entry`);
    ``deadline_set_by_department`` means the department sets the date itself when it fires
    the transition into this state. ``pauses_clock`` marks a state where the department's
    clock stops (waiting for the proposer): its ``deadline_days`` is the proposer's, and the
    app resumes the department's remaining business days when the subject leaves it.
    ``comments``: citizens may comment while the subject is in this state; ``sessions``:
    deliberation sessions may be recorded in it. Neither is allowed on a final state.
    """

    name: str
    label: Label
    final: bool = False
    deadline_days: int | None = None
    deadline_set_by_department: bool = False
    pauses_clock: bool = False
    comments: bool = False
    sessions: bool = False

    def label_in(self, lang: str) -> str:
        return pick_label(self.label, lang, self.name)


@dataclass(frozen=True)
class TransitionDef:
    """One ``[[transitions]]`` entry: ``trigger`` moves a subject from any of ``sources`` to
    ``dest``.

    The same trigger may appear in several entries with different sources (e.g. ``reject``
    with a reason code from ``in_review`` and without one from ``in_deliberation``).
    ``ruling`` names the decision the app records, one of :data:`RULINGS` (an input's
    ``partial_ruling`` may replace it, see :meth:`decision_for`); ``reason_input`` names the
    declared input whose text is the step's reason (the audit event's reason and, for a ruling,
    the ruling's reason): ``question`` for a question to the proposer, ``evaluation`` for an
    evaluation. The loader defaults it to ``"reason"`` when the transition declares an input of
    that name, else ``None`` (the step carries no declared reason). ``notify`` lists
    :data:`AUDIENCES`; ``effects`` lists :data:`EFFECTS`. ``attachments``: the proposer may
    send photos and documents with this step (a map or a photo a question asked for), kept
    by the same rules as those sent with the proposal (:mod:`intake.attachments`); only on
    a step the proposer alone fires, since the files are shown to them as their own.
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    inputs: Mapping[str, InputDef] = field(default_factory=_no_inputs)
    ruling: str | None = None
    notify: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    label: Label = field(default_factory=_no_label)
    reason_input: str | None = None
    # The usual next step from its sources: the staff page offers it first (and open).
    recommended: bool = False
    attachments: bool = False

    def label_in(self, lang: str) -> str:
        return pick_label(self.label, lang, self.trigger)

    @property
    def takes_note(self) -> bool:
        """The actor may add an optional note that becomes the step's reason: the
        transition has no reason input of its own.  One whose reason is another input (a
        question, an evaluation, a declared ``reason``) keeps no note beside it."""
        return self.reason_input is None

    def inputs_not_taken(self, given: Mapping[str, Any]) -> list[str]:
        """The names in ``given`` with a value (not blank) that this transition does not
        take, sorted.  ``reason`` is always taken: it is the step's reason input or its
        note.  A door asks with the names it reads as inputs, so that an input meant for
        another step (``reason_code`` sent with a rejection after deliberation) is refused
        by name rather than dropped, and the ruling goes out without it."""
        return sorted(name for name, value in given.items()
                      if name != "reason" and name not in self.inputs and _given(value))

    def decision_for(self, inputs: Mapping[str, Any]) -> str | None:
        """The decision to record when this transition fires with ``inputs`` (cleaned, as in
        :attr:`Fired.inputs <workflows.Fired.inputs>`): ``None`` when it is no ruling, else the
        ``partial_ruling`` of the first input given that has one, else :attr:`ruling`.

        A blank text counts as not given, as the engine's own input checks count it.
        """
        if self.ruling is None:
            return None
        for name, spec in self.inputs.items():
            if spec.partial_ruling is not None and _given(inputs.get(name)):
                return spec.partial_ruling
        return self.ruling


@dataclass(frozen=True, eq=False, repr=False)
class Workflow:
    """A validated workflow definition, ready to run.

    One instance serves every proposal of its kind from every request thread: it keeps no
    per-proposal state (see :class:`workflows.engine.Engine`). Build it with
    :func:`workflows.load_workflow` or :func:`workflows.get_workflow`, which validate first.
    Compared by identity: two loads of the same file are two workflows.
    """

    name: str
    label: Label
    initial: str
    states: Mapping[str, StateDef]
    transitions: tuple[TransitionDef, ...]
    _engine: Engine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_engine", Engine(self))

    def __repr__(self) -> str:
        return (
            f"<Workflow {self.name!r}: {len(self.states)} states, "
            f"{len(self.transitions)} transitions>"
        )

    def label_in(self, lang: str) -> str:
        return pick_label(self.label, lang, self.name)

    def transitions_from(self, state: str) -> tuple[TransitionDef, ...]:
        """Every transition leaving ``state``, in definition order, whoever may fire it."""
        return self._engine.transitions_from(state)

    def input_names(self) -> frozenset[str]:
        """Every input name some transition of this workflow declares."""
        return frozenset(name for t in self.transitions for name in t.inputs)

    def available_triggers(self, subject: GuardSubject, role: str) -> list[TransitionDef]:
        """Transitions ``role`` may fire from the subject's current state.

        Guards and inputs are not evaluated: this is for showing the buttons, ``fire`` decides.
        """
        return [t for t in self.transitions_from(subject.state) if role in t.roles]

    def fire(
        self,
        subject: GuardSubject,
        trigger: str,
        *,
        role: str,
        inputs: Mapping[str, Any] | None = None,
        today: date | None = None,
    ) -> Fired:
        """Move ``subject`` by ``trigger``, or raise a :class:`~workflows.TransitionRefused`.

        On refusal ``subject.state`` is unchanged. On success only ``subject.state`` changes
        (to a plain ``str``); recording the event, the ruling and the notifications is the
        app's job, driven by the returned :class:`Fired`.  ``today`` (the day in Japan by
        default) bounds the date inputs (see :func:`workflows.engine.clean_inputs`).
        """
        return self._engine.fire(subject, trigger, role=role, inputs=inputs, today=today)

    def check(
        self,
        subject: GuardSubject,
        trigger: str,
        *,
        role: str,
        inputs: Mapping[str, Any] | None = None,
        today: date | None = None,
        guards_only: bool = False,
    ) -> None:
        """Raise what :meth:`fire` would raise for these inputs now, and move nothing: for
        an app that found a problem of its own with the request (a bad file sent with the
        step) and reports every problem at once.  ``guards_only``: the app's own form has
        refused the inputs already, so they are not checked again and the guards, which
        :meth:`fire` would reach only after them, are."""
        self._engine.check(subject, trigger, role=role, inputs=inputs, today=today,
                           guards_only=guards_only)

    def deadline_on_entry(self, state: str, entered_on: date) -> date | None:
        """The deadline of ``state`` when entered on ``entered_on``, in business days.

        ``None`` when the state has no deadline or the department sets it (then the date
        comes in as the entering transition's ``due_on`` input).
        """
        days = self.states[state].deadline_days
        return None if days is None else calendar.add_business_days(entered_on, days)

    def is_final(self, state: str) -> bool:
        """True for a state nothing leaves (e.g. rejected, withdrawn, evaluated)."""
        return self.states[state].final

    def publishable_states(self) -> tuple[str, ...]:
        """Every state a published subject can be in, in definition order: the
        destinations of the transitions with the ``publish`` effect and every state
        reachable from them.  Public lists offer only these as filters (a state before
        publication, such as the initial one, can never match there)."""
        reached: set[str] = set()
        pending = [t.dest for t in self.transitions if "publish" in t.effects]
        while pending:
            state = pending.pop()
            if state not in reached:
                reached.add(state)
                pending.extend(t.dest for t in self.transitions_from(state))
        return tuple(name for name in self.states if name in reached)

    def clock_runs(self, state: str) -> bool:
        """The department's clock runs in ``state``: not final, not waiting for the
        proposer (their lateness is not the department's).  False for an unknown state."""
        state_def = self.states.get(state)
        return state_def is not None and not state_def.final and not state_def.pauses_clock

    def clock_running_states(self) -> tuple[str, ...]:
        """Every state whose due date, once passed, makes the proposal overdue."""
        return tuple(name for name in self.states if self.clock_runs(name))

    def state_takes_comments(self, state: str) -> bool:
        """True if citizens may comment while a subject is in ``state`` (``comments = true``).

        False for a state the definition does not know (an old row after a rename).
        """
        state_def = self.states.get(state)
        return state_def is not None and state_def.comments

    def state_takes_sessions(self, state: str) -> bool:
        """True if deliberation sessions may be recorded in ``state`` (``sessions = true``).

        False for a state the definition does not know (an old row after a rename).
        """
        state_def = self.states.get(state)
        return state_def is not None and state_def.sessions

    def unmet_guards(
        self, subject: GuardSubject, transition: TransitionDef
    ) -> list[tuple[str, str]]:
        """``(guard name, refusal message)`` for each guard of ``transition`` that would refuse
        ``subject`` now, in definition order; empty when every guard passes.

        For staff pages, to say before the click why an action is not possible yet (and disable
        its button). Nothing fires and the subject is untouched; guards are evaluated with no
        inputs, so one that looks at inputs may still refuse at :meth:`fire`, which decides.
        Roles, state and required inputs are not checked here.
        """
        return self._engine.unmet_guards(subject, transition)

    def state_label(self, state: str, lang: str = "ja") -> str:
        """The state's name for people in ``lang`` (ja, en, ja-easy), falling back to Japanese.

        An unknown state (e.g. removed from the file while old rows still carry it) shows
        its raw name rather than breaking a page.
        """
        state_def = self.states.get(state)
        return state if state_def is None else state_def.label_in(lang)

    def is_partial_ruling(self, state: str, decision: str | None) -> bool:
        """Whether ``decision`` is the partial ruling of a transition into ``state`` (an
        adoption in part, recorded in the state of a full one): the state's name alone
        would overstate it, so a status shown for people names the decision instead."""
        return decision is not None and any(
            t.dest == state and any(spec.partial_ruling == decision
                                    for spec in t.inputs.values())
            for t in self.transitions)

    def mermaid(self, lang: str = "ja") -> str:
        """The workflow as a Mermaid ``stateDiagram-v2``, labelled in ``lang``."""
        return to_mermaid(self, lang)

"""Firing a workflow trigger, and extending the running deadline.

What a trigger may do is the workflow file's data: who may fire it (``roles``), what
must hold (``guards``), what the actor supplies (``inputs``, one of them the step's
``reason_input``), what it rules (``ruling``), whom it tells (``notify``) and what else
happens (``effects``).  This module applies that to the database: it changes the row
first, then appends the event and queues the messages, and flushes — the request commits
them together.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

import workflows
from intake.answers.operations import reason_with_template
from intake.attachments import CleanFile, Storage
from intake.attachments.operations import keep_files, retract_all
from intake.core.actors import Actor
from intake.core.checks import (
    check_version,
    day_to_come,
    moment_of,
    officer_role,
    refuse_final,
    required_text,
    role_of,
    today_or,
)
from intake.core.concurrency import conflict_on_concurrent_change
from intake.core.effects import record, tell_department, tell_office, tell_proposer
from intake.errors import Forbidden, Invalid, Refused
from intake.i18n import catalogue, translate
from intake.links import Links
from intake.models import EventAction, Proposal
from intake.office.figures import business_days_to_ruling
from intake.privacy.operations import REVIEW, publish_on_accept

from .deadlines import apply_deadline


@dataclass
class TransitionResult:
    proposal: Proposal
    trigger: str
    from_state: str
    to_state: str


@contextmanager
def _refusals(proposal: Proposal, trigger: str, role: str) -> Iterator[None]:
    """The engine's refusals as the errors every door knows: 403 for a role the
    transition does not name, 422 naming the input (with the days its rule names),
    guard or ``"state"``."""
    try:
        yield
    except workflows.RoleNotAllowed as exc:
        raise Forbidden(f"{role} may not fire {trigger!r}", code="forbidden") from exc
    except workflows.GuardRefused as exc:
        fields = {exc.field: [exc.rule or "invalid"]} if exc.field else {}
        raise Refused(f"{trigger}: refused by guard {exc.guard}: {exc.message}",
                      code="guard_failed", fields=fields, guard=exc.guard,
                      **({"dates": exc.dates} if exc.dates else {})) from exc
    except workflows.TriggerNotAllowed as exc:
        raise Refused(f"{trigger!r} is not allowed from state {proposal.state!r}",
                      code="trigger_not_allowed", guard="state", state=proposal.state,
                      kind=proposal.kind, trigger=trigger) from exc
    except workflows.UnknownTrigger as exc:
        raise Refused(f"unknown trigger {trigger!r}", code="unknown_trigger") from exc


@conflict_on_concurrent_change
def fire_trigger(
    session: Session,
    proposal: Proposal,
    trigger: str,
    actor: Actor,
    inputs: dict[str, object] | None = None,
    *,
    links: Links,
    expected_version: int | None = None,
    today: date | None = None,
    template: str | None = None,
    files: Sequence[CleanFile] = (),
    storage: Storage | None = None,
    now: datetime | None = None,
) -> TransitionResult:
    """Fire a workflow trigger with its guards; record and notify.

    ``files`` (clean copies, :func:`intake.attachments.clean`) are kept in ``storage`` with
    the step when its transition says ``attachments = true`` (the proposer's answer to a
    question), private like those sent with the proposal, and listed in the step's audit
    event; any other step sent files is refused (422 naming ``attachments``).  They are
    written only once every other check has passed, in the caller's transaction, so a
    refused answer keeps no file.

    A ``reason`` sent with a step whose reason is another input (a question, an
    evaluation) is refused (422 naming ``reason``): it would be kept nowhere.

    ``template`` names an answer template whose body is the reason when none is typed
    (:func:`intake.answers.operations.reason_with_template`; 422 naming ``template`` for
    one that is unknown, inactive or another trigger's).  Refusals raise before anything
    changes: Forbidden (403), Refused (422, ``details["guard"]`` naming the input, guard
    or ``"state"``), Conflict (409) for a stale ``expected_version``.
    """
    if files and storage is None:
        raise ValueError("files need a storage")
    now, today = moment_of(now, today)
    workflow, role, inputs = _prepare(session, proposal, trigger, actor, inputs,
                                      expected_version=expected_version, template=template,
                                      with_files=bool(files))
    with _refusals(proposal, trigger, role):
        fired = workflow.fire(proposal, trigger, role=role, inputs=inputs,
                              today=today_or(today))
    transition = fired.transition
    recorded = {k: v for k, v in fired.inputs.items() if k in transition.inputs}
    reason = _reason(transition, fired.inputs)
    apply_deadline(workflow, proposal, fired.source, fired.dest, today_or(today), recorded)
    proposal.state_entered_at = now
    publication = publish_on_accept(proposal, now) if "publish" in transition.effects else None
    retracted = retract_all(proposal) if "retract_attachments" in transition.effects else []
    decision = transition.decision_for(recorded)
    if decision:
        proposal.ruling_decision = decision
        proposal.ruling_reason = reason
        proposal.ruling_reason_code = _text_or_none(recorded.get("reason_code"))
        proposal.ruling_scope = _text_or_none(recorded.get("scope"))
        proposal.ruled_at = now
        proposal.ruling_business_days = business_days_to_ruling(proposal.submitted_at,
                                                                today_or(today))
    session.flush()
    kept = keep_files(session, proposal, files, storage, now=now) if files else []
    record(
        session, proposal, actor, EventAction.transition, trigger=trigger,
        from_state=fired.source, to_state=fired.dest, reason=reason, at=now,
        data={**{k: str(v) for k, v in recorded.items() if k != transition.reason_input},
              **({"template": template} if template else {}),
              # held back from publication: the review that publishes it is its own event
              **({"publication": publication} if publication == REVIEW else {}),
              **({"attachments_retracted": retracted} if retracted else {}),
              **({"attachments": [a.id for a in kept]} if kept else {})},
    )
    _notify(session, links, workflow, proposal, transition, reason, files=len(kept))
    session.flush()
    return TransitionResult(proposal, trigger, fired.source, fired.dest)


def refuse_inputs_not_taken(transition: workflows.TransitionDef,
                            given: dict[str, object]) -> None:
    """Every door that reads a step's inputs by name (the API's body, the rulings import's
    columns) refuses, naming it, an input the step does not take (rule ``not_taken``)."""
    if stray := transition.inputs_not_taken(given):
        raise Invalid(f"{', '.join(stray)}: {transition.trigger!r} takes none",
                      fields={name: ["not_taken"] for name in stray})


def check_trigger(
    session: Session,
    proposal: Proposal,
    trigger: str,
    actor: Actor,
    inputs: dict[str, object] | None = None,
    *,
    expected_version: int | None = None,
    template: str | None = None,
    guards_only: bool = False,
) -> None:
    """Raise what :func:`fire_trigger` would raise for this step without files, and change
    nothing.  For a door whose own field refused the step's files (a text file named
    ``.jpg``, a sixth file): it reports the step's own refusal with theirs — a missing
    answer beside the file's problem — as a form reports every field at once, rather
    than one after the other.  ``guards_only``: the door's form refused the inputs
    already; who acts, the version and the step's guards are checked, not the inputs."""
    if guards_only:
        inputs, template = None, None
    workflow, role, inputs = _prepare(session, proposal, trigger, actor, inputs,
                                      expected_version=expected_version, template=template,
                                      with_files=False)
    with _refusals(proposal, trigger, role):
        workflow.check(proposal, trigger, role=role, inputs=inputs, guards_only=guards_only)


def _prepare(session: Session, proposal: Proposal, trigger: str, actor: Actor,
             inputs: dict[str, object] | None, *, expected_version: int | None,
             template: str | None, with_files: bool
             ) -> tuple[workflows.Workflow, str, dict[str, object]]:
    """The checks before the engine's, in order (who acts, which version, the template,
    whether the step takes files); the workflow, the actor's role and the inputs."""
    inputs = {k: v for k, v in (inputs or {}).items() if v not in (None, "")}
    role = role_of(actor, proposal)
    check_version(proposal, expected_version)
    workflow = workflows.get_workflow(proposal.kind)
    leaving = next((t for t in workflow.transitions_from(proposal.state)
                    if t.trigger == trigger), None)
    if template and leaving is not None:
        inputs = reason_with_template(session, proposal, leaving, template, inputs)
    if leaving is not None and _unkept_note(leaving, inputs):
        raise Invalid(f"{trigger}: this step keeps no note beside its "
                      f"{leaving.reason_input}", fields={"reason": ["no_note"]})
    if with_files and leaving is not None and not leaving.attachments:
        raise Invalid(f"{trigger}: this step takes no files",
                      fields={"attachments": ["not_accepted"]})
    return workflow, role, inputs


def _reason(transition: workflows.TransitionDef, inputs: dict[str, object]) -> str:
    """The step's reason: its declared ``reason_input``, else a free-text ``reason`` any
    trigger may carry (kept in the audit log, never anything else undeclared)."""
    name = transition.reason_input or "reason"
    value = inputs.get(name)
    return value.strip() if isinstance(value, str) else ""


def _unkept_note(transition: workflows.TransitionDef, inputs: dict[str, object]) -> bool:
    """A note sent with a step that keeps none (its reason is a question, an evaluation):
    refused by name rather than dropped unsaid (:attr:`TransitionDef.takes_note`)."""
    note = inputs.get("reason")
    return ("reason" not in transition.inputs and not transition.takes_note
            and isinstance(note, str) and bool(note.strip()))


def _text_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _notify(session: Session, links: Links, workflow: workflows.Workflow, proposal: Proposal,
            transition: workflows.TransitionDef, reason: str, *, files: int = 0) -> None:
    """One message per audience the transition names (proposer, liaison, office).  Staff
    are told how many files came with the step (the proposer's answer): each waits for
    their decision to publish it or not, and a mail that only quotes the text hides them."""
    for audience in transition.notify:
        if audience == "proposer":
            kind = _proposer_mail(workflow, transition)
            label = workflow.state_label(proposal.state, proposal.language)
            # The ruling's own decision, which the state may not tell apart ("adopted"
            # holds an adoption in part too).
            decision = (translate(f"ruling.decision.{proposal.ruling_decision}",
                                  proposal.language)
                        if transition.ruling and proposal.ruling_decision else label)
            if transition.ruling and proposal.ruling_scope:  # what of it was adopted
                decision += "\n" + translate("mail.part.ruling_scope", proposal.language,
                                              scope=proposal.ruling_scope)
            tell_proposer(session, links, proposal, kind, text=reason, decision=decision,
                          state=label)
            continue
        text = reason or "—"
        if files:
            text += "\n\n" + translate("mail.staff_update.files_attached", "ja", count=files)
        params = {"text": text, "state": workflow.state_label(proposal.state, "ja"),
                  "due_on": proposal.due_on or "—"}
        kind = _staff_mail(transition)
        if audience == "liaison":
            tell_department(session, links, proposal.lead_department, kind, proposal,
                            **params)
        elif audience == "office":
            tell_office(session, links, kind, proposal, **params)


def _staff_mail(transition: workflows.TransitionDef) -> str:
    """The kind of the staff's mail about a step: the step's own where the catalogue has
    texts for its trigger (``mail.staff_step.<trigger>.*``: the proposer's answer, a
    withdrawal, each titled for what happened), else the change of state."""
    own = f"staff_step.{transition.trigger}"
    return own if f"mail.{own}.body" in catalogue() else "staff_update"


def _proposer_mail(workflow: workflows.Workflow, transition: workflows.TransitionDef) -> str:
    """The kind of the proposer's mail about a step: the step's own where the catalogue
    has texts for its trigger (``mail.step.<trigger>.*``: the confirmation of a
    withdrawal), else by what the step does: a ruling, a question (the department's clock
    stops until the proposer answers), or a change of state."""
    own = f"step.{transition.trigger}"
    if f"mail.{own}.body" in catalogue():
        return own
    if transition.ruling:
        return "ruling"
    if workflow.states[transition.dest].pauses_clock:
        return "question"
    return "state_changed"


@conflict_on_concurrent_change
def extend_deadline(
    session: Session,
    proposal: Proposal,
    actor: Actor,
    *,
    due_on: date,
    reason: str,
    links: Links,
    expected_version: int | None = None,
    today: date | None = None,
) -> Proposal:
    """Move the running deadline later, saying why (SPEC section 3).

    The new date is later than the current one, not before ``today`` (the day in Japan;
    an extension to a day already gone would tell the proposer of a deadline that has
    passed) and not beyond the calendar's horizon (:func:`day_to_come`).  The reason is
    public — the proposal's page shows it, because a city must say why it is late — and
    the proposer is told.
    """
    officer_role(actor, proposal)
    check_version(proposal, expected_version)
    reason = required_text(reason, "reason")
    refuse_final(proposal, "have its deadline extended")
    previous = proposal.due_on
    if previous is None:
        raise Refused(f"a {proposal.state} proposal has no deadline to extend",
                      code="no_deadline")
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        raise Invalid("due_on: a date", fields={"due_on": ["date"]})
    day_to_come(due_on, "due_on", today_or(today))
    if due_on <= previous:
        raise Invalid(f"due_on: must be later than the current due date {previous.isoformat()}",
                      fields={"due_on": ["not_later"]})
    proposal.due_on = due_on
    session.flush()
    record(session, proposal, actor, EventAction.extend, reason=reason,
           data={"from": previous.isoformat(), "to": due_on.isoformat(),
                 "state": proposal.state})
    tell_proposer(session, links, proposal, "deadline_extended", text=reason, due_on=due_on)
    session.flush()
    return proposal

"""Every change a user can make, one plain function each.

Routes (web, JSON API, Open311) check nothing but the request's shape: they
call one of these, which checks access and the workflow's rules, changes
the rows, appends the audit event and queues the outbox messages, then
``flush``es.  The caller commits once, so all of it lands together or not at
all (SPEC section 3: one transaction per action); on an
:class:`~intake.errors.ActionError` it rolls back.

Each operation changes the proposal row (if it does) *before* appending its
event, so every action takes its locks in one order — proposal row, then the
chain head — and two actions never wait on each other in a circle.

Dates: deadlines are Japanese business days counted from "today" in Japan.
Operations that set one take ``today=`` (default :func:`workflows.calendar.today_jst`)
so tests and back-filling tools can say which day it is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ParamSpec, TypeVar

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

import workflows
from forms.proposal import Submission
from workflows import calendar

from . import access, notify, routing
from .audit import append_event
from .auth import new_secret_token
from .errors import Conflict, Forbidden, Invalid, NotFound, Refused
from .models import (
    DELIBERATION,
    Category,
    Comment,
    DeliberationSession,
    Department,
    District,
    OpinionRequest,
    Proposal,
    ProposerContact,
    ProposerType,
    User,
    utcnow,
)

STAFF_ROLES = ("liaison", "office")


@dataclass(frozen=True)
class Actor:
    """Who does an action: a staff user, the proposer (tracking link), the
    public, or the system (worker, routing)."""

    kind: str  # "user" | "proposer" | "public" | "system"
    user: User | None = None
    label: str = ""

    @property
    def ref(self) -> str:
        return f"user:{self.user.id}" if self.user is not None else self.kind

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls("user", user, user.display_name or user.email)


PROPOSER = Actor("proposer")
PUBLIC = Actor("public")
SYSTEM = Actor("system")


# --- what every operation shares ---------------------------------------------------------

_P = ParamSpec("_P")
_R = TypeVar("_R")

# SQLSTATEs PostgreSQL uses when it gives up one of two colliding transactions.
_RETRYABLE_SQLSTATES = ("40001", "40P01")  # serialization failure, deadlock detected


def _is_concurrent_change(exc: Exception) -> bool:
    """Whether a database error means "someone else changed it at the same
    moment" rather than a bug: another transaction took the audit chain's
    next number, PostgreSQL cancelled one of two colliding transactions, or
    SQLite stayed locked by another writer past its busy timeout."""
    message = str(getattr(exc, "orig", exc))
    if isinstance(exc, IntegrityError):
        return "event_chain_heads" in message or "events.chain" in message or (
            "uq_events_chain_seq" in message
        )
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in message


def _conflict_on_concurrent_change(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn a lost race into :class:`Conflict` (409) instead of a 500.

    The proposal's version column makes SQLAlchemy's UPDATE match no row when
    someone else changed it since it was read (``StaleDataError``, raised by
    the operation's own flush or by an autoflush inside it); the other
    collisions are in :func:`_is_concurrent_change`.  The caller rolls back,
    so nothing of the losing action remains.
    """

    @functools.wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except StaleDataError as exc:
            raise Conflict(
                "the proposal was changed by someone else; reload it and try again"
            ) from exc
        except (IntegrityError, OperationalError) as exc:
            if not _is_concurrent_change(exc):
                raise
            raise Conflict("someone else changed this at the same moment; try again") from exc

    return run


def _today(today: date | None) -> date:
    return today if today is not None else calendar.today_jst()


def _urls(proposal: Proposal, tracking_token: str | None = None) -> dict[str, str]:
    base = current_app.config["TEIAN"].base_url
    urls = {"staff_url": f"{base}/staff/proposals/{proposal.id}"}
    if tracking_token:
        urls["tracking_url"] = f"{base}/track/{tracking_token}"
    else:
        urls["tracking_url"] = f"{base}/track"
    return urls


def _by_code(session: Session, model, code: str, field_name: str):
    row = session.execute(select(model).where(model.code == code)).scalar_one_or_none()
    if row is None:
        raise Invalid(f"{field_name}: unknown code {code!r}", fields={field_name: ["unknown"]})
    return row


def _other_active_department(session: Session, code: str, proposal: Proposal) -> Department:
    """The department ``code`` names, if it exists, is active and does not
    already lead the proposal (a transfer or an opinion request goes elsewhere)."""
    department = _by_code(session, Department, code, "department")
    if not department.active:
        raise Invalid("department: inactive", fields={"department": ["inactive"]})
    if department.id == proposal.lead_department_id:
        raise Invalid(
            "department: the proposal is already there", fields={"department": ["same"]}
        )
    return department


def _required_text(value: object, field_name: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise Invalid(f"{field_name}: required", fields={field_name: ["required"]})
    return text


def _check_version(proposal: Proposal, expected: int | None) -> None:
    if expected is not None and expected != proposal.version:
        raise Conflict(
            f"the proposal was changed by someone else (version {proposal.version}, "
            f"you sent {expected}); reload it and try again",
            version=proposal.version,
        )


def _role(actor: Actor, proposal: Proposal) -> str:
    """The workflow role ``actor`` has on ``proposal``; Forbidden for a
    member of staff with none (another department's liaison, an inactive
    account) and for the public."""
    if actor.kind == "proposer":
        return "proposer"
    if actor.kind == "system":
        return "system"
    role = access.workflow_role(actor.user, proposal)
    if role is None:
        raise Forbidden("you may not act on proposals of another department")
    return role


def _officer_role(actor: Actor, proposal: Proposal) -> str:
    """Like :func:`_role`, for actions only the lead liaison or the office may take."""
    role = _role(actor, proposal)
    if role not in STAFF_ROLES:
        raise Forbidden("only the lead department's liaison or the office may do this")
    return role


def _refuse_final(workflow: workflows.Workflow, proposal: Proposal, what: str) -> None:
    if workflow.is_final(proposal.state):
        raise Refused(f"a {proposal.state} proposal cannot {what}", code="final_state")


def _record(session: Session, proposal: Proposal, actor: Actor, action: str, **event) -> None:
    """Append the action's event to the proposal's chain."""
    append_event(
        session, proposal_id=proposal.id, actor=actor.ref, actor_label=actor.label,
        action=action, **event,
    )


def _tell_department(
    session: Session, department: Department | None, kind: str, proposal: Proposal, **params
) -> None:
    """Queue message ``kind`` for the department's present liaisons (the
    office when there are none, or no department)."""
    for address in notify.department_addresses(session, department):
        notify.enqueue(
            session, kind=kind, recipient=address, language="ja", proposal=proposal,
            **params, **_urls(proposal),
        )


def _tell_proposer(session: Session, proposal: Proposal, kind: str, **params) -> None:
    notify.enqueue(
        session, kind=kind, recipient=proposal.contact.email, language=proposal.language,
        proposal=proposal, **params, **_urls(proposal),
    )


# --- submission and routing --------------------------------------------------------------


@_conflict_on_concurrent_change
def submit_proposal(
    session: Session, data: Submission, *, channel: str, today: date | None = None
) -> tuple[Proposal, str]:
    """Store a validated submission, route it, and queue the receipt.

    Returns the proposal and its tracking token; the token exists only in
    this return value and the receipt e-mail (the database keeps its hash).
    """
    workflow = workflows.get_workflow(data.kind)
    category = _by_code(session, Category, data.category, "category")
    district = _by_code(session, District, data.district, "district") if data.district else None
    decision = routing.choose_department(
        session,
        category_id=category.id,
        district_id=district.id if district else None,
        text=f"{data.title}\n{data.problem}\n{data.proposal}",
    )
    token, token_hash = new_secret_token()
    now = utcnow()
    # Routed before the first INSERT, so a new proposal starts at version 1.
    proposal = Proposal(
        kind=data.kind,
        title=data.title,
        category=category,
        problem=data.problem,
        proposal_text=data.proposal,
        expected_effect=data.expected_effect,
        role_split=data.role_split,
        district=district,
        budget_total=data.budget_total,
        city_share=data.city_share,
        language=data.language,
        proposer_type=ProposerType(data.proposer_type),
        publish_name=data.publish_name,
        lead_department=decision.department,
        assignee=routing.choose_assignee(session, decision.department),
        state=workflow.initial,
        tracking_token_hash=token_hash,
        submitted_at=now,
        state_entered_at=now,
        due_on=workflow.deadline_on_entry(workflow.initial, _today(today)),
        contact=ProposerContact(
            name=data.proposer_name,
            organization=data.organization,
            email=data.email,
            phone=data.phone,
            consent_at=now,
        ),
    )
    session.add(proposal)
    session.flush()
    _record(
        session, proposal, PROPOSER, "submit", to_state=proposal.state,
        data={"channel": channel, "kind": data.kind, "category": category.code}, at=now,
    )
    _record_assignment(session, proposal, None, SYSTEM, reason="", rule_id=decision.rule_id)
    notify.enqueue(
        session, kind="receipt", recipient=data.email, language=data.language,
        proposal=proposal, **_urls(proposal, token),
    )
    session.flush()
    return proposal, token


def _record_assignment(
    session: Session,
    proposal: Proposal,
    previous: Department | None,
    actor: Actor,
    *,
    reason: str,
    rule_id: int | None = None,
    action: str = "route",
) -> None:
    """Record the lead department and liaison just set on the proposal, and
    tell that department (the office, for triage)."""
    department = proposal.lead_department
    _record(
        session, proposal, actor, action, reason=reason,
        data={
            "from_department": previous.code if previous else None,
            "department": department.code if department else None,
            "assignee": proposal.assignee.id if proposal.assignee else None,
            "rule": rule_id,
            "triage": department is None,
        },
    )
    kind = "new_item" if action == "route" else "transferred"
    _tell_department(session, department, kind, proposal, text=reason)


# --- workflow transitions --------------------------------------------------------------


@dataclass
class TransitionResult:
    proposal: Proposal
    trigger: str
    from_state: str
    to_state: str
    warnings: list[str] = field(default_factory=list)


@_conflict_on_concurrent_change
def fire_trigger(
    session: Session,
    proposal: Proposal,
    trigger: str,
    actor: Actor,
    inputs: dict[str, object] | None = None,
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> TransitionResult:
    """Fire a workflow trigger with its guards; record and notify.

    Refusals raise before anything changes: Forbidden (403) for a role the
    transition does not name, Refused (422, ``details["guard"]`` naming the
    input, guard or ``"state"``) for the workflow's checks, Conflict (409)
    for a stale ``expected_version``.
    """
    inputs = {k: v for k, v in (inputs or {}).items() if v not in (None, "")}
    role = _role(actor, proposal)
    _check_version(proposal, expected_version)
    workflow = workflows.get_workflow(proposal.kind)
    try:
        fired = workflow.fire(proposal, trigger, role=role, inputs=inputs)
    except workflows.RoleNotAllowed as exc:
        raise Forbidden(f"{role} may not fire {trigger!r}", code="forbidden") from exc
    except workflows.GuardRefused as exc:
        fields = {exc.field: [exc.message]} if exc.field else {}
        raise Refused(
            f"{trigger}: refused by guard {exc.guard}: {exc.message}",
            code="guard_failed", fields=fields, guard=exc.guard,
        ) from exc
    except workflows.TriggerNotAllowed as exc:
        raise Refused(
            f"{trigger!r} is not allowed from state {proposal.state!r}",
            code="trigger_not_allowed", guard="state",
        ) from exc
    except workflows.UnknownTrigger as exc:
        raise Refused(f"unknown trigger {trigger!r}", code="unknown_trigger") from exc

    transition = fired.transition
    recorded = _recorded_inputs(fired)
    reason = _reason_text(recorded)
    now = utcnow()
    _apply_deadline(workflow, proposal, fired.source, fired.dest, _today(today), recorded)
    proposal.state_entered_at = now
    if "publish" in transition.effects and proposal.published_at is None:
        proposal.published_at = now
    if transition.ruling:
        proposal.ruling_decision = transition.ruling
        proposal.ruling_reason = reason
        proposal.ruling_scope = str(recorded.get("scope", "")) or None
        proposal.ruled_at = now
    session.flush()
    _record(
        session, proposal, actor, "transition", trigger=trigger, from_state=fired.source,
        to_state=fired.dest, reason=reason, at=now,
        data={k: str(v) for k, v in recorded.items() if k not in _REASON_INPUTS},
    )
    _notify_transition(session, workflow, proposal, transition, reason)
    session.flush()
    return TransitionResult(proposal, trigger, fired.source, fired.dest)


# The input that explains a transition, in order of preference; it becomes
# the event's reason and, for a ruling, the ruling's reason.
_REASON_INPUTS = ("reason", "question", "answer", "evaluation")


def _recorded_inputs(fired: workflows.Fired) -> dict[str, object]:
    """The inputs worth keeping: those the transition declares (cleaned by
    the engine), plus a free-text ``reason`` any trigger may carry.  Anything
    else a caller sent stays out of the audit log."""
    declared = fired.transition.inputs
    kept = {k: v for k, v in fired.inputs.items() if k in declared}
    extra = fired.inputs.get("reason")
    if "reason" not in declared and isinstance(extra, str) and extra.strip():
        kept["reason"] = extra.strip()
    return kept


def _reason_text(inputs: dict[str, object]) -> str:
    for name in _REASON_INPUTS:
        if inputs.get(name):
            return str(inputs[name])
    return ""


def _apply_deadline(workflow, proposal, source, dest, today: date, inputs) -> None:
    """The due date on entering ``dest`` (SPEC section 3).

    A state that pauses the clock (awaiting the proposer) keeps the business
    days the department had left and runs the proposer's deadline instead;
    leaving it for a state with a deadline resumes the department's clock
    with exactly those days, counted from the day the proposer answered (a
    department already late when it asked stays as late).  A final state, or
    one without a deadline, has no due date.
    """
    leaving, entering = workflow.states[source], workflow.states[dest]
    if entering.pauses_clock:
        if not leaving.pauses_clock:
            proposal.paused_days_left = (
                None if proposal.due_on is None else _business_days_left(today, proposal.due_on)
            )
        proposal.due_on = workflow.deadline_on_entry(dest, today)
        return
    resume = proposal.paused_days_left if leaving.pauses_clock else None
    proposal.paused_days_left = None
    if entering.deadline_set_by_department:
        proposal.due_on = inputs.get("due_on")
    elif resume is not None and entering.deadline_days is not None:
        proposal.due_on = _shift_business_days(today, resume)
    else:
        proposal.due_on = workflow.deadline_on_entry(dest, today)


def _business_days_left(today: date, due_on: date) -> int:
    """Business days from ``today`` to ``due_on``; negative when already late."""
    if due_on >= today:
        return calendar.business_days_between(today, due_on)
    return -calendar.business_days_between(due_on, today)


def _shift_business_days(day: date, n: int) -> date:
    """``n`` business days after ``day`` (before it when ``n`` is negative)."""
    if n >= 0:
        return calendar.add_business_days(day, n)
    while n < 0:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            n += 1
    return day


def _notify_transition(session, workflow, proposal: Proposal, transition, reason: str) -> None:
    """One message per audience the transition names (proposer, liaison, office)."""
    for audience in transition.notify:
        if audience == "proposer":
            if transition.ruling:
                kind = "ruling"
            elif workflow.states[transition.dest].pauses_clock:
                kind = "question"
            else:
                kind = "state_changed"
            label = workflow.state_label(proposal.state, proposal.language)
            _tell_proposer(session, proposal, kind, text=reason, decision=label, state=label)
            continue
        params = {"text": reason, "state": workflow.state_label(proposal.state, "ja")}
        if audience == "liaison":
            _tell_department(session, proposal.lead_department, "staff_update", proposal,
                             **params)
        elif audience == "office":
            for address in notify.office_addresses(session):
                notify.enqueue(session, kind="staff_update", recipient=address, language="ja",
                               proposal=proposal, **params, **_urls(proposal))


# --- re-routing and deadlines -------------------------------------------------------------


@_conflict_on_concurrent_change
def transfer_proposal(
    session: Session,
    proposal: Proposal,
    department_code: str,
    actor: Actor,
    *,
    reason: str,
    expected_version: int | None = None,
    today: date | None = None,
) -> Proposal:
    """Move the lead to another department (not a state change).

    The current state's clock restarts for the receiving department — in
    ``submitted`` that is the acceptance deadline SPEC section 3 names.  While
    the clock is paused (awaiting the proposer) the proposer's deadline
    stands; a state without a deadline keeps none.
    """
    _officer_role(actor, proposal)
    _check_version(proposal, expected_version)
    reason = _required_text(reason, "reason")
    target = _other_active_department(session, department_code, proposal)
    workflow = workflows.get_workflow(proposal.kind)
    _refuse_final(workflow, proposal, "be transferred")
    # Every query before the first change, so the row is written once (version + 1).
    assignee, previous = routing.choose_assignee(session, target), proposal.lead_department
    state = workflow.states[proposal.state]
    if state.deadline_days is not None and not state.pauses_clock:
        proposal.due_on = workflow.deadline_on_entry(proposal.state, _today(today))
    proposal.lead_department, proposal.assignee = target, assignee
    session.flush()
    _record_assignment(session, proposal, previous, actor, reason=reason, action="transfer")
    session.flush()
    return proposal


@_conflict_on_concurrent_change
def extend_deadline(
    session: Session,
    proposal: Proposal,
    actor: Actor,
    *,
    new_due_on: date,
    reason: str,
    expected_version: int | None = None,
) -> Proposal:
    """Move the running deadline later, saying why (SPEC section 3).

    The reason is public — the proposal's page shows it, because a city must
    say why it is late — and the proposer is told.
    """
    _officer_role(actor, proposal)
    _check_version(proposal, expected_version)
    reason = _required_text(reason, "reason")
    workflow = workflows.get_workflow(proposal.kind)
    _refuse_final(workflow, proposal, "have its deadline extended")
    previous = proposal.due_on
    if previous is None:
        raise Refused(f"a {proposal.state} proposal has no deadline to extend",
                      code="no_deadline")
    if not isinstance(new_due_on, date) or isinstance(new_due_on, datetime):
        raise Invalid("new_due_on: a date", fields={"new_due_on": ["date"]})
    if new_due_on <= previous:
        raise Invalid(
            f"new_due_on: must be later than the current due date {previous.isoformat()}",
            fields={"new_due_on": ["not_later"]},
        )
    proposal.due_on = new_due_on
    session.flush()
    _record(session, proposal, actor, "extend", reason=reason,
            data={"from": previous.isoformat(), "to": new_due_on.isoformat(),
                  "state": proposal.state})
    _tell_proposer(session, proposal, "deadline_extended", text=reason,
                   due_on=new_due_on.isoformat())
    session.flush()
    return proposal


# --- opinions of co-departments (合議) ------------------------------------------------------


@_conflict_on_concurrent_change
def request_opinion(
    session: Session,
    proposal: Proposal,
    department_code: str,
    actor: Actor,
    *,
    question: str,
    due_in_days: int = 10,
    expected_version: int | None = None,
    today: date | None = None,
) -> OpinionRequest:
    """Ask another department for its opinion, due in ``due_in_days``
    business days; it is told through the outbox.

    An open request blocks ``adopt`` (guard ``opinions_settled``), so this
    bumps the proposal's version: an adoption racing with it conflicts
    instead of overtaking the question.
    """
    _officer_role(actor, proposal)
    _check_version(proposal, expected_version)
    question = _required_text(question, "question")
    if isinstance(due_in_days, bool) or not isinstance(due_in_days, int) or due_in_days < 1:
        raise Invalid("due_in_days: a whole number of business days, at least 1",
                      fields={"due_in_days": ["invalid"]})
    workflow = workflows.get_workflow(proposal.kind)
    _refuse_final(workflow, proposal, "ask for opinions")
    department = _other_active_department(session, department_code, proposal)
    flag_modified(proposal, "state")  # a version bump with no column changed
    session.flush()
    request = OpinionRequest(
        proposal=proposal, department=department, question=question, status="open",
        due_on=calendar.add_business_days(_today(today), due_in_days),
    )
    session.add(request)
    session.flush()
    _record(session, proposal, actor, "opinion_request", reason=question,
            data={"request": request.id, "department": department.code,
                  "due_on": request.due_on.isoformat()})
    _tell_department(session, department, "opinion_request", proposal, text=question,
                     due_on=request.due_on.isoformat())
    session.flush()
    return request


@_conflict_on_concurrent_change
def answer_opinion(
    session: Session, request: OpinionRequest, actor: Actor, *, answer: str
) -> OpinionRequest:
    """The consulted department (or the office) answers an opinion request;
    the lead department is told."""
    if actor.user is None or not access.may_answer_opinion(actor.user, request):
        raise Forbidden("only the consulted department or the office may answer")
    answer = _required_text(answer, "answer")
    _settle(session, request, "answered", answer)
    proposal = request.proposal
    _record(session, proposal, actor, "opinion_answer", reason=answer,
            data={"request": request.id, "department": request.department.code})
    _tell_department(session, proposal.lead_department, "opinion_answered", proposal,
                     text=answer, consulted=request.department.name("ja"))
    session.flush()
    return request


@_conflict_on_concurrent_change
def waive_opinion(
    session: Session, request: OpinionRequest, actor: Actor, *, reason: str
) -> OpinionRequest:
    """The lead department (or the office) stops waiting for an opinion,
    saying why; the consulted department is told it need not answer."""
    proposal = request.proposal
    _officer_role(actor, proposal)
    reason = _required_text(reason, "reason")
    _settle(session, request, "waived", "")
    _record(session, proposal, actor, "opinion_waive", reason=reason,
            data={"request": request.id, "department": request.department.code})
    _tell_department(session, request.department, "opinion_waived", proposal, text=reason)
    session.flush()
    return request


def _settle(session: Session, request: OpinionRequest, status: str, answer: str) -> None:
    """Close an open request, or Conflict if it is no longer open — also when
    an answer and a waiver race: the UPDATE matches only a row still open."""
    result = session.execute(
        update(OpinionRequest)
        .where(OpinionRequest.id == request.id, OpinionRequest.status == "open")
        .values(status=status, answer=answer, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(request)
        raise Conflict(f"the opinion request is already {request.status}",
                       code="opinion_settled")
    session.refresh(request)


# --- deliberation: sessions, the comment period, comments -----------------------------------


def _refuse_outside_deliberation(proposal: Proposal, what: str) -> None:
    if proposal.state != DELIBERATION:
        raise Conflict(f"{what} only while in deliberation, not {proposal.state}",
                       code="wrong_state")


def _aware(value: object, field_name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise Invalid(f"{field_name}: a date and time with its offset",
                      fields={field_name: ["datetime"]})
    return value


@_conflict_on_concurrent_change
def record_session(
    session: Session,
    proposal: Proposal,
    actor: Actor,
    *,
    held_at: datetime,
    place: str,
    online: bool,
    agenda: str,
    minutes: str,
    participants: int,
) -> DeliberationSession:
    """Record a deliberation session (only while in deliberation); it is a
    deliberation record for the ``adopt`` guard."""
    _officer_role(actor, proposal)
    _refuse_outside_deliberation(proposal, "sessions are recorded")
    held_at = _aware(held_at, "held_at")
    if isinstance(participants, bool) or not isinstance(participants, int) or participants < 0:
        raise Invalid("participants: a whole number, 0 or more",
                      fields={"participants": ["invalid"]})
    record = DeliberationSession(
        proposal=proposal, held_at=held_at, place=place, online=online, agenda=agenda,
        minutes=minutes, participants=participants,
        recorded_by_id=actor.user.id if actor.user else None,
    )
    session.add(record)
    session.flush()
    _record(session, proposal, actor, "session",
            data={"session": record.id, "held_at": held_at.isoformat(),
                  "participants": participants})
    session.flush()
    return record


@_conflict_on_concurrent_change
def set_comment_period(
    session: Session,
    proposal: Proposal,
    actor: Actor,
    *,
    until: datetime,
    expected_version: int | None = None,
) -> Proposal:
    """End the citizens' comment period at ``until`` (in deliberation only).

    Once that moment has passed the ended period counts as a deliberation
    record for ``adopt`` (:meth:`Proposal.has_deliberation_record`).  It may
    be now — closing comments today — but not before deliberation began.
    """
    _officer_role(actor, proposal)
    _check_version(proposal, expected_version)
    _refuse_outside_deliberation(proposal, "the comment period is set")
    until = _aware(until, "until")
    if until < proposal.state_entered_at:
        raise Invalid("until: not before the deliberation began",
                      fields={"until": ["before_deliberation"]})
    previous = proposal.comments_until
    proposal.comments_until = until
    session.flush()
    _record(session, proposal, actor, "comment_period",
            data={"until": until.isoformat(),
                  "previous": previous.isoformat() if previous else None})
    session.flush()
    return proposal


@_conflict_on_concurrent_change
def add_comment(session: Session, proposal: Proposal, *, name: str, body: str) -> Comment:
    """A citizen's comment; open only while the proposal is in deliberation
    and its comment period (if the liaison set one) has not ended."""
    if not proposal.is_published:
        raise NotFound("no such proposal")
    if not proposal.comment_period().open:
        raise Conflict("comments are open only while the proposal is in deliberation",
                       code="comments_closed")
    comment = Comment(proposal=proposal, name=name, body=_required_text(body, "body"))
    session.add(comment)
    session.flush()
    _record(session, proposal, PUBLIC, "comment", data={"comment": comment.id})
    session.flush()
    return comment

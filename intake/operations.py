"""Every change a user can make, one plain function each.

Routes (web, JSON API, Open311) check nothing but the request's shape: they
call one of these, which checks access and the workflow's rules, changes
the rows, appends the audit event and queues the outbox messages, then
``flush``es.  The caller commits once, so all of it lands together or not at
all (SPEC section 3: one transaction per action).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import workflows
from forms.proposal import Submission
from workflows import calendar

from . import access, notify, routing
from .audit import append_event
from .auth import new_secret_token
from .errors import Conflict, Forbidden, Invalid, NotFound, Refused
from .models import (
    Category,
    Comment,
    DeliberationSession,
    Department,
    District,
    Proposal,
    ProposerContact,
    ProposerType,
    User,
    utcnow,
)


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


# --- submission and routing --------------------------------------------------------------


def submit_proposal(
    session: Session, data: Submission, *, channel: str
) -> tuple[Proposal, str]:
    """Store a validated submission, route it, and queue the receipt.

    Returns the proposal and its tracking token; the token exists only in
    this return value and the receipt e-mail (the database keeps its hash).
    """
    workflow = workflows.get_workflow(data.kind)
    category = _by_code(session, Category, data.category, "category")
    district = _by_code(session, District, data.district, "district") if data.district else None
    token, token_hash = new_secret_token()
    now = utcnow()
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
        state=workflow.initial,
        tracking_token_hash=token_hash,
        submitted_at=now,
        state_entered_at=now,
        due_on=workflow.deadline_on_entry(workflow.initial, calendar.today_jst()),
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
    append_event(
        session,
        proposal_id=proposal.id,
        actor=PROPOSER.ref,
        action="submit",
        to_state=proposal.state,
        data={"channel": channel, "kind": data.kind, "category": category.code},
        at=now,
    )
    decision = routing.choose_department(
        session,
        category_id=category.id,
        district_id=district.id if district else None,
        text=f"{data.title}\n{data.problem}\n{data.proposal}",
    )
    _assign(session, proposal, decision.department, SYSTEM, reason="", rule_id=decision.rule_id)
    urls = _urls(proposal, token)
    notify.enqueue(
        session, kind="receipt", recipient=data.email, language=data.language,
        proposal=proposal, **urls,
    )
    return proposal, token


def _assign(
    session: Session,
    proposal: Proposal,
    department: Department | None,
    actor: Actor,
    *,
    reason: str,
    rule_id: int | None = None,
    action: str = "route",
) -> None:
    """Set the lead department and its liaison, record it, tell them."""
    previous = proposal.lead_department
    proposal.lead_department = department
    proposal.assignee = routing.choose_assignee(session, department)
    append_event(
        session,
        proposal_id=proposal.id,
        actor=actor.ref,
        actor_label=actor.label,
        action=action,
        reason=reason,
        data={
            "from_department": previous.code if previous else None,
            "department": department.code if department else None,
            "assignee": proposal.assignee.id if proposal.assignee else None,
            "rule": rule_id,
            "triage": department is None,
        },
    )
    kind = "new_item" if action == "route" else "transferred"
    for address in notify.department_addresses(session, department):
        notify.enqueue(
            session, kind=kind, recipient=address, language="ja", proposal=proposal,
            text=reason, **_urls(proposal),
        )


# --- workflow transitions --------------------------------------------------------------


@dataclass
class TransitionResult:
    proposal: Proposal
    trigger: str
    from_state: str
    to_state: str
    warnings: list[str] = field(default_factory=list)


def _check_version(proposal: Proposal, expected: int | None) -> None:
    if expected is not None and expected != proposal.version:
        raise Conflict(
            f"the proposal was changed by someone else (version {proposal.version}, "
            f"you sent {expected}); reload it and try again",
            version=proposal.version,
        )


def _flush_or_conflict(session: Session, proposal: Proposal) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("the proposal was changed by someone else; reload and try again") from exc


def _role(actor: Actor, proposal: Proposal) -> str:
    if actor.kind == "proposer":
        return "proposer"
    if actor.kind == "system":
        return "system"
    role = access.workflow_role(actor.user, proposal)
    if role is None:
        raise Forbidden("you may not act on proposals of another department")
    return role


def fire_trigger(
    session: Session,
    proposal: Proposal,
    trigger: str,
    actor: Actor,
    inputs: dict[str, object] | None = None,
    *,
    expected_version: int | None = None,
) -> TransitionResult:
    """Fire a workflow trigger with its guards; record and notify."""
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

    inputs = dict(fired.inputs)  # cleaned by the engine: text stripped, dates parsed
    now = utcnow()
    today = calendar.today_jst()
    _apply_deadline(workflow, proposal, fired.source, fired.dest, today, inputs)
    proposal.state_entered_at = now
    transition = fired.transition
    if "publish" in transition.effects and proposal.published_at is None:
        proposal.published_at = now
    reason = _reason_text(inputs)
    if transition.ruling:
        proposal.ruling_decision = transition.ruling
        proposal.ruling_reason = reason
        proposal.ruling_scope = str(inputs.get("scope", "")) or None
        proposal.ruled_at = now
    _flush_or_conflict(session, proposal)
    append_event(
        session,
        proposal_id=proposal.id,
        actor=actor.ref,
        actor_label=actor.label,
        action="transition",
        trigger=trigger,
        from_state=fired.source,
        to_state=fired.dest,
        reason=reason,
        data={k: str(v) for k, v in inputs.items() if k not in _REASON_INPUTS},
        at=now,
    )
    _notify_transition(session, workflow, proposal, transition, reason)
    return TransitionResult(proposal, trigger, fired.source, fired.dest)


# The input that explains a transition, in order of preference; it becomes
# the event's reason and, for a ruling, the ruling's reason.
_REASON_INPUTS = ("reason", "question", "answer", "evaluation")


def _reason_text(inputs: dict[str, object]) -> str:
    for name in _REASON_INPUTS:
        if inputs.get(name):
            return str(inputs[name])
    return ""


def _apply_deadline(workflow, proposal, source, dest, today: date, inputs) -> None:
    """Due date on entering ``dest``; the department's clock pauses while a
    state says so (awaiting the proposer) and resumes with the days it had."""
    leaving_pause = workflow.states[source].pauses_clock
    entering = workflow.states[dest]
    if entering.pauses_clock:
        if proposal.due_on is not None:
            proposal.paused_days_left = calendar.business_days_between(today, proposal.due_on)
        proposal.due_on = workflow.deadline_on_entry(dest, today)
        return
    if leaving_pause and proposal.paused_days_left is not None:
        proposal.due_on = calendar.add_business_days(today, max(proposal.paused_days_left, 1))
        proposal.paused_days_left = None
        return
    proposal.paused_days_left = None
    if entering.deadline_set_by_department:
        proposal.due_on = inputs.get("due_on")
    else:
        proposal.due_on = workflow.deadline_on_entry(dest, today)


def _notify_transition(session, workflow, proposal: Proposal, transition, reason: str) -> None:
    contact = proposal.contact
    lang = proposal.language
    for audience in transition.notify:
        if audience == "proposer":
            kind = "ruling" if transition.ruling else (
                "question" if transition.trigger == "request_info" else "state_changed"
            )
            notify.enqueue(
                session, kind=kind, recipient=contact.email, language=lang, proposal=proposal,
                text=reason, decision=workflow.state_label(proposal.state, lang),
                state=workflow.state_label(proposal.state, lang), **_urls(proposal),
            )
        elif audience in ("department", "liaison"):
            for address in notify.department_addresses(session, proposal.lead_department):
                notify.enqueue(
                    session, kind="state_changed", recipient=address, language="ja",
                    proposal=proposal, state=workflow.state_label(proposal.state, "ja"),
                    **_urls(proposal),
                )


# --- re-routing, sessions, comments -------------------------------------------------------


def transfer_proposal(
    session: Session,
    proposal: Proposal,
    department_code: str,
    actor: Actor,
    *,
    reason: str,
    expected_version: int | None = None,
) -> Proposal:
    """Move the lead to another department (not a state change): the
    acceptance deadline restarts there."""
    _role(actor, proposal)
    _check_version(proposal, expected_version)
    if not (reason or "").strip():
        raise Invalid("reason: a transfer needs a reason", fields={"reason": ["required"]})
    target = _by_code(session, Department, department_code, "department")
    if not target.active:
        raise Invalid("department: inactive", fields={"department": ["inactive"]})
    if target.id == proposal.lead_department_id:
        raise Invalid(
            "department: the proposal is already there", fields={"department": ["same"]}
        )
    workflow = workflows.get_workflow(proposal.kind)
    if workflow.is_final(proposal.state):
        raise Refused(f"a {proposal.state} proposal cannot be transferred", code="final_state")
    proposal.due_on = workflow.deadline_on_entry(workflow.initial, calendar.today_jst())
    _assign(session, proposal, target, actor, reason=reason.strip(), action="transfer")
    _flush_or_conflict(session, proposal)
    return proposal


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
    """Record a deliberation session (only while in deliberation)."""
    _role(actor, proposal)
    if proposal.state != "in_deliberation":
        raise Conflict(f"sessions are recorded while in deliberation, not {proposal.state}",
                       code="wrong_state")
    record = DeliberationSession(
        proposal=proposal, held_at=held_at, place=place, online=online, agenda=agenda,
        minutes=minutes, participants=participants,
        recorded_by_id=actor.user.id if actor.user else None,
    )
    session.add(record)
    session.flush()
    append_event(
        session, proposal_id=proposal.id, actor=actor.ref, actor_label=actor.label,
        action="session", data={"session": record.id, "held_at": held_at.isoformat(),
                                "participants": participants},
    )
    return record


def add_comment(session: Session, proposal: Proposal, *, name: str, body: str) -> Comment:
    """A citizen's comment; open only while the proposal is in deliberation
    and its comment period (if the liaison set one) has not ended."""
    if not proposal.is_published:
        raise NotFound("no such proposal")
    if proposal.state != "in_deliberation" or (
        proposal.comments_until is not None and proposal.comments_until <= utcnow()
    ):
        raise Conflict("comments are open only while the proposal is in deliberation",
                       code="comments_closed")
    comment = Comment(proposal=proposal, name=name, body=body)
    session.add(comment)
    session.flush()
    append_event(
        session, proposal_id=proposal.id, actor=PUBLIC.ref, action="comment",
        data={"comment": comment.id},
    )
    return comment

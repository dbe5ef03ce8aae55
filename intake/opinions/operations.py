"""Asking a co-department for its opinion, and settling the request.

An open request blocks a ruling (the workflow's ``opinions_settled`` guard), so asking
bumps the proposal's version: a ruling racing with the question conflicts instead of
overtaking it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from intake import access
from intake.core.actors import Actor
from intake.core.checks import (
    check_version,
    officer_role,
    other_active_department,
    refuse_final,
    required_text,
    today_or,
)
from intake.core.concurrency import conflict_on_concurrent_change
from intake.core.effects import record, tell_department
from intake.errors import Conflict, Forbidden, Invalid
from intake.i18n import translate
from intake.links import Links
from intake.models import (
    Department,
    EventAction,
    OpinionRequest,
    OpinionStatus,
    Proposal,
    utcnow,
)
from workflows import calendar


@conflict_on_concurrent_change
def request_opinion(
    session: Session,
    proposal: Proposal,
    department_code: str,
    actor: Actor,
    *,
    question: str,
    links: Links,
    due_in_days: int = 10,
    expected_version: int | None = None,
    today: date | None = None,
) -> OpinionRequest:
    """Ask another department for its opinion, due in ``due_in_days`` business days;
    it is told through the outbox."""
    officer_role(actor, proposal)
    check_version(proposal, expected_version)
    question = required_text(question, "question")
    if isinstance(due_in_days, bool) or not isinstance(due_in_days, int) \
            or not 1 <= due_in_days <= calendar.BUSINESS_DAYS_MAX:
        raise Invalid(f"due_in_days: a whole number of business days, 1 to "
                      f"{calendar.BUSINESS_DAYS_MAX}", fields={"due_in_days": ["business_days"]})
    refuse_final(proposal, "ask for opinions")
    department = other_active_department(session, department_code, proposal)
    flag_modified(proposal, "state")  # a version bump with no column changed
    session.flush()
    request = OpinionRequest(
        proposal=proposal, department=department, question=question,
        status=OpinionStatus.open,
        due_on=calendar.add_business_days(today_or(today), due_in_days),
    )
    session.add(request)
    session.flush()
    record(session, proposal, actor, EventAction.opinion_request, reason=question,
           data={"request": request.id, "department": department.code,
                 "due_on": request.due_on.isoformat()})
    tell_department(session, links, department, "opinion_request", proposal, text=question,
                    due_on=request.due_on, lead=proposal.lead_department.name("ja")
                    if proposal.lead_department else translate("staff.triage", "ja"))
    session.flush()
    return request


@conflict_on_concurrent_change
def answer_opinion(
    session: Session, request: OpinionRequest, actor: Actor, *, answer: str, links: Links
) -> OpinionRequest:
    """The consulted department (or the office) answers; the lead department is told."""
    if actor.user is None or not access.may_answer_opinion(actor.user, request):
        raise Forbidden("only the consulted department or the office may answer")
    answer = required_text(answer, "answer")
    _settle(session, [request], OpinionStatus.answered, answer)
    proposal = request.proposal
    record(session, proposal, actor, EventAction.opinion_answer, reason=answer,
           data={"request": request.id, "department": request.department.code})
    tell_department(session, links, proposal.lead_department, "opinion_answered", proposal,
                    text=answer, consulted=request.department.name("ja"))
    session.flush()
    return request


@conflict_on_concurrent_change
def waive_opinion(
    session: Session, request: OpinionRequest, actor: Actor, *, reason: str, links: Links
) -> OpinionRequest:
    """The lead department (or the office) stops waiting for an opinion, saying why;
    the consulted department is told it need not answer."""
    proposal = request.proposal
    officer_role(actor, proposal)
    reason = required_text(reason, "reason")
    _settle(session, [request], OpinionStatus.waived, "")
    record(session, proposal, actor, EventAction.opinion_waive, reason=reason,
           data={"request": request.id, "department": request.department.code})
    tell_department(session, links, request.department, "opinion_waived", proposal,
                    text=reason)
    session.flush()
    return request


def open_requests_to(proposal: Proposal, department: Department) -> list[OpinionRequest]:
    """The proposal's requests still awaiting ``department``'s opinion."""
    return [r for r in proposal.opinion_requests
            if r.department_id == department.id and r.status == OpinionStatus.open]


def settle_for_new_lead(session: Session, proposal: Proposal, requests: list[OpinionRequest],
                        actor: Actor, *, links: Links) -> None:
    """Waive ``requests`` — those awaiting the department that now leads ``proposal``
    (:func:`open_requests_to`, read before the transfer): a department is not consulted
    on a proposal it leads.  Each waiver is audited with the reason, and the department
    is told once that it need not answer.  The transfer's caller does the rest."""
    if not requests:
        return
    department = proposal.lead_department
    reason = translate("staff.opinion_waive.now_lead", "ja", department=department.name("ja"))
    _settle(session, requests, OpinionStatus.waived, "")
    for request in requests:
        record(session, proposal, actor, EventAction.opinion_waive, reason=reason,
               data={"request": request.id, "department": department.code,
                     "settled_by": "transfer"})
    tell_department(session, links, department, "opinion_waived", proposal, text=reason)


def _settle(session: Session, requests: list[OpinionRequest], status: OpinionStatus,
            answer: str) -> None:
    """Close open requests in one UPDATE, or Conflict if one is no longer open — also
    when an answer and a waiver race: the UPDATE matches only rows still open."""
    ids = [r.id for r in requests]
    result = session.execute(
        update(OpinionRequest)
        .where(OpinionRequest.id.in_(ids), OpinionRequest.status == OpinionStatus.open)
        .values(status=status, answer=answer, answered_at=utcnow())
        .execution_options(synchronize_session="evaluate")  # the loaded rows say so too
    )
    if result.rowcount != len(ids):
        settled = session.execute(
            select(OpinionRequest.status)
            .where(OpinionRequest.id.in_(ids), OpinionRequest.status != OpinionStatus.open)
            .limit(1)
        ).scalar()
        raise Conflict(f"the opinion request is already {settled}", code="opinion_settled")

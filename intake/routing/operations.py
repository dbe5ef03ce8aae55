"""Changes of who leads a proposal: the first routing (recorded by the submission) and
transfers.  Neither is a state change; both are audited and tell the receiving
department."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

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
from intake.links import Links
from intake.models import Department, EventAction, Proposal
from intake.opinions.operations import open_requests_to, settle_for_new_lead

from .rules import choose_assignee


def record_assignment(
    session: Session,
    links: Links,
    proposal: Proposal,
    previous: Department | None,
    actor: Actor,
    *,
    reason: str,
    rule_id: int | None = None,
    action: EventAction = EventAction.route,
    at: datetime | None = None,
) -> None:
    """Record the lead department and liaison just set on the proposal, and tell that
    department (the office, for triage)."""
    department = proposal.lead_department
    record(
        session, proposal, actor, action, reason=reason, at=at,
        data={
            "from_department": previous.code if previous else None,
            "department": department.code if department else None,
            "assignee": proposal.assignee.id if proposal.assignee else None,
            "rule": rule_id,
            "triage": department is None,
        },
    )
    tell_department(session, links, department, _mail_kind(action, previous), proposal,
                    text=reason, **({"from_department": previous.name("ja")}
                                    if previous is not None else {}))


def _mail_kind(action: EventAction, previous: Department | None) -> str:
    """The receiving department's mail: a new proposal (the submission's routing), the
    first routing out of the office's triage (there is no department it came from, so it
    is not worded as a transfer), or a transfer from ``previous``."""
    if action == EventAction.route:
        return "new_item"
    return "transferred" if previous is not None else "routed"


@conflict_on_concurrent_change
def transfer_proposal(
    session: Session,
    proposal: Proposal,
    department_code: str,
    actor: Actor,
    *,
    reason: str,
    links: Links,
    expected_version: int | None = None,
    today: date | None = None,
) -> Proposal:
    """Move the lead to another department (not a state change).

    The current state's clock restarts for the receiving department — in the initial
    state that is the acceptance deadline SPEC section 3 names.  While the clock is
    paused (awaiting the proposer) the proposer's deadline stands; a state without a
    deadline keeps none.

    A request still awaiting the receiving department's opinion is waived with the
    transfer: a department is not consulted on a proposal it leads.  Requests to other
    departments stay open, now answered to the new lead.
    """
    officer_role(actor, proposal)
    check_version(proposal, expected_version)
    reason = required_text(reason, "reason")
    target = other_active_department(session, department_code, proposal)
    workflow = refuse_final(proposal, "be transferred")
    # Every query before the first change, so the row is written once (version + 1).
    assignee, previous = (choose_assignee(session, target, today=today_or(today)),
                          proposal.lead_department)
    now_moot = open_requests_to(proposal, target)
    state = workflow.states[proposal.state]
    if state.deadline_days is not None and not state.pauses_clock:
        proposal.due_on = workflow.deadline_on_entry(proposal.state, today_or(today))
    proposal.lead_department, proposal.assignee = target, assignee
    session.flush()
    record_assignment(session, links, proposal, previous, actor, reason=reason,
                      action=EventAction.transfer)
    settle_for_new_lead(session, proposal, now_moot, actor, links=links)
    session.flush()
    return proposal

"""Escalating overdue proposals (SPEC section 3), an operation like any other.

``teian worker`` (and the embedded server) calls :func:`escalate_overdue` on every pass.
Each overdue step — a proposal in a state whose due date has passed — is escalated
once: an ``escalate`` event on the proposal's chain and a message to the office and the
lead department, written with the :class:`~intake.models.Escalation` row that remembers
it was done.  Several workers may run: rows are claimed with ``FOR UPDATE SKIP LOCKED``.
The caller commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

import workflows
from intake import notify
from intake.core.actors import SYSTEM
from intake.core.effects import record, staff_links
from intake.links import Links
from intake.models import Escalation, EventAction, Proposal


def escalate_overdue(session: Session, today: date, *, links: Links, batch: int = 100) -> int:
    """Escalate up to ``batch`` overdue steps not escalated yet; flushes."""
    done = Escalation.__table__
    pending = (
        select(Proposal)
        .outerjoin(done, and_(done.c.proposal_id == Proposal.id, done.c.state == Proposal.state,
                              done.c.due_on == Proposal.due_on))
        .where(Proposal.is_overdue(today), done.c.id.is_(None))
        .order_by(Proposal.due_on, Proposal.id)
        .limit(batch)
        .with_for_update(of=Proposal, skip_locked=True)
    )
    proposals = list(session.execute(pending).scalars())
    office = set(notify.office_addresses(session))
    liaisons = notify.present_liaison_addresses(
        session, (p.lead_department_id for p in proposals if p.lead_department_id))
    for proposal in proposals:
        session.add(Escalation(proposal_id=proposal.id, state=proposal.state,
                               due_on=proposal.due_on))
        due_on = proposal.due_on.isoformat()
        record(session, proposal, SYSTEM, EventAction.escalate,
               reason=f"overdue since {due_on}", data={"state": proposal.state, "due_on": due_on})
        state = workflows.get_workflow(proposal.kind).state_label(proposal.state, "ja")
        # The department's present liaisons (the office stands in when there are none).
        recipients = office | set(liaisons.get(proposal.lead_department_id, ()))
        for address in sorted(recipients):
            notify.enqueue(session, kind="escalation", recipient=address, language="ja",
                           proposal=proposal, due_on=proposal.due_on, state=state,
                           **staff_links(links, proposal))
    session.flush()
    return len(proposals)

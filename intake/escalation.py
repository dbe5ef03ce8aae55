"""Escalating overdue proposals (SPEC section 3).

``teian worker`` calls :func:`escalate_overdue` on every pass.  Each overdue
step — a proposal in a state whose due date has passed — is escalated once:
an ``escalate`` event on the proposal's chain and a message to the office
and the lead department, written in one transaction with the
:class:`~intake.models.Escalation` row that remembers it was done.  Several
workers may run: rows are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from . import notify
from .audit import append_event
from .models import Escalation, Proposal
from .queries import overdue_expression


def escalate_overdue(session: Session, today: date, batch: int = 100) -> int:
    """Escalate up to ``batch`` overdue steps not escalated yet; commits."""
    done = Escalation.__table__
    pending = (
        select(Proposal)
        .outerjoin(done, and_(done.c.proposal_id == Proposal.id, done.c.state == Proposal.state,
                              done.c.due_on == Proposal.due_on))
        .where(overdue_expression(today), done.c.id.is_(None))
        .order_by(Proposal.due_on, Proposal.id)
        .limit(batch)
        .with_for_update(of=Proposal, skip_locked=True)
    )
    proposals = list(session.execute(pending).scalars())
    for proposal in proposals:
        session.add(Escalation(proposal_id=proposal.id, state=proposal.state,
                               due_on=proposal.due_on))
        append_event(
            session, proposal_id=proposal.id, actor="system", action="escalate",
            reason=f"overdue since {proposal.due_on.isoformat()}",
            data={"state": proposal.state, "due_on": proposal.due_on.isoformat()},
        )
        recipients = set(notify.office_addresses(session))
        recipients |= set(notify.department_addresses(session, proposal.lead_department))
        for address in sorted(recipients):
            notify.enqueue(session, kind="escalation", recipient=address, language="ja",
                           proposal=proposal, due_on=proposal.due_on.isoformat(),
                           state=proposal.state)
    session.commit()
    return len(proposals)

"""Where a proposal went after a department led it.

A liaison of a department the proposal was transferred away from still holds mails that
link to its staff page, which they may no longer see.  Rather than a bare refusal, the
page tells them who leads it now and since when — nothing of the proposal itself, which
is the new lead's to handle (its personal data least of all).  Only a department that
once led the proposal is told: to any other, a refusal says nothing of what exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.models import Department, Event, EventAction, Proposal


@dataclass(frozen=True)
class MovedAway:
    lead: Department | None  # who leads the proposal now
    since: datetime  # the transfer that gave it to them


def moved_away_from(session: Session, proposal: Proposal,
                    department: Department | None) -> MovedAway | None:
    """Where ``proposal`` went if ``department`` led it once and leads it no more (the
    transfers record the department each came from); None otherwise."""
    if department is None or proposal.lead_department_id == department.id:
        return None
    transfers = session.execute(
        select(Event.at, Event.data)
        .where(Event.proposal_id == proposal.id, Event.action == EventAction.transfer)
        .order_by(Event.seq)).all()
    if not any((data or {}).get("from_department") == department.code
               for _at, data in transfers):
        return None
    return MovedAway(proposal.lead_department, transfers[-1].at)

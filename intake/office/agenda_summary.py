"""How many proposals are on the liaison-meeting agenda, per department and reason: the
figures the printable agenda's first page opens with (:mod:`.agenda` says what is on it).

They are read from aggregates, not rows: waiting for a ruling from ``proposal_counts``
(:mod:`.counts`); overdue from the dashboard's own GROUP BY over ``ix_proposals_overdue``;
several departments from the open opinion requests and the transfers, joined to their
open proposals.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.orm import Session

import workflows
from intake import reference
from intake.models import (
    Department,
    Event,
    OpinionRequest,
    OpinionStatus,
    OverdueCount,
    Proposal,
    ProposalCount,
)

from .agenda import TRIAGE, department_order, in_states, open_states, ruling_states
from .figures import EVERYTHING, Scope, overdue_per_department
from .involved import between_departments

# How old the printable page's summary may be, in seconds: its overdue and several-
# departments counts cost what there is to count (index entries, not rows: 0.1 s per
# 100,000 generated proposals), too much for every page view; a meeting's figures need not
# be to the second (the dashboard counts live).
SUMMARY_MAX_AGE = 120.0
_summaries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def recent_summary(session: Session, today: date, scope: Scope = EVERYTHING, *,
                   max_age: float | None = None) -> list[DepartmentSummary]:
    """:func:`summary` as this process counted it at most ``max_age`` seconds ago."""
    max_age = SUMMARY_MAX_AGE if max_age is None else max_age
    bind = session.get_bind()
    per_engine = _summaries.setdefault(getattr(bind, "engine", bind), {})
    now = time.monotonic()
    counted_at, found = per_engine.get((scope, today), (None, None))
    if counted_at is None or now - counted_at > max_age:
        found = summary(session, today, scope)
        per_engine[(scope, today)] = (now, found)
    return found


@dataclass
class DepartmentSummary:
    department: Department | None
    reasons: dict[str, int] = field(default_factory=dict)  # reason → how many


def summary(session: Session, today: date, scope: Scope = EVERYTHING
            ) -> list[DepartmentSummary]:
    """How many proposals are on the agenda for each reason, per department, in the
    agenda's order (a proposal with two reasons counts under both); from aggregates."""
    counted: dict[int, dict[str, int]] = {}

    def add(department_id: int | None, reason: str, count: int) -> None:
        if count:
            reasons = counted.setdefault(department_id or TRIAGE, {})
            reasons[reason] = reasons.get(reason, 0) + int(count)

    pending = scope.where_department(
        select(ProposalCount.lead_department_id, func.sum(ProposalCount.delta))
        .where(or_(*(and_(ProposalCount.kind == name,
                          ProposalCount.state.in_(ruling_states(workflows.get_workflow(name))))
                     for name in workflows.workflow_names())))
        .group_by(ProposalCount.lead_department_id), ProposalCount.lead_department_id)
    for department_id, count in session.execute(pending):
        add(department_id, "ruling_pending", count)
    late = scope.where_department(overdue_per_department(today), OverdueCount.lead_department_id)
    for department_id, count in session.execute(late):
        add(department_id, "overdue", count)
    involved = union(  # few rows: the open requests, the transfers
        select(OpinionRequest.proposal_id).where(OpinionRequest.status == OpinionStatus.open),
        select(Event.proposal_id).where(between_departments()))
    several = scope.where(
        select(Proposal.lead_department_id, func.count())
        .where(Proposal.id.in_(select(involved.subquery())), in_states(open_states))
        .group_by(Proposal.lead_department_id))
    for department_id, count in session.execute(several):
        add(department_id, "several_departments", count)
    departments = reference.snapshot(session).departments
    return [DepartmentSummary(departments.get(place), counted[place])
            for place in department_order(session, scope) if place in counted]

"""The liaison-meeting agenda (協働担当者連絡調整会議, SPEC section 7): the open proposals the
meeting has to talk about, grouped by lead department, each with why it is there.

- ``several_departments``: another department is involved — an opinion request (合議) is
  still open, or the proposal was transferred at some point (a ``transfer`` event);
- ``overdue``: :meth:`Proposal.is_overdue` today;
- ``ruling_pending``: it is in a state from which a ruling can be fired — a state some
  transition with a ``ruling`` leaves, read from the workflow files, so no state is named
  here.

Only open proposals (in a state that is not ``final``) are on it: a transfer three years ago
of a proposal long rejected is history, not an agenda item.  One query: the open states cut
the table down through ``ix_proposals_state_id``; each reason is a column the database
computes (an EXISTS on ``opinion_requests.proposal_id`` and on
``ix_events_action_proposal_id``).  A liaison's agenda is their own department's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import Session, selectinload

import workflows
from intake.models import Department, Event, EventAction, OpinionRequest, OpinionStatus, Proposal

from .figures import EVERYTHING, Scope

REASONS = ("several_departments", "overdue", "ruling_pending")


@dataclass(frozen=True)
class AgendaItem:
    proposal: Proposal
    reasons: tuple[str, ...]  # in the order of REASONS


@dataclass(frozen=True)
class AgendaGroup:
    department: Department | None  # None: the office's triage
    items: list[AgendaItem]


def ruling_states(workflow: workflows.Workflow) -> tuple[str, ...]:
    """The states a ruling transition leaves (the workflow's own data)."""
    return tuple(sorted({source for transition in workflow.transitions if transition.ruling
                         for source in transition.sources}))


def open_states(workflow: workflows.Workflow) -> tuple[str, ...]:
    return tuple(name for name in workflow.states if not workflow.is_final(name))


def _in_states(states_of) -> object:
    """``kind`` and ``state`` in the states ``states_of(workflow)`` names, per workflow."""
    parts = []
    for name in workflows.workflow_names():
        states = states_of(workflows.get_workflow(name))
        if states:
            parts.append(and_(Proposal.kind == name, Proposal.state.in_(states)))
    return or_(*parts) if parts else false()


def several_departments():
    open_opinion = exists().where(OpinionRequest.proposal_id == Proposal.id,
                                  OpinionRequest.status == OpinionStatus.open)
    transferred = exists().where(Event.action == EventAction.transfer,
                                 Event.proposal_id == Proposal.id)
    return or_(open_opinion, transferred)


def agenda(session: Session, today: date, scope: Scope = EVERYTHING) -> list[AgendaGroup]:
    """The agenda's groups: triage first, then by department code; in each, the items in
    receipt order."""
    reasons = {
        "several_departments": several_departments(),
        "overdue": Proposal.is_overdue(today),
        "ruling_pending": _in_states(ruling_states),
    }
    query = scope.where(
        select(Proposal, *(condition.label(name) for name, condition in reasons.items()))
        .where(_in_states(open_states), or_(*reasons.values()))
        .options(selectinload(Proposal.contact), selectinload(Proposal.category),
                 selectinload(Proposal.district), selectinload(Proposal.lead_department),
                 selectinload(Proposal.assignee))
        .order_by(Proposal.id)
    )
    groups: dict[int | None, list[AgendaItem]] = {}
    for proposal, *flags in session.execute(query):
        why = tuple(name for name, flag in zip(REASONS, flags, strict=True) if flag)
        groups.setdefault(proposal.lead_department_id, []).append(AgendaItem(proposal, why))
    ordered = sorted(groups.values(), key=lambda items: _department_key(items[0].proposal))
    return [AgendaGroup(items[0].proposal.lead_department, items) for items in ordered]


def _department_key(proposal: Proposal) -> str:
    department = proposal.lead_department
    return department.code if department is not None else ""


def items(groups: list[AgendaGroup]) -> list[AgendaItem]:
    return [item for group in groups for item in group.items]

"""Who is involved in the liaison meeting's agenda items (SPEC section 7): the officer
working on each (its assignee) and, for an item involving several departments, which
ones besides its lead department — what the meeting asks first about a row.

Both are read for a whole page (or a CSV batch) at once, one query each however many rows
it holds: the names of its assignees, and its items' other departments.  The other
departments are the ones that make the item "several departments"
(:func:`between_departments`, :func:`several_departments`): an open opinion request's
department (合議), and either end of a transfer from one department to another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import and_, exists, or_, select, union_all
from sqlalchemy.orm import Session

from intake import reference
from intake.models import (
    Department,
    Event,
    EventAction,
    OpinionRequest,
    OpinionStatus,
    Proposal,
    User,
)


def between_departments():
    """A transfer from one department to another: the office routing a triage item out
    (a transfer from no department) involves one department only."""
    return and_(Event.action == EventAction.transfer,
                Event.data["from_department"].as_string().is_not(None))


def several_departments():
    """The agenda's reason ``several_departments``, as a column of a proposal."""
    open_opinion = exists().where(OpinionRequest.proposal_id == Proposal.id,
                                  OpinionRequest.status == OpinionStatus.open)
    transferred = exists().where(Event.proposal_id == Proposal.id, between_departments())
    return or_(open_opinion, transferred)


def assignee_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Each assignee's name as the staff lists show it (the display name, else the
    address), in one query; an officer no longer active keeps their name on old items."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    found = session.execute(select(User.id, User.display_name, User.email)
                            .where(User.id.in_(wanted)))
    return {user_id: name or email for user_id, name, email in found}


def other_departments(session: Session, leads: Mapping[int, int | None]
                      ) -> dict[int, tuple[Department, ...]]:
    """For each proposal id of ``leads`` (id → its lead department's id), the departments
    besides its lead that make it "several departments", by code; in one query (a
    ``UNION ALL`` of the open requests' departments and both ends of the transfers, read
    through ``opinion_requests.proposal_id`` and ``ix_events_action_proposal_id``)."""
    if not leads:
        return {}
    ids = list(leads)
    asked = (select(OpinionRequest.proposal_id.label("proposal_id"), Department.code.label("code"))
             .join(Department, Department.id == OpinionRequest.department_id)
             .where(OpinionRequest.proposal_id.in_(ids),
                    OpinionRequest.status == OpinionStatus.open))
    ends = [select(Event.proposal_id.label("proposal_id"),
                   Event.data[end].as_string().label("code"))
            .where(Event.proposal_id.in_(ids), between_departments())
            for end in ("from_department", "department")]
    found = union_all(asked, *ends).subquery()
    rows = session.execute(select(found.c.proposal_id, found.c.code).distinct()
                           .where(found.c.code.is_not(None))
                           .order_by(found.c.proposal_id, found.c.code))
    by_code = {d.code: d for d in reference.snapshot(session).departments.values()}
    named: dict[int, list[Department]] = {}
    for proposal_id, department_code in rows:
        department = by_code.get(department_code)
        if department is not None and department.id != leads[proposal_id]:
            named.setdefault(proposal_id, []).append(department)
    return {proposal_id: tuple(found) for proposal_id, found in named.items()}

"""The staff queue (SPEC section 5): a liaison's department (the office: every
department), the overdue first — the most overdue at the top — then the rest newest first.

Its cost must not grow with the number of proposals, nor with the number overdue (issue 13):

- **the overdue part** is read per (workflow, state where the clock runs) off the covering
  index ``ix_proposals_overdue (kind, state, due_on, lead_department_id)``, each range
  already in due-date order and cut at the page's size: one ``UNION ALL`` of those short
  ranges gives at most (ranges × page) ids, merged here; the page's rows are then loaded by
  id.  Ordering the overdue by their id instead would make the database either read every
  overdue entry and sort them (when many are overdue) or walk the whole table backwards to
  find a few (when few are);
- **the rest** is read newest first off ``ix_proposals_dept_id`` (a liaison) or the
  primary key (the office), filtering out the overdue.

A liaison's ranges are read off ``ix_proposals_dept_overdue`` (department first).  A search
or a theme or district filter narrows the queue through its own index instead (the search
index, ``(category_id, id)`` …): walking every overdue entry to find the few that match
would cost what there is overdue, so then the overdue part too is read newest first, as
the rest.

``overdue_only`` keeps the overdue part alone: the office's overdue list (the dashboard's,
and the queue's "overdue only" filter).  ``mine`` keeps what is assigned to the caller,
narrowing like a theme filter (``ix_proposals_assignee_id``: one person's proposals).
``open_only`` leaves out what has reached a final state: the rest is then read as one range
per open state off ``ix_proposals_dept_state_id`` (the office: ``ix_proposals_state_id``),
each newest first and cut at the page's size, and merged — a department's workload, never
its closed archive; with a narrowing filter, by :func:`open_condition` on that filter's
rows.

The cursor is ``[1, due day, id]`` inside the overdue part (``[1, 0, id]`` when it is read
newest first) and ``[0, 0, id]`` after it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, or_, select, union_all
from sqlalchemy.orm import Session

import workflows
from intake.models import Proposal, User
from intake.queries import (
    DEFAULT_LIMIT,
    Filters,
    Page,
    _apply_filters,
    _eager,
    decode_cursor,
    encode_cursor,
)

OVERDUE, REST = 1, 0


def queue_for(session: Session, user: User, filters: Filters, today: date, *,
              cursor: str | None = None, limit: int = DEFAULT_LIMIT,
              overdue_only: bool = False, mine: bool = False,
              open_only: bool = False) -> Page:
    """One page of the caller's queue and the cursor of the next."""
    query = select(Proposal)
    if not user.is_office:
        query = query.where(Proposal.lead_department_id == user.department_id)
    if mine:
        query = query.where(Proposal.assignee_id == user.id)
    narrowed = bool(filters.q or filters.category or filters.district or mine)
    if open_only and narrowed:  # the narrowing index first, then the state
        query = query.where(open_condition())
    query, key = _apply_filters(session, query, filters)
    rank, due_day, last_id = decode_cursor(cursor, 3) or (OVERDUE, None, None)
    one_department = not user.is_office or bool(filters.department)
    rows: list[tuple[list[int], Proposal]] = []
    # The overdue are all open (no clock runs in a final state): open_only leaves them be.
    if rank == OVERDUE and not narrowed:
        after = (date.fromordinal(due_day), last_id) if last_id is not None and due_day else None
        rows += [([OVERDUE, p.due_on.toordinal(), p.id], p) for p in _overdue(
            session, query, key, today, after, limit + 1, one_department)]
    elif rank == OVERDUE:
        rows += [([OVERDUE, 0, p.id], p) for p in _newest_first(
            session, query.where(Proposal.is_overdue(today)), key, last_id, limit + 1)]
    if len(rows) <= limit and not overdue_only:
        rest, before = query.where(~Proposal.is_overdue(today)), last_id if rank == REST else None
        wanted = limit + 1 - len(rows)
        found = (_open_newest_first(session, rest, key, before, wanted, one_department)
                 if open_only and not narrowed else
                 _newest_first(session, rest, key, before, wanted))
        rows += [([REST, 0, p.id], p) for p in found]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([p for _key, p in rows], encode_cursor(rows[-1][0]) if more and rows else None)


def open_condition():
    """Not in a final state of its workflow, as SQL: the open states by name (a state
    open in one workflow and final in another is tested with its workflows)."""
    open_in, final = workflows.open_kinds_by_state(), workflows.final_states()
    condition = Proposal.state.in_([state for state in open_in if state not in final])
    for state in sorted(set(open_in) & final):
        condition = or_(condition, and_(Proposal.state == state,
                                        Proposal.kind.in_(open_in[state])))
    return condition


def _one_state(session: Session, state: str):
    """``state = :state`` — on PostgreSQL spelt as the range ``BETWEEN :state AND :state``:
    for an equality the planner drops the state from the ORDER BY and may then walk the
    one-column ``due_on`` index, filtering the state (0.7 s at 1,000,000 for a state with
    none overdue); a range keeps the state in the order, which only the covering
    ``(kind, state, due_on …)`` indexes give.  SQLite plans the equality well and would
    read the range's every entry."""
    if session.get_bind().dialect.name == "postgresql":
        return Proposal.state.between(state, state)
    return Proposal.state == state


def _newest_first(session: Session, query: Select, key, before: int | None,
                  wanted: int) -> list[Proposal]:
    if before is not None:
        query = query.where(key < before)
    return list(session.execute(_eager(query).order_by(key.desc()).limit(wanted)).scalars())


def _open_newest_first(session: Session, query: Select, key, before: int | None,
                       wanted: int, one_department: bool) -> list[Proposal]:
    """Up to ``wanted`` open proposals of ``query`` before the cursor, newest first: one
    range per open state off ``(department, state, id)`` (the office: ``(state, id)``),
    each cut at ``wanted`` and merged here, so a department's closed archive is never
    walked to find its few open ones."""
    # All descending: the index walked backwards (PostgreSQL keeps the state, spelt as a
    # range, in the order, and an ascending state with descending ids would need a sort).
    leading = [Proposal.lead_department_id.desc()] if one_department else []
    final = workflows.final_states()
    ranges = []
    for state, kinds in workflows.open_kinds_by_state().items():
        part = query.with_only_columns(key.label("id")).where(_one_state(session, state))
        if state in final:  # final in another workflow: only where it is open
            part = part.where(Proposal.kind.in_(kinds))
        if before is not None:
            part = part.where(key < before)
        ranges.append(part.order_by(*leading, Proposal.state.desc(), key.desc())
                      .limit(wanted).subquery())
    merged = union_all(*(select(r.c.id) for r in ranges)).subquery()
    ids = list(session.execute(select(merged.c.id).order_by(merged.c.id.desc())
                               .limit(wanted)).scalars())
    return _loaded_in_order(session, ids)


def _loaded_in_order(session: Session, ids: list[int]) -> list[Proposal]:
    if not ids:
        return []
    found = {p.id: p for p in session.execute(
        _eager(select(Proposal).where(Proposal.id.in_(ids)))).scalars()}
    return [found[i] for i in ids if i in found]


def _overdue(session: Session, query: Select, key, today: date,
             after: tuple[date, int] | None, wanted: int,
             one_department: bool) -> list[Proposal]:
    """Up to ``wanted`` overdue proposals of ``query`` after the cursor, most overdue first
    (a day's newest first).

    Each range is ordered by its index's own columns — the department (when the query
    holds one), workflow and state, fixed by the range, then the due date — so that the
    database walks that index: ordered by the due date alone, PostgreSQL walked the
    one-column ``due_on`` index instead and filtered the state, reading every dated
    proposal of a state with none overdue (0.7 s at 1,000,000)."""
    leading = [Proposal.lead_department_id] if one_department else []
    ranges = []
    for name in workflows.workflow_names():
        for state in workflows.get_workflow(name).clock_running_states():
            part = query.with_only_columns(key.label("id"), Proposal.due_on.label("due_on")) \
                .where(Proposal.kind == name, _one_state(session, state),
                       Proposal.due_on.is_not(None), Proposal.due_on < today)
            if after is not None:
                part = part.where(or_(Proposal.due_on > after[0],
                                      and_(Proposal.due_on == after[0], key < after[1])))
            ranges.append(part.order_by(*leading, Proposal.kind, Proposal.state,
                                        Proposal.due_on, key.desc()).limit(wanted).subquery())
    if not ranges:
        return []
    merged = union_all(*(select(r.c.id, r.c.due_on) for r in ranges)).subquery()
    ids = [row.id for row in session.execute(
        select(merged.c.id, merged.c.due_on).order_by(merged.c.due_on, merged.c.id.desc())
        .limit(wanted))]
    return _loaded_in_order(session, ids)

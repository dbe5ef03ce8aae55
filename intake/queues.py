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
newest first) and ``[0, 0, id]`` after it; the previous page's is the page's first row's,
led by ``"prev"`` (:mod:`intake.paging`).  Every ordering pages back as cheaply as
forward: the same ranges with every ORDER BY term and comparison turned round, each cut at
the page's size — the rest back to its newest, then the overdue from their end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, or_, select, union_all
from sqlalchemy.orm import Session

import workflows
from intake.errors import Invalid
from intake.models import Proposal, User
from intake.paging import Page, Position, assemble, decode_position
from intake.queries import DEFAULT_LIMIT, Filters, _apply_filters, _eager

OVERDUE, REST = 1, 0


def queue_for(session: Session, user: User, filters: Filters, today: date, *,
              cursor: str | None = None, limit: int = DEFAULT_LIMIT,
              overdue_only: bool = False, mine: bool = False,
              open_only: bool = False) -> Page:
    """One page of the caller's queue and the cursors of the pages beside it."""
    query = select(Proposal)
    if not user.is_office:
        query = query.where(Proposal.lead_department_id == user.department_id)
    if mine:
        query = query.where(Proposal.assignee_id == user.id)
    narrowed = bool(filters.q or filters.category or filters.district or mine)
    if open_only and narrowed:  # the narrowing index first, then the state
        query = query.where(open_condition())
    query, key = _apply_filters(session, query, filters)
    one_department = not user.is_office or bool(filters.department)
    reader = _Reader(session, query, key, today, narrowed=narrowed,
                     one_department=one_department, open_only=open_only,
                     overdue_only=overdue_only)
    position = decode_position(cursor, 3)
    if position.key is not None and position.key[0] not in (OVERDUE, REST):
        raise Invalid("cursor: not a cursor this list gave out", fields={"cursor": ["invalid"]})
    found = (reader.backward(position.key, limit + 1) if position.backward
             else reader.forward(position.key, limit + 1))
    return assemble(found, position, limit, lambda: assemble(
        reader.forward(None, limit + 1), Position(), limit, lambda: Page([], None)))


@dataclass(frozen=True)
class _Reader:
    """The queue's two parts read from a cursor, forward (the overdue, most overdue
    first, then the rest, newest first) or backward (the same rows in the opposite
    order: every ORDER BY and comparison turned round, so each range is its index walked
    the other way, cut at the page's size).  Rows come as (cursor key, proposal)."""

    session: Session
    query: Select
    key: object
    today: date
    narrowed: bool
    one_department: bool
    open_only: bool
    overdue_only: bool

    def forward(self, at: list[int] | None, wanted: int) -> list[tuple[list[int], Proposal]]:
        rank, due_day, last_id = at or (OVERDUE, 0, None)
        rows = self._overdue(due_day, last_id, False, wanted) if rank == OVERDUE else []
        if len(rows) < wanted and not self.overdue_only:
            rows += self._rest(last_id if rank == REST else None, False, wanted - len(rows))
        return rows

    def backward(self, at: list[int], wanted: int) -> list[tuple[list[int], Proposal]]:
        rank, due_day, first_id = at
        rows = []
        if rank == REST and not self.overdue_only:
            rows = self._rest(first_id, True, wanted)
        if len(rows) < wanted:  # the overdue, from the cursor's place or from their end
            bound = (due_day, first_id) if rank == OVERDUE else (0, None)
            rows += self._overdue(*bound, True, wanted - len(rows))
        return rows

    def _overdue(self, due_day: int, bound: int | None, backward: bool, wanted: int):
        # The overdue are all open (no clock runs in a final state): open_only leaves them be.
        overdue = self.query.where(Proposal.is_overdue(self.today))
        if self.narrowed:
            return [([OVERDUE, 0, p.id], p) for p in _by_id(
                self.session, overdue, self.key, bound, backward, wanted)]
        at = (_day(due_day), bound) if bound is not None and due_day else None
        return [([OVERDUE, p.due_on.toordinal(), p.id], p) for p in _by_due_day(
            self.session, self.query, self.key, self.today, at, backward, wanted,
            self.one_department)]

    def _rest(self, bound: int | None, backward: bool, wanted: int):
        rest = self.query.where(~Proposal.is_overdue(self.today))
        found = (_open_by_id(self.session, rest, self.key, bound, backward, wanted,
                             self.one_department)
                 if self.open_only and not self.narrowed else
                 _by_id(self.session, rest, self.key, bound, backward, wanted))
        return [([REST, 0, p.id], p) for p in found]


def _day(ordinal: int) -> date:
    """A cursor's due day (a forged one beyond the calendar is no cursor)."""
    if ordinal > date.max.toordinal():
        raise Invalid("cursor: not a cursor this list gave out", fields={"cursor": ["invalid"]})
    return date.fromordinal(ordinal)


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


def _by_id(session: Session, query: Select, key, bound: int | None, backward: bool,
           wanted: int) -> list[Proposal]:
    """Newest first after ``bound`` (``backward``: oldest first before it)."""
    if bound is not None:
        query = query.where(key > bound if backward else key < bound)
    order = key.asc() if backward else key.desc()
    return list(session.execute(_eager(query).order_by(order).limit(wanted)).scalars())


def _open_by_id(session: Session, query: Select, key, bound: int | None, backward: bool,
                wanted: int, one_department: bool) -> list[Proposal]:
    """Up to ``wanted`` open proposals of ``query`` after the cursor, newest first
    (``backward``: before it, oldest first): one range per open state off ``(department,
    state, id)`` (the office: ``(state, id)``), each cut at ``wanted`` and merged here, so
    a department's closed archive is never walked to find its few open ones."""
    # Every term the same way: the index walked backwards (forward) or forwards
    # (backward).  PostgreSQL keeps the state, spelt as a range, in the order, and an
    # ascending state with descending ids would need a sort.
    turn = (lambda column: column.asc()) if backward else (lambda column: column.desc())
    leading = [turn(Proposal.lead_department_id)] if one_department else []
    final = workflows.final_states()
    ranges = []
    for state, kinds in workflows.open_kinds_by_state().items():
        part = query.with_only_columns(key.label("id")).where(_one_state(session, state))
        if state in final:  # final in another workflow: only where it is open
            part = part.where(Proposal.kind.in_(kinds))
        if bound is not None:
            part = part.where(key > bound if backward else key < bound)
        ranges.append(part.order_by(*leading, turn(Proposal.state), turn(key))
                      .limit(wanted).subquery())
    merged = union_all(*(select(r.c.id) for r in ranges)).subquery()
    ids = list(session.execute(select(merged.c.id).order_by(turn(merged.c.id))
                               .limit(wanted)).scalars())
    return _loaded_in_order(session, ids)


def _loaded_in_order(session: Session, ids: list[int]) -> list[Proposal]:
    if not ids:
        return []
    found = {p.id: p for p in session.execute(
        _eager(select(Proposal).where(Proposal.id.in_(ids)))).scalars()}
    return [found[i] for i in ids if i in found]


def _by_due_day(session: Session, query: Select, key, today: date,
                at: tuple[date, int] | None, backward: bool, wanted: int,
                one_department: bool) -> list[Proposal]:
    """Up to ``wanted`` overdue proposals of ``query`` after the cursor, most overdue
    first, a day's newest first (``backward``: before it, in the opposite order).

    Each range is ordered by its index's own columns — the department (when the query
    holds one), workflow and state, fixed by the range, then the due date — so that the
    database walks that index: ordered by the due date alone, PostgreSQL walked the
    one-column ``due_on`` index instead and filtered the state, reading every dated
    proposal of a state with none overdue (0.7 s at 1,000,000)."""
    if backward:  # every term turned round
        up, down = (lambda column: column.desc()), (lambda column: column.asc())
    else:
        up, down = (lambda column: column), (lambda column: column.desc())
    leading = [up(Proposal.lead_department_id)] if one_department else []
    ranges = []
    for name in workflows.workflow_names():
        for state in workflows.get_workflow(name).clock_running_states():
            part = query.with_only_columns(key.label("id"), Proposal.due_on.label("due_on")) \
                .where(Proposal.kind == name, _one_state(session, state),
                       Proposal.due_on.is_not(None), Proposal.due_on < today)
            if at is not None and backward:
                part = part.where(or_(Proposal.due_on < at[0],
                                      and_(Proposal.due_on == at[0], key > at[1])))
            elif at is not None:
                part = part.where(or_(Proposal.due_on > at[0],
                                      and_(Proposal.due_on == at[0], key < at[1])))
            ranges.append(part.order_by(*leading, up(Proposal.kind), up(Proposal.state),
                                        up(Proposal.due_on), down(key))
                          .limit(wanted).subquery())
    if not ranges:
        return []
    merged = union_all(*(select(r.c.id, r.c.due_on) for r in ranges)).subquery()
    ids = [row.id for row in session.execute(
        select(merged.c.id, merged.c.due_on).order_by(up(merged.c.due_on), down(merged.c.id))
        .limit(wanted))]
    return _loaded_in_order(session, ids)

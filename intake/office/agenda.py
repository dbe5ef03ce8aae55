"""The liaison-meeting agenda (協働担当者連絡調整会議, SPEC section 7): the open proposals the
meeting has to talk about, grouped by lead department, each with why it is there.

- ``several_departments``: another department is involved — an opinion request (合議) is
  still open, or the proposal was transferred at some point (a ``transfer`` event);
- ``overdue``: :meth:`Proposal.is_overdue` today;
- ``ruling_pending``: it is in a state from which a ruling can be fired — a state some
  transition with a ``ruling`` leaves, read from the workflow files, so no state is named
  here.

Only open proposals (in a state that is not ``final``) are on it: a transfer three years ago
of a proposal long rejected is history, not an agenda item.  A liaison's agenda is their own
department's.

**Order and pages.**  The triage first, then the departments by code; in each, receipt
order.  At a million proposals the agenda holds hundreds of thousands of them, so it is
read a page at a time, by keyset, both ways (:mod:`intake.paging`): the cursor is
``[department place (0: the triage), last proposal id]``, the previous page's the page's
first row's led by ``"prev"``.  A page asks one department at a time, from the cursor's
on (back: from the cursor's back towards the triage), until it has enough; each
department is one query or two, a ``UNION ALL`` with one branch per open state, each
branch a range of ``ix_proposals_dept_state_id`` (department, state, id) read in id order
(back: the same range walked the other way) and cut by ``LIMIT`` — the closed proposals,
most of a city's history, are never read, and neither is what lies beyond the page
(:func:`department_queries` says how the states where few proposals are items are kept
from reading far); never ``OFFSET``.  The reasons are then asked once for the page's ids:
columns the database computes per row (an EXISTS on ``opinion_requests.proposal_id`` and
on ``ix_events_action_proposal_id``), and who is involved, once each for the page: its
assignees' names and the other departments of its items of several departments
(:mod:`.involved`).  The CSV walks every page the same way (:func:`every_batch`), a batch
in memory at a time.

**How many**, per department and reason, is :mod:`.agenda_summary`'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    false,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

import workflows
from intake import queries, reference
from intake.errors import Invalid
from intake.models import Department, Proposal
from intake.paging import Page, assemble, decode_position

from .figures import EVERYTHING, Scope
from .involved import assignee_names, other_departments, several_departments

REASONS = ("several_departments", "overdue", "ruling_pending")
TRIAGE = 0  # the triage's place in a cursor (ids start at 1)


@dataclass(frozen=True)
class AgendaItem:
    proposal: Proposal
    reasons: tuple[str, ...]  # in the order of REASONS
    assignee: str | None = None  # who works on it (:func:`.involved.assignee_names`)
    # several departments: which, besides the lead (:func:`.involved.other_departments`)
    departments: tuple[Department, ...] = ()


@dataclass(frozen=True)
class AgendaGroup:
    department: Department | None  # None: the office's triage
    items: list[AgendaItem]


@dataclass(frozen=True)
class AgendaPage:
    groups: list[AgendaGroup]  # the page's items by department, in the agenda's order
    next_cursor: str | None
    prev_cursor: str | None = None

    @property
    def items(self) -> list[AgendaItem]:
        return [item for group in self.groups for item in group.items]


def ruling_states(workflow: workflows.Workflow) -> tuple[str, ...]:
    """The states a ruling transition leaves (the workflow's own data)."""
    return tuple(sorted({source for transition in workflow.transitions if transition.ruling
                         for source in transition.sources}))


def open_states(workflow: workflows.Workflow) -> tuple[str, ...]:
    return tuple(name for name in workflow.states if not workflow.is_final(name))


def in_states(states_of) -> object:
    """``kind`` and ``state`` in the states ``states_of(workflow)`` names, per workflow."""
    parts = []
    for name in workflows.workflow_names():
        states = states_of(workflows.get_workflow(name))
        if states:
            parts.append(and_(Proposal.kind == name, Proposal.state.in_(states)))
    return or_(*parts) if parts else false()


def _reasons(today: date) -> dict[str, object]:
    return {
        "several_departments": several_departments(),
        "overdue": Proposal.is_overdue(today),
        "ruling_pending": in_states(ruling_states),
    }


def department_order(session: Session, scope: Scope) -> list[int]:
    """The departments' places in the agenda (``TRIAGE`` first, then by code): every
    department for the office, a liaison's own only."""
    if not scope.everything:
        return [] if scope.department_id is None else [scope.department_id]
    departments = reference.snapshot(session).departments.values()
    return [TRIAGE, *(d.id for d in sorted(departments, key=lambda d: d.code))]


# A department's queries, built once per day, owner shape, columns and workflows (building
# them costs more than running them): the department, the ids and the limit are parameters.
_built: dict[tuple, tuple[Select | None, Select | None]] = {}
_LIMIT = bindparam("agenda_limit", type_=Integer)
_AFTER = bindparam("agenda_after", type_=Integer)
_BEFORE = bindparam("agenda_before", type_=Integer)
_DEPARTMENT = bindparam("agenda_department", type_=Integer)


def department_queries(today: date, triage: bool, columns: Sequence, *,
                       backward: bool = False) -> tuple[Select | None, Select | None]:
    """Agenda rows of one department (``triage``: of the triage) with an id in
    ``(:agenda_after, :agenda_before]``, in id order (``backward``: the highest id first),
    at most ``:agenda_limit`` (:func:`department_params`): ``columns``.  Two queries:

    - the *dense* states, where every proposal waits for a ruling, so every row read is
      an item;
    - the *sparse* ones, where a proposal is an item only if overdue or involving several
      departments: read only as far as the last id the dense part gave the page, so a page
      never reads the rest of a department's open proposals that are not on the agenda.

    None for a part no state falls in."""
    shape = tuple((state, tuple(kinds)) for state, kinds in workflows.open_kinds_by_state().items())
    key = (today, triage, tuple(str(column) for column in columns), shape, backward)
    built = _built.get(key)
    if built is None:
        if len(_built) > 64:
            _built.clear()
        rulings = {name: ruling_states(workflows.get_workflow(name))
                   for name in workflows.workflow_names()}
        dense = tuple((s, k) for s, k in shape if all(s in rulings[kind] for kind in k))
        sparse = tuple(branch for branch in shape if branch not in dense)
        built = _built[key] = (
            _build(today, triage, columns, dense, filtered=False, backward=backward),
            _build(today, triage, columns, sparse, filtered=True, backward=backward))
    return built


def department_params(department: int, after: int, limit: int,
                      before: int = queries.INT32_MAX) -> dict[str, int]:
    return {"agenda_department": department, "agenda_after": after, "agenda_before": before,
            "agenda_limit": limit}


def _build(today: date, triage: bool, columns: Sequence, shape: tuple, *,
           filtered: bool, backward: bool) -> Select | None:
    """``filtered``: keep the rows with a reason (the dense states need no such test).
    Each branch is ordered by the whole of ``ix_proposals_dept_state_id`` — the same as
    by id, its first two columns being fixed — because PostgreSQL does not count
    ``IS NULL`` (the triage) as fixing a column and would otherwise take ``(state, id)``
    and read every proposal in the state.  ``backward`` turns every term round: the same
    index walked the other way."""
    reasons = _reasons(today)
    on_agenda = or_(reasons["ruling_pending"], reasons["overdue"],
                    reasons["several_departments"]) if filtered else true()
    owner = (Proposal.lead_department_id.is_(None) if triage
             else Proposal.lead_department_id == _DEPARTMENT)
    turn = (lambda column: column.desc()) if backward else (lambda column: column.asc())
    branches = [
        select(*columns)
        .where(owner, Proposal.state == state, Proposal.kind.in_(kinds),
               Proposal.id > _AFTER, Proposal.id <= _BEFORE, on_agenda)
        .order_by(turn(Proposal.lead_department_id), turn(Proposal.state), turn(Proposal.id))
        .limit(_LIMIT).subquery()
        for state, kinds in shape
    ]
    if not branches:
        return None
    merged = union_all(*(select(branch) for branch in branches)).subquery()
    return select(merged).order_by(turn(merged.c[0])).limit(_LIMIT)


def _department_rows(session: Session, today: date, department: int, bound: int | None,
                     limit: int, columns: Sequence, *, backward: bool = False) -> list:
    """Up to ``limit`` rows of one department past id ``bound`` in id order (``backward``:
    before it, the nearest first; no bound: from the department's start or end)."""
    dense, sparse = department_queries(today, department == TRIAGE, columns,
                                       backward=backward)
    if backward:
        after, before = 0, queries.INT32_MAX if bound is None else bound - 1
    else:
        after, before = bound or 0, queries.INT32_MAX
    found = list(session.execute(dense, department_params(department, after, limit, before))
                 if dense is not None else ())
    if len(found) == limit:  # the sparse states: no further than the dense part reached
        after, before = (found[-1][0] - 1, before) if backward else (after, found[-1][0])
    if sparse is not None:
        found += session.execute(sparse, department_params(department, after, limit, before))
    found.sort(key=lambda row: row[0], reverse=backward)
    return found[:limit]


def _placed(session: Session, today: date, scope: Scope, columns: Sequence,
            cursor: str | None, limit: int) -> Page:
    """A page of ``(department place, columns' values)`` from ``cursor``, either way."""
    order = department_order(session, scope)
    if not order:  # a liaison without a department
        return Page([], None)
    position = decode_position(cursor, 2)
    start, bound = position.key or (order[0], None)
    if start not in order:
        raise Invalid("cursor: not a cursor this list gave out", fields={"cursor": ["invalid"]})
    at = order.index(start)
    places = order[at::-1] if position.backward else order[at:]
    found: list[tuple[list[int], tuple[int, tuple]]] = []
    for department in places:
        found += [([department, values[0]], (department, tuple(values)))
                  for values in _department_rows(
                      session, today, department, bound if department == start else None,
                      limit + 1 - len(found), columns, backward=position.backward)]
        if len(found) > limit:
            break
    return assemble(found, position, limit,
                    lambda: _placed(session, today, scope, columns, None, limit))


def rows(session: Session, today: date, scope: Scope = EVERYTHING, *, columns: Sequence,
         cursor: str | None = None, limit: int = queries.DEFAULT_LIMIT) -> Page:
    """One page of the agenda, its items ``(department place, columns' values,
    reasons)``, with the cursors of the pages after and before it (None: none).
    ``columns[0]`` must be ``Proposal.id``."""
    found = _placed(session, today, scope, columns, cursor, limit)
    why = _reasons_of(session, today, [values[0] for _d, values in found.items])
    return Page([(d, values, why[values[0]]) for d, values in found.items],
                found.next_cursor, found.prev_cursor)


def _reasons_of(session: Session, today: date, ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Each proposal's reasons, asked once for a page's ids (not in the page's query,
    where PostgreSQL would hash every open opinion request to answer them)."""
    if not ids:
        return {}
    reasons = _reasons(today)
    flags = session.execute(select(Proposal.id, *reasons.values()).where(Proposal.id.in_(ids)))
    return {proposal_id: tuple(name for name, flag in zip(reasons, values, strict=True) if flag)
            for proposal_id, *values in flags}


def page(session: Session, today: date, scope: Scope = EVERYTHING, *,
         cursor: str | None = None, limit: int = queries.DEFAULT_LIMIT,
         relations: bool = True) -> AgendaPage:
    """A page of the agenda, grouped by department, its proposals loaded in one query
    (``relations``: with the staff list item's relations, one query each for the page;
    the printable page shows none of them)."""
    placed = rows(session, today, scope, columns=(Proposal.id,), cursor=cursor, limit=limit)
    found = placed.items
    proposals = queries.proposals_by_id(session, [values[0] for _d, values, _w in found],
                                        relations=relations)
    # who works on each, and which departments an item of several involves: one query each
    names = assignee_names(session, (p.assignee_id for p in proposals.values()))
    others = other_departments(session, {
        values[0]: proposals[values[0]].lead_department_id
        for _d, values, why in found if "several_departments" in why})
    departments = reference.snapshot(session).departments
    groups: list[AgendaGroup] = []
    for department, (proposal_id,), why in found:
        if not groups or _place(groups[-1]) != department:
            groups.append(AgendaGroup(departments.get(department), []))
        proposal = proposals[proposal_id]
        groups[-1].items.append(AgendaItem(proposal, why, names.get(proposal.assignee_id),
                                           others.get(proposal_id, ())))
    return AgendaPage(groups, placed.next_cursor, placed.prev_cursor)


def _place(group: AgendaGroup) -> int:
    return group.department.id if group.department is not None else TRIAGE


def every_batch(session: Session, today: date, scope: Scope = EVERYTHING, *,
                columns: Sequence, batch_size: int = 500
                ) -> Iterator[list[tuple[int, tuple, tuple[str, ...]]]]:
    """The whole agenda, page after page (for the CSV): one batch in memory at a time."""
    cursor = None
    while True:
        found = rows(session, today, scope, columns=columns, cursor=cursor, limit=batch_size)
        yield found.items
        cursor = found.next_cursor
        if cursor is None:
            return


def every_row(session: Session, today: date, scope: Scope = EVERYTHING, *,
              columns: Sequence, batch_size: int = 500
              ) -> Iterator[tuple[int, tuple, tuple[str, ...]]]:
    """:func:`every_batch`'s rows one by one."""
    for batch in every_batch(session, today, scope, columns=columns, batch_size=batch_size):
        yield from batch

"""Lists that grow: the public list and the staff queues.

Every list pages by keyset (an opaque cursor holding the last row's sort
key), never by OFFSET, so page 10 000 costs what page 1 costs; every filter
has an index (models/proposals.py).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, selectinload

import workflows

from .errors import Invalid
from .models import Category, Department, District, Proposal, User

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    category: str | None = None
    department: str | None = None
    district: str | None = None
    q: str | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        def clean(name: str) -> str | None:
            value = (args.get(name) or "").strip()
            return value or None

        return cls(**{name: clean(name) for name in ("state", "category", "department",
                                                      "district", "q")})


@dataclass(frozen=True)
class Page:
    items: list[Proposal]
    next_cursor: str | None


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(values, list) and len(values) == size and all(
            type(v) is int and 0 <= v < 2**63 for v in values  # beyond: SQLite overflows
        ):
            return values
    except (ValueError, RecursionError):  # RecursionError: a forged "[[[[…" cursor
        pass
    raise Invalid("cursor: not a cursor this list gave out", fields={"cursor": ["invalid"]})


def parse_limit(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    if not str(raw).isdecimal() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Invalid(f"limit: a whole number from 1 to {MAX_LIMIT}",
                      fields={"limit": [f"1–{MAX_LIMIT}"]})
    return int(raw)


def _clock_running(workflow, state: str) -> bool:
    """The department's clock runs in this state: not final, not waiting
    for the proposer (their lateness is not the department's)."""
    definition = workflow.states[state]
    return not definition.final and not definition.pauses_clock


def overdue_expression(today: date):
    """SQL: past its due date in a state where the department's clock runs,
    decided per workflow (a state name may mean different things in two)."""
    per_workflow = []
    for name in workflows.workflow_names():
        wf = workflows.get_workflow(name)
        running = [state for state in wf.states if _clock_running(wf, state)]
        per_workflow.append(and_(Proposal.kind == name, Proposal.state.in_(running)))
    return and_(Proposal.due_on.is_not(None), Proposal.due_on < today, or_(*per_workflow))


def _apply_filters(query: Select, filters: Filters) -> Select:
    if filters.state:
        query = query.where(Proposal.state == filters.state)
    if filters.category:
        query = query.where(Proposal.category_id == _id_of(Category, filters.category))
    if filters.department:
        if filters.department == "triage":
            query = query.where(Proposal.lead_department_id.is_(None))
        else:
            query = query.where(
                Proposal.lead_department_id == _id_of(Department, filters.department)
            )
    if filters.district:
        if filters.district == "city-wide":
            query = query.where(Proposal.district_id.is_(None))
        else:
            query = query.where(Proposal.district_id == _id_of(District, filters.district))
    if filters.q:
        like = "%" + filters.q.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(
            or_(
                Proposal.title.like(like, escape="\\"),
                Proposal.problem.like(like, escape="\\"),
                Proposal.proposal_text.like(like, escape="\\"),
            )
        )
    return query


def _id_of(model, code: str):
    """A scalar subquery for a code, so an unknown code simply matches nothing."""
    return select(model.id).where(model.code == code).scalar_subquery()


def _eager(query: Select) -> Select:
    return query.options(
        selectinload(Proposal.category),
        selectinload(Proposal.district),
        selectinload(Proposal.lead_department),
        selectinload(Proposal.assignee),
    )


def published_proposals(
    session: Session, filters: Filters, *, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page:
    """Published proposals, newest first (keyset on id)."""
    query = _apply_filters(
        select(Proposal).where(Proposal.published_at.is_not(None),
                               Proposal.withheld_reason.is_(None)),
        filters,
    )
    after = decode_cursor(cursor, 1)
    if after:
        query = query.where(Proposal.id < after[0])
    rows = list(session.execute(_eager(query).order_by(Proposal.id.desc()).limit(limit + 1))
                .scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor([rows[-1].id]) if more and rows else None)


def queue_for(
    session: Session,
    user: User,
    filters: Filters,
    today: date,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """A liaison's department queue (the office: every department), overdue
    first, then newest.  The cursor is (overdue 1/0, last id).

    Two indexed queries instead of one ``ORDER BY <computed overdue>``: the
    overdue part (few rows; ``due_on`` index), then the rest newest first
    (``id`` order), each cut by the cursor.  Sorting on a computed rank
    would read every row of the queue for every page.
    """
    query = select(Proposal)
    if not user.is_office:
        query = query.where(Proposal.lead_department_id == user.department_id)
    query = _eager(_apply_filters(query, filters))
    overdue = overdue_expression(today)
    rank, last_id = decode_cursor(cursor, 2) or (1, None)
    rows: list[tuple[int, Proposal]] = []
    for part_rank, condition in ((1, overdue), (0, ~overdue)):
        if part_rank > rank:
            continue  # the cursor is already past the overdue part
        part = query.where(condition)
        if last_id is not None and part_rank == rank:
            part = part.where(Proposal.id < last_id)
        wanted = limit + 1 - len(rows)
        found = session.execute(part.order_by(Proposal.id.desc()).limit(wanted)).scalars()
        rows += [(part_rank, p) for p in found]
        if len(rows) > limit:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1][0], rows[-1][1].id]) if more and rows else None
    return Page([p for _rank, p in rows], next_cursor)


def is_overdue(proposal: Proposal, today: date) -> bool:
    """The Python twin of :func:`overdue_expression`, for one loaded row."""
    return (
        proposal.due_on is not None
        and proposal.due_on < today
        and _clock_running(workflows.get_workflow(proposal.kind), proposal.state)
    )

"""What the pages and the API read, asked one way for every door.

Lists that grow (the public list, the staff queues) page by keyset (an
opaque cursor holding a row's sort key; the public list and the queue both
ways: :mod:`intake.paging`), never by OFFSET, so page 10 000 costs what
page 1 costs; every filter has an index
(models/proposals.py).  The rest are the lookups the web pages and the JSON
API share — a proposal by id or tracking token, the form's choices, a
proposal's history, the comment period — so the two doors cannot drift apart (the
office's figures and agenda are :mod:`intake.office`).  Shapes (what each audience
sees) are :mod:`intake.serializers`' business.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

import workflows
from forms.proposal import CITY_WIDE

from . import reference, search
from .auth import token_digest
from .errors import Invalid
from .models import (
    Category,
    Comment,
    CommentStatus,
    Department,
    District,
    Event,
    Proposal,
    User,
    parse_receipt,
)
from .paging import Page, assemble, decode_position

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
INT32_MAX = 2**31 - 1  # integer columns: ids, versions, participant counts


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

    def active(self) -> dict[str, str]:
        """The filters given, by name: what a link to the same list (its pages, its
        downloads, its feed) carries."""
        return {name: value for name, value in asdict(self).items() if value}


def parse_limit(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    if not str(raw).isdecimal() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Invalid(f"limit: a whole number from 1 to {MAX_LIMIT}",
                      fields={"limit": ["limit"]})
    return int(raw)


def parse_flag(name: str, raw: str | None) -> bool:
    """A yes-or-no argument (``?overdue=1``, ``?dry_run=true``): ``1``/``true``, or absent,
    empty, ``0``/``false``.  Anything else is refused naming the argument: a typo such as
    ``dry_run=yes`` must not quietly mean "no" and apply what was only to be checked."""
    text = (raw or "").strip().lower()
    if text in ("", "0", "false"):
        return False
    if text in ("1", "true"):
        return True
    raise Invalid(f"{name}: 1 or 0", fields={name: ["invalid"]})


def _apply_filters(session: Session, query: Select, filters: Filters,
                   index: str = search.ORIGINAL) -> tuple[Select, ColumnElement]:
    """The filtered query and the column holding the proposal id to order and page by
    (with ``q``, the search index's: :func:`intake.search.restrict`).  ``index``: where
    ``q`` looks — the original text (staff) or the public copy
    (:data:`~intake.search.PUBLIC`), so a search can never find a proposal by a text the
    public version masks.  A ``q`` that is a receipt number, however typed
    (:func:`~intake.models.parse_receipt`), finds that proposal: every card shows it."""
    refuse_unknown_values(session, filters)
    if filters.state:
        query = query.where(Proposal.state == filters.state)
    if filters.category:
        query = query.where(Proposal.category_id == _id_of(Category, filters.category))
    if filters.department:
        if filters.department == TRIAGE:
            query = query.where(Proposal.lead_department_id.is_(None))
        else:
            query = query.where(
                Proposal.lead_department_id == _id_of(Department, filters.department)
            )
    if filters.district:
        if filters.district == CITY_WIDE:
            query = query.where(Proposal.district_id.is_(None))
        else:
            query = query.where(Proposal.district_id == _id_of(District, filters.district))
    receipt = parse_receipt(filters.q) if filters.q else None
    if receipt is not None:  # found by the primary key (the number is the id)
        start, end = receipt.year_bounds()
        return query.where(Proposal.id == receipt.number, Proposal.submitted_at >= start,
                           Proposal.submitted_at < end), Proposal.id
    return search.restrict(query, Proposal.id, filters.q, index, session)


TRIAGE = "triage"  # the department filter for proposals no department leads


def refuse_unknown_values(session: Session, filters: Filters) -> None:
    """A filter value no list offers — an old bookmark, a typo in a hand-made address —
    is refused naming the field (rule ``unknown``), not answered with an empty list that
    reads as "no proposals", beside a filter showing 「すべて」.  States are every
    workflow's; codes are checked against the cached reference data (inactive themes and
    merged districts included: old proposals keep theirs), read only when a code is given.
    """
    unknown: dict[str, list[str]] = {}
    if filters.state and filters.state not in known_states():
        unknown["state"] = ["unknown"]
    if filters.category or filters.department or filters.district:
        known = reference.snapshot(session)  # the cached copy, checked against its stamp
        if filters.category and filters.category not in {c.code for c in known.categories}:
            unknown["category"] = ["unknown"]
        if filters.department and filters.department != TRIAGE and filters.department not in {
                d.code for d in known.departments.values()}:
            unknown["department"] = ["unknown"]
        if filters.district and filters.district != CITY_WIDE and filters.district not in {
                d.code for d in known.districts}:
            unknown["district"] = ["unknown"]
    if unknown:
        raise Invalid(f"unknown filter value for {', '.join(unknown)}", fields=unknown)


def known_states() -> frozenset[str]:
    """Every state of every workflow a proposal may name."""
    return frozenset(state for name in workflows.workflow_names()
                     for state in workflows.get_workflow(name).states)


def _id_of(model, code: str):
    """A scalar subquery for a code (its id, found in the query itself)."""
    return select(model.id).where(model.code == code).scalar_subquery()


def published_selection(session: Session, filters: Filters) -> tuple[Select, ColumnElement]:
    """The published proposals ``filters`` match, with their public copy loaded, and the
    id column to page them by: the one public selection, shared by the list and the
    open-data export (:mod:`intake.opendata`).  ``q`` searches the public index only, so
    nothing is ever found by a text the public version masks."""
    query, key = published_columns(session, filters, Proposal)
    return query.options(contains_eager(Proposal.published_text)), key


def published_columns(session: Session, filters: Filters, *columns) -> tuple[Select,
                                                                               ColumnElement]:
    """``columns`` of the published proposals ``filters`` match (their public copy
    joined): the list, the open-data export and the count ask the same question."""
    return _apply_filters(
        session, select(*columns).join(Proposal.published_text).where(Proposal.is_published),
        filters, search.PUBLIC,
    )


def _eager(query: Select) -> Select:
    """Everything a list row shows, one query per relation for the whole page.
    ``contact`` is there for the published proposer name (``publish_name``)."""
    return query.options(
        selectinload(Proposal.contact),
        selectinload(Proposal.category),
        selectinload(Proposal.district),
        selectinload(Proposal.lead_department),
        selectinload(Proposal.assignee),
    )


def proposals_by_id(session: Session, ids: list[int], *, relations: bool = True
                    ) -> dict[int, Proposal]:
    """The proposals ``ids`` name, with what a list row shows (``relations``: one query
    per relation for them all): for lists that find their ids first (the agenda)."""
    if not ids:
        return {}
    query = select(Proposal).where(Proposal.id.in_(ids))
    found = session.execute(_eager(query) if relations else query).scalars()
    return {proposal.id: proposal for proposal in found}


def published_proposals(
    session: Session, filters: Filters, *, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page:
    """Published proposals, newest received first (keyset on id, both ways:
    :mod:`intake.paging`)."""
    query, key = published_selection(session, filters)
    position = decode_position(cursor, 1)
    if position.key:
        query = query.where(key > position.key[0] if position.backward else key < position.key[0])
    order = key.asc() if position.backward else key.desc()
    rows = session.execute(_eager(query).order_by(order).limit(limit + 1)).scalars()
    return assemble([([p.id], p) for p in rows], position, limit,
                    lambda: published_proposals(session, filters, limit=limit))


# The public list says how many proposals match, counting no further than this: the
# figure costs at most this many index entries however large the city's archive grows
# ("more than 1,000" is as useful to a reader as the exact number).
COUNT_CAP = 1000


def count_published(session: Session, filters: Filters, cap: int = COUNT_CAP) -> int:
    """How many published proposals ``filters`` match, up to ``cap + 1`` (more than
    ``cap`` means "more than cap"): a ``LIMIT`` inside the count, never a count of
    every row."""
    query, _key = published_columns(session, filters, Proposal.id)
    return session.execute(
        select(func.count()).select_from(query.limit(cap + 1).subquery())
    ).scalar_one()


# --- one proposal ---------------------------------------------------------------------------


def proposal_by_id(session: Session, proposal_id: int) -> Proposal | None:
    """The proposal, or None; ids beyond the column's range exist nowhere (asking the
    database for them would overflow SQLite's integers)."""
    return session.get(Proposal, proposal_id) if 0 < proposal_id <= INT32_MAX else None


_WITH_WHAT_ACTIONS_READ = (joinedload(Proposal.contact), joinedload(Proposal.published_text),
                           joinedload(Proposal.lead_department))


def proposal_to_act_on(session: Session, proposal_id: int) -> Proposal | None:
    """The proposal with what an action reads of it besides its row (the proposer's
    contact for the notice, the public copy an acceptance writes, the lead department the
    notice and the answer name) in the same statement.  Without the department it was a
    second query, or none when an earlier request's copy still lay in the session's
    identity map, which holds objects weakly: a count that the garbage collector chose."""
    if not 0 < proposal_id <= INT32_MAX:
        return None
    return session.get(Proposal, proposal_id, options=_WITH_WHAT_ACTIONS_READ)


def published_proposal(session: Session, proposal_id: int) -> Proposal | None:
    """The proposal if the public may see it: an unpublished one does not exist for
    them (a 404, not a 403)."""
    proposal = proposal_by_id(session, proposal_id)
    published = proposal is not None and proposal.is_published
    return proposal if published and proposal.published_text is not None else None


def proposal_for_token(session: Session, token: str) -> Proposal | None:
    """The proposal a tracking token opens, published or not; None for any other
    token (the database keeps only the token's digest)."""
    return session.execute(
        select(Proposal).where(Proposal.tracking_token_hash == token_digest(token))
    ).scalar_one_or_none()


# Audit-log actions a proposal's timeline is made of (serializers decide who reads
# which of them, and which reasons): everything else is internal bookkeeping.
TIMELINE_ACTIONS = ("submit", "route", "transfer", "transition", "session", "extend")


@dataclass(frozen=True)
class History:
    """A proposal's timeline events, oldest first, with the departments they name
    (by code), read in two queries whatever the number of events."""

    events: list[Event]
    departments: dict[str, Department] = field(default_factory=dict)


def history(session: Session, proposal_id: int) -> History:
    events = list(session.execute(
        select(Event)
        .where(Event.proposal_id == proposal_id, Event.action.in_(TIMELINE_ACTIONS))
        .order_by(Event.seq)
    ).scalars())
    codes = {(e.data or {}).get(key) for e in events for key in ("department", "from_department")}
    codes.discard(None)
    if not codes:
        return History(events)
    rows = session.execute(select(Department).where(Department.code.in_(codes))).scalars()
    return History(events, {d.code: d for d in rows})


# --- the city's lists and the form's choices ----------------------------------------------------


def categories(session: Session, *, active_only: bool) -> list[Category]:
    """Themes in the office's order; inactive ones too for filtering old proposals."""
    query = select(Category).order_by(Category.sort_order, Category.id)
    if active_only:
        query = query.where(Category.active.is_(True))
    return list(session.execute(query).scalars())


def districts(session: Session, *, valid_on: date | None) -> list[District]:
    """Districts in the office's order; with ``valid_on`` only those that exist that
    day (schools merge), without it every district ever, so old published proposals
    can still be found by theirs."""
    rows = session.execute(select(District).order_by(District.sort_order, District.id))
    return [d for d in rows.scalars() if valid_on is None or d.valid_on(valid_on)]


def active_departments(session: Session) -> list[Department]:
    return list(session.execute(
        select(Department).where(Department.active.is_(True)).order_by(Department.code)
    ).scalars())


def choices(rows, lang: str) -> list[tuple[str, str]]:
    """Rows with a code and a name as a form's (value, label) pairs."""
    return [(row.code, row.name(lang)) for row in rows]


def form_choices(session: Session, lang: str, today: date | None = None
                 ) -> dict[str, list[tuple[str, str]]]:
    """The proposal form's data-driven choices, as ``ProposalForm`` takes them: active
    themes, districts that exist today (in Japan)."""
    today = today or workflows.today_jst()
    return {
        "categories": choices(reference.categories(session, active_only=True), lang),
        "districts": choices(reference.districts(session, valid_on=today), lang),
    }


# --- comment moderation -------------------------------------------------------------------------


def moderation_comments(
    session: Session,
    user: User,
    status: str,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """Comments with ``status`` for the moderation list: every department's for the office,
    a liaison's own department's (the proposals it leads).  Held ones oldest first (the
    longest waiting first), the others newest first; keyset on id both ways (index
    ``ix_comments_status_id``; :mod:`intake.paging`)."""
    query = (select(Comment).join(Comment.proposal).where(Comment.status == status)
             .options(contains_eager(Comment.proposal).selectinload(Proposal.lead_department)))
    if not user.is_office:
        if user.department_id is None:  # a liaison without a department sees none
            return Page([], None)
        query = query.where(Proposal.lead_department_id == user.department_id)
    position = decode_position(cursor, 1)
    # Read backwards, the list's order is turned round: the id's comparison and its order.
    ascending = (status == CommentStatus.held) != position.backward
    if position.key:
        query = query.where(Comment.id > position.key[0] if ascending
                            else Comment.id < position.key[0])
    rows = session.execute(query.order_by(Comment.id.asc() if ascending else Comment.id.desc())
                           .limit(limit + 1)).scalars()
    return assemble([([c.id], c) for c in rows], position, limit,
                    lambda: moderation_comments(session, user, status, limit=limit))

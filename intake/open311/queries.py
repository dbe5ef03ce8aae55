"""The Open311 ``GET requests`` query: published proposals only, the spec's filters
and defaults (the last 90 days, at most 1,000 results, newest first).

Parsing the query string is :func:`parse_filters`' job and can fail with
:class:`BadFilter` naming the parameter; the query itself never fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from intake.models import Category, Proposal
from intake.queues import open_condition

MAX_RESULTS = 1000
WINDOW = timedelta(days=90)
# The dates a filter may name: a window's other end computed from them is still a date.
EARLIEST = datetime(1, 1, 1) + WINDOW + timedelta(days=1)
LATEST = datetime(9999, 12, 31) - WINDOW - timedelta(days=1)
STATUSES = ("open", "closed")


class BadFilter(ValueError):
    """A parameter the spec defines, with a value it does not allow."""

    def __init__(self, name: str, rule: str) -> None:
        """``rule`` names the broken rule: its words are ``open311.rule.<rule>``."""
        super().__init__(f"{name}: {rule}")
        self.name, self.rule = name, rule


@dataclass(frozen=True)
class RequestFilters:
    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def _listed(args: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-delimited parameter; an empty one counts as absent."""
    return tuple(part.strip() for part in (args.get(name) or "").split(",") if part.strip())


def _w3c(args: Mapping[str, str], name: str) -> datetime | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise BadFilter(name, "w3c") from None
    if parsed.tzinfo is None:
        raise BadFilter(name, "timezone")
    # The other end of the 90-day window must be a date too: 0001-01-01 has no day before.
    try:
        moment = parsed.astimezone(UTC)
    except OverflowError:
        raise BadFilter(name, "range") from None
    if not EARLIEST <= moment.replace(tzinfo=None) <= LATEST:
        raise BadFilter(name, "range")
    return moment


def parse_filters(args: Mapping[str, str], now: datetime) -> RequestFilters:
    ids = _listed(args, "service_request_id")
    if ids:  # the spec: service_request_id overrides every other parameter
        if not all(i.isdigit() and len(i) <= 18 for i in ids):
            raise BadFilter("service_request_id", "ids")
        return RequestFilters(ids=tuple(int(i) for i in ids[:MAX_RESULTS]))
    statuses = _listed(args, "status")
    if any(s not in STATUSES for s in statuses):
        raise BadFilter("status", "status")
    start, end = _w3c(args, "start_date"), _w3c(args, "end_date")
    if start is None and end is None:
        end, start = now, now - WINDOW
    elif start is None:
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if end < start:
        raise BadFilter("end_date", "order")
    if end - start > WINDOW:
        raise BadFilter("end_date", "span")
    return RequestFilters(service_codes=_listed(args, "service_code"), start=start, end=end,
                          statuses=statuses)


def service_requests(session: Session, filters: RequestFilters) -> list[Proposal]:
    """The requests a list names: by their ids, whether published or not (a client
    following what it sent; :func:`intake.open311.shapes.service_request` shows an
    unpublished one's status only), else the published ones in the window."""
    query = (select(Proposal)
             .options(selectinload(Proposal.category), selectinload(Proposal.lead_department),
                      selectinload(Proposal.published_text),
                      selectinload(Proposal.attachments)))
    if filters.ids:
        query = query.where(Proposal.id.in_(filters.ids))
    else:
        query = query.where(Proposal.is_published, Proposal.submitted_at >= filters.start,
                            Proposal.submitted_at <= filters.end)
        if filters.service_codes:
            codes = select(Category.id).where(Category.code.in_(filters.service_codes))
            query = query.where(Proposal.category_id.in_(codes))
        if len(set(filters.statuses)) == 1:
            still_open = open_condition()
            query = query.where(~still_open if filters.statuses[0] == "closed" else still_open)
    query = query.order_by(Proposal.submitted_at.desc(), Proposal.id.desc()).limit(MAX_RESULTS)
    return list(session.execute(query).scalars())


def one_request(session: Session, proposal_id: int) -> Proposal | None:
    """Any proposal by its id: published, or only its status (see service_requests)."""
    return session.get(Proposal, proposal_id)

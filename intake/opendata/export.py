"""The open-data rows: every published proposal with its ruling, and nothing personal.

Which proposals: :func:`intake.queries.published_selection`, the public list's own
selection (filters and ``q`` on the public search index), so a download holds what the
list shows and can never find a proposal by a text its public version masks.

Which columns: :data:`COLUMNS`, documented for people on the ``/open-data`` page (one
``opendata.column.<name>`` message per column) and in the README.  The text is the public
copy (:func:`intake.privacy.public.public_text`), never the original; the proposer is
named only as :func:`intake.serializers.public_proposer` allows (they agreed); e-mail,
phone and contact name have no column at all.

How: keyset over ids, :data:`BATCH` proposals per query with their relations loaded in
one query each, every batch detached from the session once written — the export of a
city's whole archive costs the memory of one batch.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session, defer, raiseload, selectinload

from intake import queries, serializers
from intake.models import Proposal
from intake.privacy.public import public_text
from intake.shapes import iso_datetime

BATCH = 1000

# The columns, in order; the same names in CSV's header row and as JSON's keys, in every
# language (like the API's fields).  Names and codes are in the export's language.
COLUMNS = (
    "id", "receipt", "kind", "title",
    "category_code", "category", "department_code", "department", "district_code", "district",
    "submitted_at", "published_at", "state", "state_label",
    "ruling_decision", "ruling_reason_code", "ruling_reason", "ruled_at",
    "supports", "proposer",
)

Row = dict[str, object]

ORIGINAL_TEXT = (Proposal.title, Proposal.problem, Proposal.proposal_text,
                 Proposal.expected_effect, Proposal.role_split)


def published_rows(session: Session, filters: queries.Filters, lang: str, *,
                   batch_size: int = BATCH) -> Iterator[Row]:
    """The rows of the published proposals ``filters`` match, oldest first.  A bad
    filter (``q`` too long) raises :class:`~intake.errors.Invalid` here, before the
    first row, so a door can still answer with a clear message."""
    query, key = queries.published_selection(session, filters)
    query = query.options(
        selectinload(Proposal.category),
        selectinload(Proposal.lead_department),
        selectinload(Proposal.district),
        selectinload(Proposal.contact),  # public_proposer: a name only if they agreed
        # The original text is neither read from the database nor readable here: reading
        # it would raise (the public copy is the only text), and so would any relation
        # left to load row by row.
        *(defer(column, raiseload=True) for column in ORIGINAL_TEXT),
        raiseload("*"),
    )
    return _batches(session, query, key, lang, batch_size)


def _batches(session: Session, query: Select, key: ColumnElement, lang: str,
             batch_size: int) -> Iterator[Row]:
    last = 0
    while True:
        batch = list(session.execute(
            query.where(key > last).order_by(key).limit(batch_size)
        ).scalars())
        for proposal in batch:
            yield row(proposal, lang)
        for proposal in batch:
            # Its public copy and contact go with it (cascade); the few categories,
            # departments and districts stay, shared by every batch.
            session.expunge(proposal)
        if len(batch) < batch_size:
            return
        last = batch[-1].id


def row(proposal: Proposal, lang: str) -> Row:
    """One published proposal as a row of :data:`COLUMNS`."""
    text = public_text(proposal)
    category = proposal.category
    department = proposal.lead_department
    district = serializers.district_ref(proposal.district, lang)
    return {
        "id": proposal.id,
        "receipt": proposal.receipt,
        "kind": proposal.kind,
        "title": text.title,
        "category_code": category.code,
        "category": category.name(lang),
        "department_code": department.code if department else None,
        "department": department.name(lang) if department else None,
        "district_code": district["code"],
        "district": district["name"],
        "submitted_at": iso_datetime(proposal.submitted_at),
        "published_at": iso_datetime(proposal.published_at),
        "state": proposal.state,
        "state_label": serializers.state_label(proposal, lang),
        "ruling_decision": proposal.ruling_decision,
        "ruling_reason_code": proposal.ruling_reason_code,
        "ruling_reason": proposal.ruling_reason,
        "ruled_at": iso_datetime(proposal.ruled_at),
        "supports": proposal.supports_count or 0,  # confirmed supports (賛同), never who
        "proposer": serializers.public_proposer(proposal),
    }

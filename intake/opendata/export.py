"""The open-data rows: every published proposal with its ruling, and nothing personal.

Which proposals: :func:`intake.queries.published_selection`, the public list's own
selection (filters and ``q`` on the public search index), so a download holds what the
list shows and can never find a proposal by a text its public version masks.

Which columns: :data:`COLUMNS`, documented for people on the ``/open-data`` page (one
``opendata.column.<name>`` message per column) and in the README.  The text is the public
copy (:func:`intake.privacy.public.public_text`), never the original; the proposer is
named only as :func:`intake.serializers.public_proposer` allows (they agreed); e-mail,
phone and contact name have no column at all.

How: plain column rows, never ORM objects.  One query per batch of :data:`BATCH`
proposals (keyset on id) reads the proposal's columns, its public copy's texts and the
two contact fields :func:`intake.serializers.public_proposer` may print; the names of
themes, departments and districts come from the process's reference data
(:mod:`intake.reference`, checked once), and each (workflow, state)'s label is looked up
once.  Nothing is kept from one batch to the next, so the export of a city's whole
archive costs the memory of one batch, and no query is made per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session

import workflows
from intake import queries, reference
from intake.i18n import translate
from intake.models import Proposal, ProposerContact, PublishedText, receipt_for
from intake.shapes import iso_datetime

BATCH = 2000

# The columns, in order; the same names in CSV's header row and as JSON's keys, in every
# language (like the API's fields).  Names and codes are in the export's language.
COLUMNS = (
    "id", "receipt", "kind", "title", "problem", "proposal", "expected_effect", "role_split",
    "category_code", "category", "department_code", "department", "district_code", "district",
    "submitted_at", "published_at", "state", "state_label",
    "ruling_decision", "ruling_reason_code", "ruling_reason", "ruled_at",
    "supports", "proposer",
)

Row = dict[str, object]

# What a row is made of: the public copy's texts, never the original; of the contact,
# only what public_proposer may print (and only when the proposer agreed).
READ = (Proposal.id, Proposal.submitted_at, Proposal.kind, PublishedText.title,
        PublishedText.problem, PublishedText.proposal_text, PublishedText.expected_effect,
        PublishedText.role_split,
        Proposal.category_id, Proposal.lead_department_id, Proposal.district_id,
        Proposal.published_at, Proposal.state, Proposal.ruling_decision,
        Proposal.ruling_reason_code, Proposal.ruling_reason, Proposal.ruled_at,
        Proposal.supports_count, Proposal.publish_name, ProposerContact.organization,
        ProposerContact.name)


@dataclass(frozen=True)
class Names:
    """``(code, name)`` in one language for every theme, department and district by id,
    from the process's reference data; the state labels are filled as they are met."""

    categories: dict[int, tuple[str, str]]
    departments: dict[int, tuple[str, str]]
    districts: dict[int, tuple[str, str]]
    city_wide: tuple[str, str]
    states: dict[tuple[str, str], str]

    @classmethod
    def of(cls, session: Session, lang: str) -> Names:
        from forms.proposal import CITY_WIDE

        cached = reference.snapshot(session)

        def coded(rows) -> dict[int, tuple[str, str]]:
            return {row.id: (row.code, row.name(lang)) for row in rows}

        return cls(coded(cached.categories), coded(cached.departments.values()),
                   coded(cached.districts),
                   (CITY_WIDE, translate("field.district.citywide", lang)), {})

    def state_label(self, kind: str, state: str, lang: str) -> str:
        label = self.states.get((kind, state))
        if label is None:
            label = self.states[(kind, state)] = workflows.get_workflow(kind).state_label(
                state, lang)
        return label


def published_rows(session: Session, filters: queries.Filters, lang: str, *,
                   batch_size: int = BATCH) -> Iterator[Row]:
    """The rows of the published proposals ``filters`` match, oldest first.  A bad
    filter (``q`` too long) raises :class:`~intake.errors.Invalid` here, before the
    first row, so a door can still answer with a clear message."""
    query, key = queries.published_columns(session, filters, *READ)
    query = query.outerjoin(ProposerContact, ProposerContact.proposal_id == Proposal.id)
    return _batches(session, query, key, Names.of(session, lang), lang, batch_size)


def _batches(session: Session, query: Select, key: ColumnElement, names: Names, lang: str,
             batch_size: int) -> Iterator[Row]:
    last = 0
    while True:
        batch = session.execute(query.where(key > last).order_by(key).limit(batch_size)).all()
        for values in batch:
            yield row(values, names, lang)
        if len(batch) < batch_size:
            return
        last = batch[-1][0]


def row(values, names: Names, lang: str) -> Row:
    """One published proposal's :data:`READ` values as a row of :data:`COLUMNS`."""
    (proposal_id, submitted_at, kind, title, problem, proposal_text, expected_effect,
     role_split, category_id, department_id, district_id,
     published_at, state, decision, reason_code, reason, ruled_at, supports, publish_name,
     organization, contact_name) = values
    category_code, category = names.categories[category_id]
    department_code, department = names.departments.get(department_id, (None, None))
    district_code, district = (names.districts[district_id] if district_id is not None
                               else names.city_wide)
    # intake.serializers.public_proposer: a name only if they agreed and a contact is kept
    proposer = (organization or contact_name or None) if publish_name else None
    return {
        "id": proposal_id,
        "receipt": receipt_for(proposal_id, submitted_at),
        "kind": kind,
        "title": title,
        "problem": problem,
        "proposal": proposal_text,
        "expected_effect": expected_effect or "",
        "role_split": role_split or "",
        "category_code": category_code,
        "category": category,
        "department_code": department_code,
        "department": department,
        "district_code": district_code,
        "district": district,
        "submitted_at": iso_datetime(submitted_at),
        "published_at": iso_datetime(published_at),
        "state": state,
        "state_label": names.state_label(kind, state, lang),
        "ruling_decision": decision,
        "ruling_reason_code": reason_code,
        "ruling_reason": reason,
        "ruled_at": iso_datetime(ruled_at),
        "supports": supports or 0,  # confirmed supports (賛同), never who
        "proposer": proposer,
    }

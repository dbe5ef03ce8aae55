"""The office's spreadsheets (SPEC section 7): the agenda and every ruling as CSV, for
Excel in Japan.

- UTF-8 with a byte-order mark (Excel reads BOM-less UTF-8 as Shift_JIS), CRLF lines,
  a header row of field names (the same on every language, like the API's fields; the
  rulings' names are the import's: ``receipt``, ``decision``, ``reason_code``, ``scope``,
  ``reason``);
- a cell a spreadsheet would run as a formula — one starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return — gets a leading ``'`` (OWASP's CSV injection rule):
  titles and reasons are citizens' and officers' free text;
- dates are Japanese dates (``YYYY-MM-DD``).

The agenda and the rulings are written as they are read, a keyset-paged batch at a time, so
the export of a city's whole history never sits in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from intake import reference
from intake.models import JST, Department, Proposal, receipt_for

from . import agenda, involved
from .figures import Scope

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIMETYPE = "text/csv; charset=utf-8"
BATCH = 500

# The assignee and the other departments came later: at the end, so a sheet that reads
# the earlier columns by position still does.
AGENDA_HEADER = ("receipt", "title", "department_code", "department", "category", "state",
                 "state_label", "submitted_on", "due_on", "reasons", "assignee",
                 "other_department_codes", "other_departments")
RULINGS_HEADER = ("receipt", "title", "department_code", "department", "submitted_on",
                  "ruled_on", "business_days", "decision", "reason_code", "scope", "reason")


def cell(value: object) -> str:
    """A value as a cell that stays text: formulas neutralised with a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def japanese_date(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(JST).date()
    return moment.isoformat()


def lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The document line by line: the BOM and the header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Iterable[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(v) for v in values])
        return buffer.getvalue()

    yield BOM + line(header)
    for row in rows:
        yield line(row)


def _department(department: Department | None, lang: str, triage: str) -> tuple[str, str]:
    return ("", triage) if department is None else (department.code, department.name(lang))


def agenda_rows(session: Session, today: date, scope: Scope, lang: str, *, triage: str,
                unassigned: str, separator: str) -> Iterator[tuple]:
    """One row per agenda item, in the agenda's order, read a page at a time
    (:func:`intake.office.agenda.every_batch`); ``reasons`` and the other departments' codes
    are codes separated by spaces, their names joined by ``separator``; ``unassigned``
    stands for no assignee.  Names come from the reference data, each state's label is
    looked up once, the assignees and other departments once per batch
    (:mod:`intake.office.involved`)."""
    cached = reference.snapshot(session)
    categories = {c.id: c.name(lang) for c in cached.categories}
    departments = {d.id: d for d in cached.departments.values()}
    labels: dict[tuple[str, str], str] = {}
    columns = (Proposal.id, Proposal.submitted_at, Proposal.title, Proposal.lead_department_id,
               Proposal.category_id, Proposal.kind, Proposal.state, Proposal.due_on,
               Proposal.assignee_id)
    for batch in agenda.every_batch(session, today, scope, columns=columns):
        names = involved.assignee_names(session, (values[8] for _p, values, _w in batch))
        others = involved.other_departments(session, {
            values[0]: values[3] for _p, values, why in batch if "several_departments" in why})
        for _place, values, reasons in batch:
            (proposal_id, submitted_at, title, department_id, category_id, kind, state, due_on,
             assignee_id) = values
            code, name = _department(departments.get(department_id), lang, triage)
            label = labels.get((kind, state))
            if label is None:
                label = labels[(kind, state)] = workflows.get_workflow(kind).state_label(
                    state, lang)
            other = others.get(proposal_id, ())
            yield (receipt_for(proposal_id, submitted_at), title, code, name,
                   categories.get(category_id), state, label, japanese_date(submitted_at),
                   japanese_date(due_on), " ".join(reasons),
                   names.get(assignee_id, unassigned), " ".join(d.code for d in other),
                   separator.join(d.name(lang) for d in other))


def ruling_rows(session: Session, scope: Scope, lang: str, *, triage: str,
                batch_size: int = BATCH) -> Iterator[tuple]:
    """Every ruling in receipt order, read ``batch_size`` rows at a time (keyset on id)."""
    departments = {d.id: d for d in session.execute(select(Department)).scalars()}
    columns = (Proposal.id, Proposal.submitted_at, Proposal.title, Proposal.lead_department_id,
               Proposal.ruled_at, Proposal.ruling_business_days, Proposal.ruling_decision,
               Proposal.ruling_reason_code, Proposal.ruling_scope, Proposal.ruling_reason)
    last = 0
    while True:
        batch = session.execute(scope.where(
            select(*columns)
            .where(Proposal.ruling_decision.is_not(None), Proposal.id > last)
            .order_by(Proposal.id).limit(batch_size)
        )).all()
        for (proposal_id, submitted_at, title, department_id, ruled_at, days, decision,
             reason_code, ruling_scope, reason) in batch:
            code, name = _department(departments.get(department_id), lang, triage)
            yield (receipt_for(proposal_id, submitted_at), title, code,
                   name, japanese_date(submitted_at), japanese_date(ruled_at), days, decision,
                   reason_code, ruling_scope, reason)
        if len(batch) < batch_size:
            return
        last = batch[-1][0]

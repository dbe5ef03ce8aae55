"""Rulings (and other answers) imported from a spreadsheet (SPEC section 7).

The office, or a liaison for their department, uploads a CSV with the columns
``receipt,trigger,reason,reason_code,decision,scope`` and a header row.  Every row runs
the very operation the proposal's page runs (:func:`intake.workflow.operations.fire_trigger`,
with the uploader as the actor: the same roles, guards and checks), inside a SAVEPOINT of
its own: a failing row changes nothing, the good rows apply, each one its own audited
transition.  A dry run runs each row the same way and rolls its SAVEPOINT back, so the
guards are really asked and nothing at all remains (no event, no message).

``decision``, when given, must be what the transition records
(:meth:`workflows.TransitionDef.decision_for`: ``adopt`` with a ``scope`` is a partial
adoption).  The file may be UTF-8 (with or without a BOM) or, as Excel in Japan saves it,
Shift_JIS (cp932).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from intake import access
from intake.core.actors import Actor
from intake.errors import ActionError, Invalid, NotFound, Refused
from intake.explain import explain
from intake.links import Links
from intake.models import Proposal, parse_receipt
from intake.workflow.operations import fire_trigger, refuse_inputs_not_taken

from .spreadsheet import FORMULA_STARTS

COLUMNS = ("receipt", "trigger", "reason", "reason_code", "decision", "scope")
REQUIRED_COLUMNS = ("receipt", "trigger")
MAX_ROWS = 2000
MAX_BYTES = 4 * 1024 * 1024
# The columns that are the transition's inputs under their own names; ``reason`` is the
# transition's reason input, whatever the workflow calls it (``question``, ``evaluation``).
INPUT_COLUMNS = ("reason_code", "scope")


@dataclass
class Row:
    line: int  # the file's line where the row starts (the header is line 1)
    values: dict[str, str]

    @property
    def receipt(self) -> str:
        return self.values.get("receipt", "")


@dataclass
class Outcome:
    line: int
    receipt: str
    error: ActionError | None = None
    # The transition's input name → the column that carried it (to word errors).
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    def column(self) -> str:
        """The column the refusal is about: the field it names, the input a guard names,
        else ``trigger`` for a refusal of the action, ``receipt`` for a refusal of the
        proposal (not found, not this officer's)."""
        exc = self.error
        if exc is None:
            return ""
        if exc.fields:
            name = next(iter(exc.fields))
            return self.columns.get(name, name)
        guard = str(exc.details.get("guard") or "")
        if guard.startswith("input:"):
            name = guard.removeprefix("input:")
            return self.columns.get(name, name)
        return "trigger" if isinstance(exc, Refused) else "receipt"

    def message(self, lang: str, label: Callable[[str], str] = str) -> str | None:
        """Why the row changed nothing, in ``lang``: ``label(column)`` first, then the
        reason (the form's rule texts, worded as on the page)."""
        exc = self.error
        if exc is None:
            return None
        explained = explain(exc, lang, lambda name: label(self.columns.get(name, name)))
        texts = [explained.message] if exc.translated else [
            explained.message, *[text for texts in explained.fields.values() for text in texts
                                 if text != explained.message]]
        return f"{label(self.column())}: {' '.join(texts)}"


# --- reading the file ------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """UTF-8 with or without a BOM, else cp932 (Excel's Shift_JIS); else 422 naming
    ``file``."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("file: neither UTF-8 nor Shift_JIS", fields={"file": ["encoding"]})


def _cell(text: str) -> str:
    """A cell as typed: our own export's ``'`` before a formula-like start removed."""
    text = text.strip()
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def read_rows(raw: bytes) -> list[Row]:
    """The rows under the header, blank lines skipped.  422 naming ``file`` for a file
    without the header row, an unknown column, or more than :data:`MAX_ROWS` rows."""
    reader = csv.reader(io.StringIO(decode(raw), newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise Invalid("file: empty", fields={"file": ["no_header"]}) from None
    except csv.Error:
        raise Invalid("file: not CSV", fields={"file": ["csv"]}) from None
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown or not set(REQUIRED_COLUMNS) <= set(header):
        raise Invalid(f"file: the header must name {', '.join(COLUMNS)}",
                      fields={"file": ["header"]}, columns=", ".join(COLUMNS))
    rows: list[Row] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append(Row(line, {name: _cell(cells[i]) if i < len(cells) else ""
                                       for i, name in enumerate(header) if name}))
                if len(rows) > MAX_ROWS:
                    raise Invalid(f"file: more than {MAX_ROWS} rows",
                                  fields={"file": ["too_many_rows"]}, max=MAX_ROWS)
            line = reader.line_num + 1
    except csv.Error:
        raise Invalid(f"file: not CSV at line {line}", fields={"file": ["csv"]},
                      line=line) from None
    return rows


# --- running the rows --------------------------------------------------------------------------


def import_rulings(session: Session, actor: Actor, rows: list[Row], *, links: Links,
                   dry_run: bool = False) -> list[Outcome]:
    """Run every row as its own transition in its own SAVEPOINT; a dry run rolls each one
    back.  The proposals are read in one query."""
    ids = {parsed.number for row in rows if (parsed := parse_receipt(row.receipt))}
    found = {p.id: p for p in session.execute(
        select(Proposal).where(Proposal.id.in_(ids))).scalars()} if ids else {}
    outcomes = []
    for row in rows:
        outcome = Outcome(row.line, row.receipt)
        savepoint = session.begin_nested()
        try:
            _run(session, actor, row, found, outcome, links)
        except ActionError as exc:
            outcome.error = exc
            savepoint.rollback()
        else:
            if dry_run:
                savepoint.rollback()
            else:
                savepoint.commit()
        outcomes.append(outcome)
    return outcomes


def _run(session: Session, actor: Actor, row: Row, found: dict[int, Proposal],
         outcome: Outcome, links: Links) -> None:
    parsed = parse_receipt(row.receipt)
    proposal = found.get(parsed.number) if parsed else None
    if proposal is None or proposal.receipt != str(parsed) \
            or actor.user is None or not access.can_view(actor.user, proposal):
        raise NotFound(f"receipt: {row.receipt!r} unknown", fields={"receipt": ["receipt_unknown"]})
    trigger = row.values.get("trigger", "")
    workflow = workflows.get_workflow(proposal.kind)
    transition = next((t for t in workflow.transitions_from(proposal.state)
                       if t.trigger == trigger), None)
    inputs: dict[str, object] = {}
    if transition is not None:
        reason_input = transition.reason_input or "reason"
        outcome.columns[reason_input] = "reason"
        inputs[reason_input] = row.values.get("reason", "")
        given = {column: row.values.get(column, "") for column in INPUT_COLUMNS}
        refuse_inputs_not_taken(transition, given)
        inputs.update(given)
        _check_decision(transition, inputs, row.values.get("decision", ""))
    fire_trigger(session, proposal, trigger, actor, inputs, links=links)


def _check_decision(transition: workflows.TransitionDef, inputs: dict[str, object],
                    decision: str) -> None:
    """A ``decision`` given must be the one the transition records with these inputs."""
    if not decision:
        return
    recorded = transition.decision_for(inputs)
    if decision != recorded:
        raise Invalid(f"decision: {transition.trigger!r} records {recorded!r}",
                      fields={"decision": ["decision_mismatch"]},
                      expected=recorded or "")


def worded(exc: Invalid, lang: str) -> Invalid:
    """A refusal of the whole file (encoding, header, too many rows), in ``lang`` naming
    the ``file`` field (422)."""
    from intake.i18n import translate

    rule = exc.fields.get("file", ["csv"])[0]
    text = translate(f"import.error.{rule}", lang, max=MAX_ROWS, columns=", ".join(COLUMNS),
                     line=exc.details.get("line", ""))
    return Invalid(text, fields={"file": [text]}, code=f"import_{rule}", translated=True)

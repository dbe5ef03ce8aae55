"""``POST /api/v1/rulings/import`` (SPEC section 7): rulings from a spreadsheet, row by
row, with the caller as the actor (:mod:`intake.office.imports`); ``?dry_run=1`` checks
every row and changes nothing.  A liaison's rows reach their own department's proposals
only (another's receipt is unknown to them), exactly as on the page."""

from __future__ import annotations

from flask import request

from intake import queries
from intake.doors import import_file
from intake.errors import Invalid
from intake.i18n import translate
from intake.models import User
from intake.office import imports

from . import bp
from .auth import staff_required
from .errors import UnsupportedMediaType, lang

CSV_TYPES = ("text/csv", "application/csv")


def uploaded() -> bytes:
    """The CSV: the body itself (``text/csv``) or the multipart field ``file``; 413 over
    :data:`~intake.office.imports.MAX_BYTES`, 415 for any other body, 422 without the file."""
    request.max_content_length = imports.MAX_BYTES
    if request.mimetype in CSV_TYPES:
        return request.get_data(cache=True)
    if request.mimetype == "multipart/form-data":
        sent = request.files.get("file")
        if sent is None:
            text = translate("import.error.no_file", lang())
            raise Invalid(text, fields={"file": [text]}, translated=True)
        return sent.read(imports.MAX_BYTES + 1)
    raise UnsupportedMediaType(translate("import.error.media_type", lang()))


def column_label(column: str) -> str:
    return translate("import.column", lang(), column=column,
                     label=translate(f"import.column.{column}", lang()))


@bp.post("/rulings/import")
@staff_required
def import_rulings(user: User):
    dry_run = queries.parse_flag("dry_run", request.args.get("dry_run"))
    outcomes = import_file(user, uploaded(), lang(), dry_run=dry_run)
    return {"dry_run": dry_run, "rows": [
        {"line": o.line, "receipt": o.receipt, "status": "ok" if o.ok else "error",
         "error": o.message(lang(), column_label)} for o in outcomes]}

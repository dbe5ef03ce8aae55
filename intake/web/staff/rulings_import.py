"""Rulings from a spreadsheet, on a page (the twin of ``POST /api/v1/rulings/import``):
upload a CSV → a dry run shows what each row would do → "apply" sends the same file → the
results, row by row.  The office imports for every department, a liaison for their own
(another department's receipt is unknown to them), exactly as through the API."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.datastructures import CombinedMultiDict

from forms.imports import RulingsApplyForm, RulingsUploadForm
from intake.doors import import_file
from intake.errors import Invalid
from intake.i18n import translate
from intake.office import imports

from .common import bp, lang, officer, t


def _label(column: str) -> str:
    return translate("import.column", lang(), column=column,
                     label=translate(f"import.column.{column}", lang()))


def _page(form: RulingsUploadForm, *, outcomes=None, applied: bool = False,
          apply: RulingsApplyForm | None = None, problem: str | None = None,
          status: int = 200):
    rows = [(o.line, o.receipt, o.ok, o.message(lang(), _label)) for o in outcomes or ()]
    return render_template(
        "office/rulings_import.html", form=form, rows=rows, applied=applied, apply=apply,
        problem=problem, columns=imports.COLUMNS, max_rows=imports.MAX_ROWS,
        good=sum(1 for row in rows if row[2]), bad=sum(1 for row in rows if not row[2]),
    ), status


def _run(form: RulingsUploadForm, raw: bytes | None, *, dry_run: bool):
    """The dry run or the import of ``raw``; a file refused whole is shown beside the
    upload field (422), one too large 413."""
    if raw is None:
        form.file.errors = [t("import.error.no_file")]
        return None, _page(form, problem=t("staff.error.form"), status=422)
    if len(raw) > imports.MAX_BYTES:
        form.file.errors = [t("import.error.too_large")]
        return None, _page(form, problem=t("staff.error.form"), status=413)
    try:
        return import_file(officer(), raw, lang(), dry_run=dry_run), None
    except Invalid as exc:
        form.file.errors = [exc.message]
        return None, _page(form, problem=t("staff.error.form"), status=422)


@bp.get("/rulings/import")
def rulings_import():
    return _page(RulingsUploadForm(lang=lang()))


@bp.post("/rulings/import")
def rulings_import_check():
    """The dry run: every row checked as it would run, nothing changed."""
    request.max_content_length = imports.MAX_BYTES + 64 * 1024
    form = RulingsUploadForm(CombinedMultiDict((request.files, request.form)), lang=lang())
    if not form.validate():
        return _page(form, problem=t("staff.error.form"), status=400)
    raw = form.content(imports.MAX_BYTES)
    outcomes, refused = _run(form, raw, dry_run=True)
    if refused:
        return refused
    apply = RulingsApplyForm.carrying(raw, lang=lang()) if any(o.ok for o in outcomes) else None
    return _page(form, outcomes=outcomes, apply=apply)


@bp.post("/rulings/import/apply")
def rulings_import_apply():
    """The rows applied: each good one its own transition, the others named."""
    request.max_content_length = 2 * imports.MAX_BYTES
    sent = RulingsApplyForm(request.form, lang=lang())
    form = RulingsUploadForm(lang=lang())
    if not sent.validate():
        return _page(form, problem=t("staff.error.form"), status=400)
    outcomes, refused = _run(form, sent.content(), dry_run=False)
    return refused or _page(form, outcomes=outcomes, applied=True)

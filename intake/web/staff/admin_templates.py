"""The answer templates page (office), the twin of ``/api/v1/answer-templates``: every
template, a form to add one, each one's edit page.  A template is never deleted; the
office deactivates it (it leaves the transition forms, the audit log still names it)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for

from forms.answers import AnswerTemplateForm
from intake.answers import operations, queries
from intake.db import session as db

from .admin import attempt, done, me, office_page
from .common import bp, lang, t


def trigger_choices() -> list[tuple[str, str]]:
    """The triggers a template may serve, by their names in the officer's language."""
    return [(trigger, transition.label_in(lang()) + t("staff.in_brackets", text=trigger))
            for trigger, transition in operations.template_triggers().items()]


def template_form(formdata=None, **kwargs) -> AnswerTemplateForm:
    return AnswerTemplateForm(formdata, lang=lang(), triggers=trigger_choices(), **kwargs)


def _list_page(form: AnswerTemplateForm | None = None, problem: tuple[int, str] | None = None):
    status, message = problem or (200, None)
    labels = dict(trigger_choices())
    return render_template("staff/admin/answer_templates.html",
                           rows=queries.templates(db()), labels=labels,
                           form=form or template_form().drop("active"),
                           problem=message), status


@bp.get("/admin/answer-templates")
@office_page
def admin_templates():
    return _list_page()


@bp.post("/admin/answer-templates")
@office_page
def admin_template_create():
    form = template_form(request.form).drop("active")
    row, problem = attempt(form, lambda: operations.create_template(db(), me(), form.values()))
    if problem:
        return _list_page(form, problem)
    return done(t("answers.done.created", title=row.title(lang())), ".admin_templates")


def _edit_page(row, form: AnswerTemplateForm, problem: tuple[int, str] | None = None):
    status, message = problem or (200, None)
    return render_template(
        "staff/admin/edit.html", form=form, problem=message,
        title=t("answers.edit", title=row.title(lang())),
        action=url_for(".admin_template_edit", code=row.code),
        back=url_for(".admin_templates"), back_label=t("answers.title"),
        note=t("answers.never_deleted"), code=row.code,
    ), status


@bp.route("/admin/answer-templates/<code>", methods=["GET", "POST"])
@office_page
def admin_template_edit(code: str):
    row = queries.by_code(db(), code)
    if row is None:
        abort(404)
    if request.method == "GET":
        return _edit_page(row, template_form(obj=row).drop("code"))
    form = template_form(request.form).drop("code")
    _result, problem = attempt(form, lambda: operations.update_template(db(), me(), row,
                                                                        form.values()))
    if problem:
        return _edit_page(row, form, problem)
    return done(t("answers.done.saved", title=row.title(lang())), ".admin_templates")

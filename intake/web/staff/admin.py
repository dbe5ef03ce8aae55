"""The administration pages (office; roles: administrators), the twins of
:mod:`intake.api.admin`: departments, themes and districts here; routing rules in
``admin_routing``, officers and API tokens in ``admin_officers``.

Every page is the office's (:func:`office_page`: 403 for a liaison); each POST validates
the form the API uses and calls the same operation; a refusal is shown beside the field
with the user's input kept, a success redirects (Post/Redirect/Get).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from forms.admin import AdminForm, CategoryForm, DepartmentForm, DistrictForm
from intake.admin import operations, queries
from intake.core.actors import Actor
from intake.db import session as db
from intake.errors import ActionError, Invalid
from intake.explain import explain_for_form
from intake.models import Category, Department, District

from .common import bp, lang, officer, t


def office_page(view):
    """The office's pages: a liaison gets 403 (the login is checked before, for all)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not officer().is_office:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def me() -> Actor:
    return Actor.staff(officer())


def attempt(form: AdminForm, operation: Callable[[], Any]
            ) -> tuple[Any, tuple[int, str | None] | None]:
    """Validate ``form`` and run ``operation``: (its result, None), or (None, (status,
    message)) with the form's fields carrying the reasons, worded as the API words them."""
    if not form.validate():
        return None, (422, t("staff.error.form"))
    try:
        return operation(), None
    except ActionError as exc:
        return None, refused(form, exc)


def refused(form: AdminForm, exc: ActionError) -> tuple[int, str | None]:
    """(status, message) of a refusal, its reasons put beside ``form``'s fields.  When
    every reason is beside a field the error summary links to them and there is no
    message of its own (it would repeat the first one)."""
    db().rollback()  # the page below shows the rows as they stand
    explained = explain_for_form(exc, form, lang(), fallback=str)
    for name, messages in explained.fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
    beside = explained.fields and all(name in form for name in explained.fields)
    return exc.status, None if beside else explained.message


def plainly(operation: Callable[[], Any]) -> Any:
    """Run an operation of a button with no form (remove, revoke): a refusal is an
    error page with its status (403: not this officer's to do)."""
    try:
        return operation()
    except ActionError as exc:
        abort(exc.status)


def done(message: str, endpoint: str, **values):
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


@bp.get("/admin/")
@office_page
def admin_index():
    return render_template("staff/admin/index.html")


# --- departments, categories, districts ----------------------------------------------------

KINDS: dict[str, tuple[type, type[AdminForm], Callable]] = {
    "departments": (Department, DepartmentForm, queries.departments),
    "categories": (Category, CategoryForm, queries.categories),
    "districts": (District, DistrictForm, queries.districts),
}


def _kind(kind: str) -> tuple[type, type[AdminForm], Callable]:
    if kind not in KINDS:
        abort(404)
    return KINDS[kind]


def _listed_page(kind: str, form: AdminForm, problem: tuple[int, str] | None = None):
    _model, _form, rows = _kind(kind)
    status, message = problem or (200, None)
    return render_template("staff/admin/list.html", kind=kind, rows=rows(db()), form=form,
                           problem=message), status


@bp.get("/admin/<kind>")
@office_page
def admin_list(kind: str):
    _model, form_class, _rows = _kind(kind)
    return _listed_page(kind, form_class(lang=lang()).drop("active"))


@bp.post("/admin/<kind>")
@office_page
def admin_create(kind: str):
    model, form_class, _rows = _kind(kind)
    form = form_class(request.form, lang=lang()).drop("active")
    row, problem = attempt(form, lambda: operations.create_listed(db(), me(), model,
                                                                  form.values()))
    if problem:
        return _listed_page(kind, form, problem)
    return done(t("admin.done.created", name=row.name(lang())), ".admin_list", kind=kind)


def _row(model, code: str):
    row = queries.by_code(db(), model, code)
    if row is None:
        abort(404)
    return row


def _edit_page(kind: str, row, form: AdminForm, problem: tuple[int, str] | None = None):
    status, message = problem or (200, None)
    # The office's own department is never removed (intake.admin.deactivation).
    removable = (kind != "districts" and getattr(row, "active", False)
                 and not getattr(row, "is_office", False))
    return render_template(
        "staff/admin/edit.html", form=form, problem=message,
        title=t(f"admin.{kind}.edit", name=row.name(lang())),
        action=url_for(".admin_edit", kind=kind, code=row.code),
        back=url_for(".admin_list", kind=kind), back_label=t(f"admin.{kind}.title"),
        remove=url_for(".admin_remove", kind=kind, code=row.code) if removable else None,
        remove_hint=t("admin.remove.hint"), code=row.code,
    ), status


@bp.route("/admin/<kind>/<code>", methods=["GET", "POST"])
@office_page
def admin_edit(kind: str, code: str):
    model, form_class, _rows = _kind(kind)
    row = _row(model, code)
    if request.method == "GET":
        return _edit_page(kind, row, form_class(obj=row, lang=lang()).drop("code"))
    form = form_class(request.form, lang=lang()).drop("code")
    _result, problem = attempt(form, lambda: operations.update_listed(db(), me(), row,
                                                                      form.values()))
    if problem:
        return _edit_page(kind, row, form, problem)
    return done(t("admin.done.saved", name=row.name(lang())), ".admin_list", kind=kind)


@bp.post("/admin/<kind>/<code>/remove")
@office_page
def admin_remove(kind: str, code: str):
    """Delete an unused department or theme; deactivate a used one (never delete it).
    A department that may not be switched off (:mod:`intake.admin.deactivation`) is
    shown on its page again, saying why beside "active"."""
    if kind == "districts":
        abort(404)
    model, form_class, _rows = _kind(kind)
    row = _row(model, code)
    name = row.name(lang())
    try:
        outcome = operations.remove_listed(db(), me(), row)
    except Invalid as exc:
        form = form_class(obj=row, lang=lang()).drop("code")
        return _edit_page(kind, row, form, refused(form, exc))
    except ActionError as exc:
        abort(exc.status)
    return done(t(f"admin.done.{outcome}", name=name), ".admin_list", kind=kind)

"""The administration API (SPEC section 7), the twin of the staff administration pages:
routing rules and their preview, departments and categories, officers.

Each view reads its body into the page's form (``forms.admin``, from JSON; a PATCH keeps
only the fields it names), calls the same operation (:mod:`intake.admin`) and answers a
shape from :mod:`intake.admin.shapes`.  ``GET /departments`` and ``GET /categories`` stay
public (``intake.api.proposals``); changing them is the office's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import request

import workflows
from forms.admin import (
    AdminForm,
    CategoryForm,
    DepartmentForm,
    RoutingPreviewForm,
    RoutingRuleForm,
    UserCreateForm,
    UserForm,
)
from intake.admin import officers, operations, queries, shapes
from intake.admin.accounts import create_staff_account, resend_invitation
from intake.admin.changes import require_admin
from intake.core.actors import Actor
from intake.db import session
from intake.doors import request_links
from intake.errors import ActionError, Invalid, NotFound
from intake.explain import explain_for_form
from intake.i18n import translate
from intake.models import Category, Department, RoutingRule, User, utcnow
from intake.shapes import iso_datetime

from . import bp
from .auth import office_required
from .errors import lang
from .payload import STRICT, json_body, validated

_T = TypeVar("_T")


def _read(form_class: type[AdminForm], *, patch: bool = False, drop: tuple[str, ...] = ()
          ) -> AdminForm:
    """The request's JSON in the page's form, validated by the page's rules; a field the
    form does not know is refused by name (a typo must not pass as "nothing to change")."""
    payload = json_body()
    form = form_class.from_json(payload, lang=lang()).drop(*drop)
    if patch:
        form.partial(payload)
    unknown = [name for name in payload if name not in form]
    if unknown:
        raise Invalid(translate("api.error.invalid_fields", lang(), fields=", ".join(unknown)),
                      fields={name: [translate("admin.error.unknown_field", lang(),
                                               field=name)] for name in unknown},
                      translated=True)
    return validated(form, payload, accepts=STRICT)


def _perform(form: AdminForm, operation: Callable[[], _T]) -> _T:
    """Run the operation; word a refusal with the form's labels, as the page does."""
    try:
        return operation()
    except ActionError as exc:
        if not exc.translated:
            explained = explain_for_form(
                exc, form, lang(), fallback=lambda name: translate(f"api.field.{name}", lang()))
            exc.message, exc.fields, exc.translated = (explained.message, explained.fields,
                                                       True)
        raise


def _not_found() -> NotFound:
    return NotFound(translate("api.error.not_found", lang()), translated=True)


def _listed(model, code: str):
    row = queries.by_code(session(), model, code)
    if row is None:
        raise _not_found()
    return row


def _rule(rule_id: int) -> RoutingRule:
    rule = session().get(RoutingRule, rule_id) if 0 < rule_id <= 2**31 - 1 else None
    if rule is None or not rule.active:
        raise _not_found()
    return rule


# --- routing rules ------------------------------------------------------------------------


@bp.get("/routing-rules")
@office_required
def list_routing_rules(_user: User):
    return {"items": [shapes.rule(r) for r in queries.rules(session())], "next_cursor": None}


@bp.post("/routing-rules")
@office_required
def create_routing_rule(user: User):
    form = _read(RoutingRuleForm)
    rule = _perform(form, lambda: operations.create_rule(session(), Actor.staff(user),
                                                         form.values()))
    return shapes.rule(rule), 201


@bp.patch("/routing-rules/<int:rule_id>")
@office_required
def update_routing_rule(user: User, rule_id: int):
    rule = _rule(rule_id)
    form = _read(RoutingRuleForm, patch=True)
    _perform(form, lambda: operations.update_rule(session(), Actor.staff(user), rule,
                                                  form.values()))
    return shapes.rule(rule)


@bp.delete("/routing-rules/<int:rule_id>")
@office_required
def delete_routing_rule(user: User, rule_id: int):
    operations.retire_rule(session(), Actor.staff(user), _rule(rule_id))
    return "", 204


@bp.post("/routing/preview")
@office_required
def routing_preview(_user: User):
    form = _read(RoutingPreviewForm)
    decision = _perform(form, lambda: operations.preview_route(session(), **form.values()))
    return shapes.preview(decision, lang())


# --- departments and categories --------------------------------------------------------------


def _create_listed(user: User, model, form_class):
    form = _read(form_class, drop=("active",))
    row = _perform(form, lambda: operations.create_listed(session(), Actor.staff(user), model,
                                                          form.values()))
    return shapes.listed(row), 201


def _update_listed(user: User, model, form_class, code: str):
    row = _listed(model, code)
    form = _read(form_class, patch=True, drop=("code",))
    _perform(form, lambda: operations.update_listed(session(), Actor.staff(user), row,
                                                    form.values()))
    return shapes.listed(row)


@bp.post("/departments")
@office_required
def create_department(user: User):
    return _create_listed(user, Department, DepartmentForm)


@bp.patch("/departments/<code>")
@office_required
def update_department(user: User, code: str):
    return _update_listed(user, Department, DepartmentForm, code)


@bp.post("/categories")
@office_required
def create_category(user: User):
    return _create_listed(user, Category, CategoryForm)


@bp.patch("/categories/<code>")
@office_required
def update_category(user: User, code: str):
    return _update_listed(user, Category, CategoryForm, code)


# --- officers --------------------------------------------------------------------------------


@bp.get("/users")
@office_required
def list_users(_user: User):
    today = workflows.today_jst()
    return {"items": [shapes.user(u, today) for u in queries.users(session())],
            "next_cursor": None}


@bp.post("/users")
@office_required
def create_user(user: User):
    """A new account (administrators: 403 for the office); its owner is mailed an
    invitation to set a password.  Who may is asked first: the office is told 403, not
    what its body lacks."""
    require_admin(Actor.staff(user))
    form = _read(UserCreateForm)
    created = _perform(form, lambda: create_staff_account(
        session(), Actor.staff(user), utcnow, request_links(), form.values()))
    return shapes.user(created, workflows.today_jst()), 201


def _officer(user_id: int) -> User:
    target = session().get(User, user_id) if 0 < user_id <= 2**31 - 1 else None
    if target is None:
        raise _not_found()
    return target


@bp.post("/users/<int:user_id>/invitation")
@office_required
def resend_user_invitation(user: User, user_id: int):
    """A new invitation mailed to an account that has no password yet (administrators:
    403 for the office).  The body may be empty, or ``{"language": "ja"|"en"}``."""
    require_admin(Actor.staff(user))
    target = _officer(user_id)
    payload = json_body() if request.content_length else {}
    unknown = sorted(name for name in payload if name != "language")
    if unknown:
        raise Invalid(translate("api.error.invalid_fields", lang(), fields=", ".join(unknown)),
                      fields={name: [translate("admin.error.unknown_field", lang(),
                                               field=name)] for name in unknown},
                      translated=True)
    until = resend_invitation(session(), Actor.staff(user), utcnow, request_links(), target,
                              language=str(payload.get("language") or "ja"))
    return {"user": shapes.user(target, workflows.today_jst()),
            "expires_at": iso_datetime(until)}, 201


@bp.patch("/users/<int:user_id>")
@office_required
def update_user(user: User, user_id: int):
    target = _officer(user_id)
    form = _read(UserForm, patch=True)
    today = workflows.today_jst()
    _perform(form, lambda: officers.update_user(session(), Actor.staff(user), target,
                                                form.values(), today=today))
    return shapes.user(target, today)

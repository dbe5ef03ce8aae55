"""Officers (department, primary or deputy, absence, role, active) and API tokens.  A
role is an administrator's to change: the office's form has no role field, and the
operation refuses it anyway."""

from __future__ import annotations

from flask import abort, render_template, request, url_for

from forms.admin import TokenForm, UserCreateForm, UserForm
from intake.admin import officers, queries
from intake.admin.accounts import MAIL_LANGUAGES, create_staff_account, resend_invitation
from intake.admin.changes import require_admin
from intake.db import session as db
from intake.doors import request_links
from intake.errors import ActionError
from intake.explain import explain
from intake.models import ApiToken, Department, Role, User, utcnow
from workflows.calendar import today_jst

from .admin import attempt, done, me, office_page, plainly
from .common import bp, code_choices, lang, officer, t


def _users_page(form: UserCreateForm | None = None, problem=None):
    """The officers; for an administrator, the form that makes a new account (roles are
    theirs to give) and, beside an account with no password yet, "resend invitation"."""
    status, message = problem or (200, None)
    admin = officer().role == Role.admin
    if form is None and admin:
        form = account_form()
    return render_template("staff/admin/users.html", users=queries.users(db()),
                           today=today_jst(), form=form, problem=message,
                           admin=admin), status


def account_form(formdata=None) -> UserCreateForm:
    return UserCreateForm(formdata, lang=lang(), departments=code_choices(Department))


@bp.get("/admin/users")
@office_page
def admin_users():
    return _users_page()


@bp.post("/admin/users")
@office_page
def admin_user_create():
    """A new account, its invitation mailed (the operation refuses anyone but an
    administrator: 403)."""
    plainly(lambda: require_admin(me()))
    form = account_form(request.form)
    user, problem = attempt(form, lambda: create_staff_account(
        db(), me(), utcnow, request_links(), form.values()))
    if problem:
        # The fields say what is wrong; above them, the summary links to each.
        return _users_page(form, (problem[0], t("staff.error.form")) if form.errors
                           else problem)
    return done(t("admin.done.invited", email=user.email), ".admin_users")


def _user(user_id: int) -> User:
    user = db().get(User, user_id) if 0 < user_id <= 2**31 - 1 else None
    if user is None:
        abort(404)
    return user


@bp.post("/admin/users/<int:user_id>/invitation")
@office_page
def admin_user_invitation(user_id: int):
    """"Resend invitation": a new link mailed to an account with no password yet (the
    older links stop working), in the page's language.  Administrators only (403); an
    account with a password, or inactive, is refused above the list with the reason."""
    plainly(lambda: require_admin(me()))
    user = _user(user_id)
    language = lang() if lang() in MAIL_LANGUAGES else "ja"
    try:
        resend_invitation(db(), me(), utcnow, request_links(), user, language=language)
    except ActionError as exc:
        if exc.status == 403:
            abort(403)
        db().rollback()
        return _users_page(problem=(exc.status, explain(exc, lang(), t).message))
    return done(t("admin.done.invited_again", email=user.email), ".admin_users")


def user_form(formdata=None, **kwargs) -> UserForm:
    form = UserForm(formdata, lang=lang(), departments=code_choices(Department), **kwargs)
    return form if officer().role == Role.admin else form.drop("role")


def _user_page(user: User, form: UserForm, problem=None):
    status, message = problem or (200, None)
    return render_template(
        "staff/admin/edit.html", form=form, problem=message,
        title=t("admin.users.edit", name=user.display_name or user.email), code=user.email,
        action=url_for(".admin_user_edit", user_id=user.id),
        back=url_for(".admin_users"), back_label=t("admin.users.title"),
    ), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@office_page
def admin_user_edit(user_id: int):
    user = _user(user_id)
    if request.method == "GET":
        return _user_page(user, user_form(data={
            "name": user.display_name, "department": user.department.code if user.department
            else "", "primary": user.is_primary, "absent": user.absent,
            "absent_from": user.absent_from.isoformat() if user.absent_from else "",
            "absent_to": user.absent_to.isoformat() if user.absent_to else "",
            "active": user.active, "role": user.role.value}))
    form = user_form(request.form)
    _result, problem = attempt(form, lambda: officers.update_user(
        db(), me(), user, form.values(), today=today_jst()))
    if problem:
        return _user_page(user, form, problem)
    return done(t("admin.done.saved", name=user.display_name or user.email), ".admin_users")


# --- API tokens ----------------------------------------------------------------------------


def token_form(formdata=None) -> TokenForm:
    users = [(str(u.id), f"{u.display_name or u.email} <{u.email}>")
             for u in queries.users(db()) if u.active]
    return TokenForm(formdata, lang=lang(), users=users)


def _tokens_page(form: TokenForm | None = None, problem=None, new_token: str | None = None):
    status, message = problem or (200, None)
    headers = {"Cache-Control": "no-store"} if new_token else {}
    return render_template("staff/admin/tokens.html", tokens=queries.tokens(db()),
                           form=form or token_form(), problem=message,
                           new_token=new_token), status, headers


@bp.get("/admin/tokens")
@office_page
def admin_tokens():
    return _tokens_page()


@bp.post("/admin/tokens")
@office_page
def admin_token_create():
    """The new token is shown on this answer only (never stored, never in a redirect)."""
    form = token_form(request.form)
    holder = None
    if (form.user.data or "").isdigit() and int(form.user.data) <= 2**31 - 1:
        holder = db().get(User, int(form.user.data))
    if holder is None and form.validate():
        form.user.errors = [t("admin.error.unknown_user")]
        return _tokens_page(form, (422, t("staff.error.form")))
    result, problem = attempt(form, lambda: officers.create_token(
        db(), me(), holder, form.label.data.strip()))
    if problem:
        return _tokens_page(form, problem)
    return _tokens_page(new_token=result[0])


@bp.post("/admin/tokens/<int:token_id>/revoke")
@office_page
def admin_token_revoke(token_id: int):
    token = db().get(ApiToken, token_id) if 0 < token_id <= 2**31 - 1 else None
    if token is None:
        abort(404)
    plainly(lambda: officers.revoke_token(db(), me(), token))
    return done(t("admin.done.revoked", label=token.label or token.id), ".admin_tokens")

"""Sign in and out (Flask-Login over ``auth.authenticate``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_user, logout_user

from forms.staff import LoginForm, TotpForm
from intake import auth
from intake.db import session as db
from intake.models import utcnow
from intake.ratelimit import limit_sign_in
from intake.security import lockout, sessions, totp
from intake.security.sessions import user_for_session_id

from .common import bp, format_jst, lang, officer, t


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: ``next`` must not become an open
    redirect (``//evil.example``, ``/\\evil.example``, ``https://…`` all answer None)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 0x20 or c == "\x7f" for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


# Between a right password and the code: who, where to, since when (in the signed cookie).
PENDING = "totp_pending"
CODE_WAIT = 300  # seconds to type the code before starting again


def _account_signing_in() -> str:
    return auth.account_email(request.form.get("email", ""))


def _account_giving_code() -> str:
    pending = flask_session.get(PENDING)
    return str(pending.get("user", "")) if isinstance(pending, dict) else ""


@bp.route("/login", methods=["GET", "POST"])
@limit_sign_in(_account_signing_in)
def login():
    if current_user.is_authenticated:
        return redirect(local_path(request.args.get("next")) or url_for(".queue"))
    form = LoginForm(request.form if request.method == "POST" else None, lang=lang(),
                     next=request.args.get("next", ""))
    problem = None
    if request.method == "POST" and form.validate():
        signed = auth.authenticate(db(), form.email.data, form.password.data, utcnow())
        if signed.user is not None:
            flask_session.clear()  # nothing of an earlier visitor's session carries over
            target = local_path(form.next.data) or url_for(".queue")
            if signed.user.totp_secret:  # the password was right; now the second factor
                flask_session[PENDING] = {"user": signed.user.get_id(), "next": target,
                                          "at": utcnow().timestamp()}
                return redirect(url_for(".login_code"))
            return _signed_in(signed.user, target)
        if signed.locked_until is not None:
            problem = t("staff.login.locked", until=format_jst(signed.locked_until))
        else:  # one message for an unknown e-mail and a wrong password alike
            problem = t("staff.login.failed")
    return render_template("staff/login.html", form=form, problem=problem)


def _signed_in(user, target: str):
    login_user(user)
    sessions.start(flask_session, utcnow())
    return redirect(target)


@bp.route("/login/code", methods=["GET", "POST"])
@limit_sign_in(_account_giving_code)
def login_code():
    """The second step for an officer with two-step sign-in: the app's 6-digit code."""
    pending = flask_session.get(PENDING)
    user = None
    if isinstance(pending, dict) and utcnow().timestamp() - pending.get("at", 0) < CODE_WAIT:
        user = user_for_session_id(db(), str(pending.get("user", "")))
    if user is None:
        flask_session.pop(PENDING, None)
        return redirect(url_for(".login"))
    form = TotpForm(request.form if request.method == "POST" else None, lang=lang())
    problem = None
    if request.method == "POST" and form.validate():
        now = utcnow()
        if lockout.locked(user, now):
            problem = t("staff.login.locked", until=format_jst(user.locked_until))
        elif totp.use_code(user, form.code.data, now):
            lockout.record_success(user)
            flask_session.pop(PENDING, None)
            return _signed_in(user, pending["next"])
        elif lockout.record_failure(db(), user, now):
            problem = t("staff.login.locked", until=format_jst(user.locked_until))
        else:
            problem = t("staff.totp.wrong")
    status = 422 if problem else 200
    return render_template("staff/login_code.html", form=form, problem=problem), status


@bp.post("/logout")
def logout():
    """Sign out here and everywhere: the session version rises, so a copy of this
    session's cookie stops working too (:mod:`intake.security.sessions`)."""
    if current_user.is_authenticated:
        sessions.end_every_session(officer())
    logout_user()
    flask_session.clear()
    flash(t("staff.logout.done"), "info")
    return redirect(url_for(".login"))

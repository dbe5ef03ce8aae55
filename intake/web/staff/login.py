"""Sign in and out (Flask-Login over ``auth.authenticate``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_user, logout_user

from forms.staff import LoginForm
from intake import auth
from intake.db import session as db
from intake.models import utcnow
from intake.ratelimit import LOGIN_LIMIT, limiter
from intake.security import sessions

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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
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
            login_user(signed.user)
            sessions.start(flask_session, utcnow())
            return redirect(local_path(form.next.data) or url_for(".queue"))
        if signed.locked_until is not None:
            problem = t("staff.login.locked", until=format_jst(signed.locked_until))
        else:  # one message for an unknown e-mail and a wrong password alike
            problem = t("staff.login.failed")
    return render_template("staff/login.html", form=form, problem=problem)


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

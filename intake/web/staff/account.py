"""The officer's own account: a new password (``/staff/account/password``) and two-step
sign-in (``/staff/account/totp``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import login_user

from forms.staff import PasswordChangeForm, TotpForm
from intake.db import session as db
from intake.errors import Invalid
from intake.i18n import translate
from intake.models import utcnow
from intake.security import sessions, totp
from intake.security.accounts import change_password

from .common import bp, lang, officer, t

# The operation's rule codes in words: the field's message.
MESSAGES = {"wrong": "staff.password.wrong_current"}


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    user = officer()
    form = PasswordChangeForm(request.form if request.method == "POST" else None, lang=lang(),
                              user_inputs=[user.email, user.display_name])
    if request.method == "POST" and form.validate():
        try:
            change_password(db(), user, current=form.current_password.data,
                            new=form.new_password.data, now=utcnow())
        except Invalid as refused:
            for name, rules in refused.fields.items():
                form[name].errors = [translate(MESSAGES.get(rule, rule), lang())
                                     for rule in rules]
            return render_template("staff/password.html", form=form), 422
        login_user(user)  # this browser stays signed in, with the new session version
        sessions.start(flask_session, utcnow())
        flash(t("staff.password.done"), "success")
        return redirect(url_for(".queue"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("staff/password.html", form=form), status


# The secret shown while enrolling waits in the signed session cookie until confirmed.
ENROLLING = "totp_enrolling"


@bp.route("/account/totp", methods=["GET", "POST"], endpoint="totp")
def totp_page():
    user = officer()
    if user.totp_secret:
        return render_template("staff/totp.html", enabled=True)
    secret = flask_session.get(ENROLLING)
    if not isinstance(secret, str) or request.method == "GET":
        secret = flask_session[ENROLLING] = totp.new_secret()
    form = TotpForm(request.form if request.method == "POST" else None, lang=lang())
    problem = None
    if request.method == "POST" and form.validate():
        if totp.enrol(user, secret, form.code.data, utcnow()):
            flask_session.pop(ENROLLING, None)
            flash(t("staff.totp.done"), "success")
            return redirect(url_for(".queue"), 303)
        problem = t("staff.totp.wrong")
    qr = totp.qr_svg(totp.provisioning_uri(user, secret), t("staff.totp.qr"))
    page = render_template("staff/totp.html", enabled=False, form=form, secret=secret, qr=qr,
                           problem=problem)
    return page, 422 if problem else 200

"""The officer's own account: a new password (``/staff/account/password``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import login_user

from forms.staff import PasswordChangeForm
from intake.errors import Invalid
from intake.i18n import translate
from intake.models import utcnow
from intake.security import sessions
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
            change_password(user, current=form.current_password.data,
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

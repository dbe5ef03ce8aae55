"""Setting a password from a mailed link (an invitation to a new account, a forgotten
password), and "forgot your password?" that mails one.

Both pages are open to anyone (the link's token is the key); neither signs anyone in:
after setting a password the officer signs in on the sign-in page, with its lock-out and
two-step sign-in (:mod:`intake.security.password_links`).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from forms.staff import ForgotPasswordForm, PasswordSetForm
from intake.db import session as db
from intake.doors import request_links
from intake.errors import Invalid
from intake.i18n import translate
from intake.models import LinkPurpose, utcnow
from intake.ratelimit import limit_password_resets
from intake.security import password_links

from .common import bp, lang, t

# Why a link cannot be used → (status, message): a link never made (or of an account no
# longer active) is not found; a used or expired one is gone.
REFUSALS = {"unknown": (404, "staff.password_link.unknown"),
            "used": (410, "staff.password_link.used"),
            "expired": (410, "staff.password_link.expired")}


def _dead_link(refusal: str):
    status, key = REFUSALS[refusal]
    return render_template("staff/password_link_dead.html", message=t(key)), status


@bp.route("/password/<token>", methods=["GET", "POST"], endpoint="password_link")
def password_link(token: str):
    state = password_links.look_up(db(), token, utcnow())
    if state.user is None:
        return _dead_link(state.refusal)
    user = state.user
    form = PasswordSetForm(request.form if request.method == "POST" else None, lang=lang(),
                           user_inputs=[user.email, user.display_name])
    if request.method == "POST" and form.validate():
        try:
            password_links.set_password(db(), token, form.new_password.data, clock=utcnow)
        except Invalid as refused:
            if "link" in refused.fields:
                return _dead_link(refused.fields["link"][0])
            form.new_password.errors = [translate(rule, lang())
                                        for rule in refused.fields["new_password"]]
        else:
            flash(t("staff.password_link.done"), "success")
            return redirect(url_for(".login"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("staff/password_link.html", form=form, user=user,
                           invitation=state.link.purpose == LinkPurpose.invite), status


@bp.route("/forgot-password", methods=["GET", "POST"], endpoint="forgot_password")
@limit_password_resets(methods=["POST"])
def forgot_password():
    """The same answer whether or not the address is an account's."""
    form = ForgotPasswordForm(request.form if request.method == "POST" else None, lang=lang())
    if request.method == "POST" and form.validate():
        password_links.request_reset(db(), form.email.data, links=request_links(),
                                     language=lang(), clock=utcnow)
        flash(t("staff.forgot.sent"), "info")
        return redirect(url_for(".login"), 303)
    status = 422 if form.errors else 200
    return render_template("staff/forgot_password.html", form=form), status

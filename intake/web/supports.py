"""Supports (賛同) on the public pages: the form on a proposal's page and the page the
confirmation mail links to (:mod:`intake.supports.operations` decides everything).

The link in the mail opens a page with a button; only the button's POST confirms, so a
mail scanner or link preview that fetches the link counts nothing.  The confirmation
page's address holds the token, so it is sent ``no-referrer`` and ``no-store`` like the
tracking pages (``PRIVATE_ENDPOINTS`` in :mod:`intake.web.public`).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from .. import queries
from ..db import session
from ..doors import request_links
from ..errors import ActionError
from ..privacy.public import public_text
from ..ratelimit import limit_supports
from ..supports.operations import (
    confirm_support,
    request_support,
    support_for_token,
    supports_open,
)
from .public import (
    _lang,
    _min_fill_seconds,
    _proposal_page,
    _published_or_404,
    _support_form,
    _t,
    bp,
    to_the_form_page,
)


@bp.post("/proposals/<int:proposal_id>/supports")
@limit_supports()
def support(proposal_id: int):
    found = _published_or_404(proposal_id)
    if not supports_open(found):  # say so before anything else is checked
        return _proposal_page(found, problems=[_t("public.support.closed")], status=409)
    form = _support_form(request.form)
    if not form.validate():
        return _proposal_page(found, support_form=form, status=422)
    if form.looks_like_spam(current_app.secret_key, _min_fill_seconds()):
        return _proposal_page(found, support_form=form, problems=[_t("error.spam")],
                              status=422)
    try:
        request_support(session(), found, **form.support(), links=request_links(),
                        language=_lang())
    except ActionError as exc:  # closed a moment ago, or a lost race
        session().rollback()
        closed = exc.code == "supports_closed"
        problem = _t("public.support.closed" if closed else "public.support.error.again")
        return _proposal_page(found, support_form=form, problems=[problem],
                              status=exc.status)
    # The same words whether the address is new, waiting or already counted.
    flash(_t("public.support.sent"), "success:supports")
    return redirect(url_for(".proposal", proposal_id=found.id, _anchor="supports"), 303)


@bp.get("/proposals/<int:proposal_id>/supports")
def supports(proposal_id: int):
    """The support form's address opened (after a refused post): the proposal's page."""
    return to_the_form_page(".proposal", proposal_id=proposal_id, _anchor="supports")


@bp.route("/supports/confirm/<token>", methods=["GET", "POST"])
def support_confirm(token: str):
    """GET: the proposal and a button; POST: count the support (once, however often)."""
    db = session()
    found = support_for_token(db, token)
    if found is None:
        return _confirm_page(None, token, message=_t("public.support.confirm.invalid"),
                             status=404)
    proposal = _published_or_none(found.proposal_id)
    if request.method == "GET":
        if found.confirmed_at is not None:
            return _confirm_page(proposal, token, message=_t("public.support.confirm.done"),
                                 done=True)
        if proposal is None or not supports_open(proposal):
            return _confirm_page(proposal, token,
                                 message=_t("public.support.confirm.closed"), status=409)
        return _confirm_page(proposal, token)
    try:
        confirm_support(db, token)
    except ActionError as exc:  # the proposal closed (or left the public) since the mail
        db.rollback()
        return _confirm_page(proposal, token, message=_t("public.support.confirm.closed"),
                             status=exc.status)
    flash(_t("public.support.confirm.done"), "success:supports")
    return redirect(url_for(".proposal", proposal_id=found.proposal_id, _anchor="supports"),
                    303)


def _published_or_none(proposal_id: int):
    return queries.published_proposal(session(), proposal_id)


def _confirm_page(proposal, token: str, *, message: str | None = None, done: bool = False,
                  status: int = 200):
    return render_template(
        "public/support_confirm.html", proposal=proposal,
        title=public_text(proposal).title if proposal is not None else None,
        token=token, message=message, done=done,
    ), status

"""Public pages (SPEC sections 2 and 5): the proposal form and its receipt,
the proposer's private tracking page, and the published proposals.

Citizens have no accounts.  The token in ``/track/<token>`` is the
proposer's only key, so the pages that show it are sent with
``Referrer-Policy: no-referrer`` (a link followed from them must not carry
the URL away) and ``Cache-Control: no-store`` (a shared computer must not
keep them).

Routes stay thin: they build the form or read the token, call one operation
or query, commit, and render.  The lookups are :mod:`intake.queries`' and
what the public may read is decided by :mod:`intake.serializers`, the same
functions the JSON API answers with; what this module adds is presentation
only: the proposer's buttons, the forms, error pages in the reader's
language.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException

from forms.comment import WebCommentForm
from forms.proposal import WebProposalForm
from forms.spam import MIN_FILL_SECONDS
from forms.support import WebSupportForm
from forms.tracking import TrackingLookupForm

from .. import queries, serializers
from ..api.payload import storable
from ..body_text import body_is_utf8
from ..db import session
from ..deliberation.operations import add_comment
from ..doors import request_links, request_storage
from ..errors import ActionError
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from ..models import CommentStatus, Proposal
from ..privacy.public import public_comments, public_text
from ..proposals.operations import submit_proposal
from ..ratelimit import limit_comments, limit_submissions, limiter
from ..supports.operations import supports_open
from .page_text import RUBY_CHOICES
from .tracking_link import link_context
from .user_text import comments_were_open

bp = Blueprint("public", __name__)

RECENT_COUNT = 5
PAGE_SIZE = 20
# How long /submitted shows the receipt again in the browser that sent it (see submitted()).
RECEIPT_SHOWN_FOR_SECONDS = 30 * 60
# Pages that show a tracking token or link (see the module docstring).
PRIVATE_ENDPOINTS = frozenset({"public.submitted", "public.track", "public.track_action",
                               "public.track_action_page",
                               "public.track_receipt", "public.track_lookup",
                               "public.support_confirm", "public.track_attachment",
                               "public.track_attachment_thumbnail"})
# Error pages with their own wording; any other status gets the general one.
ERROR_PAGES = {400: "bad_request", 404: "not_found", 405: "not_a_page", 413: "too_large",
               429: "too_many"}


def _lang() -> str:
    return g.get("lang", DEFAULT_LANGUAGE)


def _t(key: str, **params: object) -> str:
    return translate(key, _lang(), **params)


# --- start page -----------------------------------------------------------------------------


@bp.get("/")
def index():
    recent = queries.published_proposals(session(), queries.Filters(), limit=RECENT_COUNT)
    return render_template("public/index.html", recent=recent.items)


# --- the proposal form ---------------------------------------------------------------------


def _proposal_form(formdata=None) -> WebProposalForm:
    return WebProposalForm(formdata, lang=_lang(), **queries.form_choices(session(), _lang()))


def _min_fill_seconds() -> float:
    """Configurable so tests (and a city that finds 3 s too strict) can change it."""
    return float(current_app.config.get("TEIAN_MIN_FILL_SECONDS", MIN_FILL_SECONDS))


def _form_page(form: WebProposalForm, *, problems: list[str] | tuple = (), status: int = 200):
    """The form, with whatever the visitor typed; the fill timer restarts."""
    form.issue_timer(current_app.secret_key)
    return render_template("public/propose.html", form=form, problems=problems), status


@bp.route("/propose", methods=["GET", "POST"])
@limit_submissions(methods=["POST"])
def propose():
    if request.method == "GET":
        return _form_page(_proposal_form())
    form = _proposal_form(CombinedMultiDict([request.files, request.form]))
    if not form.validate():
        form.attachments.ask_again(form)  # files are not kept: the page asks for them
        return _form_page(form, status=422)
    if form.looks_like_spam(current_app.secret_key, _min_fill_seconds()):
        return _form_page(form, problems=[_t("error.spam")], status=422)
    try:
        proposal, token = submit_proposal(session(), form.submission(), channel="web",
                                          links=request_links(), storage=request_storage())
    except ActionError:
        # Only a race gets here (a theme switched off while the form was open).
        return _form_page(form, problems=[_t("public.error.try_again")], status=422)
    # Post/Redirect/Get, so a reload or the back button cannot resubmit: the token waits
    # in the (signed) session cookie, with the moment it was sent (see submitted()).
    flask_session["receipt"] = {"id": proposal.id, "token": token, "at": int(time.time())}
    return redirect(url_for(".submitted"), 303)


def receipt_still_shown(receipt: object, now: float) -> bool:
    """Whether the session's receipt may still be shown at ``now`` (seconds since the epoch):
    for RECEIPT_SHOWN_FOR_SECONDS after it was sent, never before (a clock set back)."""
    if not (isinstance(receipt, dict) and isinstance(receipt.get("id"), int)
            and isinstance(receipt.get("token"), str) and isinstance(receipt.get("at"), int)):
        return False
    return 0 <= now - receipt["at"] <= RECEIPT_SHOWN_FOR_SECONDS


@bp.get("/submitted")
def submitted():
    """The receipt number and the private tracking link, for a short while only.

    For a proposer without e-mail this page is the only copy of their key, so it must
    survive the language switcher, a reload and Back: the same browser sees it again for
    30 minutes after sending.  Not longer, because the browser may be a shared computer
    (a library's, a community centre's) and the next person must not find the link; once
    the time is past the session forgets it.
    """
    receipt = flask_session.get("receipt")
    proposal = None
    if receipt_still_shown(receipt, time.time()):
        proposal = queries.proposal_by_id(session(), receipt["id"])
    if proposal is None:
        flask_session.pop("receipt", None)
        return render_template("public/submitted.html", proposal=None)
    return render_template(
        "public/submitted.html",
        proposal=proposal,
        receipt_url=url_for(".track_receipt", token=receipt["token"]),
        shown_minutes=RECEIPT_SHOWN_FOR_SECONDS // 60,
        **link_context(proposal, receipt["token"]),
    )


# --- published proposals --------------------------------------------------------------------


def _published_or_404(proposal_id: int) -> Proposal:
    found = queries.published_proposal(session(), proposal_id)
    if found is None:
        abort(404)
    return found


def _comment_form(formdata=None) -> WebCommentForm:
    return WebCommentForm(formdata, lang=_lang())


def _support_form(formdata=None) -> WebSupportForm:
    # Prefixed: the comment form on the same page has a ``name`` field and a honeypot too.
    return WebSupportForm(formdata, lang=_lang(), prefix="support")


def _proposal_page(proposal: Proposal, *, form: WebCommentForm | None = None,
                   support_form: WebSupportForm | None = None,
                   problems: list[str] | tuple = (), status: int = 200):
    """The public page; while comments are open, with the comment form, and while
    supports are open, with the support form (after a refused post, with what the
    visitor typed and why it was refused)."""
    period = proposal.comment_period()
    if period.open:
        form = form or _comment_form()
        form.issue_timer(current_app.secret_key)
    if supports_open(proposal):
        support_form = support_form or _support_form()
        support_form.issue_timer(current_app.secret_key)
    else:
        support_form = None
    timeline = serializers.timeline_entries(queries.history(session(), proposal.id),
                                            kind=proposal.kind, audience="public")
    return render_template(
        "public/proposal.html",
        proposal=proposal,
        text=public_text(proposal),
        proposer=serializers.public_proposer(proposal),
        timeline=timeline,
        comments=public_comments(proposal),
        period=period,
        comments_were_open=comments_were_open(proposal, timeline),
        form=form if period.open else None,
        support_form=support_form,
        problems=problems,
        attachments=[a for a in proposal.attachments if a.is_published],
    ), status



@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    return _proposal_page(_published_or_404(proposal_id))


# A refused comment's words by the operation's code (the API says the same through
# intake.explain: staff.error.<code>).
COMMENT_REFUSALS = {"comments_closed": "public.comment.error.closed",
                    "duplicate_comment": "staff.error.duplicate_comment"}


@bp.post("/proposals/<int:proposal_id>/comments")
@limit_comments()
def comment(proposal_id: int):
    found = _published_or_404(proposal_id)
    if not found.comment_period().open:  # say so before anything else is checked
        return _proposal_page(found, problems=[_t("public.comment.error.closed")], status=409)
    form = _comment_form(request.form)
    if not form.validate():
        return _proposal_page(found, form=form, status=422)
    if form.looks_like_spam(current_app.secret_key, _min_fill_seconds()):
        return _proposal_page(found, form=form, problems=[_t("error.spam")], status=422)
    try:
        posted = add_comment(session(), found, **form.comment())
    except ActionError as exc:
        # Comments closed a moment ago, the same comment again, or a lost race.
        session().rollback()  # the page below shows the proposal as it stands
        problem = _t(COMMENT_REFUSALS.get(exc.code, "public.comment.error.again"))
        return _proposal_page(found, form=form, problems=[problem], status=exc.status)
    held = posted.status == CommentStatus.held  # contact details: a person looks first
    # Shown beside the comments heading (templates/public/proposal.html), where the
    # redirect's anchor lands, so the visitor sees it without scrolling.
    flash(_t("public.comment.held" if held else "public.comment.thanks"), "success:comments")
    return redirect(url_for(".proposal", proposal_id=found.id, _anchor="comments"), 303)


def to_the_form_page(endpoint: str, **values: object):
    """A GET of an address that only takes a form's POST — Enter in the address bar after
    a refused post, a bookmark, a shared link — opens the page the form is on, in the
    language and with the readings the address asked for (the header's links on a
    refused form's page lead here), instead of a 405."""
    lang, ruby = request.args.get("lang"), request.args.get("ruby")
    return redirect(url_for(endpoint, lang=lang if lang in LANGUAGES else None,
                            ruby=ruby if ruby in RUBY_CHOICES else None, **values), 303)


@bp.get("/proposals/<int:proposal_id>/comments")
def comments(proposal_id: int):
    """Where the language switcher of a refused comment's page leads: the page itself."""
    return to_the_form_page(".proposal", proposal_id=proposal_id, _anchor="comments")


# --- page furniture: private headers, error pages, template helpers ---------------------------


@bp.after_request
def _keep_private_pages_private(response):
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(status: int, message: str | None = None, *, back: str | None = None,
                title: str | None = None):
    """The public error page; ``back``: the list's first page, for a broken list link;
    ``title``: the page's own heading where the status's general one would be jargon."""
    page = ERROR_PAGES.get(status, "other")
    return render_template(
        "public/error.html",
        status=status,
        back=back,
        title=title or _t(f"public.error.{page}.title"),
        message=message or _t(f"public.error.{page}.body"),
    ), status


@bp.before_request
def _refuse_unstorable_text():
    """A NUL (no person types one) would make PostgreSQL refuse the row — or the query
    a filter or search builds — with a 500: refuse the whole request first."""
    if request.method == "POST" and not body_is_utf8():
        return _not_utf8()
    values = [*request.args.items(multi=True)]
    if request.method == "POST":
        values += request.form.items(multi=True)
    if not all(storable(name) and storable(value) for name, value in values):
        return _error_page(400, _t("public.error.characters"))
    return None


def _not_utf8():
    """A body that is not UTF-8 was not read (:mod:`intake.body_text`): the form again,
    empty, saying why."""
    problems = [_t("public.error.not_utf8")]
    return _form_again(problems, 400) or _error_page(400, problems[0])


def _form_again(problems: list[str], status: int):
    """A form refused before it was read (CSRF, rate limit), shown again with what
    the visitor typed; None for requests that posted no form of ours."""
    if request.method != "POST":
        return None
    if request.endpoint == "public.propose":
        return _form_page(_proposal_form(request.form), problems=problems, status=status)
    if request.endpoint in ("public.comment", "public.support"):
        found = queries.published_proposal(session(), request.view_args["proposal_id"])
        if found is not None:
            forms = ({"form": _comment_form(request.form)} if request.endpoint == "public.comment"
                     else {"support_form": _support_form(request.form)})
            return _proposal_page(found, problems=problems, status=status, **forms)
    if request.endpoint == "public.track_lookup":
        form = TrackingLookupForm(request.form, lang=_lang())
        return render_template("public/track_lookup.html", form=form,
                               problems=problems), status
    return None


def _too_many() -> str:
    """A refused submission or comment: what happened, that nothing typed is lost, and
    when sending again will work (the limit's own reset time)."""
    key = {"public.propose": "public.propose.too_many",
           "public.comment": "public.comment.too_many"}.get(request.endpoint)
    current = limiter.current_limit
    if key is None or current is None:
        return _t("public.error.too_many.body")
    minutes = max(1, round((current.reset_at - time.time()) / 60))  # reset_at: whole s, +1
    return _t(f"{key}_one" if minutes == 1 else key, minutes=minutes)  # "a minute", not "1 minutes"


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    if isinstance(exc, CSRFError) and not body_is_utf8():
        return _not_utf8()  # the token was in the body nobody could read
    if isinstance(exc, CSRFError):
        problems = [_t("error.csrf"), _t("public.error.cookies")]
        return _form_again(problems, 400) or _error_page(400, " ".join(problems))
    if exc.code == 429:
        return _form_again([_too_many()], 429) or _error_page(429)
    return _error_page(exc.code)


# Flask prefers a handler for a status code to one for a class, and the API
# registers application-wide ones per code; so these pages register theirs
# per code too (a blueprint's own handler for a code wins for its routes).
for _status in ERROR_PAGES:
    bp.register_error_handler(_status, _http_error)
bp.register_error_handler(HTTPException, _http_error)


@bp.app_errorhandler(404)
def _no_such_page(_exc: HTTPException):
    """An address that matches no route at all (the API answers its own in JSON)."""
    return _error_page(404)


from . import (  # noqa: E402,F401  (more pages and the template helpers, on this blueprint)
    attachments,
    feeds,
    opendata,
    public_helpers,
    public_list,
    site_pages,
    supports,
    tracking,
    tracking_files,
)

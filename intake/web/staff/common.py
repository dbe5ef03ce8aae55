"""What every staff page shares: the blueprint, the login requirement, the error pages,
and the small helpers templates ask (times in Japan time, state labels, overdue)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

import workflows
from intake import access
from intake.api.payload import storable
from intake.body_text import body_is_utf8
from intake.dates import people_date, people_datetime
from intake.db import session as db
from intake.i18n import DEFAULT_LANGUAGE, EASY_LANGUAGE, STAFF_LANGUAGE_NAMES, translate
from intake.models import Proposal, User, utcnow
from intake.security import sessions, totp
from intake.workflow.status import status_label
from workflows.calendar import today_jst

bp = Blueprint("staff", __name__, url_prefix="/staff")

# Open to anyone: signing in, and the pages a mailed link opens or that mail one.
OPEN_ENDPOINTS = frozenset({"staff.login", "staff.login_code", "staff.password_link",
                            "staff.forgot_password"})
# Where an officer who must set up two-step sign-in may still go.
ENROLMENT_ENDPOINTS = frozenset({"staff.totp", "staff.logout"})


def t(key: str, **params: object) -> str:
    """``key`` in the language of this request."""
    return translate(key, lang(), **params)


def lang() -> str:
    return g.get("lang", DEFAULT_LANGUAGE)


def officer() -> User:
    """The signed-in user as a model object (not Flask-Login's proxy), to hand to
    operations that keep it."""
    return current_user._get_current_object()


@bp.before_request
def _no_easy_japanese() -> None:
    """Staff pages are not translated into easy Japanese: asked for it (a cookie left by
    the public pages, ``?lang=ja-easy``), they are shown in Japanese."""
    if g.get("lang") == EASY_LANGUAGE:
        g.lang = DEFAULT_LANGUAGE


@bp.before_request
def _refuse_unstorable_text():
    """A body that is not UTF-8 was not read (:mod:`intake.body_text`): say so, not that
    the form was empty.  A NUL in a filter or a form would make PostgreSQL fail the query
    with a 500."""
    if request.method == "POST" and not body_is_utf8():
        return _not_utf8()
    values = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if not all(storable(name) and storable(value) for name, value in values):
        return error_page(400, t("public.error.characters"))
    return None


@bp.before_request
def _require_login():
    """Every staff page but the login page needs a signed-in officer whose session has
    not timed out (:mod:`intake.security.sessions`).  Checked once here, so a new page
    cannot forget it."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        settings = current_app.config["TEIAN"]
        if not sessions.expired(flask_session, utcnow(),
                                idle=timedelta(minutes=settings.staff_idle_minutes),
                                absolute=timedelta(hours=settings.staff_session_hours)):
            user = officer()
            if (totp.required_for(user, settings.require_totp) and not user.totp_secret
                    and request.endpoint not in ENROLMENT_ENDPOINTS):
                flash(t("staff.totp.required"), "info")
                return redirect(url_for("staff.totp"))
            return None
        logout_user()
        flask_session.clear()
        flash(t("staff.login.expired"), "info")
    else:
        flash(t("staff.login.required"), "info")
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("staff.login", next=back))


def error_page(status: int, message: str):
    """A page that says only what went wrong: nothing of the object asked for."""
    return render_template("staff/error.html", status=status, message=message), status


def _not_utf8():
    return error_page(400, t("public.error.not_utf8"))


def _handler(status: int, key: str):
    return lambda _exc: error_page(status, t(key))


def _csrf_refused(_exc: CSRFError):
    """The CSRF check runs before any page: when the body could not be read its token was
    in it, and the true reason is the encoding, not an expired form."""
    if not body_is_utf8():
        return _not_utf8()
    return error_page(400, t("error.csrf"))


for _status, _key in (
    (400, "staff.error.bad_request"),
    (403, "staff.error.forbidden_page"),
    (404, "staff.error.not_found"),
    (429, "staff.error.too_many"),
):
    bp.register_error_handler(_status, _handler(_status, _key))
bp.register_error_handler(CSRFError, _csrf_refused)


def builtin_workflows() -> list[workflows.Workflow]:
    """The shipped workflows, the largest (the default ``proposal``) first."""
    loaded = [workflows.get_workflow(name) for name in workflows.builtin_workflow_names()]
    return sorted(loaded, key=lambda wf: -len(wf.states))


def viewable_proposal(proposal_id: int) -> Proposal:
    """The proposal, if it exists (404) and the officer may see it (403)."""
    proposal = db().get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    if not access.can_view(officer(), proposal):
        abort(403)
    return proposal


def actionable_proposal(proposal_id: int) -> Proposal:
    """The proposal, if the officer may act on it — its lead department's liaison or the
    office (403 otherwise) — checked before the form is read, so a department that may
    only see it (asked for an opinion) learns nothing from validation messages.  The
    operation checks its own finer rule again."""
    proposal = viewable_proposal(proposal_id)
    if access.workflow_role(officer(), proposal) is None:
        abort(403)
    return proposal


def code_choices(model, *, exclude_id: int | None = None) -> list[tuple[str, str]]:
    """(code, name) of a code list's active rows (departments, categories) or every row
    (districts), in the order the office set, for a select."""
    query = select(model)
    if hasattr(model, "active"):
        query = query.where(model.active.is_(True))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    order = [model.sort_order] if hasattr(model, "sort_order") else []
    rows = db().execute(query.order_by(*order, model.id)).scalars()
    return [(row.code, row.name(lang())) for row in rows]


def format_jst(moment: datetime | date | None, *, time: bool = True) -> str:
    """A moment as people read it in Japan time (``2026年12月4日（金） 10:00``; without
    ``time``, its day), a date as ``2026年12月4日（金）`` — in the request's language
    (:mod:`intake.dates`).  Forms and files keep ISO dates; pages show these."""
    if moment is None:
        return ""
    if isinstance(moment, datetime) and time:
        return people_datetime(moment, lang())
    return people_date(moment, lang())


def name_in(row, fallback: str = "") -> str:
    """A department's, category's or district's name in this request's language;
    ``fallback`` for none (a proposal in triage has no department)."""
    return row.name(lang()) if row is not None else fallback


@bp.context_processor
def _page_helpers() -> dict:
    today = today_jst()
    language = lang()
    return {
        "jst": format_jst,
        "today": today,
        "overdue": lambda proposal: proposal.is_overdue(today),
        "state_label": lambda proposal: status_label(proposal, language),
        "name_in": name_in,
        "languages": STAFF_LANGUAGE_NAMES,  # no easy Japanese on staff pages
    }

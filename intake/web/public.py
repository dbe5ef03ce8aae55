"""Public pages (SPEC sections 2 and 5): the proposal form and its receipt,
the proposer's private tracking page, and the published proposals.

Citizens have no accounts.  The token in ``/track/<token>`` is the
proposer's only key, so the pages that show it are sent with
``Referrer-Policy: no-referrer`` (a link followed from them must not carry
the URL away) and ``Cache-Control: no-store`` (a shared computer must not
keep them).

Routes stay thin: they build the form or read the token, call one operation
or query, commit, and render.  What they add is presentation only: the
timeline in words, the proposer's buttons, error pages in the reader's
language.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

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
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

import workflows
from forms.proposal import CITY_WIDE, WebProposalForm
from forms.spam import MIN_FILL_SECONDS
from workflows.calendar import today_jst

from .. import operations, queries
from ..auth import token_digest
from ..db import session
from ..errors import ActionError, Conflict, Invalid
from ..i18n import DEFAULT_LANGUAGE, translate
from ..models import JST, Category, Department, District, Event, Proposal
from ..ratelimit import SUBMIT_LIMIT, limiter

bp = Blueprint("public", __name__)

RECENT_COUNT = 5
PAGE_SIZE = 20
# Pages that show a tracking token or link (see the module docstring).
PRIVATE_ENDPOINTS = frozenset({"public.submitted", "public.track", "public.track_action"})
# Error pages with their own wording; any other status gets the general one.
ERROR_PAGES = {400: "bad_request", 404: "not_found", 405: "bad_request", 413: "too_large",
               429: "too_many"}
# Audit-log actions the timeline tells in words; anything else is internal.
TIMELINE_ACTIONS = ("submit", "route", "transfer", "transition", "session")


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


def category_choices(lang: str, *, active_only: bool) -> list[tuple[str, str]]:
    """Themes as (code, label), in the office's order."""
    query = select(Category).order_by(Category.sort_order, Category.id)
    if active_only:
        query = query.where(Category.active.is_(True))
    return [(c.code, c.name(lang)) for c in session().execute(query).scalars()]


def district_choices(lang: str, *, valid_on: date | None) -> list[tuple[str, str]]:
    """Districts as (code, label); with ``valid_on`` only those that exist
    that day (schools merge), without it every district ever, so old
    published proposals can still be found by theirs."""
    rows = session().execute(select(District).order_by(District.sort_order, District.id))
    return [
        (d.code, d.name(lang))
        for d in rows.scalars()
        if valid_on is None or d.valid_on(valid_on)
    ]


def _proposal_form(formdata=None) -> WebProposalForm:
    return WebProposalForm(
        formdata,
        lang=_lang(),
        categories=category_choices(_lang(), active_only=True),
        districts=district_choices(_lang(), valid_on=today_jst()),
    )


def _min_fill_seconds() -> float:
    """Configurable so tests (and a city that finds 3 s too strict) can change it."""
    return float(current_app.config.get("TEIAN_MIN_FILL_SECONDS", MIN_FILL_SECONDS))


def _form_page(form: WebProposalForm, *, problems: list[str] | tuple = (), status: int = 200):
    """The form, with whatever the visitor typed; the fill timer restarts."""
    form.issue_timer(current_app.secret_key)
    return render_template("public/propose.html", form=form, problems=problems), status


@bp.route("/propose", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def propose():
    if request.method == "GET":
        return _form_page(_proposal_form())
    form = _proposal_form(request.form)
    if not form.validate():
        return _form_page(form, status=422)
    if form.looks_like_spam(current_app.secret_key, _min_fill_seconds()):
        return _form_page(form, problems=[_t("error.spam")], status=422)
    db = session()
    try:
        proposal, token = operations.submit_proposal(db, form.submission(), channel="web")
        db.commit()
    except ActionError:
        # Only a race gets here (a theme switched off while the form was open).
        db.rollback()
        return _form_page(form, problems=[_t("public.error.try_again")], status=422)
    # Post/Redirect/Get: the token waits in the (signed) session cookie for
    # exactly one display, so a reload or the back button cannot resubmit.
    flask_session["receipt"] = {"id": proposal.id, "token": token}
    return redirect(url_for(".submitted"), 303)


@bp.get("/submitted")
def submitted():
    receipt = flask_session.pop("receipt", None)
    proposal = None
    if isinstance(receipt, dict) and isinstance(receipt.get("id"), int):
        proposal = session().get(Proposal, receipt["id"])
    if proposal is None:
        return render_template("public/submitted.html", proposal=None)
    base_url = current_app.config["TEIAN"].base_url
    return render_template(
        "public/submitted.html",
        proposal=proposal,
        tracking_url=f"{base_url}/track/{receipt['token']}",
    )


# --- the proposer's tracking page -------------------------------------------------------------


@dataclass(frozen=True)
class ProposerAction:
    """A button on the tracking page: one workflow trigger the proposer may fire now."""

    trigger: str
    label: str
    text_input: str | None  # the transition's text input the textarea fills
    input_label: str
    input_required: bool
    confirm: bool  # the proposal ends there: ask for a tick before firing


@dataclass(frozen=True)
class ActionProblem:
    """Why a proposer's action was refused, and what they typed."""

    trigger: str
    message: str
    text: str
    place: str  # where the message goes: "text" (the textarea), "confirm" or "form"


def _proposal_for_token(token: str) -> Proposal:
    """The proposal this tracking token opens; 404 for any other token,
    saying nothing about whether a proposal exists."""
    proposal = session().execute(
        select(Proposal).where(Proposal.tracking_token_hash == token_digest(token))
    ).scalar_one_or_none()
    if proposal is None:
        abort(404)
    return proposal


def _proposer_actions(proposal: Proposal) -> list[ProposerAction]:
    workflow = workflows.get_workflow(proposal.kind)
    actions = []
    for transition in workflow.available_triggers(proposal, "proposer"):
        text_input = next(
            (spec for spec in transition.inputs.values() if spec.type == "text"), None
        )
        actions.append(
            ProposerAction(
                trigger=transition.trigger,
                label=transition.label_in(_lang()),
                text_input=text_input.name if text_input else None,
                input_label=text_input.label_in(_lang()) if text_input else "",
                input_required=bool(text_input and text_input.required),
                confirm=workflow.is_final(transition.dest),
            )
        )
    return actions


def _track_page(proposal: Proposal, token: str, *, problem: ActionProblem | None = None,
                status: int = 200):
    workflow = workflows.get_workflow(proposal.kind)
    events = _events(proposal)
    return render_template(
        "public/track.html",
        proposal=proposal,
        token=token,
        timeline=timeline(proposal, events, with_reasons=True),
        question=_pending_question(proposal, workflow, events),
        actions=_proposer_actions(proposal),
        problem=problem,
    ), status


@bp.get("/track/<token>")
def track(token: str):
    return _track_page(_proposal_for_token(token), token)


@bp.post("/track/<token>/<trigger>")
def track_action(token: str, trigger: str):
    proposal = _proposal_for_token(token)
    action = next((a for a in _proposer_actions(proposal) if a.trigger == trigger), None)
    text = request.form.get("text", "")
    if action is not None and action.confirm and not request.form.get("confirm"):
        problem = ActionProblem(trigger, _t("public.track.confirm_required"), text, "confirm")
        return _track_page(proposal, token, problem=problem, status=422)
    inputs = {action.text_input: text} if action and action.text_input else {}
    db = session()
    try:
        operations.fire_trigger(db, proposal, trigger, operations.PROPOSER, inputs)
        db.commit()
    except ActionError as exc:
        db.rollback()
        problem = _action_problem(exc, action, trigger, text)
        return _track_page(proposal, token, problem=problem, status=exc.status)
    flash(_t("public.track.done", action=action.label if action else trigger), "success")
    return redirect(url_for(".track", token=token), 303)


def _action_problem(exc: ActionError, action: ProposerAction | None, trigger: str,
                    text: str) -> ActionProblem:
    """The refusal in the proposer's words (the operation's message is for developers)."""
    if action is not None and action.text_input in exc.fields:
        return ActionProblem(trigger, _t("error.required", field=action.input_label), text, "text")
    key = "conflict" if isinstance(exc, Conflict) else "not_allowed"
    return ActionProblem(trigger, _t(f"public.track.error.{key}"), text, "form")


def _pending_question(proposal: Proposal, workflow, events: list[Event]) -> str | None:
    """While the proposal waits for the proposer, the reason given on the
    transition that put it there (the department's question)."""
    state = workflow.states.get(proposal.state)
    if state is None or not state.pauses_clock:
        return None
    for event in reversed(events):
        if event.action == "transition" and event.to_state == proposal.state:
            return event.reason or None
    return None


# --- timelines (tracking page and public page) -------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # submit | route | triage | transfer | transition | session
    department: str = ""
    from_label: str = ""
    to_label: str = ""
    action: str = ""
    reason: str = ""


def _events(proposal: Proposal) -> list[Event]:
    return list(
        session().execute(
            select(Event).where(Event.proposal_id == proposal.id).order_by(Event.seq)
        ).scalars()
    )


def _department_names(events: list[Event], lang: str) -> dict[str, str]:
    codes = {(e.data or {}).get("department") for e in events} - {None}
    if not codes:
        return {}
    rows = session().execute(select(Department).where(Department.code.in_(codes))).scalars()
    return {d.code: d.name(lang) for d in rows}


def timeline(proposal: Proposal, events: list[Event], *, with_reasons: bool) -> list[TimelineEntry]:
    """The audit log told in words, oldest first.

    Departments are named, officers never.  ``with_reasons`` is for the
    proposer's own page: the public page leaves reasons out, because
    questions, answers and withdrawal reasons pass between the proposer and
    the city and may hold personal details (the ruling's reason is shown on
    its own).
    """
    lang = _lang()
    workflow = workflows.get_workflow(proposal.kind)
    departments = _department_names(events, lang)
    entries = []
    for event in events:
        if event.action not in TIMELINE_ACTIONS:
            continue
        data = event.data or {}
        kind = event.action
        if kind == "route" and not data.get("department"):
            kind = "triage"
        reason = event.reason if with_reasons and kind in ("transfer", "transition") else ""
        entries.append(
            TimelineEntry(
                at=event.at,
                kind=kind,
                department=departments.get(data.get("department"), ""),
                from_label=workflow.state_label(event.from_state, lang) if event.from_state else "",
                to_label=workflow.state_label(event.to_state, lang) if event.to_state else "",
                action=_trigger_label(workflow, event.trigger, lang) if event.trigger else "",
                reason=reason,
            )
        )
    return entries


def _trigger_label(workflow, trigger: str, lang: str) -> str:
    transition = next((t for t in workflow.transitions if t.trigger == trigger), None)
    return transition.label_in(lang) if transition else trigger


# --- published proposals --------------------------------------------------------------------


def public_proposer(proposal: Proposal) -> str | None:
    """How the public page names the proposer: not at all unless they
    agreed (``publish_name``); then their organisation when they gave one —
    a group's proposal is the group's — else their own name."""
    if not proposal.publish_name or proposal.contact is None:
        return None
    return proposal.contact.organization or proposal.contact.name


def _state_choices(lang: str) -> list[tuple[str, str]]:
    """Every state of every built-in workflow, once, for the list filter."""
    choices: dict[str, str] = {}
    for name in workflows.builtin_workflow_names():
        workflow = workflows.get_workflow(name)
        for state in workflow.states:
            choices.setdefault(state, workflow.state_label(state, lang))
    return list(choices.items())


@bp.get("/proposals")
def proposals():
    filters = queries.Filters.from_args(request.args)
    cursor = request.args.get("cursor")
    try:
        page = queries.published_proposals(session(), filters, cursor=cursor, limit=PAGE_SIZE)
    except Invalid:
        return _error_page(400, _t("public.list.bad_cursor"))
    active = {k: v for k, v in dataclasses.asdict(filters).items() if v}
    return render_template(
        "public/proposals.html",
        page=page,
        filters=filters,
        filtered=bool(active),
        next_url=url_for(".proposals", **active, cursor=page.next_cursor)
        if page.next_cursor else None,
        first_url=url_for(".proposals", **active) if cursor else None,
        states=_state_choices(_lang()),
        categories=category_choices(_lang(), active_only=False),
        districts=[(CITY_WIDE, _t("field.district.citywide")),
                   *district_choices(_lang(), valid_on=None)],
    )


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    found = session().get(Proposal, proposal_id)
    if found is None or not found.is_published:
        abort(404)
    return render_template(
        "public/proposal.html",
        proposal=found,
        proposer=public_proposer(found),
        timeline=timeline(found, _events(found), with_reasons=False),
        comments=[c for c in found.comments if c.hidden_reason is None],
    )


# --- page furniture: private headers, error pages, template helpers ---------------------------


@bp.after_request
def _keep_private_pages_private(response):
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(status: int, message: str | None = None):
    page = ERROR_PAGES.get(status, "other")
    return render_template(
        "public/error.html",
        status=status,
        title=_t(f"public.error.{page}.title"),
        message=message or _t(f"public.error.{page}.body"),
    ), status


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    if request.endpoint == "public.propose" and request.method == "POST":
        # Refused before the form was read: show it again with what they typed.
        if isinstance(exc, CSRFError):
            problems = [_t("error.csrf"), _t("public.error.cookies")]
            return _form_page(_proposal_form(request.form), problems=problems, status=400)
        if exc.code == 429:
            problems = [_t("public.error.too_many.body")]
            return _form_page(_proposal_form(request.form), problems=problems, status=429)
    if isinstance(exc, CSRFError):
        return _error_page(400, f"{_t('error.csrf')} {_t('public.error.cookies')}")
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


@bp.context_processor
def _page_helpers() -> dict:
    def state_label(proposal: Proposal, state: str | None = None) -> str:
        return workflows.get_workflow(proposal.kind).state_label(state or proposal.state, _lang())

    return {"state_label": state_label}


@bp.app_template_filter("jst_date")
def jst_date(value: date | datetime | None) -> str:
    """A date as people read it (2026年4月15日（水） / Wed 15 April 2026);
    a datetime is first turned into its day in Japan."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(JST).date()
    lang = _lang()
    return translate(
        "public.date",
        lang,
        year=value.year,
        month=value.month,
        day=value.day,
        month_name=translate("public.months", lang).split(",")[value.month - 1],
        weekday=translate("public.weekdays", lang).split(",")[value.weekday()],
    )


@bp.app_template_filter("jst_datetime")
def jst_datetime(value: datetime | None) -> str:
    """A moment as a date and time in Japan (JST), whatever the server's zone."""
    if value is None:
        return ""
    local = value.astimezone(JST)
    return translate("public.datetime", _lang(), date=jst_date(local),
                     time=local.strftime("%H:%M"))

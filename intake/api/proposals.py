"""Public API: submit, read published proposals, comment; the proposer's tracking link;
the city's categories and departments."""

from __future__ import annotations

from flask import request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from forms.proposal import ProposalForm, formdata_from_json
from intake import operations, queries, serializers
from intake.auth import token_digest
from intake.db import session
from intake.errors import Invalid, NotFound
from intake.i18n import LANGUAGES, translate
from intake.models import Category, Department, District, Proposal
from intake.ratelimit import COMMENT_LIMIT, SUBMIT_LIMIT, limiter

from . import bp
from .errors import lang
from .payload import INT32_MAX, Reader, json_body

COMMENT_BODY_MAX = 2000
COMMENT_NAME_MAX = 100
_SCALARS = (str, int, float, bool, type(None))


# --- loading -----------------------------------------------------------------------------


def load_proposal(proposal_id: int) -> Proposal:
    """The proposal or 404 (ids beyond the column's range exist nowhere; asking the
    database for them would overflow SQLite's integers)."""
    proposal = session().get(Proposal, proposal_id) if 0 < proposal_id <= INT32_MAX else None
    if proposal is None:
        raise NotFound(translate("api.error.not_found", lang()))
    return proposal


def load_published(proposal_id: int) -> Proposal:
    """Unpublished proposals do not exist for the public: 404, not 403."""
    proposal = load_proposal(proposal_id)
    if not proposal.is_published:
        raise NotFound(translate("api.error.not_found", lang()))
    return proposal


def proposal_for_token(token: str) -> Proposal:
    proposal = session().execute(
        select(Proposal).where(Proposal.tracking_token_hash == token_digest(token))
    ).scalar_one_or_none()
    if proposal is None:
        raise NotFound(translate("api.error.not_found", lang()))
    return proposal


def page_args() -> tuple[queries.Filters, str | None, int]:
    """Filters, cursor and limit of a list request (a bad cursor or limit is a 422)."""
    return (queries.Filters.from_args(request.args), request.args.get("cursor") or None,
            queries.parse_limit(request.args.get("limit")))


def active_categories(db: Session) -> list[Category]:
    return list(db.execute(
        select(Category).where(Category.active.is_(True))
        .order_by(Category.sort_order, Category.code)
    ).scalars())


def form_choices(db: Session, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The proposal form's data-driven choices: active themes, districts valid today."""
    categories = active_categories(db)
    today = workflows.today_jst()
    districts = db.execute(select(District).order_by(District.sort_order, District.code))
    return {
        "categories": [(c.code, c.name(lang)) for c in categories],
        "districts": [(d.code, d.name(lang)) for d in districts.scalars() if d.valid_on(today)],
    }


# --- submitting ---------------------------------------------------------------------------


def submission_language(payload: dict) -> str:
    """Messages go out in the language the proposer chose for them, else the request's."""
    chosen = payload.get("language")
    return chosen if isinstance(chosen, str) and chosen in LANGUAGES else lang()


@bp.post("/proposals")
@limiter.limit(SUBMIT_LIMIT)
def submit_proposal():
    payload = json_body()
    language = submission_language(payload)
    db = session()
    form = ProposalForm(formdata_from_json(payload), lang=language, **form_choices(db, language))
    valid = form.validate()
    fields = form.field_errors()
    # A list or object is no value for any form field, even where its text would pass.
    for field in form:
        if not isinstance(payload.get(field.name), _SCALARS):
            fields[field.name] = [translate("api.error.text", language, field=field.label.text)]
    if not valid or fields:
        names = ", ".join(form[name].label.text for name in fields)
        raise Invalid(translate("api.error.invalid_fields", language, fields=names),
                      fields=fields)
    proposal, token = operations.submit_proposal(db, form.submission(), channel="api")
    db.commit()
    body = {
        "id": proposal.id,
        "receipt": proposal.receipt,
        "tracking_token": token,
        "state": proposal.state,
        "department": serializers.named(proposal.lead_department, language),
    }
    return body, 201, {"Location": url_for("api.track_proposal", token=token)}


# --- reading published proposals ------------------------------------------------------------


@bp.get("/proposals")
def list_proposals():
    filters, cursor, limit = page_args()
    page = queries.published_proposals(session(), filters, cursor=cursor, limit=limit)
    return {"items": [serializers.proposal_summary(p, lang()) for p in page.items],
            "next_cursor": page.next_cursor}


@bp.get("/proposals/<int:proposal_id>")
def get_proposal(proposal_id: int):
    proposal = load_published(proposal_id)
    events = serializers.timeline_events(session(), [proposal.id])[proposal.id]
    return serializers.public_proposal(proposal, lang(), events)


@bp.post("/proposals/<int:proposal_id>/comments")
@limiter.limit(COMMENT_LIMIT)
def add_comment(proposal_id: int):
    proposal = load_published(proposal_id)
    reader = Reader(json_body(), labels={"name": "api.field.comment_name",
                                         "body": "api.field.comment_body"})
    name = reader.text("name", max=COMMENT_NAME_MAX)
    body = reader.text("body", required=True, min=1, max=COMMENT_BODY_MAX)
    reader.done()
    db = session()
    record = operations.add_comment(db, proposal, name=name, body=body)
    db.commit()
    return serializers.comment(record), 201


# --- the proposer's private tracking link ---------------------------------------------------


@bp.get("/track/<token>")
def track_proposal(token: str):
    proposal = proposal_for_token(token)
    events = serializers.timeline_events(session(), [proposal.id])[proposal.id]
    return serializers.tracked_proposal(proposal, lang(), events)


def text_input_of(kind: str, trigger: str) -> str | None:
    """The input the tracking API's single ``text`` stands for: the trigger's first
    text input in the workflow definition (provide_info → answer, withdraw → reason)."""
    for transition in workflows.get_workflow(kind).transitions:
        if transition.trigger == trigger:
            for spec in transition.inputs.values():
                if spec.type == "text":
                    return spec.name
    return None


@bp.post("/track/<token>/transitions")
def track_transition(token: str):
    proposal = proposal_for_token(token)
    payload = json_body()
    reader = Reader(payload)
    trigger = reader.text("trigger", required=True)
    reader.done()
    inputs = {}
    if (name := text_input_of(proposal.kind, trigger)) and payload.get("text") is not None:
        inputs[name] = payload["text"]
    db = session()
    operations.fire_trigger(db, proposal, trigger, operations.PROPOSER, inputs)
    db.commit()
    return serializers.transition_result(proposal)


# --- the city's lists -------------------------------------------------------------------------


def _config_list(rows):
    """Configuration lists are short and answered whole, but keep the list shape."""
    return {"items": [serializers.named(row, lang()) for row in rows], "next_cursor": None}


@bp.get("/categories")
def list_categories():
    return _config_list(active_categories(session()))


@bp.get("/departments")
def list_departments():
    rows = session().execute(
        select(Department).where(Department.active.is_(True)).order_by(Department.code)
    ).scalars()
    return _config_list(rows)

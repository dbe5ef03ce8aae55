"""Public API: submit, read published proposals, comment; the proposer's tracking link;
the city's categories and departments."""

from __future__ import annotations

from flask import request, url_for
from werkzeug.datastructures import CombinedMultiDict

import workflows
from forms.attachments import StepFilesForm
from forms.comment import CommentForm
from forms.proposal import ProposalForm, formdata_from_json
from intake import queries, serializers
from intake.attachments.shapes import proposer_attachments
from intake.core.actors import PROPOSER
from intake.db import session
from intake.deliberation.operations import add_comment as add_comment_operation
from intake.doors import request_links, request_storage
from intake.errors import ActionError, Invalid, NotFound
from intake.explain import explain
from intake.i18n import LANGUAGES, translate
from intake.models import Proposal
from intake.proposals.operations import submit_proposal as submit_operation
from intake.ratelimit import limit_comments, limit_submissions
from intake.workflow.operations import check_trigger, fire_trigger

from . import bp
from .errors import lang
from .payload import TEXT, Reader, json_body, multipart_body, validated

# --- loading -----------------------------------------------------------------------------


def _found(proposal: Proposal | None) -> Proposal:
    if proposal is None:
        raise NotFound(translate("api.error.not_found", lang()), translated=True)
    return proposal


def load_proposal(proposal_id: int) -> Proposal:
    """The proposal or 404."""
    return _found(queries.proposal_by_id(session(), proposal_id))


def load_published(proposal_id: int) -> Proposal:
    """Unpublished proposals do not exist for the public: 404, not 403."""
    return _found(queries.published_proposal(session(), proposal_id))


def load_tracked(token: str) -> Proposal:
    return _found(queries.proposal_for_token(session(), token))


def page_args() -> tuple[queries.Filters, str | None, int]:
    """Filters, cursor and limit of a list request (a bad cursor or limit is a 422)."""
    return (queries.Filters.from_args(request.args), request.args.get("cursor") or None,
            queries.parse_limit(request.args.get("limit")))


# --- submitting ---------------------------------------------------------------------------


def submission_language(payload: dict) -> str:
    """Messages go out in the language the proposer chose for them, else the request's."""
    chosen = payload.get("language")
    return chosen if isinstance(chosen, str) and chosen in LANGUAGES else lang()


@bp.post("/proposals")
@limit_submissions()
def submit_proposal():
    """JSON, or multipart/form-data: the same fields as form fields with their JSON names
    and the files as ``attachments`` (SPEC section 2)."""
    if request.mimetype == "multipart/form-data":
        payload = multipart_body()
        formdata = CombinedMultiDict([request.files, request.form])
    else:
        payload = json_body()
        formdata = formdata_from_json(payload)
    language = submission_language(payload)
    db = session()
    form = validated(ProposalForm(formdata, lang=language,
                                  **queries.form_choices(db, language)), payload)
    proposal, token = submit_operation(db, form.submission(), channel="api",
                                       links=request_links(), storage=request_storage())
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
            "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@bp.get("/proposals/<int:proposal_id>")
def get_proposal(proposal_id: int):
    proposal = load_published(proposal_id)
    return serializers.public_proposal(proposal, lang(),
                                       queries.history(session(), proposal.id),
                                       request_links())


@bp.post("/proposals/<int:proposal_id>/comments")
@limit_comments()
def add_comment(proposal_id: int):
    proposal = load_published(proposal_id)
    payload = json_body()
    form = validated(CommentForm(formdata_from_json(payload), lang=lang()), payload,
                     accepts=TEXT)
    record = add_comment_operation(session(), proposal, **form.comment())
    return serializers.comment_receipt(record), 201


# --- the proposer's private tracking link ---------------------------------------------------


@bp.get("/track/<token>")
def track_proposal(token: str):
    proposal = load_tracked(token)
    return serializers.tracked_proposal(
        proposal, lang(), queries.history(session(), proposal.id),
        proposer_attachments(proposal, token, request_links()))


def text_input_of(kind: str, trigger: str) -> str | None:
    """The input the tracking API's single ``text`` stands for (provide_info → answer,
    withdraw → reason)."""
    for transition in workflows.get_workflow(kind).transitions:
        if transition.trigger == trigger and (spec := serializers.text_input(transition)):
            return spec.name
    return None


@bp.post("/track/<token>/transitions")
def track_transition(token: str):
    """JSON ``{"trigger", "text"}``, or multipart/form-data: the same fields as form fields
    and, for a step that takes them (the answer to a question), the files as
    ``attachments``, checked by the proposal form's own field (SPEC section 2) and kept by
    the operation with the step, in this request's transaction."""
    proposal = load_tracked(token)
    if request.mimetype == "multipart/form-data":
        payload = multipart_body()
        formdata = request.files
    else:
        payload = json_body()
        formdata = formdata_from_json(payload)
    reader = Reader(payload)
    trigger = reader.text("trigger", required=True)
    inputs = {}
    if (name := text_input_of(proposal.kind, trigger)) and payload.get("text") is not None:
        inputs[name] = payload["text"]
    files = StepFilesForm(formdata, lang=lang())
    try:
        validated(files, payload)
    except Invalid as refused:
        raise every_problem(refused, files, reader, proposal, trigger, inputs) from None
    reader.done()
    fire_trigger(session(), proposal, trigger, PROPOSER, inputs, links=request_links(),
                 files=files.cleaned, storage=request_storage())
    return serializers.transition_result(proposal)


def every_problem(refused: Invalid, files: StepFilesForm, reader: Reader, proposal: Proposal,
                  trigger: str, inputs: dict[str, object]) -> ActionError:
    """The files were refused (a text file named ``.jpg``, a sixth file): say what else
    is wrong at once, as a submission names every field — the request's own fields, else
    the step's refusal of its inputs (no answer typed), checked by the operation without
    changing anything — in one 422.  A step that cannot be taken at all (not now, not by
    the proposer) is that refusal alone: there is no file to correct for it."""
    fields, labels = dict(reader.errors), {name: reader.label(name) for name in reader.errors}
    if not fields:
        try:
            check_trigger(session(), proposal, trigger, PROPOSER, inputs)
        except ActionError as exc:
            if not exc.fields:
                return exc
            labels = {name: translate(f"api.field.{name}", lang()) for name in exc.fields}
            fields = explain(exc, lang(), labels.__getitem__).fields
    if not fields:
        return refused
    fields.update(refused.fields)
    labels.update({name: files[name].label.text for name in refused.fields})
    return Invalid(translate("api.error.invalid_fields", lang(),
                             fields=", ".join(labels[name] for name in fields)),
                   fields=fields, translated=True)


# --- the city's lists -------------------------------------------------------------------------


def _config_list(rows):
    """Configuration lists are short and answered whole, but keep the list shape."""
    return {"items": [serializers.named(row, lang()) for row in rows], "next_cursor": None}


@bp.get("/categories")
def list_categories():
    return _config_list(queries.categories(session(), active_only=True))


@bp.get("/departments")
def list_departments():
    return _config_list(queries.active_departments(session()))

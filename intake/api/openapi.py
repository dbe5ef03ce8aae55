"""/api/v1/openapi.json: the API described as OpenAPI 3.1, built from small helpers.

The request schemas of ``POST /proposals`` and ``POST /proposals/{id}/comments`` are
read off :class:`ProposalForm` and :class:`CommentForm` themselves — their fields, their
validators and the city's current choices — so the description cannot drift from the
rules the API enforces.  The shapes mirror :mod:`intake.serializers`.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import MultipleFileField

from forms.actions import (
    CommentPeriodForm,
    ExtendDeadlineForm,
    OpinionAnswerForm,
    OpinionRequestForm,
    OpinionWaiveForm,
    SessionForm,
    TransferForm,
)
from forms.attachments import AttachmentActionForm
from forms.comment import CommentForm
from forms.privacy import CommentHideForm, CommentPublishForm, EasyTitleForm, PublicationForm
from forms.proposal import ProposalForm
from forms.support import SupportForm
from forms.validators import Email, Length, OneOf, Phone, Required, WholeYen
from intake.attachments import MAX_BYTES, MAX_FILES
from intake.db import session
from intake.deliberation.operations import REPEAT_WINDOW
from intake.queries import form_choices
from intake.ratelimit import comment_limit, submit_limit
from workflows.calendar import BUSINESS_DAYS_MAX

from . import bp
from .openapi_admin import ADMIN_SCHEMAS, admin_paths, admin_request_schemas, merged
from .openapi_schemas import (
    SCHEMAS,
    Schema,
    attachment_paths,
    boolean,
    integer,
    obj,
    ref,
    string,
)

ACTION_FORMS = {
    "PublicationRequest": PublicationForm,
    "EasyTitleRequest": EasyTitleForm,
    "CommentPublishRequest": CommentPublishForm,
    "CommentHideRequest": CommentHideForm,
    "TransferRequest": TransferForm,
    "SessionRequest": SessionForm,
    "ExtendRequest": ExtendDeadlineForm,
    "CommentPeriodRequest": CommentPeriodForm,
    "OpinionRequestRequest": OpinionRequestForm,
    "OpinionAnswerRequest": OpinionAnswerForm,
    "OpinionWaiveRequest": OpinionWaiveForm,
}


def form_schema(form) -> Schema:
    """Each form field as a JSON property, from its validators and choices."""
    properties: dict[str, Schema] = {}
    required: list[str] = []
    for field in form:
        kinds = {type(v) for v in field.validators}
        if field.type == "CSRFTokenField" or isinstance(field, MultipleFileField):
            continue  # files travel only in a multipart body (multipart_schema)
        if field.type == "BooleanField":
            schema = boolean()
        elif field.type == "WholeNumberField":
            schema = integer(minimum=1 if field.name in ("version", "due_in_days") else 0)
            if field.name == "due_in_days":
                schema["maximum"] = BUSINESS_DAYS_MAX
        elif field.type == "JapanTimeField":
            schema = string(format="date-time",
                            description="ISO 8601 with offset (Japan time without one)")
        elif field.type == "DayField":
            schema = string(format="date")
        elif getattr(field, "takes_list", False):
            schema = {"type": "array", "items": string(minLength=1, maxLength=200),
                      "maxItems": 100}
        elif WholeYen in kinds:
            schema = integer(minimum=0, maximum=10**15 - 1,
                             description="whole yen (a string of digits is accepted too)")
        else:
            schema = string()
        for validator in field.validators:
            if isinstance(validator, Length):
                if validator.min:
                    schema["minLength"] = validator.min
                schema["maxLength"] = validator.max
        if OneOf in kinds:
            schema["enum"] = [str(value) for value, _label in field.choices]
        if Email in kinds:
            schema["format"] = "email"
        if Phone in kinds:
            schema["description"] = "digits and hyphens; full-width is accepted and normalised"
        if field.default not in (None, ""):
            schema["default"] = field.default
        schema["title"] = field.label.text
        properties[field.name] = schema
        if Required in kinds or (field.name == "version"
                                 and getattr(form, "version_required", False)):
            required.append(field.name)
    return obj(properties, required=tuple(required))


def proposal_request_schema(form: ProposalForm) -> Schema:
    """The proposal form's fields plus its cross-field rules (``validate_*``)."""
    schema = form_schema(form)
    schema["properties"]["consent"]["const"] = True
    return {**schema, "required": [*schema["required"], "consent"], "allOf": [
        {"if": {"properties": {"proposer_type": {"not": {"const": "individual"}}},
                "required": ["proposer_type"]},
         "then": {"required": ["organization"]}},
        {"anyOf": [{"required": ["email"]}, {"required": ["phone"]}]},
    ]}


def multipart_schema(fields: str, *, when: str = "") -> Schema:
    """The same fields as form fields with their JSON names, and up to five files."""
    return {"allOf": [ref(fields)], "properties": {"attachments": {
        "type": "array", "maxItems": MAX_FILES,
        "description": f"{when}JPEG, PNG, HEIC/HEIF or PDF, {MAX_BYTES // 2**20} MB each; the "
                       "type is read from the content; images are re-encoded without "
                       "metadata; private until staff publish them",
        "items": string(contentMediaType="application/octet-stream")}}}


# --- operations ---------------------------------------------------------------------------

_ERROR_TEXT = {
    400: "malformed_json, not_utf8, not_an_object, bad_query",
    401: "unauthorized, invalid_token (WWW-Authenticate: Bearer)",
    403: "forbidden: another department's proposal, or a role that may not do this",
    404: "not_found (also: not published)",
    409: "conflict (stale version), wrong_state, comments_closed, duplicate_comment, "
         "duplicate_session, supports_closed, password_already_set, account_inactive",
    413: "payload_too_large",
    415: "unsupported_media_type: send application/json",
    422: "invalid (fields), guard_failed (guard), trigger_not_allowed, unknown_trigger, "
         "final_state",
    429: "rate_limited",
}


def json_content(schema: Schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def operation(summary: str, tag: str, *, ok: int = 200, answer: str | None = None,
              body: str | None = None, errors: tuple[int, ...] = (), staff: bool = False,
              params: tuple[dict, ...] = (), description: str = "") -> dict:
    responses = {str(ok): {"description": {200: "OK", 201: "Created", 202: "Accepted"}[ok],
                           **(json_content(ref(answer)) if answer else {})}}
    codes = set(errors) | ({401} if staff else set()) | ({400, 413, 415} if body else set())
    if any(p.get("in") == "query" for p in params):
        codes.add(400)  # a query string with characters that cannot be stored (NUL)
    for code in sorted(codes):
        responses[str(code)] = {"description": _ERROR_TEXT[code], **json_content(ref("Error"))}
    op: dict = {"summary": summary, "tags": [tag], "responses": responses}
    if description:
        op["description"] = description
    if params:
        op["parameters"] = list(params)
    if body:
        op["requestBody"] = {"required": True, **json_content(ref(body))}
    op["security"] = [{"bearer": []}] if staff else []
    return op


def csv_operation(summary: str) -> dict:
    """A staff download: UTF-8 with BOM, a header row, formulas neutralised with ``'``."""
    op = operation(summary, "staff", staff=True)
    op["responses"]["200"]["content"] = {"text/csv": {"schema": string()}}
    op["description"] = ("UTF-8 with a byte-order mark, CRLF, a header row; a cell starting "
                         "with = + - @ tab or CR gets a leading '.")
    return op


def query(name: str, description: str, schema: Schema | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or string()}


def path_param(name: str, schema: Schema) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


LIST_PARAMS = (
    query("state", "workflow state, e.g. in_deliberation"),
    query("category", "category code"),
    query("department", 'department code, or "triage"'),
    query("district", 'district code, or "city-wide"'),
    query("q", "words in the title, problem or proposal text, all required (separated by "
               "spaces); width and case folded (ＬＥＤ finds LED, ﾍﾞﾝﾁ finds ベンチ); "
               "at most 100 characters (longer: 422)", string(maxLength=100)),
    query("cursor", "next_cursor of the page before, or prev_cursor of the page after"),
    query("limit", "items per page", integer(minimum=1, maximum=100, default=20)),
)
# The agenda takes no filters: a cursor either way and the page's size.
PAGE_PARAMS = LIST_PARAMS[-2:]
ID = path_param("id", integer(minimum=1))
TOKEN = path_param("token", string())


def paths() -> dict:
    rate = "Rate limited per address, counting accepted requests only: {}."
    return merged({
        "/proposals": {
            "get": operation("Published proposals (no personal data)", "public",
                             answer="ProposalList", errors=(422,), params=LIST_PARAMS),
            "post": operation("Submit a proposal", "public", ok=201, answer="SubmitResult",
                              body="ProposalSubmission", errors=(422, 429),
                              description=rate.format(submit_limit()) + " Location: the "
                              "tracking resource; keep tracking_token, it is shown once. "
                              "Files: send multipart/form-data (attachments).") | {
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("ProposalSubmission")},
                    "multipart/form-data": {"schema": ref("ProposalSubmissionMultipart")}}}},
        },
        "/proposals/{id}": {"parameters": [ID], "get": operation(
            "One published proposal with its timeline, sessions, comments and ruling",
            "public", answer="PublicProposal", errors=(404,))},
        "/proposals/{id}/comments": {"parameters": [ID], "post": operation(
            "Comment on a proposal in deliberation", "public", ok=201,
            answer="CommentReceipt",
            body="CommentRequest", errors=(404, 409, 422, 429),
            description=rate.format(comment_limit()) + " 409 comments_closed: not in "
            "deliberation, or the comment period has ended; 409 duplicate_comment: the "
            "same name and text were posted on this proposal in the last "
            f"{REPEAT_WINDOW.seconds // 60} minutes.")},
        "/proposals/{id}/supports": {"parameters": [ID], "post": operation(
            "Support (賛同) a published proposal that is not final", "public", ok=202,
            answer="SupportAccepted", body="SupportRequest", errors=(404, 409, 422, 429),
            description=rate.format(comment_limit()) + " A confirmation mail is sent to "
            "email; the support counts once its link is confirmed, one per address per "
            "proposal. The answer never says whether the address had supported already. "
            "409 supports_closed: the proposal is in a final state.")},
        "/track/{token}": {"parameters": [TOKEN], "get": operation(
            "The proposer's own proposal, published or not", "proposer",
            answer="TrackedProposal", errors=(404,),
            description="What the proposer sent (their own text and files, published or "
                        "not) and where it stands. No contact details: the link may be "
                        "forwarded.")},
        "/track/{token}/transitions": {"parameters": [TOKEN], "post": operation(
            "Answer the open question or withdraw", "proposer", answer="TransitionResult",
            body="TrackTransitionRequest", errors=(403, 404, 422),
            description="Files with an answer: send multipart/form-data (attachments), up "
                        f"to {MAX_FILES} with each answer; a step that takes no files "
                        "refuses them (422 naming attachments).  A refused file and a "
                        "missing answer are named in one 422 (fields attachments and "
                        "answer); nothing is kept.") | {
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("TrackTransitionRequest")},
                "multipart/form-data": {"schema": ref("TrackTransitionMultipart")}}}}},
        "/queue": {"get": operation(
            "The caller's queue (office: every department), overdue first", "staff",
            answer="Queue", staff=True, errors=(422,), params=(
                *LIST_PARAMS,
                query("overdue", "true (or 1): the overdue proposals only, most overdue first",
                      boolean()),
                query("mine", "true (or 1): only what is assigned to the caller", boolean()),
                query("open", "true (or 1): only what has not reached a final state "
                      "(adopted proposals still to be implemented are open)", boolean()),
            ))},
        "/proposals/{id}/detail": {"parameters": [ID], "get": operation(
            "A proposal with personal data and version", "staff", answer="StaffDetail",
            staff=True, errors=(403, 404))},
        "/proposals/{id}/transitions": {"parameters": [ID], "post": operation(
            "Fire a workflow trigger", "staff", answer="TransitionResult",
            body="TransitionRequest", staff=True, errors=(403, 404, 409, 422))},
        "/proposals/{id}/transfer": {"parameters": [ID], "post": operation(
            "Move the lead to another department", "staff", answer="TransferResult",
            body="TransferRequest", staff=True, errors=(403, 404, 409, 422))},
        "/proposals/{id}/sessions": {"parameters": [ID], "post": operation(
            "Record a deliberation session", "staff", ok=201, answer="Session",
            body="SessionRequest", staff=True, errors=(403, 404, 409, 422))},
        "/proposals/{id}/extend": {"parameters": [ID], "post": operation(
            "Move the running deadline later; the reason is published", "staff",
            answer="ExtendResult", body="ExtendRequest", staff=True,
            errors=(403, 404, 409, 422))},
        "/proposals/{id}/comment-period": {"parameters": [ID], "post": operation(
            "Set when citizens' comments close", "staff", answer="CommentPeriodResult",
            body="CommentPeriodRequest", staff=True, errors=(403, 404, 409, 422))},
        "/proposals/{id}/opinions": {"parameters": [ID], "post": operation(
            "Ask another department for its opinion", "staff", ok=201, answer="Opinion",
            body="OpinionRequestRequest", staff=True, errors=(403, 404, 409, 422))},
        "/opinions/{id}/answer": {"parameters": [ID], "post": operation(
            "The consulted department answers", "staff", answer="Opinion",
            body="OpinionAnswerRequest", staff=True, errors=(403, 404, 409, 422))},
        "/opinions/{id}/waive": {"parameters": [ID], "post": operation(
            "The lead department stops waiting for an opinion", "staff", answer="Opinion",
            body="OpinionWaiveRequest", staff=True, errors=(403, 404, 409, 422))},
        "/proposals/{id}/publication": {"parameters": [ID], "post": operation(
            "Review personal data and publish, or withhold (office)", "staff",
            answer="PublicationResult", body="PublicationRequest", staff=True,
            errors=(403, 404, 409, 422),
            description="redact: texts to mask in the public version (every other hit of "
                        "personal_data counts as confirmed); on a published proposal, "
                        "masks more. withhold: the office keeps it private, with a "
                        "reason. The audit event records how many texts, never which.")},
        "/proposals/{id}/easy-title": {"parameters": [ID], "post": operation(
            "Correct the readings of the published title (easy Japanese)", "staff",
            answer="EasyTitleResult", body="EasyTitleRequest", staff=True,
            errors=(403, 404, 409, 422),
            description="title_easy: the published title with readings in the ruby "
                        "notation ｜協働《きょうどう》 (hiragana or katakana); only the "
                        "readings may change. Empty: the analyser's suggestion again, "
                        "given by the background worker (title_easy is null until then).")},
        "/comments/{id}/publish": {"parameters": [ID], "post": operation(
            "Publish a held comment with texts masked, or mask more of a public one",
            "staff", answer="StaffComment", body="CommentPublishRequest", staff=True,
            errors=(403, 404, 409, 422))},
        "/comments/{id}/hide": {"parameters": [ID], "post": operation(
            "Hide a comment with a reason the public page shows in its place", "staff",
            answer="StaffComment", body="CommentHideRequest", staff=True,
            errors=(403, 404, 409, 422),
            description="The office hides any comment; the lead liaison a held one.")},
        **attachment_paths(operation, ID),
        "/categories": {"get": operation("Themes a proposal can have", "city",
                                         answer="NamedList")},
        "/departments": {"get": operation("Departments", "city", answer="NamedList")},
        "/stats": {"get": operation(
            "The office's figures (a liaison: their department's)", "staff", answer="Stats",
            staff=True, description="Durations in business days, nearest-rank median and "
            "90th percentile; monthly: the last 12 months in Japan, this one last.")},
        "/agenda": {"get": operation(
            "The liaison-meeting agenda (a liaison: their department's), a page at a time: "
            "the triage, then departments by code, receipt order in each", "staff",
            answer="Agenda", staff=True, errors=(422,), params=PAGE_PARAMS)},
        "/agenda.csv": {"get": csv_operation("The whole agenda as CSV (streamed)")},
        "/rulings.csv": {"get": csv_operation("Every ruling as CSV (a liaison: their "
                                              "department's)")},
        "/openapi.json": {"get": {"summary": "This description", "tags": ["meta"],
                                  "security": [],
                                  "responses": {"200": {
                                      "description": "OpenAPI 3.1",
                                      **json_content({"type": "object",
                                                      "required": ["openapi", "paths"]})}}}},
    }, admin_paths(operation, path_param))


def document(form: ProposalForm) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Teian API",
            "version": "1",
            "description": "Citizen proposals to the city (提案). Times are ISO 8601 with "
                           "offset; lists answer {items, next_cursor} (the proposals, the "
                           "queue and the agenda add prev_cursor); errors answer "
                           "{error: {code, message, fields}}. Messages follow "
                           "Accept-Language or ?lang= (ja, ja-easy, en).",
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": n} for n in ("public", "proposer", "staff", "city", "admin", "meta")],
        "paths": paths(),
        "components": {
            "schemas": {**SCHEMAS, "ProposalSubmission": proposal_request_schema(form),
                        "ProposalSubmissionMultipart": multipart_schema("ProposalSubmission"),
                        "TrackTransitionMultipart": multipart_schema(
                            "TrackTransitionRequest",
                            when="Only with a step that takes files (provide_info). "),
                        "AttachmentActionRequest": form_schema(
                            AttachmentActionForm.from_json({}, lang="en")),
                        "CommentRequest": form_schema(CommentForm(MultiDict(), lang="en")),
                        "SupportRequest": form_schema(SupportForm(MultiDict(), lang="en")),
                        **{name: form_schema(form_class.from_json({}, lang="en"))
                           for name, form_class in ACTION_FORMS.items()},
                        **ADMIN_SCHEMAS, **admin_request_schemas(form_schema)},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token from teian create-token"}},
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    form = ProposalForm(MultiDict(), lang="en", **form_choices(session(), "en"))
    response = document(form)
    return response, 200, {"Cache-Control": "public, max-age=300"}

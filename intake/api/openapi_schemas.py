"""The shapes of /api/v1/openapi.json: JSON Schema helpers and the answer and request
bodies, mirroring :mod:`intake.serializers` (the forms' request bodies are read off the
forms themselves, in :mod:`.openapi`)."""

from __future__ import annotations

from dataclasses import fields

from intake.office.figures import Month

Schema = dict[str, object]


# --- schema helpers ---------------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def string(**kw) -> Schema:
    return {"type": "string", **kw}


def integer(**kw) -> Schema:
    return {"type": "integer", **kw}


def boolean(**kw) -> Schema:
    return {"type": "boolean", **kw}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Schema], required: tuple[str, ...] | str = "all",
        **kw) -> Schema:
    """An object; by default every property is always present (our answers are)."""
    names = list(properties) if required == "all" else list(required)
    schema: Schema = {"type": "object", "properties": properties, **kw}
    if names:
        schema["required"] = names
    return schema


DATETIME = string(format="date-time", description="ISO 8601 with offset (+09:00)")
DATE = string(format="date")
TEXT = string()

# --- shapes (intake/serializers.py) ----------------------------------------------------------

TIMELINE_ENTRY = obj({
    "at": DATETIME,
    "from": nullable(string(description="the state before; for a transfer or an extension "
                                        "the state it happened in")),
    "to": TEXT,
    "trigger": string(description='a workflow trigger, "submit", "transfer" or "extend"'),
    "reason": nullable(string(description="publicly: rulings, transfers and extensions "
                                          "only")),
    "department": obj({"from": nullable(ref("Named")), "to": ref("Named")},
                      description="transfer: from which department to which"),
    "due_on": obj({"from": DATE, "to": DATE}, description="extend: the old and new date"),
    "attachments": {**array(integer()),
                    "description": "staff and the proposer: the ids of the files that came "
                                   "with this step (the submission, an answer), each in the "
                                   "answer's `attachments`; never in a public timeline"},
}, required=("at", "from", "to", "trigger", "reason"))
RULING = obj({"decision": string(enum=["adopted", "partially_adopted", "rejected", "answered"]),
              "reason": TEXT, "reason_code": nullable(TEXT), "at": DATETIME, "scope": TEXT},
             required=("decision", "reason", "reason_code", "at"))
TRIGGER = obj({
    "trigger": TEXT, "label": TEXT,
    "unmet": array(obj({"guard": TEXT, "message": TEXT},
                       description="a precondition not met yet: the action would be refused")),
    "inputs": array(obj({"name": TEXT, "label": TEXT, "required": boolean(),
                         "type": string(enum=["text", "date"]), "choices": array(TEXT)})),
})
SUMMARY = {
    "id": integer(), "receipt": string(examples=["T-2026-000123"]),
    "kind": string(enum=["proposal", "idea"]), "title": TEXT,
    "category": ref("Named"), "department": nullable(ref("Named")), "district": ref("Named"),
    "state": TEXT, "state_label": TEXT, "submitted_at": DATETIME,
    "problem": TEXT, "proposal": TEXT, "expected_effect": TEXT, "role_split": TEXT,
    "proposer": nullable(string(description="organization or name, only if published")),
    "ruling": nullable(ref("Ruling")),
    "supports": integer(minimum=0, description="confirmed supports (賛同): one per e-mail "
                        "address, counted once its confirmation link is confirmed"),
}
PUBLIC_EXTRA = {
    "timeline": array(ref("TimelineEntry")),
    "sessions": array(ref("Session")),
    "comments": array(ref("Comment")),
}
STAFF_EXTRA = {
    "version": integer(minimum=1), "assignee": nullable(ref("StaffUser")),
    "due_on": nullable(DATE), "overdue": boolean(), "published": boolean(),
    "review_pending": boolean(description="accepted; personal data awaits review"),
}
DETAIL_EXTRA = {
    "proposer_type": TEXT, "proposer_name": TEXT, "organization": nullable(TEXT),
    "email": nullable(TEXT), "phone": nullable(TEXT), "publish_name": boolean(),
    "language": TEXT, "budget_total": nullable(integer()), "city_share": nullable(integer()),
    "withheld_reason": nullable(TEXT), "pending_question": nullable(ref("PendingQuestion")),
    "available_triggers": array(ref("Trigger")),
    "comments": array(ref("StaffComment")),
    "personal_data": array(ref("PersonalDataHit")),
    "publication": ref("Publication"),
    "attachments": array(ref("StaffAttachment")),
}
HIT = obj({"field": TEXT, "kind": string(enum=["phone", "email", "postal_code", "address",
                                                  "name"]),
           "text": TEXT, "start": integer(minimum=0), "end": integer(minimum=0)})
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "application/pdf")
COMMENT_STATUS = string(enum=["published", "held", "hidden"])


COUNTS: Schema = {"type": "object", "additionalProperties": integer()}
RATE: Schema = nullable({"type": "number", "minimum": 0, "maximum": 1,
                         "description": "(partially_)adopted / (adopted + partially_adopted"
                                        " + rejected)"})


def page_of(item: Schema) -> Schema:
    return obj({"items": array(item), "next_cursor": nullable(TEXT)})


def two_way_page_of(item: Schema) -> Schema:
    """A list paged both ways (keyset: :mod:`intake.paging`)."""
    return obj({"items": array(item),
                "next_cursor": nullable(string(description="the page after; null: the last")),
                "prev_cursor": nullable(string(
                    description="the page before (pass it as cursor); null: the first page"))})


def error_schema() -> Schema:
    return obj({"error": obj({
        "code": string(description="stable, machine-readable"),
        "message": string(description="for people, in the request's language"),
        "fields": {"type": "object", "additionalProperties": array(TEXT),
                   "description": "field name → messages"},
        "guard": string(description="422 guard_failed: the refusing guard"),
        "version": integer(description="409 conflict: the proposal's current version"),
    }, required=("code", "message"))})


SCHEMAS: dict[str, Schema] = {
    "Named": obj({"code": TEXT, "name": TEXT}),
    "NamedList": page_of(ref("Named")),
    "Ruling": RULING,
    "TimelineEntry": TIMELINE_ENTRY,
    "Session": obj({"id": integer(), "held_at": DATETIME, "place": TEXT, "online": boolean(),
                    "agenda": TEXT, "minutes": TEXT, "participants": integer(minimum=0)}),
    "Comment": obj({"id": integer(), "name": nullable(TEXT), "body": nullable(TEXT),
                    "at": DATETIME, "hidden": boolean(),
                    "hidden_reason": nullable(string(description="why the office hid it"))}),
    "CommentReceipt": obj({"id": integer(), "name": nullable(TEXT), "body": TEXT,
                           "at": DATETIME, "status": COMMENT_STATUS}),
    "StaffComment": obj({"id": integer(), "name": nullable(TEXT), "body": TEXT,
                         "at": DATETIME, "status": COMMENT_STATUS,
                         "public_name": nullable(TEXT), "public_body": nullable(TEXT),
                         "hidden_reason": nullable(TEXT),
                         "personal_data": array(ref("PersonalDataHit"))}),
    "PersonalDataHit": HIT,
    "Publication": obj({
        "status": string(enum=["not_published", "review_pending", "published", "withheld"]),
        "redactions": integer(minimum=0),
        "public_text": nullable(obj({name: TEXT for name in (
            "title", "problem", "proposal", "expected_effect", "role_split")}))}),
    "PublicationResult": obj({"id": integer(), "state": TEXT, "version": integer(),
                              "publication": ref("Publication")}),
    "EasyTitleResult": obj({"id": integer(), "state": TEXT, "version": integer(),
                            "title_easy": nullable(string(
                                description="null: pending, the worker suggests the "
                                            "readings on its next pass"))}),
    "Trigger": TRIGGER,
    "PendingQuestion": obj({"question": TEXT, "asked_at": DATETIME,
                            "answer_by": nullable(DATE)}),
    "StaffUser": obj({"id": integer(), "name": TEXT}),
    "ProposalSummary": obj(SUMMARY),
    "ProposalList": two_way_page_of(ref("ProposalSummary")),
    "PublicProposal": obj({**SUMMARY, **PUBLIC_EXTRA,
                           "attachments": array(ref("PublicAttachment"))}),
    "PublicAttachment": obj({
        "id": integer(), "url": string(format="uri", description="404 until published"),
        "content_type": string(enum=list(ATTACHMENT_TYPES)), "name": TEXT}),
    "ProposerAttachment": obj({
        "id": integer(),
        "url": string(format="uri", description="the file, under the tracking link"),
        "content_type": string(enum=list(ATTACHMENT_TYPES)), "name": TEXT,
        "published": boolean(description="shown on the public page")}),
    "StaffAttachment": obj({
        "id": integer(),
        "url": string(format="uri", description="the file, for staff (bearer token)"),
        "page_url": string(format="uri", description="the file, for the staff page"),
        "content_type": string(enum=list(ATTACHMENT_TYPES)), "name": TEXT,
        "size": integer(minimum=0), "published": boolean(),
        "status": string(enum=["pending", "published", "withheld", "purged"]),
        "withheld_reason": nullable(TEXT), "created_at": DATETIME}),
    "TrackedProposal": obj({**SUMMARY, **PUBLIC_EXTRA, "published": boolean(),
                            "publish_name": boolean(),
                            "budget_total": nullable(integer()),
                            "city_share": nullable(integer()),
                            "attachments": array(ref("ProposerAttachment")),
                            "pending_question": nullable(ref("PendingQuestion")),
                            "available_triggers": array(ref("Trigger"))}),
    "QueueItem": obj({**SUMMARY, **STAFF_EXTRA}),
    "Queue": two_way_page_of(ref("QueueItem")),
    "StaffDetail": obj({**SUMMARY, **STAFF_EXTRA, **PUBLIC_EXTRA, **DETAIL_EXTRA}),
    "SubmitResult": obj({"id": integer(), "receipt": TEXT,
                         "tracking_token": string(description="the proposer's only key"),
                         "state": TEXT, "department": nullable(ref("Named"))}),
    "TransitionResult": obj({"id": integer(), "state": TEXT, "version": integer()}),
    "TransferResult": obj({"id": integer(), "state": TEXT, "version": integer(),
                           "department": ref("Named")}),
    "Stats": obj({
        "today": DATE, "departments": array(obj({
            "department": nullable(ref("Named")),
            "states": COUNTS, "total": integer(), "overdue": integer(), "rulings": COUNTS,
            "ruling_days": ref("RulingDays"), "adoption_rate": RATE})),
        "states": COUNTS, "total": integer(), "overdue": integer(), "rulings": COUNTS,
        "ruling_days": ref("RulingDays"), "adoption_rate": RATE,
        "monthly": array(obj({
            "month": string(pattern=r"^\d{4}-\d{2}$", description="a month in Japan"),
            # submitted, ruled, adopted: the counts of intake.office.figures.Month
            **{f.name: integer(minimum=0) for f in fields(Month) if f.name != "month"}})),
    }),
    "RulingDays": obj({
        "median": nullable(integer(minimum=0)), "p90": nullable(integer(minimum=0)),
    }, description="business days from submission to ruling, nearest-rank percentiles; "
                   "null when nothing was ruled"),
    "Agenda": two_way_page_of(obj({
        "proposal": ref("QueueItem"),
        "reasons": array(string(enum=["several_departments", "overdue", "ruling_pending"])),
        # several_departments: the departments besides the lead one (an open opinion
        # request's, either end of a transfer), by code; otherwise empty
        "other_departments": array(ref("Named")),
    })),
    "Error": error_schema(),
    "SupportAccepted": obj({"status": string(enum=["pending_confirmation"])},
                           description="the same answer whether the address is new, "
                                       "unconfirmed or already counted"),
    # Request bodies.
    "TransitionRequest": obj({
        "trigger": TEXT, "version": integer(minimum=1),
        "reason": string(description="the reason of a trigger that declares it (adopt, "
                                     "reject …); on a step with no reason input of its own "
                                     "(accept, open_deliberation …) an optional note, kept "
                                     "as the step's reason and shown to the proposer; "
                                     "refused (422) on one whose reason is another input "
                                     "(question, evaluation)"),
        "template": string(description="an answer template's code: its body (in the "
                                       "proposal's language) is the reason when none is sent"),
    }, required=("trigger", "version"), additionalProperties={
        "description": "the trigger's other inputs (question, answer, reason_code, scope, "
                       "evaluation, due_on …) as the workflow definition declares them"}),
    "TrackTransitionRequest": obj({
        "trigger": string(enum=["provide_info", "withdraw"]),
        "text": string(description="provide_info: the answer; withdraw: the reason"),
    }, required=("trigger",)),
    "Opinion": obj({
        "id": integer(), "proposal": integer(), "department": ref("Named"), "question": TEXT,
        "status": string(enum=["open", "answered", "waived"]), "answer": nullable(TEXT),
        "due_on": nullable(DATE), "requested_at": DATETIME,
        "answered_at": nullable(DATETIME),
        "proposal_version": integer(description=(
            "the proposal's version now: asking, answering and waiving each move it, so "
            "that a ruling racing with an opinion conflicts"))}),
    "ExtendResult": obj({"id": integer(), "state": TEXT, "version": integer(),
                         "due_on": DATE}),
    "CommentPeriodResult": obj({"id": integer(), "state": TEXT, "version": integer(),
                                "ends_at": nullable(DATETIME)}),
}

# Request bodies read off the very forms the staff page posts (forms.actions): one
# definition per action, so this description cannot drift from either door.



def attachment_paths(operation, id_param) -> dict:
    """Publishing and withholding one attachment, and its file for staff."""
    def action(summary: str) -> dict:
        return {"parameters": [id_param], "post": operation(
            summary, "staff", answer="StaffAttachment", body="AttachmentActionRequest",
            staff=True, errors=(403, 404, 409, 422),
            description="The lead department's liaison or the office; audited.")}

    file_op = operation("An attachment's file (published or not)", "staff", staff=True,
                        errors=(403, 404))
    file_op["responses"]["200"]["content"] = {
        kind: {"schema": string(contentMediaType=kind)} for kind in ATTACHMENT_TYPES}
    file_op["description"] = ("Seen by whoever sees the proposal; a PDF comes as a download "
                              "(Content-Disposition: attachment), never inline.")
    return {
        "/attachments/{id}/publish": action("Publish an attachment"),
        "/attachments/{id}/withhold": action("Withhold an attachment (take it off the public)"),
        "/attachments/{id}/file": {"parameters": [id_param], "get": file_op},
    }

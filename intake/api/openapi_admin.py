"""The administration routes of /api/v1/openapi.json (SPEC section 7): their paths, the
shapes they answer (:mod:`intake.admin.shapes`) and their request bodies, read off the
forms of :mod:`forms.admin` like the staff actions' (a PATCH's body is the same form with
every field optional)."""

from __future__ import annotations

from collections.abc import Callable

from forms.admin import (
    CategoryForm,
    DepartmentForm,
    RoutingPreviewForm,
    RoutingRuleForm,
    UserCreateForm,
    UserForm,
)

from .openapi_schemas import DATE, Schema, boolean, integer, nullable, obj, page_of, ref, string

NAMES = obj({"ja": string(), "en": string(), "ja-easy": string()})
RULE = obj({"id": integer(), "category": string(description="category code"),
            "district": nullable(string(description="district code; null: any district")),
            "keyword": nullable(string(description="null: any text")),
            "department": string(description="department code"), "priority": integer()})

ADMIN_SCHEMAS: dict[str, Schema] = {
    "RoutingRule": RULE,
    "RoutingRuleList": page_of(ref("RoutingRule")),
    "RoutingPreview": obj({"department": nullable(ref("Named")),
                           "rule": nullable(integer(description="the rule that matched; "
                                                    "null: the office's triage"))}),
    "AdminDepartment": obj({"code": string(), "name": NAMES, "active": boolean()}),
    "AdminCategory": obj({"code": string(), "name": NAMES, "active": boolean(),
                          "sort_order": integer()}),
    "User": obj({"id": integer(), "email": string(), "name": string(),
                 "role": string(enum=["liaison", "office", "admin"]),
                 "department": nullable(string()), "primary": boolean(),
                 "absent": boolean(description="away today (marked, or within absent_from–"
                                               "absent_to)"),
                 "active": boolean(), "absent_from": nullable(DATE),
                 "absent_to": nullable(DATE)}),
    "UserList": page_of(ref("User")),
    "Invitation": obj({"user": ref("User"),
                       "expires_at": string(format="date-time",
                                            description="when the new link stops working")}),
    "InvitationRequest": {**obj({"language": string(enum=["ja", "en"])}, required=()),
                          "description": "optional; the body may be empty (language ja)"},
    "AnswerTemplate": obj({"code": string(), "trigger": string(), "title": NAMES,
                           "body": NAMES, "active": boolean(), "sort_order": integer()}),
    "AnswerTemplateList": page_of(ref("AnswerTemplate")),
    "AnswerTemplateRequest": {**obj({
        "code": string(pattern="^[a-z0-9][a-z0-9_-]{0,39}$"),
        "trigger": string(description="a trigger with a reason input"),
        "title": NAMES, "body": NAMES, "sort_order": integer(minimum=0)}),
        "required": ["code", "trigger", "title", "body"],
        "description": "title.ja and body.ja are required; en and ja-easy fall back to ja"},
    "AnswerTemplatePatch": {**obj({"trigger": string(), "title": NAMES, "body": NAMES,
                                   "sort_order": integer(minimum=0), "active": boolean()},
                                  required=()),
                            "description": "only the fields to change"},
    "RulingImport": obj({"rows": {"type": "array", "items": obj({
        "line": integer(description="the line of the CSV file (the header is line 1)"),
        "receipt": string(), "status": string(enum=["ok", "error"]),
        "error": nullable(string(description="why the row changed nothing, naming the "
                                             "column"))})}}),
}

# request schema name → (form class, fields the route does not take, PATCH: all optional)
ADMIN_FORMS = {
    "RoutingRuleRequest": (RoutingRuleForm, (), False),
    "RoutingRulePatch": (RoutingRuleForm, (), True),
    "RoutingPreviewRequest": (RoutingPreviewForm, (), False),
    "DepartmentRequest": (DepartmentForm, ("active",), False),
    "DepartmentPatch": (DepartmentForm, ("code",), True),
    "CategoryRequest": (CategoryForm, ("active",), False),
    "CategoryPatch": (CategoryForm, ("code",), True),
    "UserPatch": (UserForm, (), True),
    "UserRequest": (UserCreateForm, (), False),
}


def admin_request_schemas(form_schema: Callable[[object], Schema]) -> dict[str, Schema]:
    schemas = {}
    for name, (form_class, dropped, patch) in ADMIN_FORMS.items():
        schema = form_schema(form_class.from_json({}, lang="en").drop(*dropped))
        if patch:
            schema.pop("required", None)
            schema["description"] = "only the fields to change"
        if "priority" in schema["properties"]:
            schema["properties"]["priority"].update(minimum=-1000, maximum=1000)
        schemas[name] = schema
    return schemas


def no_content(op: dict, description: str) -> dict:
    """An operation that answers 204 on success, keeping its documented errors."""
    errors = {code: answer for code, answer in op["responses"].items() if code != "200"}
    return {**op, "responses": {"204": {"description": description}, **errors}}


def admin_paths(operation: Callable[..., dict], path_param: Callable[..., dict]) -> dict:
    """The routes, as ``openapi.paths()`` describes its own (merged into the public
    ``/departments`` and ``/categories``, whose GET stays public)."""
    rule_id = path_param("id", integer(minimum=1))
    code = path_param("code", string())

    def office(summary: str, **kw) -> dict:
        return operation(summary, "admin", staff=True, **kw)

    office_errors = (403, 422)
    return {
        "/routing-rules": {
            "get": office("Active routing rules, in the order routing tries them",
                          answer="RoutingRuleList", errors=(403,)),
            "post": office("Add a routing rule (new submissions only)", ok=201,
                           answer="RoutingRule", body="RoutingRuleRequest",
                           errors=office_errors)},
        "/routing-rules/{id}": {
            "parameters": [rule_id],
            "patch": office("Change a rule; proposals already routed stay where they are",
                            answer="RoutingRule", body="RoutingRulePatch",
                            errors=(403, 404, 422)),
            "delete": no_content(office("Retire a rule (it stops routing; audited)",
                                        errors=(403, 404)), "retired")},
        "/routing/preview": {"post": office(
            "Which department (and rule) a draft would be routed to now", answer="RoutingPreview",
            body="RoutingPreviewRequest", errors=office_errors)},
        "/departments": {"post": office("Add a department", ok=201, answer="AdminDepartment",
                                        body="DepartmentRequest", errors=office_errors)},
        "/departments/{code}": {"parameters": [code], "patch": office(
            "Rename or (de)activate a department", answer="AdminDepartment",
            body="DepartmentPatch", errors=(403, 404, 422))},
        "/categories": {"post": office("Add a theme", ok=201, answer="AdminCategory",
                                       body="CategoryRequest", errors=office_errors)},
        "/categories/{code}": {"parameters": [code], "patch": office(
            "Rename, reorder or (de)activate a theme", answer="AdminCategory",
            body="CategoryPatch", errors=(403, 404, 422))},
        "/users": {"get": office("Officers", answer="UserList", errors=(403,)),
                   "post": new_account(office)},
        "/answer-templates": {
            "get": operation("Answer templates (liaisons may read them)", "admin", staff=True,
                             answer="AnswerTemplateList"),
            "post": office("Add an answer template", ok=201, answer="AnswerTemplate",
                           body="AnswerTemplateRequest", errors=office_errors)},
        "/answer-templates/{code}": {"parameters": [code], "patch": office(
            "Change or (de)activate an answer template (never deleted)",
            answer="AnswerTemplate", body="AnswerTemplatePatch", errors=(403, 404, 422))},
        "/rulings/import": {"post": import_operation(operation)},
        "/users/{id}": {"parameters": [rule_id], "patch": office(
            "Change an officer (role: administrators only)", answer="User", body="UserPatch",
            errors=(403, 404, 422))},
        "/users/{id}/invitation": {"parameters": [rule_id], "post": resend(office)},
    }


def resend(office: Callable[..., dict]) -> dict:
    """``POST /users/{id}/invitation``: administrators only, for an account with no
    password yet."""
    op = office("Mail a new invitation to an account with no password (administrators)",
                ok=201, answer="Invitation", body="InvitationRequest",
                errors=(403, 404, 409, 422))
    op["requestBody"]["required"] = False
    op["description"] = (
        "For an officer who lost the invitation or let it expire: a new one-time link to set "
        "a password, valid for 72 hours, is mailed in language (ja or en, default ja); the "
        "links mailed before stop working. 409 when the account already has a password "
        "(code password_already_set: its owner uses 'forgot your password?' on the sign-in "
        "page) or is inactive (account_inactive). Audited as an admin_change event (op "
        "invite).")
    return op


def new_account(office: Callable[..., dict]) -> dict:
    """``POST /users``: administrators only; the account has no password until its owner
    follows the invitation."""
    op = office("Add a staff account (administrators); its owner is mailed an invitation",
                ok=201, answer="User", body="UserRequest", errors=(403, 422))
    op["description"] = (
        "The address is stored lower-cased and must be new (422 naming email, rule taken); a "
        "liaison needs an active department. Made primary, the department's previous primary "
        "becomes a deputy. The account has no password: the address is mailed a one-time link "
        "to set one, valid for 72 hours, in language (ja or en, default ja). Audited as an "
        "admin_change event.")
    return op


def merged(paths: dict, more: dict) -> dict:
    """``paths`` with ``more``'s operations added (a path in both keeps both's)."""
    result = {path: dict(item) for path, item in paths.items()}
    for path, item in more.items():
        result.setdefault(path, {}).update(item)
    return result


def import_operation(operation: Callable[..., dict]) -> dict:
    """``POST /rulings/import``: a CSV body, not JSON."""
    op = operation("Import rulings from a spreadsheet (CSV), row by row", "staff", staff=True,
                   answer="RulingImport", errors=(403, 413, 415, 422),
                   params=({"name": "dry_run", "in": "query", "required": False,
                            "description": "1: check every row (guards included), change "
                                           "nothing", "schema": string(enum=["0", "1"])},))
    op["description"] = (
        "Columns receipt,trigger,reason,reason_code,decision,scope (a header row first); "
        "UTF-8 with or without BOM, else Shift_JIS (cp932). Each row runs the transition "
        "as the page does (roles, guards), on its own: a failing row changes nothing, the "
        "others apply, each its own audited transition. decision, when given, must be what "
        "the transition records. At most 2000 rows.")
    csv = {"schema": string()}
    op["requestBody"] = {"required": True, "content": {
        "text/csv": csv,
        "multipart/form-data": {"schema": obj({"file": string(format="binary")})}}}
    return op

"""Open311 GeoReport v2 under ``/open311/v2`` (SPEC section 8): the door existing 311
apps use.  Each view parses, calls the same query or operation as the other doors, and
presents in the format its suffix names (``.xml``, the spec's required format, or
``.json``).  A POST is validated by :class:`forms.proposal.ProposalForm` — the one
definition of the form's rules — with Open311's names mapped onto the form's fields.
"""

from __future__ import annotations

import re

from flask import Blueprint, g, request, url_for
from werkzeug.datastructures import MultiDict

from forms.proposal import ProposalForm
from intake import queries
from intake.api.payload import storable
from intake.auth import token_digest, user_for_token
from intake.body_text import body_is_utf8
from intake.db import session
from intake.doors import request_links
from intake.errors import ActionError
from intake.i18n import LANGUAGES, translate
from intake.models import Category, Proposal, parse_receipt, utcnow
from intake.proposals.operations import submit_proposal
from intake.ratelimit import limiter

from . import queries as requests_query
from . import shapes
from .formats import Document, errors, respond

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

FORMAT = "<any(xml, json):fmt>"
CHANGESET = "2026-11-27T00:00:00Z"
# A city-issued key serves an app with many citizens behind one address: limited per key.
POST_LIMIT = "600 per hour"
# Where each form field comes from in an Open311 POST, for naming it in an error.
OPEN311_NAMES = {"category": "service_code", "problem": "description",
                 "proposer_name": "first_name", "email": "email", "phone": "phone"}
ATTRIBUTE = re.compile(r"attribute\[(\w+)\]\Z")


def _lang() -> str:
    return g.get("lang", "ja")


def _t(key: str, **params: object) -> str:
    return translate(key, _lang(), **params)


def _fmt() -> str:
    """The format a failed request is answered in: its suffix's, else XML."""
    return "json" if request.path.endswith(".json") else "xml"


@bp.before_request
def _refuse_unstorable_text():
    """A body that is not UTF-8 is not read at all (:mod:`intake.body_text`); a NUL (no
    client sends one on purpose) would make PostgreSQL refuse the row."""
    if request.method == "POST" and not body_is_utf8():
        return errors(_fmt(), 400, _t("open311.error.not_utf8"))
    values = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if not all(storable(name) and storable(value) for name, value in values):
        return errors(_fmt(), 400, _t("open311.error.characters"))
    return None


# --- discovery and services ------------------------------------------------------------------


@bp.get(f"/discovery.{FORMAT}")
def discovery(fmt: str):
    base = url_for("open311.discovery", fmt="xml", _external=True).rsplit("/", 1)[0]
    return respond(Document("discovery", shapes.discovery(base, CHANGESET, _lang())), fmt)


@bp.get(f"/services.{FORMAT}")
def services(fmt: str):
    rows = queries.categories(session(), active_only=True)
    return respond(Document("services", [shapes.service(c, _lang()) for c in rows]), fmt)


def _active_category(code: str) -> Category | None:
    return next((c for c in queries.categories(session(), active_only=True) if c.code == code),
                None)


def _blank_form(lang: str) -> ProposalForm:
    return ProposalForm(None, lang=lang, **queries.form_choices(session(), lang))


@bp.get(f"/services/<code>.{FORMAT}")
def service_definition(code: str, fmt: str):
    category = _active_category(code)
    if category is None:
        return errors(fmt, 404, _t("open311.error.no_service", code=code))
    definition = shapes.service_definition(category, _blank_form(_lang()), _lang())
    return respond(Document("service_definition", definition), fmt)


# --- service requests -------------------------------------------------------------------------


@bp.get(f"/requests.{FORMAT}")
def list_requests(fmt: str):
    try:
        filters = requests_query.parse_filters(request.args, utcnow())
    except requests_query.BadFilter as bad:
        return errors(fmt, 400, _t("open311.error.bad_filter", name=bad.name,
                                  rule=_t(f"open311.rule.{bad.rule}")))
    rows = requests_query.service_requests(session(), filters)
    links = request_links()
    return respond(Document("service_requests",
                            [shapes.service_request(p, _lang(), links) for p in rows]), fmt)


def _request_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


@bp.get(f"/requests/<request_id>.{FORMAT}")
def one_request(request_id: str, fmt: str):
    number = _request_id(request_id)
    found = requests_query.one_request(session(), number) if number else None
    if found is None:
        return errors(fmt, 404, _t("open311.error.no_request", id=request_id))
    shape = shapes.service_request(found, _lang(), request_links())
    return respond(Document("service_requests", [shape]), fmt)


@bp.get(f"/tokens/<token>.{FORMAT}")
def token(token: str, fmt: str):
    """A POST answers with the id at once; its receipt number also works as the token
    (the spec's tokens serve servers that create requests later)."""
    parsed = parse_receipt(token)
    found = session().get(Proposal, parsed.number) if parsed else None
    if found is None or found.receipt != str(parsed):
        return errors(fmt, 404, _t("open311.error.no_token", token=token))
    return respond(Document("service_requests",
                            [{"service_request_id": str(found.id), "token": found.receipt}]),
                   fmt)


def _api_key() -> str:
    return (request.form.get("api_key") or request.args.get("api_key") or "").strip()


def _key_for_limit() -> str:
    return "open311:" + token_digest(_api_key())


def _proposer_name(form: MultiDict, lang: str) -> str:
    """first_name and last_name as one name: family name first in Japanese."""
    first, last = (form.get("first_name") or "").strip(), (form.get("last_name") or "").strip()
    parts = [last, first] if lang != "en" else [first, last]
    return " ".join(p for p in parts if p)


def _form_data(posted: MultiDict, lang: str, known: frozenset[str]) -> tuple[MultiDict, list[str]]:
    """Open311's names turned into the form's; unknown ``attribute[…]`` codes named."""
    data = MultiDict({"category": posted.get("service_code", ""),
                      "problem": posted.get("description", ""),
                      "proposer_name": _proposer_name(posted, lang),
                      "email": posted.get("email", ""), "phone": posted.get("phone", "")})
    unknown = []
    for name, value in posted.items(multi=True):
        matched = ATTRIBUTE.match(name)
        if matched is None:
            continue
        code = matched.group(1)
        if code in known:
            data.add(code, value)
        else:
            unknown.append(name)
    return data, unknown


def _open311_name(field: str) -> str:
    return OPEN311_NAMES.get(field, f"attribute[{field}]")


@bp.post(f"/requests.{FORMAT}")
@limiter.limit(POST_LIMIT, key_func=_key_for_limit)
def create_request(fmt: str):
    db = session()
    if not _api_key() or user_for_token(db, _api_key()) is None:
        return errors(fmt, 403, _t("open311.error.api_key"))
    posted = request.form
    chosen = posted.get("attribute[language]")
    lang = chosen if chosen in LANGUAGES else _lang()
    data, unknown = _form_data(posted, lang, shapes.attribute_codes())
    form = ProposalForm(data, lang=lang, **queries.form_choices(db, lang))
    valid = form.validate()
    problems = [_t("open311.error.unknown_attribute", name=name) for name in unknown]
    if not valid:
        problems += [f"{_open311_name(name)}: {message}" for name, messages in form.errors.items()
                     if name for message in messages]
    if problems:
        return errors(fmt, 400, *problems)
    try:
        proposal, _token = submit_proposal(db, form.submission(), channel="open311",
                                           links=request_links())
    except ActionError:  # a theme switched off a moment ago, or a lost race
        return errors(fmt, 400, _t("open311.error.try_again"))
    notice = shapes.receipt_notice(proposal, lang)
    return respond(Document("service_requests", [{"service_request_id": str(proposal.id),
                                                  "service_notice": notice,
                                                  "account_id": None}]), fmt, 201)


# --- anything else under /open311/v2 ----------------------------------------------------------


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def no_such_resource(rest: str):
    if request.method in ("GET", "POST"):
        return errors(_fmt(), 404, _t("open311.error.no_resource"))
    return errors(_fmt(), 405, _t("open311.error.method"))

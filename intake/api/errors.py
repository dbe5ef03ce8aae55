"""Every answer under ``/api/`` that is not a success is JSON (SPEC section 8)::

    {"error": {"code": "…", "message": "…", "fields": {"name": ["…"]}, …details}}

``code`` is stable and machine-readable; ``message`` is for people, in the request's
language (operations' errors are worded by :mod:`intake.explain`, as on the pages);
``fields`` names what to correct; further keys come from the error's details (a refused
guard's ``guard``, a conflict's current ``version``, the ``dates`` a rule names, in ISO 8601).

Two sources of errors: :class:`~intake.errors.ActionError` raised by the API and by
operations (handled on the blueprint, which also rolls the request's transaction back),
and werkzeug's HTTP errors — unknown URL, wrong method, body too large, rate limit,
crash — which happen before or outside our views and so need application-wide handlers
(:func:`register`) that answer JSON only for ``/api/`` paths.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, default_exceptions

from intake.errors import ActionError
from intake.explain import explain
from intake.i18n import translate
from intake.shapes import iso_date, iso_datetime

API_PREFIX = "/api/"


class BadRequest(ActionError):
    status, code, translated = 400, "bad_request", True


class Unauthorized(ActionError):
    """No or a bad bearer token; answers with ``WWW-Authenticate`` (RFC 6750)."""

    status, code, translated = 401, "unauthorized", True

    @property
    def headers(self) -> dict[str, str]:
        challenge = 'Bearer realm="teian"'
        if self.code == "invalid_token":
            challenge += ', error="invalid_token"'
        return {"WWW-Authenticate": challenge}


class UnsupportedMediaType(ActionError):
    status, code, translated = 415, "unsupported_media_type", True


def lang() -> str:
    return g.get("lang", "ja")


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    fields: dict[str, list[str]] | None = None,
    details: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
):
    body: dict[str, object] = {**(details or {}), "code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def action_error_response(exc: ActionError):
    """The request's action failed: say why in the request's language (the request's
    transaction is rolled back by :mod:`intake.transaction`, as for any error answer)."""
    if not exc.translated:
        explained = explain(exc, lang(), lambda name: translate(f"api.field.{name}", lang()))
        exc.message, exc.fields, exc.translated = explained.message, explained.fields, True
    return error_response(
        exc.status, exc.code, exc.message, fields=exc.fields, details=_iso_dates(exc.details),
        headers=getattr(exc, "headers", None),
    )


def _iso_dates(details: dict[str, object]) -> dict[str, object]:
    """The days a rule names (``{"latest": date}``) as ISO 8601, as every date in the API
    is written (JSON left to itself would write 'Wed, 31 Dec 2036 00:00:00 GMT')."""
    dates = details.get("dates")
    if not isinstance(dates, dict):
        return details
    return {**details, "dates": {name: iso_datetime(day) if isinstance(day, datetime)
                                 else iso_date(day) for name, day in dates.items()}}


# werkzeug's errors as (code, message key); anything else gets a slug of its name.
_HTTP_ERRORS = {
    400: ("bad_request", "api.error.bad_request"),
    404: ("not_found", "api.error.not_found"),
    405: ("method_not_allowed", "api.error.method_not_allowed"),
    413: ("payload_too_large", "api.error.payload_too_large"),
    415: ("unsupported_media_type", "api.error.unsupported_media_type"),
    429: ("rate_limited", "api.error.rate_limited"),
    500: ("internal_error", "api.error.internal"),
}
# Headers of werkzeug's own response worth keeping (405 lists the allowed methods).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def http_error_response(exc: HTTPException):
    code = exc.code or 500
    slug, key = _HTTP_ERRORS.get(code, (None, None))
    slug = slug or (exc.name or "error").lower().replace(" ", "_").replace("'", "")
    # This request's own limit (the proposal form's is larger: it carries files).
    limit = request.max_content_length or current_app.config.get("MAX_CONTENT_LENGTH")
    message = translate(key, lang(), limit=limit) if key else exc.name
    headers = {name: value for name, value in exc.get_headers() if name in _KEPT_HEADERS}
    return error_response(code, slug, message, headers=headers)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def register(app: Flask) -> None:
    """Answer JSON for HTTP errors under ``/api/``; leave every other path alone.

    Flask prefers a handler registered for a status code over one for a class, so a
    page helper's ``@app.errorhandler(404)`` would silence a generic handler.  Hence one
    handler per code we expect, each delegating non-API paths to whatever handler was
    registered for that code before it (call this after the pages' handlers, or make
    theirs delegate ``/api/`` back), plus a generic one for any other HTTP error.
    """
    for status in (400, 404, 405, 413, 415, 429, 500):
        exc_class = default_exceptions[status]
        earlier = app.error_handler_spec[None][status].get(exc_class)
        app.register_error_handler(status, _api_or(earlier))
    app.register_error_handler(HTTPException, _api_or(None))


def _api_or(earlier):
    def handle(exc: HTTPException):
        if is_api_request():
            return http_error_response(exc)
        if earlier is not None:
            return earlier(exc)
        return exc

    return handle

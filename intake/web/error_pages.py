"""Pages for the errors no view answers: 405 and 500 (and Open311's 413).

A 405 comes from the router, before any blueprint is chosen, so the blueprints' own
error handlers never see it: someone who opens a form's POST-only address as a link (a
bookmark, a copied address, a reload prompt declined) got the framework's bare page.  A
500 is a fault in Teian; the visitor gets a page in their language that says nothing was
saved (the request's transaction is rolled back, intake.transaction) and what to do, with a
reference that the log line beside the traceback carries, so the city's IT can find it.

The API's handlers (intake.api.errors) answer ``/api/`` in JSON and hand every other path
to these, so they must be registered before the API blueprint.  Open311 gets its own
error format.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from intake.i18n import DEFAULT_LANGUAGE, translate
from intake.open311.formats import errors as open311_errors
from intake.web.page_text import page_text

# status → (the public page's catalogue stem, the staff page's message key)
PAGES = {405: ("not_a_page", "staff.error.not_a_page"),
         500: ("server", "staff.error.server")}


# An Open311 client is a program: it is told what failed, not where to click.
OPEN311_KEYS = {405: "open311.error.method", 500: "open311.error.server"}


def init_error_pages(app: Flask) -> None:
    app.register_error_handler(405, _method_not_allowed)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(500, _server_error)


def _open311_format() -> str:
    return "json" if request.path.endswith(".json") else "xml"


def _too_large(exc: HTTPException):
    """Open311's errors are 400, 403 and 404 (GeoReport v2), in its own format; every
    other path keeps the framework's answer (the pages' own handlers, the API's JSON)."""
    if request.path.startswith("/open311/"):
        limit = request.max_content_length or current_app.config.get("MAX_CONTENT_LENGTH")
        return open311_errors(_open311_format(), 400,
                              translate("open311.error.too_large", g.get("lang", DEFAULT_LANGUAGE),
                                        limit=limit))
    return exc


def _method_not_allowed(exc: MethodNotAllowed):
    response = _page(405)
    response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
    return response


def _server_error(_exc: HTTPException):
    # The request's work is undone before the page is drawn: a failed statement leaves
    # PostgreSQL's transaction unusable, and the page's own reads would fail with it.
    current_app.extensions["teian.session"]().rollback()
    reference = secrets.token_hex(4)
    current_app.logger.error("error reference %s: %s %s (traceback above)", reference,
                             request.method, request.path)
    try:
        return _page(500, reference)
    except Exception:  # the page itself failed: a plain one, still with the reference
        current_app.logger.exception("error reference %s: the error page failed", reference)
        return current_app.response_class(
            f"500 Internal Server Error (reference {reference})\n", status=500,
            mimetype="text/plain")


def _blueprint_helpers(blueprint: str) -> dict:
    """The template helpers a blueprint's pages get.  Flask adds them only to a request
    routed to that blueprint, and these errors were not routed at all."""
    helpers: dict = {}
    for processor in current_app.template_context_processors.get(blueprint, ()):
        helpers.update(processor())
    return helpers


def _page(status: int, reference: str = ""):
    lang = g.get("lang", DEFAULT_LANGUAGE)
    stem, staff_key = PAGES[status]
    if request.path.startswith("/open311/"):
        return open311_errors(_open311_format(), status,
                              translate(OPEN311_KEYS[status], lang, reference=reference))
    if request.path == "/staff" or request.path.startswith("/staff/"):
        message = translate(staff_key, lang, reference=reference)
        html = render_template("staff/error.html", status=status, message=message,
                               **_blueprint_helpers("staff"))
    else:
        # Readings from the shipped table (page_text), not |ruby: no database after a fault.
        html = render_template("public/error.html", status=status,
                               title=page_text(f"public.error.{stem}.title"),
                               message=page_text(f"public.error.{stem}.body",
                                                 reference=reference))
    return current_app.response_class(html, status=status)

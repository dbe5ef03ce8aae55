"""When the database cannot be reached (down, restarting, locked past SQLite's busy
timeout, disk full): 503 with a clear page — or the API's JSON error, or Open311's —
and ``Retry-After``, never a traceback.  The request's transaction never committed, so
nothing is half written; a form is not lost either (the browser's back button keeps it)."""

from __future__ import annotations

from flask import Flask, g, jsonify, make_response, render_template, request
from sqlalchemy.exc import OperationalError

from .i18n import translate
from .open311.formats import errors as open311_errors

RETRY_AFTER = "30"


def database_unavailable(_exc: OperationalError):
    lang = g.get("lang", "ja")
    message = translate("error.unavailable", lang)
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"code": "unavailable", "message": message}})
        response.status_code = 503
    elif request.path.startswith("/open311/"):
        response = open311_errors("json" if request.path.endswith(".json") else "xml", 503,
                                  message)
    else:
        from .web.page_text import page_text  # readings without asking the database

        page = render_template("public/error.html", status=503,
                               title=page_text("error.unavailable_title"),
                               message=page_text("error.unavailable"))
        response = make_response(page, 503)
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def init_unavailable(app: Flask) -> None:
    app.register_error_handler(OperationalError, database_unavailable)

"""One transaction per request, committed in one place (as Indico's ``RH.process`` does).

Operations only ``flush``.  After the view has answered, a success (1xx–3xx) commits the
request's work — the state change, its audit event and its outbox messages together —
and anything else rolls it back, so no view commits or forgets to.  An exception rolls
back in ``teardown`` (the scoped session is removed).  A commit that loses a race at the
last moment answers 409, never a 500.
"""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.exc import StaleDataError

from .core.concurrency import is_concurrent_change
from .i18n import translate


def init_transactions(app: Flask, sessions: scoped_session[Session]) -> None:
    @app.after_request
    def _end_transaction(response: Response) -> Response:
        session = sessions()
        if response.status_code >= 400:
            session.rollback()
            return response
        try:
            session.commit()
        except (IntegrityError, OperationalError, StaleDataError) as exc:
            session.rollback()
            if not isinstance(exc, StaleDataError) and not is_concurrent_change(exc):
                raise
            return _conflict()
        return response

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        sessions.remove()


def _conflict() -> Response:
    lang = g.get("lang", "ja")
    message = translate("staff.error.conflict", lang)
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"code": "conflict", "message": message}})
    else:
        from .web.page_text import page_text  # readings without asking the database

        response = Response(render_template("public/error.html", status=409,
                                            title=page_text("staff.error.title", status=409),
                                            message=page_text("staff.error.conflict")))
    response.status_code = 409
    return response

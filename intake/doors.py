"""What every door (pages, JSON API, later Open311 and CSV import) hands the operations
from the request it serves: the links for messages, built for the address the request
reached unless ``TEIAN_BASE_URL`` says otherwise."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Flask, Response, abort, current_app, request, stream_with_context
from sqlalchemy.orm import Session

from .attachments import MAX_BYTES, MAX_FILES
from .attachments.shapes import file_response
from .attachments.storage import Storage, folder_storage
from .core.actors import Actor
from .errors import Invalid
from .links import Links, links_for
from .models import Attachment, User
from .office import imports
from .office.spreadsheet import MIMETYPE

# The forms that take files (the proposal form, page and API) may send up to MAX_FILES files
# of MAX_BYTES and one more, so that a sixth file or an 11 MB one still reaches the form
# and gets its field's message; every other request keeps the app's small limit.
UPLOAD_ENDPOINTS = frozenset({"public.propose", "api.submit_proposal"})
UPLOAD_BODY_BYTES = (MAX_FILES + 1) * MAX_BYTES + 1024 * 1024


def request_links() -> Links:
    return links_for(current_app, request.host_url)


def request_storage() -> Storage:
    """Where attachment files are kept (the instance folder's ``attachments/``)."""
    return current_app.extensions["teian.attachments"]


def attachment_response(attachment: Attachment, *, thumbnail: bool = False,
                        private: bool) -> Response:
    """A stored file (or its thumbnail) as the pages answer it, whoever may see it (the
    caller decided); a file whose bytes are gone is a 404 like any missing one."""
    key = attachment.thumbnail_key if thumbnail else attachment.storage_key
    data = request_storage().get(key) if key else None
    if data is None:
        abort(404)
    return file_response(attachment, data, thumbnail=thumbnail, private=private)


def init_uploads(app: Flask) -> None:
    """Register before CSRF and the pages' own hooks, which read the form first."""
    app.extensions["teian.attachments"] = folder_storage(app.config["TEIAN"].instance_path)

    @app.before_request
    def _room_for_files() -> None:
        # Only a multipart body carries files: JSON keeps the small limit.
        if (request.method == "POST" and request.endpoint in UPLOAD_ENDPOINTS
                and request.mimetype == "multipart/form-data"):
            request.max_content_length = UPLOAD_BODY_BYTES


def csv_response(lines: Iterable[str], filename: str, *, session: Session) -> Response:
    """A CSV download written as it is read (:mod:`intake.office.spreadsheet`) through
    ``session``, the one the view gave the rows (:func:`download_response`)."""
    return download_response(lines, MIMETYPE, filename, session=session)


def download_response(chunks: Iterable[str], content_type: str, filename: str, *,
                      session: Session) -> Response:
    """A download sent as ``chunks`` are read, in the request's context, the reads of
    ``session`` ended when the chunks end — read to the last, failed, or abandoned by
    the client (the server then closes the iterator).

    Why it is needed: Flask tears the request down when the view returns, before the
    first chunk is read, and the teardown removes the request's session
    (:mod:`intake.transaction`).  The chunks then read through the session object the
    view handed them, which begins a new transaction on a pooled connection; when the
    stream ends the teardown runs again but finds no session to remove, so that
    transaction would stay open — "idle in transaction" on PostgreSQL, holding its locks
    (a TRUNCATE or a migration waits for it) and its connection until the garbage
    collector happens on the session.  Nothing is written there: it is rolled back.

    ``content_type`` is sent as given, its charset included (Werkzeug's ``mimetype``
    would add a second one to a ``text/*`` type)."""
    return Response(stream_with_context(_ending_reads(chunks, session)),
                    content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _ending_reads(chunks: Iterable[str], session: Session) -> Iterator[str]:
    try:
        yield from chunks
    finally:
        session.rollback()


def import_file(user: User, raw: bytes, lang: str, *, dry_run: bool) -> list[imports.Outcome]:
    """A rulings spreadsheet read and run row by row with ``user`` as the actor (the page
    and the API both call this); a file refused whole raises 422 naming ``file``."""
    from .db import session

    try:
        rows = imports.read_rows(raw)
    except Invalid as exc:
        raise imports.worded(exc, lang) from exc
    return imports.import_rulings(session(), Actor.staff(user), rows, links=request_links(),
                                  dry_run=dry_run)

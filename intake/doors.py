"""What every door (pages, JSON API, later Open311 and CSV import) hands the operations
from the request it serves: the links for messages, built for the address the request
reached unless ``TEIAN_BASE_URL`` says otherwise."""

from __future__ import annotations

from flask import Response, current_app, request, stream_with_context

from .core.actors import Actor
from .errors import Invalid
from .links import Links, links_for
from .models import User
from .office import imports
from .office.spreadsheet import MIMETYPE


def request_links() -> Links:
    return links_for(current_app, request.host_url)


def csv_response(lines, filename: str) -> Response:
    """A CSV download written as it is read (:mod:`intake.office.spreadsheet`): the
    request's context stays open until the last line."""
    return Response(stream_with_context(lines), mimetype=MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


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

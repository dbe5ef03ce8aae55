"""What every door (pages, JSON API, later Open311 and CSV import) hands the operations
from the request it serves: the links for messages, built for the address the request
reached unless ``TEIAN_BASE_URL`` says otherwise."""

from __future__ import annotations

from flask import Response, current_app, request, stream_with_context

from .links import Links, links_for
from .office.spreadsheet import MIMETYPE


def request_links() -> Links:
    return links_for(current_app, request.host_url)


def csv_response(lines, filename: str) -> Response:
    """A CSV download written as it is read (:mod:`intake.office.spreadsheet`): the
    request's context stays open until the last line."""
    return Response(stream_with_context(lines), mimetype=MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

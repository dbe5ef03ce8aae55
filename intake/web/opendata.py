"""Open data on the public pages (SPEC section 5): the list's downloads and the page that
documents their columns.

``/proposals.csv`` and ``/proposals.json`` take the list's own filters (``state``,
``category``, ``department``, ``district``, ``q``) and answer, streamed, what
:mod:`intake.opendata` writes for them — the same rows ``teian export`` writes for no
filter.  ``/open-data`` explains the columns and the formats in the reader's language.
"""

from __future__ import annotations

from flask import render_template, request, url_for

import workflows

from .. import queries
from ..db import session
from ..doors import download_response
from ..errors import Invalid
from ..opendata.export import COLUMNS, published_rows
from ..opendata.formats import FORMATS
from .public import _lang, bp
from .public_list import list_refused


@bp.get("/proposals.<any(csv, json):fmt>")
def proposals_download(fmt: str):
    filters = queries.Filters.from_args(request.args)
    reads = session()
    try:
        rows = published_rows(reads, filters, _lang())
    except Invalid as error:  # q too long, or a filter value no list offers
        return list_refused(error)
    chosen = FORMATS[fmt]
    filename = f"teian-proposals-{workflows.today_jst().isoformat()}.{fmt}"
    return download_response(chosen.chunks(rows), chosen.mimetype, filename, session=reads)


@bp.get("/open-data")
def open_data():
    return render_template("public/open_data.html", columns=COLUMNS, formats=tuple(FORMATS))


@bp.context_processor
def _download_links() -> dict:
    def download_links(filters: queries.Filters) -> list[tuple[str, str]]:
        """(format, address) for the list's downloads, with the list's filters."""
        active = filters.active()
        return [(fmt, url_for("public.proposals_download", fmt=fmt, **active))
                for fmt in FORMATS]

    return {"download_links": download_links}

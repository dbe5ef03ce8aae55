"""The office's view over the API (SPEC section 7): the figures, the liaison-meeting agenda
and the rulings, as JSON or CSV.  The office reads every department, a liaison their own
(:class:`intake.office.figures.Scope`): asked once here, for every route."""

from __future__ import annotations

import workflows
from intake.db import session
from intake.doors import csv_response
from intake.i18n import translate
from intake.models import User
from intake.office import agenda as office_agenda
from intake.office import shapes, spreadsheet
from intake.office.figures import Scope, figures

from . import bp
from .auth import staff_required
from .errors import lang
from .proposals import page_args


@bp.get("/stats")
@staff_required
def stats(user: User):
    today = workflows.today_jst()
    return shapes.stats(figures(session(), today, Scope.of(user)), lang())


@bp.get("/agenda")
@staff_required
def agenda(user: User):
    """A page of the agenda (``cursor``, ``limit``: the lists' own; a bad one is a 422)."""
    _filters, cursor, limit = page_args()
    today = workflows.today_jst()
    found = office_agenda.page(session(), today, Scope.of(user), cursor=cursor, limit=limit)
    return shapes.agenda(found, lang(), today)


@bp.get("/agenda.csv")
@staff_required
def agenda_csv(user: User):
    """The whole agenda, streamed."""
    today = workflows.today_jst()
    reads = session()
    rows = spreadsheet.agenda_rows(reads, today, Scope.of(user), lang(),
                                   triage=translate("staff.triage", lang()),
                                   unassigned=translate("staff.unassigned", lang()),
                                   separator=translate("staff.separator", lang()))
    return csv_response(spreadsheet.lines(spreadsheet.AGENDA_HEADER, rows),
                        f"agenda-{today.isoformat()}.csv", session=reads)


@bp.get("/rulings.csv")
@staff_required
def rulings_csv(user: User):
    reads = session()
    rows = spreadsheet.ruling_rows(reads, Scope.of(user), lang(),
                                   triage=translate("staff.triage", lang()))
    return csv_response(spreadsheet.lines(spreadsheet.RULINGS_HEADER, rows),
                        f"rulings-{workflows.today_jst().isoformat()}.csv", session=reads)

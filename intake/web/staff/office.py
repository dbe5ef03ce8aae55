"""The office's view as pages (SPEC section 7): the dashboard, the liaison-meeting agenda,
and their CSV downloads.  The figures and the agenda are :mod:`intake.office`'s, the same
the API answers; the office sees every department, a liaison their own."""

from __future__ import annotations

from flask import render_template, request, url_for

import workflows
from intake import queries, queues
from intake.db import session as db
from intake.doors import csv_response
from intake.errors import Invalid
from intake.office import agenda as office_agenda
from intake.office import agenda_summary, charts, spreadsheet
from intake.office.figures import Figures, Scope, figures
from intake.web.page_links import page_links
from workflows.calendar import today_jst

from .common import bp, error_page, lang, name_in, officer, t
from .proposal import due_words
from .queue import state_choices


def _count(value: float) -> str:
    return str(int(value))


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return t("office.month.short", year=year, month=int(number))


def dashboard_charts(data: Figures) -> dict[str, tuple[charts.Chart, charts.Chart]]:
    """The four charts of the dashboard, each as drawn for a wide screen and for a phone
    (labels above the bars; the months too run down the page there); the template puts
    each beside its table and office.css shows the one that fits."""
    triage = t("staff.triage")
    names = [name_in(row.department, triage) for row in data.departments]
    states = [(name, label) for name, label in state_choices(lang()) if name in data.states]
    ruled = [row for row in data.departments if row.ruling_days.count]
    decided = [row for row in data.departments if row.adoption_rate is not None]
    months = ([_month_label(m.month) for m in data.monthly],
              [t("office.col.submitted"), t("office.col.ruled"), t("office.col.adopted")],
              [[m.submitted, m.ruled, m.adopted] for m in data.monthly])
    bars = {
        "states": ((names, [label for _name, label in states],
                    [[row.states.get(name) for name, _label in states]
                     for row in data.departments]), {"stacked": True, "fmt": _count}),
        "days": (([name_in(row.department, triage) for row in ruled],
                  [t("office.col.median"), t("office.col.p90")],
                  [[row.ruling_days.median, row.ruling_days.p90] for row in ruled]),
                 {"fmt": _count}),
        "adoption": (([name_in(row.department, triage) for row in decided],
                      [t("office.col.adoption_rate")], [[row.adoption_rate] for row in decided]),
                     {"fmt": _percent, "maximum": 1}),
    }
    drawn = {name: (charts.horizontal(*args, **options),
                    charts.horizontal(*args, **options, narrow=True))
             for name, (args, options) in bars.items()}
    drawn["monthly"] = (charts.vertical(*months, fmt=_count),
                        charts.horizontal(*months, fmt=_count, narrow=True))
    return drawn


# The dashboard's overdue list shows the most overdue first, this many; the queue's
# "overdue only" filter (linked under it) pages through every one.
OVERDUE_SHOWN = 20


@bp.get("/dashboard")
def dashboard():
    user = officer()
    today = today_jst()
    data = figures(db(), today, Scope.of(user))
    states = [(name, label) for name, label in state_choices(lang()) if name in data.states]
    overdue = queues.queue_for(db(), user, queries.Filters(), today, limit=OVERDUE_SHOWN,
                               overdue_only=True)
    return render_template("office/dashboard.html", figures=data, states=states,
                           charts=dashboard_charts(data), percent=_percent,
                           decisions=(*workflows.ADOPTING, *workflows.REFUSING),
                           overdue=overdue, due_words=due_words)


# Items per printed page of the agenda: a meeting reads a few pages at a time; the whole
# agenda, however long, is the CSV download.
AGENDA_PAGE = 50


@bp.get("/agenda")
def agenda():
    """A page of the agenda, grouped by department; the first under how many there are in
    all per department and reason; links to the first, previous and next pages."""
    today = today_jst()
    scope = Scope.of(officer())
    cursor = request.args.get("cursor")
    try:
        found = office_agenda.page(db(), today, scope, cursor=cursor, limit=AGENDA_PAGE,
                                   relations=False)
    except Invalid:
        return error_page(400, t("staff.error.bad_list"))
    # the first page — asked for, or gone back to — opens with the figures
    first_page = not found.prev_cursor and (not cursor or bool(found.groups))
    return render_template("office/agenda.html", groups=found.groups, as_of=today,
                           reasons=office_agenda.REASONS,
                           pages=page_links(found, cursor, lambda **at: url_for(".agenda", **at)),
                           page_size=AGENDA_PAGE, first_page=first_page,
                           summary=agenda_summary.recent_summary(db(), today, scope)
                           if first_page else None)


@bp.get("/agenda.csv")
def agenda_csv():
    today = today_jst()
    session = db()
    rows = spreadsheet.agenda_rows(session, today, Scope.of(officer()), lang(),
                                   triage=t("staff.triage"), unassigned=t("staff.unassigned"),
                                   separator=t("staff.separator"))
    return csv_response(spreadsheet.lines(spreadsheet.AGENDA_HEADER, rows),
                        f"agenda-{today.isoformat()}.csv", session=session)


@bp.get("/rulings.csv")
def rulings_csv():
    session = db()
    rows = spreadsheet.ruling_rows(session, Scope.of(officer()), lang(),
                                   triage=t("staff.triage"))
    return csv_response(spreadsheet.lines(spreadsheet.RULINGS_HEADER, rows),
                        f"rulings-{today_jst().isoformat()}.csv", session=session)

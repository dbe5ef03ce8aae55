"""The JSON shapes of the office's view (SPEC section 7): ``GET /api/v1/stats`` and
``GET /api/v1/agenda``.  The agenda's proposals are the staff list item
(:func:`intake.serializers.staff_summary`): no personal data, only the name the proposer
agreed to publish."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from intake.serializers import staff_summary
from intake.shapes import Json, named

from .agenda import AgendaPage
from .figures import Figures, RulingDays


def ruling_days(days: RulingDays) -> Json:
    return {"median": days.median, "p90": days.p90}


def stats(figures: Figures, lang: str) -> Json:
    """:func:`~intake.office.figures.figures` with departments named."""
    return {
        "today": figures.today.isoformat(),
        "departments": [
            {"department": named(row.department, lang), "states": row.states,
             "total": row.total, "overdue": row.overdue, "rulings": row.rulings,
             "ruling_days": ruling_days(row.ruling_days), "adoption_rate": row.adoption_rate}
            for row in figures.departments
        ],
        "states": figures.states,
        "total": figures.total,
        "overdue": figures.overdue,
        "rulings": figures.rulings,
        "ruling_days": ruling_days(figures.ruling_days),
        "adoption_rate": figures.adoption_rate,
        # {"month", "submitted", "ruled", "adopted"}: the dataclass's fields
        "monthly": [asdict(m) for m in figures.monthly],
    }


def agenda(page: AgendaPage, lang: str, today: date) -> Json:
    """A page of the agenda: a list paged both ways like the others (``items``,
    ``next_cursor``, ``prev_cursor``); an item of several departments names the ones
    besides its lead (``other_departments``), its assignee is the proposal's own."""
    return {"items": [{"proposal": staff_summary(item.proposal, lang, today),
                       "reasons": list(item.reasons),
                       "other_departments": [named(d, lang) for d in item.departments]}
                      for item in page.items],
            "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}

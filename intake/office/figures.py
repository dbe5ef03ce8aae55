"""The office's figures (SPEC section 7), asked the same way by the dashboard page and
``GET /api/v1/stats``.

Every figure is read off counts kept as proposals change (:mod:`intake.office.counts`),
tables as small as their groups, whatever the number of proposals (a city's whole
history, a million rows):

- proposals per department × state, in ``proposal_counts``;
- how many are overdue today: the sum, per department, of ``overdue_counts`` over the
  due dates before today (a range of days, not of proposals);
- rulings per department × decision × business days to the ruling, in ``ruling_counts``.
  Durations are whole business days, so this is a histogram of at most departments ×
  decisions × distinct durations rows (a few thousand); the counts per decision, the
  adoption rate and the percentiles are read off it.  The duration is stored with the
  ruling (:func:`business_days_to_ruling`), never recomputed per request;
- the monthly trend: ``monthly_counts`` for the last twelve Japanese months (at most
  departments × 12 rows).

**Percentiles are nearest-rank**: of ``n`` durations sorted ascending, the p-th
percentile is the one at rank ``ceil(p × n / 100)`` (1-based) — always a duration that
really occurred, in whole business days; the median is the 50th (for an even ``n``, the
lower of the two middle values).  Same method on SQLite and PostgreSQL, since it is Python
reading the database's histogram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

import workflows
from intake.models import Department, MonthlyCount, OverdueCount, Proposal, RulingCount, User
from intake.office.counts import counts, monthly_sums, overdue_per_department, ruling_histogram
from workflows.calendar import JST, business_days_between

MONTHS = 12


def business_days_to_ruling(submitted_at: datetime, ruled_on: date) -> int:
    """Business days from the day of submission (in Japan) to the day of the ruling: those
    in the half-open range (submitted, ruled] — ruled the next business day is 1, the same
    day 0.  Weekends, national holidays and the year-end closure do not count
    (:mod:`workflows.calendar`); nor is time spent waiting for the proposer taken off."""
    return business_days_between(submitted_at.astimezone(JST).date(), ruled_on)


def nearest_rank(histogram: dict[int, int], percent: int) -> int | None:
    """The ``percent``-th percentile (nearest rank) of the values a histogram
    ``{value: how many}`` counts; None when it counts nothing."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = -(-percent * total // 100)  # ceil without floats
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def adoption_rate(rulings: dict[str, int]) -> float | None:
    """Adopted (``adopted`` + ``partially_adopted``, :data:`workflows.ADOPTING`) over the
    rulings on adoption (those plus :data:`workflows.REFUSING`), to four places; an idea's
    ``answered`` is neither.  None before any ruling on adoption."""
    adopted = sum(rulings.get(decision, 0) for decision in workflows.ADOPTING)
    decided = adopted + sum(rulings.get(decision, 0) for decision in workflows.REFUSING)
    return round(adopted / decided, 4) if decided else None


@dataclass(frozen=True)
class Scope:
    """Whose proposals a reader counts: the office every department's, a liaison only
    their own department's (a liaison without one: none)."""

    department_id: int | None = None
    everything: bool = True

    @classmethod
    def of(cls, user: User) -> Scope:
        return cls() if user.is_office else cls(user.department_id, everything=False)

    def where(self, query: Select) -> Select:
        return self.where_department(query, Proposal.lead_department_id)

    def where_department(self, query: Select, column) -> Select:
        if self.everything:
            return query
        if self.department_id is None:
            return query.where(false())
        return query.where(column == self.department_id)


EVERYTHING = Scope()
"""The office's scope: every department, the triage too."""


@dataclass(frozen=True)
class RulingDays:
    """Business days from submission to ruling (nearest-rank median and 90th
    percentile); None for both when there is no ruling yet."""

    median: int | None
    p90: int | None
    count: int

    @classmethod
    def of(cls, histogram: dict[int, int]) -> RulingDays:
        return cls(nearest_rank(histogram, 50), nearest_rank(histogram, 90),
                   sum(histogram.values()))


@dataclass(frozen=True)
class DepartmentFigures:
    department: Department | None  # None: the office's triage (no department yet)
    states: dict[str, int]
    total: int
    overdue: int
    rulings: dict[str, int] = field(default_factory=dict)
    ruling_days: RulingDays = RulingDays(None, None, 0)

    @property
    def adoption_rate(self) -> float | None:
        return adoption_rate(self.rulings)


@dataclass(frozen=True)
class Month:
    month: str  # "YYYY-MM", a month in Japan
    submitted: int
    ruled: int  # every ruling recorded that month, whatever its decision
    adopted: int  # rulings that month in workflows.ADOPTING


@dataclass(frozen=True)
class Figures:
    today: date
    departments: list[DepartmentFigures]  # triage first, then by department code
    states: dict[str, int]
    total: int
    overdue: int
    rulings: dict[str, int]
    ruling_days: RulingDays
    monthly: list[Month]  # oldest first, the current month last

    @property
    def adoption_rate(self) -> float | None:
        return adoption_rate(self.rulings)


def figures(session: Session, today: date, scope: Scope = EVERYTHING) -> Figures:
    """Everything the dashboard shows, in five queries over the kept counts."""
    cells = counts(session, scope.where_department)
    late = session.execute(scope.where_department(
        overdue_per_department(today), OverdueCount.lead_department_id)).all()
    ruled = session.execute(scope.where_department(
        ruling_histogram(), RulingCount.lead_department_id)).all()
    departments = {d.id: d for d in session.execute(select(Department)).scalars()}
    rows: dict[int | None, dict] = {}

    def row(department_id: int | None) -> dict:
        return rows.setdefault(department_id, {"states": {}, "overdue": 0, "rulings": {},
                                                "days": {}})

    for department_id, state, count in cells:
        row(department_id)["states"][state] = count
    for department_id, count in late:
        row(department_id)["overdue"] += count
    for department_id, decision, days, count in ruled:
        rulings = row(department_id)["rulings"]
        rulings[decision] = rulings.get(decision, 0) + count
        if days is not None:
            histogram = row(department_id)["days"]
            histogram[days] = histogram.get(days, 0) + count
    per_department = sorted(
        (DepartmentFigures(departments.get(department_id), data["states"],
                           sum(data["states"].values()), data["overdue"], data["rulings"],
                           RulingDays.of(data["days"]))
         for department_id, data in rows.items()),
        key=lambda figures: figures.department.code if figures.department else "",
    )
    return Figures(
        today=today,
        departments=per_department,
        states=_sum_dicts(r["states"] for r in rows.values()),
        total=sum(r.total for r in per_department),
        overdue=sum(r.overdue for r in per_department),
        rulings=_sum_dicts(r["rulings"] for r in rows.values()),
        ruling_days=RulingDays.of(_sum_dicts(r["days"] for r in rows.values())),
        monthly=monthly(session, today, scope),
    )


def _sum_dicts(dicts) -> dict:
    total: dict = {}
    for each in dicts:
        for key, count in each.items():
            total[key] = total.get(key, 0) + count
    return total


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the last ``months`` months up to today's, and of the next one."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 2)]


def monthly(session: Session, today: date, scope: Scope = EVERYTHING) -> list[Month]:
    """Submitted, ruled and adopted per Japanese month, the last twelve including this
    one: a sum over the kept counts of each (department, month)."""
    starts = month_starts(today)
    found = {month: values for month, *values in session.execute(scope.where_department(
        monthly_sums(starts[0], starts[-1]), MonthlyCount.lead_department_id))}
    answer = []
    for start in starts[:-1]:
        submitted, ruled, adopted = found.get(start, (0, 0, 0))
        answer.append(Month(f"{start.year:04d}-{start.month:02d}",
                            int(submitted), int(ruled), int(adopted)))
    return answer

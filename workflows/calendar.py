"""Japanese business days, as the city counts them for deadlines.

A day is a business day unless it is a Saturday or Sunday, a national holiday (from the
maintained ``holidays`` package, which includes substitute holidays 振替休日 and citizens'
holidays 国民の休日), or inside the city's annual closure (by default the year-end closure
12/29–1/3). Deadlines are counted in business days because that is how the ordinance and the
city's own rules state them; a calendar-day count would make every deadline near Golden Week
or New Year silently shorter.

The holiday data covers the years :data:`KNOWN_YEARS` (1949–2099 today).  No date an officer
sets may go beyond :func:`horizon` (at most :data:`HORIZON_YEARS` ahead, never past that data):
the operations refuse it for every door.  Dates beyond the data can still be met — a row stored
before that rule (9999-12-31), a resumed clock counted from one — and no page, mail, export
or worker pass may fail on them, so the arithmetic degrades there instead of raising: in a
year the data does not cover, a business day is any Monday–Friday (its national holidays
are unknown, and the annual closure is not counted either).  A count reaching beyond the
data is then an estimate, too large by at most the closed weekdays of those years; a date
the arithmetic would carry past 9999-12-31 (or before 0001-01-01) stops there.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

JST = ZoneInfo("Asia/Tokyo")
_SATURDAY = 5
_WEEK = 7
_WEEKDAYS_IN_A_WEEK = 5

KNOWN_YEARS = range(holidays.Japan.start_year, holidays.Japan.end_year + 1)
"""The years whose national holidays the ``holidays`` package knows."""

HORIZON_YEARS = 10
"""How many years ahead an officer may set a date: a deadline, the end of a comment period.
Far enough for the longest implementation, near enough that a mistyped year (2062 for
2026, 9999) is refused instead of stored."""

BUSINESS_DAYS_MAX = 250
"""The most business days an officer may count ahead (a year of them): an opinion asked
for within 3000 days is a typo, not a plan."""


def horizon(today: date) -> date:
    """The last day an officer may set from ``today``: the end of the :data:`HORIZON_YEARS`-th
    year after this one, and never past the last year of the holiday data (so that every
    date entered can be counted in business days).  The one limit every door applies."""
    return date(min(today.year + HORIZON_YEARS, KNOWN_YEARS[-1]), 12, 31)


def rule_for_day_to_come(day: date, today: date) -> tuple[str, dict[str, date]] | None:
    """The rule ``day`` breaks as a date an officer sets on ``today`` (a deadline, the end
    of a comment period), with the day that rule names: ``("before_today", {"today": …})``
    or ``("after_horizon", {"latest": …})``; None when it may be set."""
    if day < today:
        return "before_today", {"today": today}
    latest = horizon(today)
    if day > latest:
        return "after_horizon", {"latest": latest}
    return None


@dataclass(frozen=True)
class AnnualClosure:
    """Days the city office is closed every year, from ``start`` to ``end`` inclusive.

    Given as (month, day) pairs; a range whose start comes after its end wraps over the new
    year, as the year-end closure does.
    """

    start: tuple[int, int]
    end: tuple[int, int]

    def __contains__(self, day: date) -> bool:
        month_day = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= month_day <= self.end
        return month_day >= self.start or month_day <= self.end


YEAR_END_CLOSURE = AnnualClosure(start=(12, 29), end=(1, 3))
"""The city's year-end closure (年末年始休業), 12/29–1/3."""


@functools.cache
def _closed_weekdays(year: int, closure: AnnualClosure | None) -> frozenset[date]:
    """Monday–Friday dates of ``year`` that are not business days.

    Cached per (year, closure): building ``holidays.Japan`` costs far more than a lookup, and
    deadlines, dashboards and statistics ask about the same few years over and over.
    Weekends are left out because they are cheaper to test by arithmetic.  A year the
    holiday data does not cover has none: its holidays are unknown, and its closure is left
    out with them (see the module's docstring).
    """
    if year not in KNOWN_YEARS:
        return frozenset()
    closed = set(holidays.Japan(years=year))
    if closure is not None:
        day = date(year, 1, 1)
        while day.year == year:
            if day in closure:
                closed.add(day)
            day += timedelta(days=1)
    return frozenset(d for d in closed if d.weekday() < _SATURDAY)


def is_business_day(day: date, *, closure: AnnualClosure | None = YEAR_END_CLOSURE) -> bool:
    """True if the city office is open on ``day``."""
    return day.weekday() < _SATURDAY and day not in _closed_weekdays(day.year, closure)


def add_business_days(
    start: date, n: int, *, closure: AnnualClosure | None = YEAR_END_CLOSURE
) -> date:
    """The ``n``-th business day after ``start`` (``start`` itself is not counted).

    A deadline of N business days for a state entered on day D is ``add_business_days(D, N)``:
    entering on a Friday with a 1-day deadline makes the next Monday (if open) the deadline.
    ``n == 0`` returns ``start`` unchanged.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return _walk(start, n, 1, closure)


def _walk(day: date, n: int, step: int, closure: AnnualClosure | None) -> date:
    """The ``n``-th business day from ``day`` going ``step`` (1 later, -1 earlier).

    Day by day inside the holiday data; once past it and still going outwards, where every
    7 days hold exactly 5 business days, by whole weeks (a resumed clock counted from a date
    far beyond the data may be millions of days).  Stops at the first or last date there is.
    """
    limit = date.max if step > 0 else date.min
    while n:
        if day == limit:
            return day
        outwards = day.year > KNOWN_YEARS[-1] if step > 0 else day.year < KNOWN_YEARS[0]
        if outwards and n > _WEEKDAYS_IN_A_WEEK:
            weeks = (n - 1) // _WEEKDAYS_IN_A_WEEK
            bound = abs(limit.toordinal() - day.toordinal())
            day = date.fromordinal(day.toordinal() + step * min(weeks * _WEEK, bound))
            n -= weeks * _WEEKDAYS_IN_A_WEEK
            continue
        day = date.fromordinal(day.toordinal() + step)
        if is_business_day(day, closure=closure):
            n -= 1
    return day


def business_days_between(
    a: date, b: date, *, closure: AnnualClosure | None = YEAR_END_CLOSURE
) -> int:
    """Number of business days in the half-open range (a, b]; 0 when ``b <= a``.

    This is the inverse of :func:`add_business_days`: ``business_days_between(d,
    add_business_days(d, n)) == n``. It answers "how many business days are left" when a clock
    pauses, and "how long did it take" for statistics, so it is computed by arithmetic rather
    than by walking day by day: a dashboard asks it for thousands of proposals at once.
    """
    if b <= a:
        return 0
    weekdays = _weekdays_up_to(b) - _weekdays_up_to(a)
    known = range(max(a.year, KNOWN_YEARS[0]), min(b.year, KNOWN_YEARS[-1]) + 1)
    closed = sum(
        1 for year in known for day in _closed_weekdays(year, closure) if a < day <= b
    )
    return weekdays - closed


def business_days_left(
    today: date, due_on: date, *, closure: AnnualClosure | None = YEAR_END_CLOSURE
) -> int:
    """Business days from ``today`` to ``due_on``; negative when already late.

    What a paused clock keeps: a department that asks the proposer a question with 3 business
    days left gets those 3 back (see :func:`shift_business_days`); one already 2 days late
    stays 2 days late.
    """
    if due_on >= today:
        return business_days_between(today, due_on, closure=closure)
    return -business_days_between(due_on, today, closure=closure)


def shift_business_days(
    day: date, n: int, *, closure: AnnualClosure | None = YEAR_END_CLOSURE
) -> date:
    """``n`` business days after ``day`` (before it when ``n`` is negative).

    For ``n >= 0`` this is :func:`add_business_days`; for ``n < 0`` it walks back to the
    ``-n``-th business day before ``day``. So ``shift_business_days(today,
    business_days_left(today, due_on))`` is ``due_on`` when both are business days.
    """
    if n >= 0:
        return add_business_days(day, n, closure=closure)
    return _walk(day, -n, -1, closure)


def _weekdays_up_to(day: date) -> int:
    """Count of Monday–Friday dates from 0001-01-01 (a Monday) to ``day`` inclusive."""
    full_weeks, rest = divmod(day.toordinal(), 7)
    return full_weeks * 5 + min(rest, 5)


def today_jst() -> date:
    """Today's date in Japan, whatever the server's time zone (deadlines are Japanese dates)."""
    return datetime.now(JST).date()

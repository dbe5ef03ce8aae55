"""Japanese business days: weekends, national holidays, substitute holidays, year-end closure."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows import (
    AnnualClosure,
    add_business_days,
    business_days_between,
    business_days_left,
    is_business_day,
    shift_business_days,
    today_jst,
)
from workflows.calendar import JST, KNOWN_YEARS, horizon, rule_for_day_to_come


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2025, 4, 29), "Showa Day"),
        (date(2025, 5, 5), "Children's Day"),
        (date(2025, 5, 6), "substitute holiday for 5/4 (Sunday)"),
        (date(2025, 2, 24), "substitute holiday for the Emperor's Birthday"),
        (date(2024, 2, 12), "substitute holiday for Foundation Day"),
        (date(2024, 5, 6), "substitute holiday for Children's Day"),
        (date(2019, 4, 30), "citizens' holiday between two holidays"),
        (date(2025, 5, 3), "Saturday"),
        (date(2025, 5, 4), "Sunday"),
        (date(2026, 12, 29), "year-end closure starts"),
        (date(2026, 12, 31), "year-end closure"),
        (date(2027, 1, 1), "New Year's Day"),
        (date(2027, 1, 3), "year-end closure ends (a Sunday anyway)"),
        (date(2025, 1, 2), "year-end closure, a Thursday"),
    ],
)
def test_closed_days(day, why):
    assert not is_business_day(day), why


@pytest.mark.parametrize(
    "day",
    [date(2025, 4, 28), date(2025, 4, 30), date(2025, 5, 7), date(2026, 12, 28), date(2027, 1, 4)],
)
def test_open_days(day):
    assert is_business_day(day)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Golden Week 2025: 4/29 Showa Day, 5/3–5/6 holidays with the 5/6 substitute.
        (date(2025, 4, 28), 1, date(2025, 4, 30)),
        (date(2025, 4, 28), 3, date(2025, 5, 2)),
        (date(2025, 4, 28), 4, date(2025, 5, 7)),
        # Substitute holidays on Mondays.
        (date(2025, 2, 21), 1, date(2025, 2, 25)),
        (date(2024, 2, 9), 1, date(2024, 2, 13)),
        # Year-end closure: 12/29–1/3 closed, 2027-01-04 is a Monday.
        (date(2026, 12, 28), 1, date(2027, 1, 4)),
        # A weekend start counts from the next business day.
        (date(2025, 6, 7), 1, date(2025, 6, 9)),
        (date(2025, 6, 6), 5, date(2025, 6, 13)),
    ],
)
def test_add_business_days(start, n, expected):
    assert add_business_days(start, n) == expected


def test_adding_zero_days_returns_the_start_even_on_a_holiday():
    assert add_business_days(date(2025, 5, 5), 0) == date(2025, 5, 5)


def test_adding_negative_days_is_refused():
    with pytest.raises(ValueError):
        add_business_days(date(2025, 5, 5), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 12, 28), date(2027, 1, 4), 1),
        (date(2025, 4, 28), date(2025, 5, 7), 4),
        (date(2025, 4, 25), date(2025, 4, 28), 1),  # Friday → Monday
        (date(2025, 4, 26), date(2025, 4, 27), 0),  # a weekend
        (date(2025, 1, 1), date(2025, 12, 31), 241),  # 365 - 104 weekend days - 16 - 4
        (date(2025, 5, 7), date(2025, 5, 7), 0),
        (date(2025, 5, 7), date(2025, 4, 28), 0),  # b before a
    ],
)
def test_business_days_between(a, b, expected):
    assert business_days_between(a, b) == expected


def test_closure_is_a_parameter():
    assert is_business_day(date(2026, 12, 29), closure=None)
    assert add_business_days(date(2026, 12, 28), 1, closure=None) == date(2026, 12, 29)
    obon = AnnualClosure(start=(8, 13), end=(8, 15))
    assert not is_business_day(date(2025, 8, 13), closure=obon)
    assert is_business_day(date(2026, 12, 29), closure=obon)
    assert business_days_between(date(2025, 8, 12), date(2025, 8, 18), closure=obon) == 1


def test_beyond_the_holiday_data_every_weekday_is_a_business_day():
    """A date no officer may enter any more can still be stored (9999-12-31, from before
    the horizon): counting towards it degrades to weekdays instead of failing."""
    assert KNOWN_YEARS[-1] == 2099 and KNOWN_YEARS[0] == 1949
    assert is_business_day(date(2100, 1, 1))  # a Friday: New Year unknown, no closure
    assert not is_business_day(date(2100, 1, 2))  # a Saturday
    assert is_business_day(date(1948, 1, 1))  # a Thursday before the data
    # Mon 2100-01-04 → Fri 2100-01-08: five weekdays, no holiday counted
    assert business_days_between(date(2100, 1, 3), date(2100, 1, 8)) == 5
    # Fri 2099-12-25 → in 2099 only Mon 12/28 (the closure starts 12/29); in 2100 every
    # weekday: Fri 1/1 and Mon 1/4–Fri 1/8
    assert business_days_between(date(2099, 12, 25), date(2100, 1, 8)) == 1 + 1 + 5


def test_counting_to_and_from_the_last_date_there_is_neither_fails_nor_crawls():
    today = date(2026, 11, 30)
    left = business_days_left(today, date.max)
    weekdays = business_days_between(date(2099, 12, 31), date.max)
    assert left == business_days_between(today, date(2099, 12, 31)) + weekdays
    assert shift_business_days(date(2099, 12, 31), weekdays) == date.max
    # a clock resumed later than it paused would carry past 9999-12-31: it stops there
    assert shift_business_days(date(2026, 12, 7), left) == date.max
    assert add_business_days(date.max, 3) == date.max
    assert shift_business_days(date.min, -3) == date.min
    late = business_days_left(today, date.min)
    assert late < 0 and shift_business_days(today, late) == date.min


@given(start=st.dates(min_value=date(2100, 1, 1), max_value=date(9000, 12, 31)),
       n=st.integers(min_value=0, max_value=5000))
def test_beyond_the_data_whole_weeks_count_as_walking_day_by_day(start, n):
    walked, left = start, n
    while left:
        walked += timedelta(days=1)
        left -= walked.weekday() < 5
    assert add_business_days(start, n) == walked
    assert shift_business_days(walked, -n) <= start


@pytest.mark.parametrize(("today", "latest"), [
    (date(2026, 11, 29), date(2036, 12, 31)),
    (date(2026, 1, 1), date(2036, 12, 31)),
    (date(2095, 6, 1), date(2099, 12, 31)),  # never past the holiday data
])
def test_the_horizon_is_the_end_of_the_tenth_year_ahead_within_the_data(today, latest):
    assert horizon(today) == latest
    assert rule_for_day_to_come(latest, today) is None
    assert rule_for_day_to_come(today, today) is None
    assert rule_for_day_to_come(latest + timedelta(days=1), today) == (
        "after_horizon", {"latest": latest})
    assert rule_for_day_to_come(today - timedelta(days=1), today) == (
        "before_today", {"today": today})


def test_today_jst_is_the_date_in_tokyo():
    before = datetime.now(JST).date()
    today = today_jst()
    after = datetime.now(JST).date()
    assert today in {before, after}


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(start=days, n=st.integers(min_value=0, max_value=400))
def test_between_undoes_add(start, n):
    assert business_days_between(start, add_business_days(start, n)) == n


@given(a=days, span=st.integers(min_value=0, max_value=800))
def test_between_counts_open_days_one_by_one(a, span):
    b = a + timedelta(days=span)
    counted = sum(is_business_day(a + timedelta(days=i)) for i in range(1, span + 1))
    assert business_days_between(a, b) == counted


@pytest.mark.parametrize(
    ("today", "due_on", "expected"),
    [
        (date(2025, 6, 2), date(2025, 6, 2), 0),
        (date(2025, 6, 2), date(2025, 6, 9), 5),
        (date(2026, 12, 28), date(2027, 1, 4), 1),  # across the 12/29–1/3 closure
        (date(2027, 1, 4), date(2026, 12, 28), -1),  # one business day late, across it
        (date(2026, 12, 25), date(2027, 1, 5), 3),  # Fri → 12/28, 1/4, 1/5
        (date(2025, 5, 2), date(2025, 5, 7), 1),  # Golden Week: 5/3–5/6 closed
        (date(2025, 5, 7), date(2025, 5, 2), -1),
        (date(2025, 7, 18), date(2025, 7, 22), 1),  # 7/21 Marine Day
        (date(2025, 7, 22), date(2025, 7, 18), -1),
        (date(2025, 6, 7), date(2025, 6, 8), 0),  # a weekend
        (date(2025, 6, 9), date(2025, 6, 6), -1),  # Monday, due last Friday
    ],
)
def test_business_days_left(today, due_on, expected):
    assert business_days_left(today, due_on) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2025, 6, 2), 0, date(2025, 6, 2)),
        (date(2025, 5, 5), 0, date(2025, 5, 5)),  # a holiday stays itself
        (date(2026, 12, 28), 1, date(2027, 1, 4)),  # across the closure
        (date(2027, 1, 4), -1, date(2026, 12, 28)),  # back across it
        (date(2027, 1, 5), -3, date(2026, 12, 25)),
        (date(2025, 5, 7), -1, date(2025, 5, 2)),  # back across Golden Week
        (date(2025, 5, 7), -2, date(2025, 5, 1)),
        (date(2025, 7, 22), -1, date(2025, 7, 18)),  # 7/21 Marine Day
        (date(2025, 7, 18), 1, date(2025, 7, 22)),
        (date(2025, 6, 8), -1, date(2025, 6, 6)),  # from a Sunday
    ],
)
def test_shift_business_days(day, n, expected):
    assert shift_business_days(day, n) == expected


def _old_days_left(today, due_on):
    """intake.operations._business_days_left as it was, the behaviour kept."""
    if due_on >= today:
        return business_days_between(today, due_on)
    return -business_days_between(due_on, today)


def _old_shift(day, n):
    """intake.operations._shift_business_days as it was, the behaviour kept."""
    if n >= 0:
        return add_business_days(day, n)
    while n < 0:
        day -= timedelta(days=1)
        if is_business_day(day):
            n += 1
    return day


@given(today=days, span=st.integers(min_value=-300, max_value=300))
def test_days_left_and_shift_behave_as_the_app_helpers_did(today, span):
    due_on = today + timedelta(days=span)
    assert business_days_left(today, due_on) == _old_days_left(today, due_on)
    assert shift_business_days(today, span // 3) == _old_shift(today, span // 3)


@given(today=days, span=st.integers(min_value=-300, max_value=300))
def test_shift_undoes_days_left_between_business_days(today, span):
    due_on = today + timedelta(days=span)
    if is_business_day(today) and is_business_day(due_on):
        assert shift_business_days(today, business_days_left(today, due_on)) == due_on


def test_days_left_and_shift_take_the_closure_as_a_parameter():
    assert business_days_left(date(2026, 12, 28), date(2027, 1, 4), closure=None) == 4
    assert shift_business_days(date(2027, 1, 4), -1, closure=None) == date(2026, 12, 31)

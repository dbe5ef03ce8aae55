"""The office's figures (SPEC section 7) on a fixed data set, worked out by hand: counts
per department × state with the overdue ones, business days from submission to ruling
(nearest-rank median and 90th percentile) across the year-end closure, 成人の日, Golden
Week and the September holidays, the adoption rate and the monthly trend — the same in
the figures, ``GET /api/v1/stats`` and the dashboard page; a liaison sees their own
department only.

The calendar (workflows/calendar.py): business days are Monday–Friday except national
holidays and the city's closure 12/29–1/3; a duration counts the business days after the
day of submission up to and including the day of the ruling.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

import workflows
from intake.i18n import catalogue
from intake.models import Proposal
from intake.office.agenda import REASONS
from intake.office.figures import figures, month_starts, nearest_rank
from workflows.calendar import today_jst

from .api_support import API, bearer
from .office_support import at, ruled, submitted, table_rows
from .staff_support import login, page
from .workflow_support import walk

TODAY = date(2026, 11, 27)


@pytest.fixture
def data_set(city):
    """Parks: six rulings and an overdue proposal in review; roads: two rulings; welfare:
    one proposal just submitted."""
    made = {
        # Wed 12/24 → Wed 1/7: 12/25, 12/26, [closed 12/29–1/3], 1/5, 1/6, 1/7 = 5
        "p1": ruled(city, "parks", date(2025, 12, 24), date(2026, 1, 7), "rejected"),
        # Fri 12/26 → Tue 1/13: 1/5–1/9 (5), [Mon 1/12 成人の日], 1/13 = 6
        "p2": ruled(city, "parks", date(2025, 12, 26), date(2026, 1, 13), "adopted"),
        # Thu 4/30 → Thu 5/7: 5/1, [5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日], 5/7 = 2
        "p3": ruled(city, "parks", date(2026, 4, 30), date(2026, 5, 7), "partially_adopted"),
        # Mon 2/2 → Mon 2/16: 2/3–2/6 (4), 2/9, 2/10, [Wed 2/11 建国記念の日], 2/12,
        # 2/13, 2/16 = 9
        "p4": ruled(city, "parks", date(2026, 2, 2), date(2026, 2, 16), "rejected"),
        # Thu 12/25 → Thu 2/5: 12/26 (1), 1/5–1/9 (6), [1/12], 1/13–1/16 (10),
        # 1/19–1/23 (15), 1/26–1/30 (20), 2/2–2/5 (24) = 24
        "p5": ruled(city, "parks", date(2025, 12, 25), date(2026, 2, 5), "adopted"),
        # Fri 9/18 → Thu 9/24: [9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日], 9/24 = 1
        "p6": ruled(city, "parks", date(2026, 9, 18), date(2026, 9, 24), "adopted"),
        # Mon 4/27 → Fri 5/8: 4/28, [4/29 昭和の日], 4/30, 5/1, [5/4–5/6], 5/7, 5/8 = 5
        "r1": ruled(city, "roads", date(2026, 4, 27), date(2026, 5, 8), "rejected"),
        # Mon 6/1 → Wed 6/3: 6/2, 6/3 = 2
        "r2": ruled(city, "roads", date(2026, 6, 1), date(2026, 6, 3), "rejected"),
        # 2026-09-30 15:30 UTC is 10/1 00:30 in Japan: an October submission
        "late": submitted(city, datetime(2026, 9, 30, 15, 30, tzinfo=UTC), category="parks"),
        "welfare": submitted(city, date(2026, 11, 2), category="welfare"),
    }
    walk(city.session, made["late"], "in_review", today=date(2026, 10, 1))
    made["late"].due_on = date(2026, 10, 30)  # before TODAY (and before the real today)
    made["welfare"].due_on = today_jst() + timedelta(days=30)  # not overdue, ever
    city.session.commit()
    return made


DAYS = {"p1": 5, "p2": 6, "p3": 2, "p4": 9, "p5": 24, "p6": 1, "r1": 5, "r2": 2}
# parks sorted: 1 2 5 6 9 24 — median rank ceil(6 × .5) = 3 → 5; p90 rank ceil(5.4) = 6 → 24
# roads sorted: 2 5 — median rank 1 → 2 (the lower middle); p90 rank ceil(1.8) = 2 → 5
# all sorted: 1 2 2 5 5 6 9 24 — median rank 4 → 5; p90 rank ceil(7.2) = 8 → 24
PARKS = {"states": {"adopted": 4, "rejected": 2, "in_review": 1}, "total": 7, "overdue": 1,
         "rulings": {"adopted": 3, "partially_adopted": 1, "rejected": 2},
         "ruling_days": {"median": 5, "p90": 24}, "adoption_rate": 0.6667}
ROADS = {"states": {"rejected": 2}, "total": 2, "overdue": 0, "rulings": {"rejected": 2},
         "ruling_days": {"median": 2, "p90": 5}, "adoption_rate": 0.0}
WELFARE = {"states": {"submitted": 1}, "total": 1, "overdue": 0, "rulings": {},
           "ruling_days": {"median": None, "p90": None}, "adoption_rate": None}
# (submitted, ruled, adopted) per month in Japan; every other month of the window is 0s
MONTHLY = {"2025-12": (3, 0, 0), "2026-01": (0, 2, 1), "2026-02": (1, 2, 1),
           "2026-04": (2, 0, 0), "2026-05": (0, 2, 1), "2026-06": (1, 1, 0),
           "2026-09": (1, 1, 1), "2026-10": (1, 0, 0), "2026-11": (1, 0, 0)}


def test_the_operation_stores_the_business_days_of_each_ruling(data_set):
    assert {name: p.ruling_business_days for name, p in data_set.items()
            if p.ruling_business_days is not None} == DAYS


def test_nearest_rank_percentiles():
    assert nearest_rank({}, 50) is None
    assert nearest_rank({7: 1}, 90) == 7
    assert nearest_rank({1: 1, 2: 1, 5: 1, 6: 1, 9: 1, 24: 1}, 50) == 5
    assert nearest_rank({1: 1, 2: 1, 5: 1, 6: 1, 9: 1, 24: 1}, 90) == 24
    assert nearest_rank({3: 9, 40: 1}, 90) == 3  # rank 9 of 10
    assert nearest_rank({3: 9, 40: 1}, 91) == 40  # rank ceil(9.1) = 10


def test_figures_equal_the_hand_computed_ones(data_set, db):
    found = figures(db, TODAY)
    rows = {row.department.code if row.department else None: row for row in found.departments}
    assert list(rows) == ["parks", "roads", "welfare"]
    for code, expected in (("parks", PARKS), ("roads", ROADS), ("welfare", WELFARE)):
        row = rows[code]
        assert (row.states, row.total, row.overdue, row.rulings) == (
            expected["states"], expected["total"], expected["overdue"], expected["rulings"])
        assert {"median": row.ruling_days.median, "p90": row.ruling_days.p90} \
            == expected["ruling_days"]
        assert row.adoption_rate == expected["adoption_rate"]
    assert (found.total, found.overdue) == (10, 1)
    assert found.rulings == {"adopted": 3, "partially_adopted": 1, "rejected": 4}
    assert found.adoption_rate == 0.5
    assert (found.ruling_days.median, found.ruling_days.p90) == (5, 24)
    assert [m.month for m in found.monthly] == [
        "2025-12", *(f"2026-{n:02d}" for n in range(1, 12))]
    assert {m.month: (m.submitted, m.ruled, m.adopted) for m in found.monthly
            if (m.submitted, m.ruled, m.adopted) != (0, 0, 0)} == MONTHLY


def test_the_months_are_japanese_months_across_the_new_year():
    starts = month_starts(date(2027, 1, 31))
    assert (starts[0], starts[-2], starts[-1]) == (
        date(2026, 2, 1), date(2027, 1, 1), date(2027, 2, 1))


def _in_window(monthly: list[dict]) -> dict:
    """The API counts the twelve months up to the real today's."""
    window = {m["month"] for m in monthly}
    return {m: v for m, v in MONTHLY.items() if m in window}


def test_stats_api_answers_the_same_figures(data_set, city, client):
    body = client.get(f"{API}/stats", headers=bearer(city.token(city.office_user))).get_json()
    rows = {(r["department"] or {}).get("code"): r for r in body["departments"]}
    for code, expected in (("parks", PARKS), ("roads", ROADS), ("welfare", WELFARE)):
        assert {k: rows[code][k] for k in expected} == expected
    assert body["adoption_rate"] == 0.5
    assert body["ruling_days"] == {"median": 5, "p90": 24}
    today = today_jst()
    assert len(body["monthly"]) == 12
    assert body["monthly"][-1]["month"] == f"{today.year:04d}-{today.month:02d}"
    assert {m["month"]: (m["submitted"], m["ruled"], m["adopted"]) for m in body["monthly"]
            if (m["submitted"], m["ruled"], m["adopted"]) != (0, 0, 0)} \
        == _in_window(body["monthly"])


def test_a_liaison_gets_their_own_department_only(data_set, city, client):
    body = client.get(f"{API}/stats", headers=bearer(city.token(city.roads_primary))).get_json()
    assert [r["department"]["code"] for r in body["departments"]] == ["roads"]
    assert {k: body["departments"][0][k] for k in ROADS} == ROADS
    assert (body["total"], body["rulings"], body["adoption_rate"]) == (2, {"rejected": 2}, 0.0)
    assert body["ruling_days"] == {"median": 2, "p90": 5}
    months = {m["month"]: (m["submitted"], m["ruled"], m["adopted"]) for m in body["monthly"]}
    assert months.get("2026-06", (1, 1, 0)) == (1, 1, 0)  # r2 (when still in the window)
    assert months.get("2026-02", (0, 0, 0)) == (0, 0, 0)  # parks' p4 is not theirs
    assert sum(m["submitted"] for m in body["monthly"]) <= 2


def test_the_dashboard_page_shows_the_same_figures(data_set, city, client):
    login(client, city.office_user)
    html = page(client.get("/staff/dashboard"))
    tables = table_rows(html, "department")
    assert tables["figure-days"] == {"parks": ["公園緑地課", "6", "5", "24"],
                                     "roads": ["道路課", "2", "2", "5"],
                                     "welfare": ["福祉課", "0", "—", "—"]}
    # adopted, partially adopted, rejected, rate
    assert tables["figure-adoption"]["parks"] == ["公園緑地課", "3", "1", "2", "66.7%"]
    assert tables["figure-adoption"]["roads"] == ["道路課", "0", "0", "2", "0.0%"]
    assert tables["figure-adoption"]["welfare"][-1] == "—"
    states = tables["figure-states"]
    assert states["parks"][-2:] == ["7", "1"] and states["welfare"][-2:] == ["1", "0"]
    months = table_rows(html, "month")["figure-monthly"]
    assert len(months) == 12
    assert {m: tuple(int(c) for c in cells[1:]) for m, cells in months.items()
            if cells[1:] != ["0", "0", "0"]} == _in_window(
                [{"month": m} for m in months])
    for figure in ("figure-states", "figure-days", "figure-adoption", "figure-monthly"):
        assert f'id="{figure}"' in html
    # each chart drawn twice, for a wide screen and for a phone (office.css shows one)
    assert html.count('role="img"') == 8 and html.count("<figcaption>") == 4
    assert "<script" not in html


def test_the_dashboard_of_a_liaison_is_their_department(data_set, city, client):
    login(client, city.parks_liaison)
    tables = table_rows(page(client.get("/staff/dashboard")), "department")
    assert list(tables["figure-days"]) == ["parks"]


def test_the_dashboard_of_an_empty_city(city, client):
    login(client, city.office_user)
    response = client.get("/staff/dashboard")
    assert response.status_code == 200
    assert "まだ提案がありません。" in page(response)


def test_a_ruling_recorded_today_counts_from_the_japanese_day_of_submission(city, db):
    """Submitted at 23:30 on a Friday in Japan (14:30 UTC, still Friday): ruled the next
    Monday is one business day."""
    proposal = submitted(city, at(date(2026, 11, 20), 23, 30), category="parks")
    walk(city.session, proposal, "rejected", today=date(2026, 11, 24))
    # Mon 11/23 is 勤労感謝の日: Tue 11/24 is the first business day after Fri 11/20
    assert proposal.ruling_business_days == 1


def test_catalogue_has_every_key_the_office_pages_use():
    """templates/office/ (the staff pages' catalogue test reads templates/staff/), with the
    keys they build from data: reasons and decisions."""
    root = Path(__file__).resolve().parent.parent
    keys = set()
    for path in [*(root / "templates/office").glob("*.html"), root / "intake/web/staff/office.py"]:
        keys |= set(re.findall(r"""(?:_|\bt)\(\s*['"]([a-z_.-]+[a-z_])['"]""", path.read_text()))
    keys |= {f"office.reason.{r}{about}" for r in REASONS for about in ("", ".about")}
    keys |= {f"office.decision.{d}" for d in (*workflows.ADOPTING, *workflows.REFUSING)}
    messages = catalogue()
    assert sorted(k for k in keys if k not in messages) == []
    assert sorted(k for k in keys if not all(messages[k].get(lang) for lang in ("ja", "en"))
                  ) == []


def test_the_migration_fills_in_the_rulings_recorded_before_it(data_set, db):
    """Revision 0007_stats computes the business days of rows ruled before it existed,
    with the same calendar, from the stored moments (in Japan)."""
    path = Path(__file__).resolve().parent.parent / "intake/migrations/versions/0007_stats.py"
    spec = importlib.util.spec_from_file_location("migration_0007", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.execute(update(Proposal).values(ruling_business_days=None))
    db.commit()
    migration.backfill(db.connection())
    db.commit()
    db.expire_all()
    assert {name: db.get(Proposal, p.id).ruling_business_days for name, p in data_set.items()
            if p.ruled_at is not None} == DAYS

"""The dashboard's figures are read off counts kept as proposals change
(intake/office/counts.py, intake/office/kept.py), never off the proposals: whatever the
real operations do — submit, route from the triage, transfer, every transition, a ruling,
a due date extended or paused, a moment set, the personal data erased, a change rolled
back — the figures equal the same figures worked out here from the proposals themselves,
for any day; and they stay equal after the worker folds the counts and after a recount
(the SQL that counts a Japanese month on each database)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

import workflows
from intake.core.actors import Actor
from intake.maintenance.personal_data import purge_personal_data
from intake.models import JST, Department, MonthlyCount, OverdueCount, Proposal, RulingCount
from intake.office.counts import fold, recount
from intake.office.figures import EVERYTHING, RulingDays, Scope, figures, month_starts
from tests import ops
from workflows.calendar import today_jst

from .office_support import ruled, submitted
from .workflow_support import INPUTS, lead, walk

DAYS = (date(2026, 1, 20), date(2026, 6, 30), today_jst(), today_jst() + timedelta(days=400))


def shown(found) -> dict:
    """What the figures show, keyed by department id (None: the triage)."""
    return {
        "departments": {
            (row.department.id if row.department else None): (
                row.states, row.total, row.overdue, row.rulings, row.ruling_days)
            for row in found.departments},
        "overdue": found.overdue, "rulings": found.rulings,
        "ruling_days": found.ruling_days,
        "monthly": [(m.month, m.submitted, m.ruled, m.adopted) for m in found.monthly],
    }


def month(moment: datetime) -> date:
    return moment.astimezone(JST).date().replace(day=1)


def worked_out(db, today: date, scope: Scope = EVERYTHING) -> dict:
    """The same figures, from every proposal in Python (the definitions, not the code)."""
    db.expire_all()
    proposals = [p for p in db.execute(select(Proposal)).scalars()
                 if scope.everything or p.lead_department_id == scope.department_id]
    per: dict = {}
    for p in proposals:
        states, rulings, days, late = per.setdefault(
            p.lead_department_id, (Counter(), Counter(), Counter(), [0]))
        states[p.state] += 1
        if p.ruling_decision is not None:
            rulings[p.ruling_decision] += 1
            if p.ruling_business_days is not None:
                days[p.ruling_business_days] += 1
        late[0] += p.is_overdue(today)
    starts = month_starts(today)
    window = starts[:-1]
    return {
        "departments": {d: (dict(s), sum(s.values()), late[0], dict(r), RulingDays.of(dict(n)))
                        for d, (s, r, n, late) in per.items()},
        "overdue": sum(p.is_overdue(today) for p in proposals),
        "rulings": dict(sum((r for _s, r, _n, _l in per.values()), Counter())),
        "ruling_days": RulingDays.of(dict(sum((n for _s, _r, n, _l in per.values()),
                                              Counter()))),
        "monthly": [(f"{m.year:04d}-{m.month:02d}",
                     sum(month(p.submitted_at) == m for p in proposals),
                     sum(p.ruled_at is not None and month(p.ruled_at) == m for p in proposals),
                     sum(p.ruled_at is not None and month(p.ruled_at) == m
                         and p.ruling_decision in workflows.ADOPTING for p in proposals))
                    for m in window],
    }


def assert_figures_follow(db) -> None:
    ids = dict(db.execute(select(Department.code, Department.id)).all())
    scopes = [EVERYTHING, Scope(ids["parks"], everything=False),
              Scope(ids["roads"], everything=False), Scope(None, everything=False)]
    for today in DAYS:
        for scope in scopes:
            assert shown(figures(db, today, scope)) == worked_out(db, today, scope), \
                (today, scope)


def a_city_at_work(city, db) -> dict:
    made = {
        "rejected": ruled(city, "parks", date(2025, 12, 24), date(2026, 1, 7), "rejected"),
        "adopted": ruled(city, "parks", date(2026, 2, 2), date(2026, 2, 16), "adopted"),
        "partly": ruled(city, "roads", date(2026, 4, 30), date(2026, 5, 7),
                        "partially_adopted"),
        # 2026-01-31 15:30 UTC is 2/1 00:30 in Japan: a February submission
        "midnight": submitted(city, datetime(2026, 1, 31, 15, 30, tzinfo=UTC),
                              category="roads"),
        "review": submitted(city, date(2026, 3, 2), category="parks"),
        "paused": submitted(city, date(2026, 3, 3), category="roads"),
        "moved": submitted(city, date(2026, 5, 1), category="parks"),
        "triage": submitted(city, date(2026, 5, 11), category="other"),
        "idea": submitted(city, date(2026, 6, 1), category="welfare", kind="idea"),
        "gone": submitted(city, date(2026, 6, 2), category="welfare"),
        "fresh": city.submit(category="parks")[0],
        "implementing": city.submit(category="welfare")[0],
    }
    walk(db, made["implementing"], "implementing")  # a due date in a later state
    walk(db, made["review"], "in_review", today=date(2026, 3, 2))
    walk(db, made["paused"], "awaiting_proposer", today=date(2026, 3, 3))
    walk(db, made["moved"], "in_review", today=date(2026, 5, 1))
    walk(db, made["idea"], "answered", today=date(2026, 6, 10))
    walk(db, made["midnight"], "in_review", today=date(2026, 2, 2))
    ops.transfer_proposal(db, made["moved"], "roads", lead(made["moved"]),
                          reason="道路の案件です。", today=date(2026, 5, 20))
    ops.transfer_proposal(db, made["triage"], "welfare", Actor.staff(city.office_user),
                          reason="福祉の案件です。", today=date(2026, 5, 12))
    db.commit()
    ops.extend_deadline(db, made["review"], lead(made["review"]),
                        due_on=made["review"].due_on + timedelta(days=60), reason="調査中です。",
                        today=date(2026, 3, 10))
    db.commit()
    ops.fire_trigger(db, made["gone"], "withdraw", ops.PROPOSER, {"reason": "取り下げます"})
    made["fresh"].submitted_at = datetime(2026, 6, 30, 16, tzinfo=UTC)  # 7/1 in Japan
    db.commit()
    return made


def test_the_figures_from_the_kept_counts_equal_the_proposals(city, db):
    made = a_city_at_work(city, db)
    assert_figures_follow(db)

    # A change rolled back moves no count.
    ops.fire_trigger(db, made["review"], "request_info", lead(made["review"]),
                     {"question": "場所は？"})
    made["midnight"].ruled_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.flush()
    db.rollback()
    assert_figures_follow(db)

    # Waiting for the proposer stops the clock, their answer restarts it; the retention
    # purge erases the closed proposals' personal data, which no figure counts.
    ops.fire_trigger(db, made["review"], "request_info", lead(made["review"]),
                     INPUTS["request_info"], today=date(2026, 6, 1))
    db.commit()
    assert_figures_follow(db)
    ops.fire_trigger(db, made["review"], "provide_info", ops.PROPOSER,
                     INPUTS["provide_info"], today=date(2026, 6, 3))
    db.commit()
    purge_personal_data(db, today_jst() + timedelta(days=1))
    assert_figures_follow(db)


def test_folding_and_recounting_keep_the_figures(city, db):
    a_city_at_work(city, db)
    before = {today: shown(figures(db, today)) for today in DAYS}
    tables = (OverdueCount, MonthlyCount, RulingCount)
    fold(db)
    assert {today: shown(figures(db, today)) for today in DAYS} == before
    for table in tables:  # one row per group
        keys = [c for c in table.__table__.c if c.name not in
                ("id", "delta", "submissions", "rulings", "adoptions")]
        assert db.execute(select(func.count()).select_from(
            select(*keys).group_by(*keys).having(func.count() > 1).subquery())).scalar() == 0
    recount(db)  # what a loader writing proposals with plain SQL calls
    assert {today: shown(figures(db, today)) for today in DAYS} == before
    assert_figures_follow(db)


def test_a_new_proposal_moves_its_groups_only(city, db):
    """A submission inserts one row per kept table it counts in: nothing is updated."""
    rows = {t: db.execute(select(func.count()).select_from(t)).scalar()
            for t in (OverdueCount, MonthlyCount, RulingCount)}
    proposal, _ = city.submit(category="parks")
    counted = {t: db.execute(select(func.count()).select_from(t)).scalar() for t in rows}
    has_due = proposal.due_on is not None and proposal.clock_running
    assert counted == {OverdueCount: rows[OverdueCount] + has_due,
                       MonthlyCount: rows[MonthlyCount] + 1, RulingCount: rows[RulingCount]}


def test_teian_recount_rebuilds_counts_a_plain_sql_write_bypassed(city, db, database_url,
                                                                   tmp_path, monkeypatch):
    """A write that bypasses the ORM (a loader, a hand-made fix) leaves the kept counts
    behind; ``teian recount`` counts them afresh."""
    from click.testing import CliRunner
    from sqlalchemy import update

    from intake.cli import main

    a_city_at_work(city, db)
    db.execute(update(Proposal).where(Proposal.due_on.is_not(None))
               .values(due_on=date(2026, 1, 5)))
    db.commit()
    assert figures(db, date(2026, 1, 20)).overdue != worked_out(db, date(2026, 1, 20))["overdue"]
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SECRET_KEY", "cli-test")
    answer = CliRunner().invoke(main, ["recount"], catch_exceptions=False)
    assert answer.exit_code == 0 and "recounted" in answer.output
    assert_figures_follow(db)

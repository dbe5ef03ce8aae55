"""The dashboard's figures kept as proposals change (models/counts.py says why,
:mod:`intake.office.kept` how): what each table counts, and the queries that read them.

Each reading is a GROUP BY over a table as small as its groups (plus the delta rows since
the worker's last fold), never over the proposals:

- :func:`counts`: proposals per department × state;
- :func:`overdue_per_department`: proposals overdue today — a proposal counts +1 on
  (its department, its due date) while it has a due date and its workflow's clock runs in
  its state, so overdue is the sum over the due dates before today;
- :func:`monthly_sums`: submitted, ruled and adopted per Japanese month;
- :func:`ruling_histogram`: rulings per department × decision × business days.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Select, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

import workflows
from intake.models import MonthlyCount, OverdueCount, Proposal, ProposalCount, RulingCount
from intake.office.kept import Facts, Kept, fold, keep, recount, recount_if_stale
from workflows.calendar import JST

__all__ = ["counts", "fold", "monthly_sums", "overdue_per_department", "recount",
           "recount_if_stale", "ruling_histogram"]


def month_of(moment: datetime) -> date:
    """The first day of the month in Japan that ``moment`` falls in."""
    return moment.astimezone(JST).date().replace(day=1)


class jst_month(FunctionElement):  # noqa: N801  (an SQL function's name)
    """:func:`month_of` in SQL, for a UTC moment stored without its zone (UTCDateTime).
    Japan has kept UTC+9 without summer time since 1951, so nine hours ahead is exact."""

    type = Date()
    inherit_cache = True
    name = "jst_month"


@compiles(jst_month, "sqlite")
def _jst_month_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+9 hours', 'start of month')"


@compiles(jst_month, "postgresql")
def _jst_month_postgresql(element, compiler, **kw) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('month', {moment} + INTERVAL '9 hours') AS DATE)"


# --- what each table counts -------------------------------------------------------------

def _per_state(facts: Facts):
    yield (facts["lead_department_id"], facts["kind"], facts["state"]), (1,)


def _per_due_date(facts: Facts):
    if facts["due_on"] is not None and \
            workflows.get_workflow(facts["kind"]).clock_runs(facts["state"]):
        yield (facts["lead_department_id"], facts["due_on"]), (1,)


def _per_month(facts: Facts):
    department = facts["lead_department_id"]
    if facts["submitted_at"] is not None:
        yield (department, month_of(facts["submitted_at"])), (1, 0, 0)
    if facts["ruled_at"] is not None:
        adopted = int(facts["ruling_decision"] in workflows.ADOPTING)
        yield (department, month_of(facts["ruled_at"])), (0, 1, adopted)


def _per_ruling(facts: Facts):
    if facts["ruling_decision"] is not None:
        yield (facts["lead_department_id"], facts["ruling_decision"],
               facts["ruling_business_days"]), (1,)


P = Proposal
PER_STATE = keep(Kept(
    ProposalCount, ("lead_department_id", "kind", "state"), ("delta",), _per_state,
    lambda: [select(P.lead_department_id, P.kind, P.state, func.count())
             .group_by(P.lead_department_id, P.kind, P.state)]))
PER_DUE_DATE = keep(Kept(
    OverdueCount, ("lead_department_id", "due_on"), ("delta",), _per_due_date,
    lambda: [select(P.lead_department_id, P.due_on, func.count())
             .where(P.due_on.is_not(None), P.clock_running)
             .group_by(P.lead_department_id, P.due_on)],
    lambda: {name: workflows.get_workflow(name).clock_running_states()
             for name in workflows.workflow_names()}))


def _months_counted() -> list[Select]:
    submitted, ruled = jst_month(P.submitted_at), jst_month(P.ruled_at)
    adopted = case((P.ruling_decision.in_(workflows.ADOPTING), 1), else_=0)
    return [select(P.lead_department_id, submitted, func.count(), literal(0), literal(0))
            .group_by(P.lead_department_id, submitted),
            select(P.lead_department_id, ruled, literal(0), func.count(), func.sum(adopted))
            .where(P.ruled_at.is_not(None)).group_by(P.lead_department_id, ruled)]


PER_MONTH = keep(Kept(
    MonthlyCount, ("lead_department_id", "month"), ("submissions", "rulings", "adoptions"),
    _per_month, _months_counted, lambda: sorted(workflows.ADOPTING)))
PER_RULING = keep(Kept(
    RulingCount, ("lead_department_id", "decision", "business_days"), ("delta",),
    _per_ruling,
    lambda: [select(P.lead_department_id, P.ruling_decision, P.ruling_business_days,
                    func.count())
             .where(P.ruling_decision.is_not(None))
             .group_by(P.lead_department_id, P.ruling_decision, P.ruling_business_days)]))


# --- what the dashboard reads ----------------------------------------------------------

def counts(session, department_filter) -> list[tuple[int | None, str, int]]:
    """``(department id, state, how many)`` for every non-empty group;
    ``department_filter(query, column)`` narrows to a scope."""
    query: Select = (
        select(ProposalCount.lead_department_id, ProposalCount.state,
               func.sum(ProposalCount.delta))
        .group_by(ProposalCount.lead_department_id, ProposalCount.state)
        .having(func.sum(ProposalCount.delta) != 0)
    )
    return [(d, s, int(n)) for d, s, n in session.execute(
        department_filter(query, ProposalCount.lead_department_id))]


def overdue_per_department(today: date) -> Select:
    """``(department id, how many overdue)``, for departments with any."""
    late = func.sum(OverdueCount.delta)
    return (select(OverdueCount.lead_department_id, late)
            .where(OverdueCount.due_on < today)
            .group_by(OverdueCount.lead_department_id).having(late != 0))


def ruling_histogram() -> Select:
    """``(department id, decision, business days, how many)`` for every ruling recorded."""
    ruled = func.sum(RulingCount.delta)
    return (select(RulingCount.lead_department_id, RulingCount.decision,
                   RulingCount.business_days, ruled)
            .group_by(RulingCount.lead_department_id, RulingCount.decision,
                      RulingCount.business_days)
            .having(ruled != 0)
            .order_by(RulingCount.lead_department_id, RulingCount.decision,
                      RulingCount.business_days))  # decisions in the same order always


def monthly_sums(first: date, after: date) -> Select:
    """``(month, submitted, ruled, adopted)`` for the months from ``first`` up to, not
    including, ``after`` (first days of Japanese months); months with nothing are left
    out."""
    return (select(MonthlyCount.month, func.sum(MonthlyCount.submissions),
                   func.sum(MonthlyCount.rulings), func.sum(MonthlyCount.adoptions))
            .where(MonthlyCount.month >= first, MonthlyCount.month < after)
            .group_by(MonthlyCount.month))

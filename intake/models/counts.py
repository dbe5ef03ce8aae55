"""The dashboard's figures, kept as proposals change (intake/office/kept.py).

The dashboard read its figures off GROUP BYs over every proposal (a second per request at
a million proposals).  Instead every change of a proposal adds ``+1``/``-1`` rows to these
tables in the same flush: inserts only, so concurrent submissions never wait on a shared
counter row.  The worker folds the rows into one per group from time to time, so each
table stays as small as its groups:

- ``proposal_counts``: proposals per department × workflow × state;
- ``overdue_counts``: proposals whose department's clock runs, per department × due
  date — overdue today is the sum over the days before today, a range of days, not of
  proposals;
- ``monthly_counts``: per department × Japanese month, the proposals submitted that month,
  and the rulings recorded that month (all of them, and those adopting);
- ``ruling_counts``: rulings per department × decision × business days to the ruling.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ProposalCount(Base):
    __tablename__ = "proposal_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(40))
    delta: Mapped[int] = mapped_column(Integer)


class OverdueCount(Base):
    __tablename__ = "overdue_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    due_on: Mapped[date] = mapped_column(Date)
    delta: Mapped[int] = mapped_column(Integer)


class MonthlyCount(Base):
    __tablename__ = "monthly_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    month: Mapped[date] = mapped_column(Date)  # the first day of a month in Japan
    submissions: Mapped[int] = mapped_column(Integer)
    rulings: Mapped[int] = mapped_column(Integer)  # every ruling recorded that month
    adoptions: Mapped[int] = mapped_column(Integer)  # rulings in workflows.ADOPTING


class RulingCount(Base):
    __tablename__ = "ruling_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    decision: Mapped[str] = mapped_column(String(40))
    business_days: Mapped[int | None] = mapped_column(Integer)
    delta: Mapped[int] = mapped_column(Integer)


class KeptBasis(Base):
    """What the kept counts were counted under: a digest of the facts they take from
    outside the proposals' own columns (which states of each workflow run the clock), from
    :func:`intake.office.kept.basis`.  The worker recounts when the definitions changed."""

    __tablename__ = "kept_basis"

    id: Mapped[int] = mapped_column(primary_key=True)  # one row, id 1
    digest: Mapped[str] = mapped_column(String(64))

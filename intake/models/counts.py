"""How many proposals each department has in each state, kept as they change.

The dashboard read these counts off a GROUP BY over every proposal (a second per
request at a million proposals).  Instead every change of a proposal's workflow, state
or department adds ``+1``/``-1`` rows here in the same flush (intake/office/counts.py):
inserts only, so concurrent submissions never wait on a shared counter row.  The worker
folds the rows into one per group from time to time, so the table stays as small as the
number of departments × states.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ProposalCount(Base):
    __tablename__ = "proposal_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(40))
    delta: Mapped[int] = mapped_column(Integer)

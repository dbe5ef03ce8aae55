"""Proposals per department × state, kept as they change (models/counts.py says why).

- :func:`_count_changes` runs at the end of every flush of every session: a proposal
  added, moved to another state, workflow or department, or deleted, adds its
  ``+1``/``-1`` rows in the same transaction — so the count commits, or rolls back,
  with the change.
- :func:`counts` is what the dashboard reads: a GROUP BY over a table as small as the
  departments × states (plus the rows since the last fold).
- :func:`fold` (every worker pass) replaces the rows by one per group; it takes the rows
  with one ``DELETE … RETURNING``, so a row committed meanwhile is either folded or left
  for next time, never lost or counted twice.
- :func:`recount` rebuilds the table from the proposals themselves: for loaders that
  write proposals with plain SQL (benchmarks/), and the migration that created it.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Select, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from intake.models import Proposal, ProposalCount

TRACKED = ("lead_department_id", "kind", "state")
Group = tuple[int | None, str, str]


def _default_kind() -> str:
    return Proposal.__table__.c.kind.default.arg


def _group(values: dict) -> Group:
    return values["lead_department_id"], values["kind"] or _default_kind(), values["state"]


@event.listens_for(Session, "after_flush")
def _count_changes(session: Session, _flush_context) -> None:
    # After the flush, not before: a department set through the relationship
    # (``proposal.lead_department = …``) has reached its column only now; the changes'
    # history is still there until the flush ends.
    deltas: Counter[Group] = Counter()
    for obj in session.new:
        if isinstance(obj, Proposal):
            deltas[_group({name: getattr(obj, name) for name in TRACKED})] += 1
    for obj in session.dirty:
        if not isinstance(obj, Proposal):
            continue
        attrs = inspect(obj).attrs
        before, after = {}, {}
        for name in TRACKED:
            history = attrs[name].history
            if history.deleted:  # changed: active_history loaded the old value
                before[name] = history.deleted[0]
                after[name] = history.added[0] if history.added else None
            else:  # unchanged, or only flagged (a version bump: flag_modified)
                before[name] = after[name] = getattr(obj, name)
        if before != after:
            deltas[_group(before)] -= 1
            deltas[_group(after)] += 1
    for obj in session.deleted:
        if isinstance(obj, Proposal):
            attrs = inspect(obj).attrs
            deltas[_group({name: (attrs[name].history.deleted or [getattr(obj, name)])[0]
                           for name in TRACKED})] -= 1
    rows = [{"lead_department_id": department_id, "kind": kind, "state": state,
             "delta": delta} for (department_id, kind, state), delta in deltas.items() if delta]
    if rows:  # on the flush's own connection: part of its transaction
        session.connection().execute(insert(ProposalCount.__table__), rows)


def counts(session: Session, department_filter) -> list[tuple[int | None, str, int]]:
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


def fold(session: Session) -> int:
    """Fold the rows into one per group; how many rows were taken.  Commits."""
    taken = session.execute(
        delete(ProposalCount).returning(ProposalCount.lead_department_id, ProposalCount.kind,
                                        ProposalCount.state, ProposalCount.delta)
    ).all()
    totals: Counter[Group] = Counter()
    for department_id, kind, state, delta in taken:
        totals[(department_id, kind, state)] += delta
    rows = [{"lead_department_id": d, "kind": k, "state": s, "delta": n}
            for (d, k, s), n in totals.items() if n]
    if rows:
        session.execute(insert(ProposalCount), rows)
    session.commit()
    return len(taken)


def recount(session: Session) -> None:
    """Count the proposals afresh (one GROUP BY over all of them).  Commits."""
    session.execute(delete(ProposalCount))
    session.execute(insert(ProposalCount).from_select(
        ["lead_department_id", "kind", "state", "delta"],
        select(Proposal.lead_department_id, Proposal.kind, Proposal.state, func.count())
        .group_by(Proposal.lead_department_id, Proposal.kind, Proposal.state)))
    session.commit()

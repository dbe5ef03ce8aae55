"""Counts kept as proposals change: the machinery every kept table shares (the tables
themselves, and what each counts, are in :mod:`intake.office.counts`; models/counts.py
says why they exist).

A kept table is a sum of delta rows: each group (its key columns) is counted by the sum
of its rows' value columns.  A proposal *contributes* to some groups — one or two, read
off its :data:`TRACKED` attributes by the table's :attr:`Kept.contributions`.

- :func:`_keep_counts` runs at the end of every flush of every session: for each proposal
  added, changed or deleted it takes its contributions before and after, and inserts the
  difference as delta rows in the same transaction — so the counts commit, or roll back,
  with the change.  Inserts only: concurrent submissions never wait on a counter row.
- :func:`fold` (every worker pass) replaces each table's rows by one per group; it takes
  the rows with one ``DELETE … RETURNING``, so a row committed meanwhile is either folded
  or left for next time, never lost or counted twice.
- :func:`recount` rebuilds the tables from the proposals themselves: for loaders that
  write proposals with plain SQL (benchmarks/), and — by itself, at the next worker pass
  (:func:`recount_if_stale`) — after a workflow's definition changed where its clock runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, event, insert, inspect, select, text
from sqlalchemy.orm import LoaderCallableStatus, Session

from intake.models import KeptBasis, Proposal

TRACKED = ("lead_department_id", "kind", "state", "due_on", "submitted_at", "ruled_at",
           "ruling_decision", "ruling_business_days")
"""What any kept count depends on; each loads its old value when set (active_history)."""

NO_VALUE = LoaderCallableStatus.NO_VALUE
Facts = Mapping[str, Any]
Contribution = tuple[tuple, tuple[int, ...]]  # (group key, values)


@dataclass(frozen=True)
class Kept:
    """A table of counts kept as proposals change."""

    model: type
    keys: tuple[str, ...]  # the group's columns
    values: tuple[str, ...]  # the counted columns, summed per group
    # A proposal's groups and what it adds to each, from its TRACKED facts.
    contributions: Callable[[Facts], Iterable[Contribution]]
    # The counts afresh: SELECTs over the proposals whose columns are keys + values
    # (rows of the same group add up).
    counted: Callable[[], list[Select]]
    # What the counts take from outside the proposals' columns (a workflow's definition),
    # as JSON data: when it changes, the counts are counted again (recount_if_stale).
    basis: Callable[[], object] = lambda: None


KEPT: list[Kept] = []


def keep(kept: Kept) -> Kept:
    """Register a kept table: flushes, :func:`fold` and :func:`recount` keep it."""
    KEPT.append(kept)
    return kept


def _facts(values: dict) -> dict:
    # A new proposal's kind may still be unset before its INSERT wrote the default.
    return {**values, "kind": values["kind"] or Proposal.__table__.c.kind.default.arg}


def _now(obj: Proposal) -> dict:
    return _facts({name: getattr(obj, name) for name in TRACKED})


@event.listens_for(Proposal, "init")
def _unset_facts_are_none(target: Proposal, _args, kwargs) -> None:
    """A new proposal holds None for each tracked attribute it is not given and the
    table has no default for: a change from None is then one with an old value, told
    apart at the flush from a version bump (``flag_modified``), which has none."""
    for name in _WITHOUT_DEFAULT:
        if name not in kwargs:
            setattr(target, name, None)


_WITHOUT_DEFAULT = tuple(name for name in TRACKED
                         if Proposal.__table__.c[name].default is None
                         and Proposal.__table__.c[name].server_default is None)


def _before_and_after(obj: Proposal) -> tuple[dict, dict]:
    state = inspect(obj)
    after = {name: getattr(obj, name) for name in TRACKED}
    before = dict(after)
    for name in TRACKED:
        # Changed: active_history loaded the old value (None too).  Only flagged (a
        # version bump: flag_modified) or unchanged: no old value, nothing moves.
        old = state.committed_state.get(name, NO_VALUE)
        if old is not NO_VALUE:
            before[name] = old
    return _facts(before), _facts(after)


def _changes(session: Session) -> list[tuple[dict, int]]:
    """Each proposal's facts that stop counting (-1) and start counting (+1)."""
    changes = []
    for obj in session.new:
        if isinstance(obj, Proposal):
            changes.append((_now(obj), 1))
    for obj in session.dirty:
        if isinstance(obj, Proposal):
            before, after = _before_and_after(obj)
            if before != after:
                changes += [(before, -1), (after, 1)]
    for obj in session.deleted:
        if isinstance(obj, Proposal):
            changes.append((_before_and_after(obj)[0], -1))
    return changes


def _summed(kept: Kept, pairs: Iterable[tuple[tuple, Iterable[int]]]) -> list[dict]:
    """One row per group of ``(key, values)`` pairs, their values added up; groups that
    add up to nothing are left out."""
    sums: dict[tuple, list[int]] = {}
    for key, values in pairs:
        total = sums.setdefault(tuple(key), [0] * len(kept.values))
        for i, value in enumerate(values):
            total[i] += value
    return [dict(zip(kept.keys, key, strict=True)) | dict(zip(kept.values, total, strict=True))
            for key, total in sums.items() if any(total)]


def deltas(kept: Kept, changes: Iterable[tuple[Facts, int]]) -> list[dict]:
    """The rows that move ``kept``'s counts by ``changes``: one per group that moves."""
    return _summed(kept, ((key, [sign * value for value in values])
                          for facts, sign in changes
                          for key, values in kept.contributions(facts)))


@event.listens_for(Session, "after_flush")
def _keep_counts(session: Session, _flush_context) -> None:
    # After the flush, not before: a department set through the relationship
    # (``proposal.lead_department = …``) has reached its column only now; the changes'
    # history is still there until the flush ends.
    changes = _changes(session)
    if not changes:
        return
    for kept in KEPT:
        rows = deltas(kept, changes)
        if rows:  # on the flush's own connection: part of its transaction
            session.connection().execute(insert(kept.model.__table__), rows)


def fold(session: Session) -> int:
    """Fold every kept table's rows into one per group; how many rows were taken.
    Commits."""
    taken_in_all = 0
    for kept in KEPT:
        table = kept.model.__table__
        width = len(kept.keys)
        taken = session.execute(delete(table).returning(
            *(table.c[name] for name in kept.keys + kept.values))).all()
        rows = _summed(kept, ((row[:width], row[width:]) for row in taken))
        if rows:
            session.execute(insert(table), rows)
        taken_in_all += len(taken)
    session.commit()
    return taken_in_all


def recount(session: Session, *, current: str | None = None) -> None:
    """Count the proposals afresh into every kept table (a few GROUP BYs over all of
    them), and note the :func:`basis` they were counted under.  Safe while others write:
    writers and folds wait until it commits (:func:`_alone`).  Commits."""
    _alone(session)
    for kept in KEPT:
        session.execute(delete(kept.model))
        for counted in kept.counted():
            session.execute(insert(kept.model).from_select(
                list(kept.keys + kept.values), counted))
    session.execute(delete(KeptBasis))
    session.execute(insert(KeptBasis).values(id=1, digest=current or basis()))
    session.commit()


def basis() -> str:
    """A digest of what every kept table takes from outside the proposals' columns."""
    facts = json.dumps([kept.basis() for kept in KEPT], sort_keys=True, default=sorted)
    return hashlib.sha256(facts.encode()).hexdigest()


def recount_if_stale(session: Session) -> bool:
    """Recount when the counts were made under other definitions (a city changed where a
    workflow's clock runs) or never recorded theirs; every worker pass asks.  True if it
    recounted."""
    current = basis()
    if _stored_basis(session) == current:
        session.rollback()
        return False
    _alone(session)
    if _stored_basis(session) == current:  # another worker recounted while we waited
        session.rollback()
        return False
    recount(session, current=current)
    return True


def _stored_basis(session: Session) -> str | None:
    return session.execute(select(KeptBasis.digest).where(KeptBasis.id == 1)).scalar()


def _alone(session: Session) -> None:
    """No change to the proposals or the kept tables until this transaction ends.

    PostgreSQL: SHARE ROW EXCLUSIVE on those tables waits for the writers and folds in
    flight and holds off new ones (and a second recount); without it a change committed
    between the recount's DELETE and its INSERT … SELECT would be counted twice.  SQLite:
    the recount's first DELETE takes the one writer's lock, which does the same."""
    if session.get_bind().dialect.name == "postgresql":
        tables = ", ".join(t.model.__tablename__ for t in KEPT)
        session.execute(text(f"LOCK TABLE proposals, {tables} IN SHARE ROW EXCLUSIVE MODE"))

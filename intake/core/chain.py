"""Appending a proposal's events: one read of its chain head per transaction, and each
event written at once with plain INSERT/UPDATE statements.

:func:`intake.audit.append_event` reads the head ``FOR UPDATE`` on every call and leaves
the event and head to the unit of work.  An action recording two events (a submission
and its routing, a transition and its publication) read the head twice that way, and
the unit of work's bookkeeping for four small rows cost more than the rows themselves
(docs/PERFORMANCE.md, "What a submission costs").  Here the head's number and hash are
held for the rest of the transaction (savepoint) after the first read; each event is
INSERTed as it is recorded and the head row moved onto it in the same breath, so the
event is in the database, visible to any query of the transaction, the moment it is
recorded.  The lock taken by the first read lasts until the transaction ends, so nobody
else can move the head meanwhile.

The event is made by :func:`intake.audit.next_event`, as :func:`intake.audit.append_event`
makes it, so ``teian audit verify`` cannot tell which wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from intake.audit import GENESIS, chain_of, next_event
from intake.models import ChainHead, Event

_HELD = "teian.chain_heads"  # session.info: (the transaction, {chain: head})
_EVENTS, _HEADS = Event.__table__, ChainHead.__table__
_WRITTEN = tuple(column.key for column in _EVENTS.columns if column.key != "id")
_INSERT_EVENT, _INSERT_HEAD = insert(_EVENTS), insert(_HEADS)


@dataclass
class _Head:
    """A chain's head as this transaction holds it (``next_event`` moves it on)."""

    chain: str
    seq: int
    hash: str
    anchored: bool
    stored: bool  # whether its row exists (a chain begun in this transaction has none yet)


def _held(session: Session) -> dict[str, _Head]:
    # Keyed by the innermost transaction: a savepoint rolled back takes its events with
    # it, so the next one reads the head again rather than building on numbers that
    # are gone.
    transaction = session.get_nested_transaction() or session.get_transaction()
    found = session.info.get(_HELD)
    if found is None or found[0] is not transaction:
        found = session.info[_HELD] = (transaction, {})
    return found[1]


def _head(session: Session, chain: str, new_chain: bool) -> _Head:
    held = _held(session)
    head = held.get(chain)
    if head is None:
        row = None if new_chain else session.connection().execute(
            select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.chain == chain)
            .with_for_update()).first()
        head = held[chain] = (_Head(chain, row.seq, row.hash, False, True) if row
                              else _Head(chain, 0, GENESIS, False, False))
    return head


def append(
    session: Session,
    *,
    proposal_id: int,
    actor: str,
    action: str,
    new_chain: bool = False,
    actor_label: str = "",
    trigger: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> None:
    """Write the next event of the proposal's chain and move its head, in the session's
    transaction.  ``new_chain``: the proposal was created in this transaction, so its
    chain has no head to read yet."""
    chain = chain_of(proposal_id)
    head = _head(session, chain, new_chain)
    event = next_event(head, proposal_id=proposal_id, actor=actor, actor_label=actor_label,
                       action=action, trigger=trigger, from_state=from_state,
                       to_state=to_state, reason=reason, data=data, at=at)
    connection = session.connection()
    connection.execute(_INSERT_EVENT, {key: getattr(event, key) for key in _WRITTEN})
    moved = {"seq": head.seq, "hash": head.hash, "anchored": False}
    if head.stored:
        connection.execute(update(_HEADS).where(_HEADS.c.chain == chain), moved)
    else:
        connection.execute(_INSERT_HEAD, {"chain": chain, **moved})
        head.stored = True

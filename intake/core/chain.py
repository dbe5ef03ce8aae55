"""Appending a proposal's events with one read of its chain head per transaction.

:func:`intake.audit.append_event` reads the head ``FOR UPDATE`` on every call, so an
action recording two events (a submission and its routing, a transition and its
publication) read and wrote the head twice, flushing in between.  Here the head read (or,
for a chain the transaction itself starts, made) is held for the rest of the transaction:
later events of the same chain build on it in memory, and the unit of work writes the head
once and the events in one ``INSERT`` at the next flush.  The lock taken by the first read
lasts until the transaction ends, so nobody else can move the head meanwhile.

The event is made by :func:`intake.audit.next_event`, as :func:`intake.audit.append_event`
makes it, so ``teian audit verify`` cannot tell which wrote it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.audit import GENESIS, chain_of, next_event
from intake.models import ChainHead, Event

_HELD = "teian.chain_heads"  # session.info: (the transaction, {chain: head})


def _held(session: Session) -> dict[str, ChainHead]:
    found = session.info.get(_HELD)
    transaction = session.get_transaction()
    if found is None or found[0] is not transaction:
        found = session.info[_HELD] = (transaction, {})
    return found[1]


def _head(session: Session, chain: str, new_chain: bool) -> ChainHead:
    held = _held(session)
    head = held.get(chain)
    if head is None:
        if not new_chain:
            head = session.execute(
                select(ChainHead).where(ChainHead.chain == chain).with_for_update()
                .execution_options(populate_existing=True)
            ).scalar_one_or_none()
        if head is None:
            head = ChainHead(chain=chain, seq=0, hash=GENESIS, anchored=False)
            session.add(head)
        held[chain] = head
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
) -> Event:
    """Add the next event of the proposal's chain to the session.  ``new_chain``: the
    proposal was created in this transaction, so its chain has no head to read yet."""
    chain = chain_of(proposal_id)
    head = _head(session, chain, new_chain)
    event = next_event(head, proposal_id=proposal_id, actor=actor, actor_label=actor_label,
                       action=action, trigger=trigger, from_state=from_state,
                       to_state=to_state, reason=reason, data=data, at=at)
    session.add(event)
    return event

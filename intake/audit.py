"""The tamper-evident audit log: append events to a hash chain, verify chains.

Each event's hash is SHA-256 over its predecessor's hash and its own
canonical content (sorted-key JSON), so editing, deleting or reordering any
event breaks every hash after it.  One chain per proposal: appending locks
that proposal's chain head only (see models/events.py).

A reason enters the hash as a salted digest (``reason_digest``), never as text:
the retention purge (intake/maintenance/personal_data.py) can then erase a
reason that may hold personal data — with its salt — and every chain still
verifies; an erased reason reads as "" and is reported as erased, not as
tampering.  Events older than migration 0016 hash their reason as text.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ChainHead, Event, utcnow

GENESIS = "0" * 64
PURGE_ACTION = "personal_data_purged"  # EventAction.personal_data_purged
SYSTEM_CHAIN = "system"


def chain_of(proposal_id: int | None) -> str:
    return f"P{proposal_id}" if proposal_id is not None else SYSTEM_CHAIN


def canonical(event: Event) -> bytes:
    """The event's content as hashed: every field but ``id`` and ``hash``."""
    content = {
        "chain": event.chain,
        "seq": event.seq,
        "proposal_id": event.proposal_id,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor,
        "actor_label": event.actor_label,
        "action": event.action,
        "trigger": event.trigger,
        "from": event.from_state,
        "to": event.to_state,
        "data": event.data,
        "prev": event.prev_hash,
    }
    if event.reason_digest is None:  # written before reasons became erasable
        content["reason"] = event.reason
    else:
        content["reason_sha256"] = event.reason_digest
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: Event) -> str:
    return hashlib.sha256(event.prev_hash.encode() + canonical(event)).hexdigest()


def reason_digest(salt: str, reason: str) -> str:
    return hashlib.sha256((salt + reason).encode()).hexdigest()


def erase_reason(event: Event) -> None:
    """Forget the event's reason and its salt; the digest, and so the chain, stays."""
    event.reason, event.reason_salt = "", None


def reason_problem(event: Event) -> str | None:
    """Why the stored reason cannot be the one the chain recorded, or None."""
    if event.reason_digest is None:
        return None  # hashed as text: event_hash checks it
    if event.reason_salt is None:
        return "an erased reason has text again" if event.reason else None
    if reason_digest(event.reason_salt, event.reason) != event.reason_digest:
        return "reason does not match its digest (edited)"
    return None


def append_event(
    session: Session,
    *,
    proposal_id: int | None,
    actor: str,
    action: str,
    actor_label: str = "",
    trigger: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> Event:
    """Add the next event of the proposal's chain to the session.

    The head row is read ``FOR UPDATE`` (PostgreSQL), so concurrent appends
    to one chain queue up while other chains are untouched.  The caller's
    transaction commits it together with the change it records.
    """
    chain = chain_of(proposal_id)
    # populate_existing: the session keeps objects across commits
    # (expire_on_commit=False), so a head read in an earlier transaction would
    # otherwise come back with its old seq and hash instead of the locked row's.
    head = session.execute(
        select(ChainHead)
        .where(ChainHead.chain == chain)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        head = ChainHead(chain=chain, seq=0, hash=GENESIS, anchored=False)
        session.add(head)
    event = Event(
        chain=chain,
        seq=head.seq + 1,
        proposal_id=proposal_id,
        at=at or utcnow(),
        actor=actor,
        actor_label=actor_label,
        action=action,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        reason=reason or "",
        reason_salt=(salt := secrets.token_hex(16)),
        reason_digest=reason_digest(salt, reason or ""),
        data=data or {},
        prev_hash=head.hash,
    )
    event.hash = event_hash(event)
    head.seq, head.hash, head.anchored = event.seq, event.hash, False
    session.add(event)
    return event


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    event_id: int | None
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id} (chain {self.chain}, seq {self.seq})"
        if self.event_id is None:
            where = f"chain {self.chain}"
        return f"{where}: {self.problem}"


def _events_in_chain_order(session: Session, batch: int = 5000) -> Iterator[Event]:
    """Every event ordered by (chain, seq), read in keyset batches so a
    million proposals do not load into memory at once.

    Rows are read as stored now (``populate_existing``), not as the session
    may remember them, and each batch is let go of once checked; only the
    events are expunged, so a caller's session keeps its other objects.
    """
    last: tuple[str, int] = ("", 0)
    while True:
        rows = session.execute(
            select(Event)
            .where((Event.chain > last[0]) | ((Event.chain == last[0]) & (Event.seq > last[1])))
            .order_by(Event.chain, Event.seq)
            .limit(batch)
            .execution_options(populate_existing=True)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        last = (rows[-1].chain, rows[-1].seq)
        for row in rows:
            session.expunge(row)


def verify(session: Session) -> ChainProblem | None:
    """The first problem in any chain, or None when every chain is intact."""
    heads = {
        h.chain: (h.seq, h.hash)
        for h in session.execute(
            select(ChainHead).execution_options(populate_existing=True)
        ).scalars()
    }
    seen: set[str] = set()
    chain, expected_seq, prev = None, 0, GENESIS
    erased: dict[int, int] = {}  # seq -> id of events whose reason awaits its purge record

    def finish(name: str, seq: int, last_hash: str) -> ChainProblem | None:
        if heads.get(name) != (seq, last_hash):
            return ChainProblem(name, None, None, "events missing at the end of the chain")
        if erased:
            first = min(erased)
            return ChainProblem(name, erased[first], first,
                                "reason erased with no purge event recording it")
        return None

    for event in _events_in_chain_order(session):
        if event.chain != chain:
            if chain is not None and (problem := finish(chain, expected_seq, prev)):
                return problem
            chain, expected_seq, prev = event.chain, 0, GENESIS
            erased.clear()
            seen.add(chain)
        expected_seq += 1
        where = (event.chain, event.id, event.seq)
        if event.seq != expected_seq:
            return ChainProblem(*where, f"expected seq {expected_seq}: an event was removed")
        if event.prev_hash != prev:
            return ChainProblem(*where, "does not link to the event before it (removed or moved)")
        if event_hash(event) != event.hash:
            return ChainProblem(*where, "content does not match its hash (edited)")
        if problem := reason_problem(event):
            return ChainProblem(*where, problem)
        if event.reason_digest is not None and event.reason_salt is None:
            erased[event.seq] = event.id
        if event.action == PURGE_ACTION:
            for seq in event.data.get("erased_reasons", ()):
                erased.pop(seq, None)
        prev = event.hash
    if chain is not None and (problem := finish(chain, expected_seq, prev)):
        return problem
    for name in sorted(set(heads) - seen):
        return ChainProblem(name, None, None, "all events of the chain are missing")
    return None

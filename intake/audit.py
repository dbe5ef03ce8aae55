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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from .models import ChainHead, Event, utcnow

GENESIS = "0" * 64
PURGE_ACTION = "personal_data_purged"  # EventAction.personal_data_purged
STREAM_BATCH = 20000  # rows fetched at a time by verify
SYSTEM_CHAIN = "system"


def chain_of(proposal_id: int | None) -> str:
    return f"P{proposal_id}" if proposal_id is not None else SYSTEM_CHAIN


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_quote = json.encoder.encode_basestring  # a JSON string literal, as _ENCODER writes one


def canonical(event: Event) -> bytes:
    """The event's content as hashed: every field but ``id`` and ``hash``."""
    return _canonical(event.chain, event.seq, event.proposal_id, event.at, event.actor,
                      event.actor_label, event.action, event.trigger, event.from_state,
                      event.to_state, event.reason, event.reason_digest, event.data,
                      event.prev_hash)


def _canonical(chain, seq, proposal_id, at, actor, actor_label, action, trigger, from_state,
               to_state, reason, digest, data, prev_hash) -> bytes:
    """Sorted-key, compact JSON of the content — byte for byte what ``json.dumps(content,
    sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` gives (a test holds the
    two equal), spelt out because ``teian audit verify`` does this for every event."""
    text = _text
    if digest is None:  # written before reasons became erasable
        reason_part = f'"reason":{text(reason)}'
    else:
        reason_part = f'"reason_sha256":{text(digest)}'
    return (
        f'{{"action":{text(action)},"actor":{text(actor)},"actor_label":{text(actor_label)},'
        f'"at":"{at.isoformat(timespec="microseconds")}","chain":{text(chain)},'
        f'"data":{_ENCODER.encode(data)},"from":{text(from_state)},"prev":{text(prev_hash)},'
        f'"proposal_id":{"null" if proposal_id is None else int(proposal_id)},{reason_part},'
        f'"seq":{int(seq)},"to":{text(to_state)},"trigger":{text(trigger)}}}'
    ).encode()


def _text(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def event_hash(event: Event) -> str:
    return hashlib.sha256(event.prev_hash.encode() + canonical(event)).hexdigest()


def reason_digest(salt: str, reason: str) -> str:
    return hashlib.sha256((salt + reason).encode()).hexdigest()


def erase_reason(event: Event) -> None:
    """Forget the event's reason and its salt; the digest, and so the chain, stays."""
    event.reason, event.reason_salt = "", None


def _reason_problem(reason: str, salt: str | None, digest: str | None) -> str | None:
    """Why the stored reason cannot be the one the chain recorded, or None."""
    if digest is None:
        return None  # hashed as text: event_hash checks it
    if salt is None:
        return "an erased reason has text again" if reason else None
    if hashlib.sha256((salt + reason).encode()).hexdigest() != digest:
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
    event = next_event(head, proposal_id=proposal_id, actor=actor, actor_label=actor_label,
                       action=action, trigger=trigger, from_state=from_state,
                       to_state=to_state, reason=reason, data=data, at=at)
    session.add(event)
    return event


def next_event(head: ChainHead, *, proposal_id: int | None, actor: str, action: str,
               actor_label: str = "", trigger: str | None = None,
               from_state: str | None = None, to_state: str | None = None, reason: str = "",
               data: dict | None = None, at: datetime | None = None) -> Event:
    """The chain's next event, hashed (its reason as a freshly salted digest), with the
    head moved onto it: the one way an event is made, whoever read the head
    (:func:`append_event`, or intake.core.chain holding it for a transaction)."""
    event = Event(
        chain=head.chain,
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


def _events_with_heads(session: Session, lowest: str | None = None,
                       below: str | None = None) -> Iterable[Sequence]:
    """Every event as a plain tuple (the columns of ``_VERIFIED``) in (chain, seq)
    order, each with the hash its chain's head row records *if the head points at it*
    (NULL otherwise).

    One statement, streamed (a server-side cursor on PostgreSQL), so memory stays flat
    however long the log, and the heads are read in the same snapshot as the events —
    an append committing meanwhile cannot look like a broken chain.  Tuples, not ORM
    objects: the log is read at the speed of hashing it.
    """
    return session.execute(log_in_chain_order(lowest, below)
                           .execution_options(yield_per=STREAM_BATCH))


def log_in_chain_order(lowest: str | None = None, below: str | None = None) -> Select:
    """The query :func:`verify` streams: (chain, seq) order off the unique index, no sort;
    only the chains from ``lowest`` up to (not including) ``below`` when given."""
    events, heads = Event.__table__, ChainHead.__table__
    query = (
        select(*(events.c[name] for name in _VERIFIED), heads.c.hash)
        .outerjoin(heads, and_(heads.c.chain == events.c.chain, heads.c.seq == events.c.seq))
        .order_by(events.c.chain, events.c.seq)
    )
    if lowest is not None:
        query = query.where(events.c.chain >= lowest)
    if below is not None:
        query = query.where(events.c.chain < below)
    return query


_VERIFIED = ("id", "chain", "seq", "proposal_id", "at", "actor", "actor_label", "action",
             "trigger", "from_state", "to_state", "reason", "reason_salt", "reason_digest",
             "data", "prev_hash", "hash")


def _headless_chain(session: Session) -> str | None:
    """A chain whose head row is there but none of its events: a history deleted whole."""
    events, heads = Event.__table__, ChainHead.__table__
    return session.execute(
        select(heads.c.chain)
        .where(~select(events.c.id).where(events.c.chain == heads.c.chain).exists())
        .order_by(heads.c.chain).limit(1)
    ).scalar()


def verify(session: Session, lowest: str | None = None,
           below: str | None = None) -> ChainProblem | None:
    """The first problem in any chain, or None when every chain is intact.  With
    ``lowest``/``below``, only the chains in that range (one part of a parallel check,
    :mod:`intake.maintenance.parallel_verify`); the check for chains whose events are all
    gone is then the caller's, :func:`headless_chain`."""
    chain, expected_seq, prev, head_ok = None, 0, GENESIS, False
    erased: dict[int, int] = {}  # seq -> id of events whose reason awaits its purge record

    def finish(name: str) -> ChainProblem | None:
        if not head_ok:
            return ChainProblem(name, None, None, "events missing at the end of the chain")
        if erased:
            first = min(erased)
            return ChainProblem(name, erased[first], first,
                                "reason erased with no purge event recording it")
        return None

    for (event_id, event_chain, seq, proposal_id, at, actor, actor_label, action, trigger,
         from_state, to_state, reason, salt, digest, data, prev_hash, event_hash_,
         head_hash) in _events_with_heads(session, lowest, below):
        if event_chain != chain:
            if chain is not None and (problem := finish(chain)):
                return problem
            chain, expected_seq, prev = event_chain, 0, GENESIS
            erased.clear()
        expected_seq += 1
        where = (event_chain, event_id, seq)
        if seq != expected_seq:
            return ChainProblem(*where, f"expected seq {expected_seq}: an event was removed")
        if prev_hash != prev:
            return ChainProblem(*where, "does not link to the event before it (removed or moved)")
        content = _canonical(event_chain, seq, proposal_id, at, actor, actor_label, action,
                             trigger, from_state, to_state, reason, digest, data, prev_hash)
        if hashlib.sha256(prev_hash.encode() + content).hexdigest() != event_hash_:
            return ChainProblem(*where, "content does not match its hash (edited)")
        if digest is not None and (problem := _reason_problem(reason, salt, digest)):
            return ChainProblem(*where, problem)
        if digest is not None and salt is None:
            erased[seq] = event_id
        if action == PURGE_ACTION:
            for purged in data.get("erased_reasons", ()):
                erased.pop(purged, None)
        prev = event_hash_
        # the head must point at the newest event: true only while this one is the last
        head_ok = head_hash == event_hash_
    if chain is not None and (problem := finish(chain)):
        return problem
    if lowest is None and below is None:
        return headless_chain(session)
    return None


def headless_chain(session: Session) -> ChainProblem | None:
    """A chain whose head row is there but none of its events: a history deleted whole."""
    if (name := _headless_chain(session)) is not None:
        return ChainProblem(name, None, None, "all events of the chain are missing")
    return None

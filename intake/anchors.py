"""A city-wide anchor over the audit log's per-proposal chains.

Each chain (:mod:`intake.audit`) detects an edited, removed or reordered event, and its
head row detects a removed newest event.  Neither notices a whole chain gone — its
events *and* its head deleted — nor the newest events of several chains removed with
their heads wound back.  Checkpoints do:

- :func:`checkpoint` (every worker pass, and ``teian audit checkpoint``) records each
  chain head that changed since the last checkpoint, hashed with that checkpoint's hash
  and the highest proposal id, as the next checkpoint of a chain of checkpoints;
- :func:`verify_anchors` (part of ``teian audit verify``) recomputes the checkpoints'
  own chain, then checks that every recorded head is still there — the event at that
  sequence number, with that hash.  A chain that lost events it once had is named.

Appends stay per-chain (no global lock on the request path): a checkpoint is written
by the worker, reads only the heads marked unanchored (indexed), and marks them anchored
only if they have not moved meanwhile.  A unique ``seq`` keeps two workers from forking
the checkpoints' chain; the loser simply tries again next pass.  The newest checkpoint
hash can be published (``teian audit checkpoint`` prints it), and then not even the
checkpoints can be rewritten unnoticed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .audit import GENESIS
from .models import AuditCheckpoint, ChainHead, CheckpointHead, Event, Proposal, utcnow

BATCH = 5000
HEADS_PER_CHECKPOINT = 20_000


def _digest(prev_hash: str, seq: int, at: datetime, max_proposal_id: int,
            heads: list[tuple[str, int, str]]) -> str:
    content = json.dumps({"seq": seq, "at": at.isoformat(timespec="microseconds"),
                          "max_proposal_id": max_proposal_id, "heads": heads},
                         separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev_hash.encode() + content.encode()).hexdigest()


def checkpoint_all(session: Session, now: datetime | None = None,
                   limit: int = HEADS_PER_CHECKPOINT) -> int:
    """Checkpoints until every head is anchored; how many were written."""
    written = 0
    while (row := checkpoint(session, now, limit)) is not None:
        written += 1
        if session.execute(select(func.count()).select_from(CheckpointHead)
                           .where(CheckpointHead.checkpoint_id == row.id)).scalar() < limit:
            break
    return written


def latest(session: Session) -> AuditCheckpoint | None:
    return session.execute(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
    ).scalar_one_or_none()


def checkpoint(session: Session, now: datetime | None = None,
               limit: int = HEADS_PER_CHECKPOINT) -> AuditCheckpoint | None:
    """Record the heads that changed since the last checkpoint (None: nothing did), at
    most ``limit`` of them: the rest wait for the next checkpoint, so one checkpoint
    after a bulk import or an upgrade holds bounded memory.  Commits its own
    transaction (it is the worker's, not a request's)."""
    now = now or utcnow()
    previous = latest(session)
    # Plain rows, not objects: a session that kept a head object from an earlier
    # transaction (``expire_on_commit=False``) would hand back its old number and hash.
    heads = [tuple(row) for row in session.execute(
        select(ChainHead.chain, ChainHead.seq, ChainHead.hash)
        .where(ChainHead.anchored.is_(False)).order_by(ChainHead.chain).limit(limit))]
    max_proposal_id = session.execute(select(func.max(Proposal.id))).scalar() or 0
    if not heads and previous is not None and previous.max_proposal_id == max_proposal_id:
        session.rollback()
        return None
    seq = previous.seq + 1 if previous else 1
    prev_hash = previous.hash if previous else GENESIS
    row = AuditCheckpoint(seq=seq, at=now, max_proposal_id=max_proposal_id,
                          prev_hash=prev_hash,
                          hash=_digest(prev_hash, seq, now, max_proposal_id, heads))
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another worker wrote checkpoint ``seq`` first
        session.rollback()
        return None
    if heads:
        session.execute(CheckpointHead.__table__.insert(), [
            {"checkpoint_id": row.id, "chain": c, "seq": s, "hash": h} for c, s, h in heads])
    for start in range(0, len(heads), BATCH):
        # Only heads that have not moved since they were read: a newer event keeps its
        # chain unanchored for the next checkpoint.
        batch = heads[start:start + BATCH]
        session.execute(update(ChainHead).where(or_(*[
            and_(ChainHead.chain == c, ChainHead.seq == s) for c, s, _ in batch
        ])).values(anchored=True))
    session.commit()
    return row


@dataclass(frozen=True)
class AnchorProblem:
    checkpoint_seq: int
    chain: str | None
    problem: str

    def __str__(self) -> str:
        where = f"checkpoint {self.checkpoint_seq}"
        if self.chain:
            where += f", chain {self.chain}"
        return f"{where}: {self.problem}"


def _recorded_heads(session: Session, checkpoint_id: int) -> list[tuple[str, int, str]]:
    return [(r.chain, r.seq, r.hash) for r in session.execute(
        select(CheckpointHead).where(CheckpointHead.checkpoint_id == checkpoint_id)
        .order_by(CheckpointHead.chain)
    ).scalars()]


def _checkpoints(session: Session) -> Iterator[AuditCheckpoint]:
    last = 0
    while True:
        rows = session.execute(select(AuditCheckpoint).where(AuditCheckpoint.seq > last)
                               .order_by(AuditCheckpoint.seq).limit(500)).scalars().all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_anchors(session: Session) -> AnchorProblem | None:
    """The first problem with the checkpoints or with what they recorded, or None."""
    prev_hash, expected = GENESIS, 1
    for row in _checkpoints(session):
        if row.seq != expected or row.prev_hash != prev_hash:
            return AnchorProblem(row.seq, None, "a checkpoint before it was removed")
        heads = _recorded_heads(session, row.id)
        if _digest(row.prev_hash, row.seq, row.at, row.max_proposal_id, heads) != row.hash:
            return AnchorProblem(row.seq, None, "altered (its hash does not match)")
        prev_hash, expected = row.hash, expected + 1
    # Every head a checkpoint recorded must still be there, with the same hash.
    missing = session.execute(
        select(AuditCheckpoint.seq, CheckpointHead.chain, CheckpointHead.seq, Event.hash)
        .join(AuditCheckpoint, AuditCheckpoint.id == CheckpointHead.checkpoint_id)
        .outerjoin(Event, and_(Event.chain == CheckpointHead.chain,
                               Event.seq == CheckpointHead.seq))
        .where(or_(Event.id.is_(None), Event.hash != CheckpointHead.hash))
        .order_by(AuditCheckpoint.seq, CheckpointHead.chain).limit(1)
    ).first()
    if missing is not None:
        cp_seq, chain, seq, found = missing
        what = (f"events up to seq {seq} are missing" if found is None
                else f"event seq {seq} is not the one recorded")
        return AnchorProblem(cp_seq, chain, what)
    return None

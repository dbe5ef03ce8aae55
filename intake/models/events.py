"""The append-only, hash-chained audit log.

One chain per proposal (``chain = "P<id>"``) plus one ``"system"`` chain for
configuration changes.  Per-proposal chains mean two officers working on
unrelated proposals never wait on each other: appending locks only the
chain's head row.  The head row also records the last hash, so deleting the
newest event of a chain is detected too.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow
from .vocabularies import ACTOR_KINDS, EventAction, check_in


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_events_proposal_id_seq", "proposal_id", "seq"),
        # "was it ever transferred?" for the liaison-meeting agenda (intake/office/agenda.py)
        Index("ix_events_action_proposal_id", "action", "proposal_id"),
        CheckConstraint(check_in("action", EventAction), name="action_known"),
        CheckConstraint(
            "actor IN (" + ", ".join(f"'{kind}'" for kind in ACTOR_KINDS) + ") "
            "OR actor LIKE 'user:%'",
            name="actor_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # who: "user:<id>", "proposer", "public", "system"
    actor: Mapped[str] = mapped_column(String(60))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40))  # an EventAction
    trigger: Mapped[str | None] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The chain hashes ``reason_digest`` = SHA-256(salt + reason), not the reason itself,
    # so the retention purge can erase a reason that may hold personal data (a question
    # to the proposer, their answer) and the chain still verifies.  Erasing takes the
    # salt with it: a short text (a phone number) cannot then be found by guessing.
    # Both NULL: an event written before migration 0016, whose reason is hashed as is.
    reason_salt: Mapped[str | None] = mapped_column(String(32))
    reason_digest: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """The newest event of each chain: its sequence number and hash."""

    __tablename__ = "event_chain_heads"
    __table_args__ = (Index("ix_event_chain_heads_anchored", "anchored"),)

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    # False from the moment the chain grows until a checkpoint records its new head
    # (intake.anchors): the checkpoint reads only these rows.
    anchored: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditCheckpoint(Base):
    """A city-wide anchor over the per-proposal chains (intake.anchors): the chain heads
    that changed since the checkpoint before, hashed together with that checkpoint's hash
    and the highest proposal id.  Checkpoints form one chain of their own (``seq`` is
    unique, so two workers can never fork it); publishing the newest hash lets outsiders
    hold the city to everything recorded up to it."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    max_proposal_id: Mapped[int] = mapped_column(Integer, default=0)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class CheckpointHead(Base):
    """One chain head as a checkpoint recorded it."""

    __tablename__ = "audit_checkpoint_heads"

    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("audit_checkpoints.id"),
                                               primary_key=True)
    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class OutboxStatus(enum.StrEnum):
    """Where an outbox message is (see intake.delivery)."""

    pending = "pending"  # waiting for its next attempt, at next_attempt_at
    sending = "sending"  # leased to a worker until next_attempt_at
    sent = "sent"
    failed = "failed"  # given up after MAX_ATTEMPTS


class OutboxMessage(Base):
    """A message written in the same transaction as the change that caused
    it; ``teian worker`` (or the embedded server) delivers it later."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # receipt, new_item, question, ruling …
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10), default="ja")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(
            OutboxStatus,
            name="outbox_status",
            native_enum=False,
            create_constraint=True,  # CHECK (status IN (...)), ck_outbox_outbox_status
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        default=OutboxStatus.pending,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


class Escalation(Base):
    """One row per overdue step that has been escalated: (proposal, state,
    due date).  Kept apart from the proposal row so escalating never bumps
    the proposal's version under an officer's feet, and the unique key
    makes "notified once per overdue step" a database fact."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("proposal_id", "state", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    state: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

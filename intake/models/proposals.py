"""Proposals and everything that hangs off one.

Personal data lives in :class:`ProposerContact`, a separate table, so that
public queries and serialisers cannot reach it by accident.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    or_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .attachments import Attachment
from .base import Base, UTCDateTime, utcnow
from .organisation import Category, Department, District, User, _enum
from .receipts import receipt_for
from .vocabularies import CommentStatus, OpinionStatus, check_in


@dataclass(frozen=True)
class CommentPeriod:
    """Whether citizens may comment now (SPEC section 5), and the moment the liaison
    set for the end: ``closes_at`` while open, ``closed_at`` once that moment has
    closed it (a proposal that simply left deliberation has neither)."""

    open: bool
    closes_at: datetime | None = None
    closed_at: datetime | None = None


class ProposerType(enum.StrEnum):
    """The bodies the ordinance names as proposers."""

    individual = "individual"
    neighborhood_association = "neighborhood_association"
    npo = "npo"
    business = "business"
    school = "school"
    other = "other"


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_dept_state_id", "lead_department_id", "state", "id"),
        Index("ix_proposals_state_id", "state", "id"),
        Index("ix_proposals_published_id", "published_at", "id"),
        Index("ix_proposals_category_id", "category_id", "id"),
        Index("ix_proposals_district_id", "district_id", "id"),
        Index("ix_proposals_assignee_id", "assignee_id", "id"),
        Index("ix_proposals_due_on", "due_on"),
        # The office's figures (intake/office/figures.py): rulings per department, decision
        # and duration read off one index, the monthly trend by date range.
        Index("ix_proposals_dept_ruling", "lead_department_id", "ruling_decision",
              "ruling_business_days"),
        Index("ix_proposals_submitted_at", "submitted_at"),
        Index("ix_proposals_ruled_at", "ruled_at"),
        # Overdue per department for the figures: one range per (workflow, running
        # state), read off the index alone.
        Index("ix_proposals_overdue", "kind", "state", "due_on", "lead_department_id"),
        # A liaison's queue (queues.queue_for): the rest newest first, walked backwards
        # within the department; the overdue in due-date order per running state.
        Index("ix_proposals_dept_id", "lead_department_id", "id"),
        Index("ix_proposals_dept_overdue", "lead_department_id", "kind", "state", "due_on"),
        CheckConstraint("budget_total IS NULL OR budget_total >= 0", name="budget_total_nonneg"),
        CheckConstraint("city_share IS NULL OR city_share >= 0", name="city_share_nonneg"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The workflow definition this proposal runs under (workflows/<kind>.toml).
    # kind, state, lead_department_id, due_on, submitted_at and the ruling's decision,
    # moment and business days load their old value when set (active_history): the
    # dashboard's kept counts (intake/office/kept.py) move one from the old group.
    kind: Mapped[str] = mapped_column(String(40), default="proposal", active_history=True)
    title: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    problem: Mapped[str] = mapped_column(Text)
    proposal_text: Mapped[str] = mapped_column(Text)
    expected_effect: Mapped[str] = mapped_column(Text, default="")
    role_split: Mapped[str] = mapped_column(Text, default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))  # None: city-wide
    budget_total: Mapped[int | None] = mapped_column(BigInteger)
    city_share: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(10), default="ja")
    proposer_type: Mapped[ProposerType] = mapped_column(_enum(ProposerType, "proposer_type"))
    publish_name: Mapped[bool] = mapped_column(Boolean, default=False)

    state: Mapped[str] = mapped_column(String(40), active_history=True)
    # Optimistic versioning: every state change bumps it; a stale UPDATE
    # matches no row and the action fails with a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"),
                                                           active_history=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                   active_history=True)
    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date, active_history=True)
    # Business days the department had left when its clock was paused.
    paused_days_left: Mapped[int | None] = mapped_column(Integer)

    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withheld_reason: Mapped[str | None] = mapped_column(Text)
    # Accepted, but the scan found personal data nobody has reviewed yet: not public
    # until the lead liaison or the office decides what to mask (SPEC section 5).
    review_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    comments_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Confirmed supports (賛同), kept by intake.supports.operations.confirm_support with a
    # conditional UPDATE (never through the ORM, so it does not bump ``version``), so the
    # public list shows the figure without counting rows.
    supports_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    ruling_decision: Mapped[str | None] = mapped_column(String(40), active_history=True)
    ruling_reason: Mapped[str | None] = mapped_column(Text)
    # The ruling's reason code (out_of_scope, duplicate …) where the transition asks one.
    ruling_reason_code: Mapped[str | None] = mapped_column(String(40))
    ruling_scope: Mapped[str | None] = mapped_column(Text)
    ruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    # Business days from submission to ruling (both as Japanese dates), set with the ruling
    # so the office's percentiles are an indexed GROUP BY, not a walk over every ruling.
    ruling_business_days: Mapped[int | None] = mapped_column(Integer, active_history=True)

    category: Mapped[Category] = relationship()
    district: Mapped[District | None] = relationship()
    lead_department: Mapped[Department | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    contact: Mapped[ProposerContact] = relationship(
        back_populates="proposal", uselist=False, cascade="all, delete-orphan"
    )
    sessions: Mapped[list[DeliberationSession]] = relationship(
        back_populates="proposal", order_by="DeliberationSession.held_at"
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="proposal", order_by="Comment.id"
    )
    opinion_requests: Mapped[list[OpinionRequest]] = relationship(
        back_populates="proposal", order_by="OpinionRequest.id"
    )
    # The public version of the free text (masked where the review said so): the only
    # text any public door reads, through intake.privacy.public.
    published_text: Mapped[PublishedText | None] = relationship(
        back_populates="proposal", uselist=False, cascade="all, delete-orphan"
    )

    # Photos and documents (intake.attachments): private until published one by one.
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="proposal", order_by="Attachment.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def receipt(self) -> str:
        """The receipt number, derived: ``T-<year of submission in JST>-<id>``."""
        return receipt_for(self.id, self.submitted_at)

    # --- the two predicates every door asks, each defined once for Python and SQL ---
    @hybrid_property
    def is_published(self) -> bool:
        """Public: accepted (published) and not withheld by the office."""
        return self.published_at is not None and self.withheld_reason is None

    @is_published.inplace.expression
    @classmethod
    def _is_published_sql(cls):
        return and_(cls.published_at.is_not(None), cls.withheld_reason.is_(None))

    @hybrid_method
    def is_overdue(self, today: date) -> bool:
        """Past its due date in a state where the department's clock runs (not final,
        not waiting for the proposer: their lateness is not the department's)."""

        return self.due_on is not None and self.due_on < today and self.clock_running

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_sql(cls, today: date):
        return and_(cls.due_on.is_not(None), cls.due_on < today, cls.clock_running)

    @hybrid_property
    def clock_running(self) -> bool:
        """Its department's clock runs in its state (its workflow says where)."""
        import workflows

        return workflows.get_workflow(self.kind).clock_runs(self.state)

    @clock_running.inplace.expression
    @classmethod
    def _clock_running_sql(cls):
        import workflows

        per_workflow = []
        for name in workflows.workflow_names():
            running = workflows.get_workflow(name).clock_running_states()
            per_workflow.append(and_(cls.kind == name, cls.state.in_(running)))
        return or_(*per_workflow)

    # --- the guard protocol the workflow engine asks (workflows/guards.py) ---
    def has_deliberation_record(self) -> bool:
        """A session, or a comment period citizens could take part in: it has ended, the
        proposal was published before its end and is public now (not withheld since)."""
        if self.sessions:
            return True
        until = self.comments_until
        return (until is not None and until <= utcnow() and self.is_published
                and self.published_at < until)

    def comment_period(self, now: datetime | None = None) -> CommentPeriod:
        """Open while the proposal is in a state its workflow opens to comments
        (``comments = true`` in the TOML) and before the end the liaison may have set:
        the one rule the pages, the API and the comment operation ask."""
        import workflows  # the engine is pure Python; imported here to keep models light

        now = now or utcnow()
        until = self.comments_until
        if until is not None and until <= now:
            return CommentPeriod(False, closed_at=until)
        if not workflows.get_workflow(self.kind).state_takes_comments(self.state):
            return CommentPeriod(False)
        return CommentPeriod(True, closes_at=until)

    def open_opinion_requests(self) -> int:
        return sum(1 for r in self.opinion_requests if r.status == OpinionStatus.open)


class ProposerContact(Base):
    """The proposer's personal data (個人情報), never serialised publicly."""

    __tablename__ = "proposer_contacts"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100))
    organization: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="contact")


class DeliberationSession(Base):
    """A meeting with citizens (協議) about one proposal."""

    __tablename__ = "deliberation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    participants: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="sessions")

    __table_args__ = (CheckConstraint("participants >= 0", name="participants_nonneg"),)


class PublishedText(Base):
    """What the public reads of a proposal's free text: a copy written when it is
    published, with the reviewed personal data masked.  Staff keep the original in
    :class:`Proposal`; public queries, search and serialisers read only this row."""

    __tablename__ = "published_texts"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    # Text, not String(200): a mask may be longer than the short text it replaces.
    title: Mapped[str] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(Text)
    proposal_text: Mapped[str] = mapped_column(Text)
    expected_effect: Mapped[str] = mapped_column(Text, default="")
    role_split: Mapped[str] = mapped_column(Text, default="")
    # The title with readings for the easy-Japanese pages, in the ruby notation of
    # intake.i18n.reading_markup (｜協働《きょうどう》): NULL (pending) when a title is
    # published, suggested by the worker (intake.privacy.pending_readings), correctable by
    # the lead liaison or the office.
    title_easy: Mapped[str | None] = mapped_column(Text, nullable=True)
    # How many texts were masked (the texts themselves are not repeated anywhere).
    redactions: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="published_text")

    __table_args__ = (
        CheckConstraint("redactions >= 0", name="redactions_nonneg"),
        # The worker's pending readings: only those rows, so an idle pass is one probe.
        Index("ix_published_texts_pending_readings", "proposal_id",
              sqlite_where=text("title_easy IS NULL"),
              postgresql_where=text("title_easy IS NULL")),
    )


class Comment(Base):
    """A citizen's comment on a proposal in deliberation.

    ``name`` and ``body`` are what the citizen wrote (staff see them); ``public_name`` and
    ``public_body`` are what the public reads — set when the comment is published, masked
    where a reviewer said so, and emptied when the office hides it."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(check_in("status", CommentStatus), name="status_known"),
        # the moderation lists (held, hidden), paged by keyset on id
        Index("ix_comments_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default=CommentStatus.published)
    public_name: Mapped[str | None] = mapped_column(String(100))
    public_body: Mapped[str | None] = mapped_column(Text)
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    proposal: Mapped[Proposal] = relationship(back_populates="comments")


class OpinionRequest(Base):
    """A request for another department's opinion (合議)."""

    __tablename__ = "opinion_requests"
    __table_args__ = (
        CheckConstraint(check_in("status", OpinionStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    question: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=OpinionStatus.open)
    answer: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="opinion_requests")
    department: Mapped[Department] = relationship()

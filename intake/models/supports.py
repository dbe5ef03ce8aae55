"""Supports (賛同): a citizen's "this matters to me", confirmed by e-mail.

A support counts once its confirmation link is opened (as the UK petitions site counts
signatures), one per e-mail address per proposal.  The address and the optional name are
personal data: nothing public reads this table except through
``proposals.supports_count``, the figure the confirmation keeps (so a list never counts
rows).  Only the SHA-256 of the confirmation token is stored, as for tracking links.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class Support(Base):
    __tablename__ = "supports"
    __table_args__ = (
        # One per address per proposal: a second request finds this row.
        UniqueConstraint("proposal_id", "email"),
        # A purge of one person's data (export-person, 開示請求) finds their rows.
        Index("ix_supports_email", "email"),
        # The worker forgets unconfirmed supports whose link expired
        # (intake.supports.expiry): only those rows, oldest first.
        Index("ix_supports_unconfirmed", "created_at",
              sqlite_where=text("confirmed_at IS NULL"),
              postgresql_where=text("confirmed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique key (proposal_id, email) leads with it.
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    # Normalised as the proposal form normalises it (forms.normalize.email_address).
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100), default="")
    # SHA-256 of the link's token; replaced when an unconfirmed support asks again.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # When the newest confirmation link was made: asking again renews it, and the link
    # works for intake.supports.expiry.CONFIRM_WITHIN from then.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

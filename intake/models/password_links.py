"""One-time links to set a staff password: the invitation a new account is mailed, and
the link "forgot your password?" mails.

Only the SHA-256 of the link's token is stored, as for API tokens and tracking links: a
copy of the database opens no account.  A link works once (``used_at``), until
``expires_at``, and only for an active account (:mod:`intake.security.password_links`).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class LinkPurpose(enum.StrEnum):
    invite = "invite"  # a new account's first password
    reset = "reset"  # a forgotten password


class PasswordLink(Base):
    __tablename__ = "password_links"
    __table_args__ = (
        CheckConstraint("purpose IN ('invite', 'reset')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed: a new link retires the user's earlier unused ones.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

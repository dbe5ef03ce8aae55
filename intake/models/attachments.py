"""Attachments: photos and documents sent with a proposal (SPEC section 2).

A row holds what the public may one day see (the name the citizen gave the file, its
clean type) and where the clean bytes are kept (content-addressed keys of
:mod:`intake.attachments.storage`).  It is private until the lead liaison or the office
publishes it (``published_at``); withholding it (``withheld_reason``) takes it off every
public page again.  The original upload is never kept: only the re-encoded copy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_proposal_id", "proposal_id"),
        # The purge and the sweep of unreferenced files (intake/attachments/sweep.py) ask
        # whether any row still uses a file, as its file or as its thumbnail.
        Index("ix_attachments_storage_key", "storage_key"),
        Index("ix_attachments_thumbnail_key", "thumbnail_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    # The file's name as the citizen's device gave it (shown and offered as the download's
    # name; never used to decide anything).
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))  # image/jpeg, image/png, application/pdf
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(100))
    thumbnail_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withheld_reason: Mapped[str | None] = mapped_column(Text)
    # Set when the files were erased (teian purge-personal-data): the row stays for the
    # audit log's sake, the bytes are gone.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal = relationship("Proposal", back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.purged_at is None

    @property
    def status(self) -> str:
        """published | withheld | purged | pending (nobody has looked yet)."""
        if self.purged_at is not None:
            return "purged"
        if self.published_at is not None:
            return "published"
        return "withheld" if self.withheld_reason is not None else "pending"


class FileSweep(Base):
    """Whose turn it is in the sweep of unreferenced files (intake/attachments/sweep.py):
    the slice of the storage the next worker pass takes, and when the last was taken.
    One row, id 1, written by the first pass."""

    __tablename__ = "file_sweep"

    id: Mapped[int] = mapped_column(primary_key=True)
    next_slice: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)

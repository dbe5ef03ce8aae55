"""Unconfirmed supports do not outlive their confirmation link.

A support request stores an e-mail address (and perhaps a name) before anyone knows the
address's owner asked for it: the mail says "if you did not ask, ignore this e-mail".  An
address nobody confirms is personal data kept for nothing, so the link works for
:data:`CONFIRM_WITHIN` from when it was made (asking again makes a fresh one), and the
background worker then forgets the row, and blanks the confirmation mail sent to it as the
retention purge does (``intake.maintenance.personal_data``).  Confirmed supports are kept
with their proposal and purged with it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import Session

from intake.models import OutboxMessage, Support
from intake.supports import CONFIRMATION_MAIL

CONFIRM_WITHIN = timedelta(days=7)
BATCH = 1000


def expired(support: Support, now: datetime) -> bool:
    """An unconfirmed support whose link no longer works."""
    return support.confirmed_at is None and support.created_at <= now - CONFIRM_WITHIN


def forget_expired_supports(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Delete up to ``batch`` unconfirmed supports whose link expired, oldest first (off
    ``ix_supports_unconfirmed``), and blank the mails sent to them; returns how many.
    Flushes, does not commit: the caller's transaction holds both or neither."""
    oldest = (select(Support.id)
              .where(Support.confirmed_at.is_(None),
                     Support.created_at <= now - CONFIRM_WITHIN)
              .order_by(Support.created_at).limit(batch))
    gone = session.execute(
        delete(Support).where(Support.id.in_(oldest.scalar_subquery()))
        .returning(Support.proposal_id, Support.email)
        .execution_options(synchronize_session=False)
    ).all()
    if gone:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == CONFIRMATION_MAIL,
                   tuple_(OutboxMessage.proposal_id, OutboxMessage.recipient)
                   .in_([tuple(row) for row in gone]))
            .values(recipient="", body="")  # as the retention purge leaves them
            .execution_options(synchronize_session=False))
    return len(gone)

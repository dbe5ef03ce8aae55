"""Per-account throttling: guesses spread over many addresses (which the per-address
rate limit cannot see) still slow down.  After ``MAX_FAILURES`` wrong passwords in a
row an account is locked for ``LOCK_FOR``; the lock-out is an audit event on the system
chain.  A correct password during the lock-out does not open it, so guessing gains
nothing; the page says the account is locked and until when, so the officer knows to
wait or call the office.  (That tells someone who has already typed five wrong passwords
for an address that the account exists; an unknown address is never locked.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from intake.audit import append_event
from intake.models import EventAction, User

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)


def locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def record_failure(session: Session, user: User, now: datetime) -> bool:
    """Count one wrong password; True when this one locked the account."""
    user.failed_logins += 1
    if user.failed_logins < MAX_FAILURES:
        return False
    user.locked_until = now + LOCK_FOR
    append_event(session, proposal_id=None, actor="system", action=EventAction.login_locked,
                 at=now, reason="", data={"user": user.id, "failures": user.failed_logins,
                                          "until": user.locked_until.isoformat()})
    user.failed_logins = 0
    return True


def record_success(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None

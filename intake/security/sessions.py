"""Staff sessions that end when they should.

Flask keeps the session in a signed cookie, so a copy of the cookie would otherwise work
until it expires, even after its owner signed out.  Two defences:

- the user id in the cookie carries the user's ``session_version``
  (:meth:`intake.models.User.get_id`); signing out or changing the password raises it,
  and every cookie issued before — on this browser, another one, or a copy — stops
  opening staff pages;
- idle and absolute time-outs: the cookie remembers when its owner signed in and was
  last seen; past ``TEIAN_STAFF_IDLE_MINUTES`` without a request, or
  ``TEIAN_STAFF_SESSION_HOURS`` after signing in, the session is over.

API tokens are not sessions: they are revoked on the officers page.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from intake.models import User

SIGNED_IN_AT = "auth_at"
SEEN_AT = "seen_at"


def user_for_session_id(session: Session, cookie_id: str) -> User | None:
    """The active user a session's id names, if its version is still current."""
    user_id, _, version = cookie_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def end_every_session(user: User) -> None:
    """Sign the user out everywhere (the caller's transaction commits it)."""
    user.session_version += 1


def start(cookie: MutableMapping, now: datetime) -> None:
    cookie[SIGNED_IN_AT] = cookie[SEEN_AT] = now.timestamp()


def expired(cookie: MutableMapping, now: datetime, *, idle: timedelta,
            absolute: timedelta) -> bool:
    """True when the session has been idle too long or lived too long; otherwise notes
    this request as the last one seen."""
    signed_in, seen = cookie.get(SIGNED_IN_AT), cookie.get(SEEN_AT)
    if not isinstance(signed_in, (int, float)) or not isinstance(seen, (int, float)):
        return True
    stamp = now.timestamp()
    if stamp - seen > idle.total_seconds() or stamp - signed_in > absolute.total_seconds():
        return True
    cookie[SEEN_AT] = stamp
    return False

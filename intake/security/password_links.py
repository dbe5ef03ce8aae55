"""One-time links that set a staff password: made for an invitation (a new account has no
password) or a forgotten password, followed once.

A link is a random 256-bit token in the URL; only its SHA-256 is kept
(:class:`~intake.models.PasswordLink`).  It sets a password once, before it expires, and
only for an account still active.  Making a new link retires the account's earlier
unused ones, so only the newest mail works.  Setting the password does not sign anyone
in: the officer signs in on the sign-in page, where the lock-out and two-step sign-in
apply as always (a reset neither opens a lock-out nor skips the second factor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from forms.normalize import email_address
from intake import notify
from intake.auth import hash_password, new_secret_token, token_digest
from intake.errors import Invalid
from intake.links import Links
from intake.models import LinkPurpose, PasswordLink, User

from . import sessions
from .accounts import record_password_set
from .passwords import password_problem

Clock = Callable[[], datetime]

# An invitation waits for a weekend; a reset link is for now (it is asked for by whoever
# types the address, so it lives briefly).
VALID_FOR = {LinkPurpose.invite: timedelta(hours=72), LinkPurpose.reset: timedelta(hours=2)}


def issue_link(session: Session, user: User, purpose: LinkPurpose, now: datetime) -> str:
    """A new link for ``user`` (its token, to put in a mail; never stored); the user's
    earlier unused links stop working."""
    session.flush()
    session.execute(update(PasswordLink)
                    .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
                    .values(used_at=now).execution_options(synchronize_session=False))
    token, digest = new_secret_token()
    session.add(PasswordLink(user_id=user.id, purpose=purpose.value, token_hash=digest,
                             created_at=now, expires_at=now + VALID_FOR[purpose]))
    session.flush()
    return token


def mail_link(session: Session, links: Links, user: User, purpose: LinkPurpose, *,
              language: str, now: datetime) -> None:
    """Queue the mail carrying a new link (``mail.account_<purpose>``) to the account's
    address, in the caller's transaction: no link is made that no mail carries."""
    token = issue_link(session, user, purpose, now)
    notify.enqueue(session, kind=f"account_{purpose.value}", recipient=user.email,
                   language=language, proposal=None, url=links.set_password(token),
                   email=user.email, name=user.display_name or user.email,
                   until=now + VALID_FOR[purpose], login_url=links.staff_login())


def request_reset(session: Session, email: str, *, links: Links, language: str,
                  clock: Clock) -> None:
    """"Forgot your password?": mail a reset link when ``email`` is an active account's;
    otherwise nothing.  The caller answers the same either way (nobody learns which
    addresses have accounts); the rate limit of the door keeps it from mailing anyone
    over and over."""
    address = email_address(email).lower()
    user = session.execute(select(User).where(User.email == address)).scalar_one_or_none()
    if user is None or not user.active:
        return
    mail_link(session, links, user, LinkPurpose.reset, language=language, now=clock())


@dataclass(frozen=True)
class LinkState:
    """What a followed link finds: its row and account when it may still be used; else
    why not (``unknown``, ``used``, ``expired``)."""

    link: PasswordLink | None
    user: User | None
    refusal: str | None = None


def look_up(session: Session, token: str, now: datetime) -> LinkState:
    found = session.execute(
        select(PasswordLink).where(PasswordLink.token_hash == token_digest(token))
    ).scalar_one_or_none()
    if found is None:
        return LinkState(None, None, "unknown")
    user = session.get(User, found.user_id)
    if user is None or not user.active:
        return LinkState(None, None, "unknown")
    if found.used_at is not None:
        return LinkState(None, None, "used")
    if found.expires_at <= now:
        return LinkState(None, None, "expired")
    return LinkState(found, user)


def set_password(session: Session, token: str, password: str, *, clock: Clock) -> User:
    """Set the password of the link's account, once.  Raises
    :class:`~intake.errors.Invalid` naming ``new_password`` for a password the rules
    refuse (the link stays usable), or ``link`` for a link that cannot be used.  The new
    password is audited (op ``password_invite`` or ``password_reset``).

    The conditional UPDATE (``used_at IS NULL``) lets one of two submissions at the same
    moment through; the other is told the link was used."""
    now = clock()
    state = look_up(session, token, now)
    if state.link is None:
        raise Invalid(f"link: {state.refusal}", fields={"link": [state.refusal]},
                      code=f"link_{state.refusal}")
    user = state.user
    if problem := password_problem(password, [user.email, user.display_name]):
        raise Invalid(f"new password refused: {problem}", fields={"new_password": [problem]},
                      code="weak_password")
    taken = session.execute(
        update(PasswordLink).where(PasswordLink.id == state.link.id,
                                   PasswordLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if not taken:
        raise Invalid("link: used", fields={"link": ["used"]}, code="link_used")
    session.expire(state.link, ["used_at"])
    before = user.password_changed_at
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    sessions.end_every_session(user)
    record_password_set(session, user, state.link.purpose, before=before, now=now)
    session.flush()
    return user

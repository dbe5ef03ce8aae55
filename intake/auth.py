"""Staff credentials: passwords (Argon2id via argon2-cffi) and API tokens.

Tokens are random (256 bits) and stored only as SHA-256: a stolen database
does not hand out working tokens, and lookup stays one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from .models import ApiToken, User, utcnow
from .security import lockout

# last_used_at is kept to the minute: at most one write per token a minute, however busy.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret_token() -> tuple[str, str]:
    """A fresh token and its digest; only the digest is ever stored."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def issue_api_token(session: Session, user: User, label: str = "") -> str:
    return issue_api_token_row(session, user, label)[0]


def issue_api_token_row(session: Session, user: User, label: str = "") -> tuple[str, ApiToken]:
    """A new token for ``user`` and its row (flushed, so it has an id)."""
    token, digest = new_secret_token()
    row = ApiToken(user_id=user.id, token_hash=digest, label=label)
    session.add(row)
    session.flush()
    return token, row


# One statement for the token and its user, built once: every API request asks it, and
# building it (and its cache key) cost as much as running it.
_TOKEN_WITH_USER = (select(ApiToken).where(ApiToken.token_hash == bindparam("digest"))
                    .options(joinedload(ApiToken.user)))


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user a live token belongs to; notes when the token was last used
    (written only when the stored time is a minute old, so a busy client costs one
    UPDATE a minute; it commits with the request, a failed request keeps the old one)."""
    row = session.execute(_TOKEN_WITH_USER,
                          {"digest": token_digest(token)}).scalar_one_or_none()
    if row is None or row.revoked or not row.user.active:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row.user


@dataclass(frozen=True)
class SignIn:
    """How a sign-in went: the user, or None; ``locked_until`` while the account is
    locked after too many wrong passwords (:mod:`intake.security.lockout`)."""

    user: User | None
    locked_until: datetime | None = None


def account_email(email: str) -> str:
    """An e-mail address as accounts are found by it (and sign-in is limited by it):
    without surrounding spaces, lower case."""
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str,
                 now: datetime | None = None) -> SignIn:
    """Check a staff member's password, counting wrong ones per account (the caller's
    transaction commits the count, the lock-out and its audit event)."""
    now = now or utcnow()
    user = session.execute(
        select(User).where(User.email == account_email(email))
    ).scalar_one_or_none()
    if user is None or not user.active:
        _hasher.hash(password)  # same work either way: no timing oracle for e-mails
        return SignIn(None)
    if lockout.locked(user, now):
        _hasher.hash(password)
        return SignIn(None, locked_until=user.locked_until)
    if not check_password(user, password):
        if lockout.record_failure(session, user, now):
            return SignIn(None, locked_until=user.locked_until)
        return SignIn(None)
    lockout.record_success(user)
    return SignIn(user)

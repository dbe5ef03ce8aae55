"""Staff credentials: passwords (Argon2id via argon2-cffi) and API tokens.

Tokens are random (256 bits) and stored only as SHA-256: a stolen database
does not hand out working tokens, and lookup stays one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApiToken, User

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


def issue_api_token(session: Session, user: User) -> str:
    token, digest = new_secret_token()
    session.add(ApiToken(user_id=user.id, token_hash=digest))
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == token_digest(token))
    ).scalar_one_or_none()
    if row is None or row.revoked or not row.user.active:
        return None
    return row.user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    if user is None or not user.active:
        _hasher.hash(password)  # same work either way: no timing oracle for e-mails
        return None
    return user if check_password(user, password) else None

"""Staff authentication for the API: ``Authorization: Bearer <token>`` (RFC 6750).

Tokens come from ``teian create-token``; only their SHA-256 is stored
(:func:`intake.auth.user_for_token`).  Object-level access — which proposals this user
may see or act on — is :mod:`intake.access`, asked by each view after loading the row.
"""

from __future__ import annotations

from functools import wraps

from flask import request

from intake.auth import user_for_token
from intake.db import session
from intake.errors import Forbidden
from intake.i18n import translate
from intake.models import User

from .errors import Unauthorized, lang


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def authenticated_staff() -> User:
    """The member of staff the bearer token belongs to, else 401."""
    token = bearer_token()
    if token is None:
        raise Unauthorized(translate("api.error.unauthorized", lang()))
    user = user_for_token(session(), token)
    if user is None:
        raise Unauthorized(translate("api.error.invalid_token", lang()), code="invalid_token")
    return user


def staff_required(view):
    """Authenticate, then call ``view(user, …)``: the user travels as an argument, not
    in ``g`` (which outlives the request when an app context is already pushed)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(authenticated_staff(), *args, **kwargs)

    return wrapper


def office_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = authenticated_staff()
        if not user.is_office:
            raise Forbidden(translate("api.error.office_only", lang()), translated=True)
        return view(user, *args, **kwargs)

    return wrapper

"""Two-factor sign-in with time-based one-time codes (RFC 6238, pyotp): the office and
administrators can change who routes what and read every department's personal data, so
a city can require a second factor for them (``TEIAN_REQUIRE_TOTP``); any officer may
turn it on for themselves.

A code counts once (the last used 30-second step is stored), one step of clock drift is
allowed either way, and a wrong code counts as a wrong password for the lock-out.
"""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno
from markupsafe import Markup

from intake.models import Role, User

ISSUER = "Teian"
STEP_SECONDS = 30


def required_for(user: User, required: bool) -> bool:
    return required and user.role in (Role.office, Role.admin)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The enrolment link as an inline SVG QR code for an authenticator app, named by
    ``title`` for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff",
                                                title=title)
    return Markup(svg)


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_is_valid(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to, if it is right and not used before; else None."""
    code = "".join(c for c in code if c.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        step = _step(now) + drift
        if totp.at(step * STEP_SECONDS) == code and (last_step is None or step > last_step):
            return step
    return None


def use_code(user: User, code: str, now: datetime) -> bool:
    """Check a sign-in code and remember its step; the caller's transaction commits."""
    if not user.totp_secret:
        return False
    step = code_is_valid(user.totp_secret, code, now, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def enrol(user: User, secret: str, code: str, now: datetime) -> bool:
    """Turn two-factor sign-in on once the officer's app shows the right code."""
    step = code_is_valid(secret, code, now, None)
    if step is None:
        return False
    user.totp_secret, user.totp_last_step = secret, step
    return True

"""A staff member's own account: changing the password (which ends every other session)."""

from __future__ import annotations

from datetime import datetime

from intake.auth import check_password, hash_password
from intake.errors import Invalid
from intake.models import User

from . import sessions
from .passwords import password_problem


def change_password(user: User, *, current: str, new: str, now: datetime) -> None:
    """Set ``new`` as the password if ``current`` is right and ``new`` follows the rules;
    every session of the user, this one included, ends (the caller signs this one in
    again).  Raises :class:`~intake.errors.Invalid` naming the field."""
    if not check_password(user, current):
        raise Invalid("current password is wrong", fields={"current_password": ["wrong"]},
                      code="wrong_password")
    if problem := password_problem(new, [user.email, user.display_name]):
        raise Invalid(f"new password refused: {problem}", fields={"new_password": [problem]},
                      code="weak_password")
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    sessions.end_every_session(user)

"""A staff member's own account: changing the password (which ends every other session),
and the audit event every new password leaves, whichever door set it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from intake.admin.changes import plain, record_change
from intake.auth import check_password, hash_password
from intake.core.actors import Actor
from intake.errors import Invalid
from intake.models import User

from . import sessions
from .passwords import password_problem

# How a password came to be set: the officer's own change, or a mailed link (LinkPurpose).
PASSWORD_OPS = {"change": "password_change", "invite": "password_invite",
                "reset": "password_reset"}


def record_password_set(session: Session, user: User, how: str, *, before: datetime | None,
                        now: datetime) -> None:
    """One ``admin_change`` event (entity ``users``, op ``password_<how>``) saying that the
    account's password was set, when, and how, on the system chain through the same
    append path as every configuration change, so the chain keeps verifying.  Neither
    the password nor a link's token is in it: only the time of the change, old and new.
    The actor is the account's owner (a link's token stands for them)."""
    record_change(session, Actor.staff(user), "users", user.id, PASSWORD_OPS[how],
                  {"password_changed_at": [plain(before), plain(now)]})


def change_password(session: Session, user: User, *, current: str, new: str,
                    now: datetime) -> None:
    """Set ``new`` as the password if ``current`` is right and ``new`` follows the rules;
    every session of the user, this one included, ends (the caller signs this one in
    again); the change is audited.  Raises :class:`~intake.errors.Invalid` naming the
    field."""
    if not check_password(user, current):
        raise Invalid("current password is wrong", fields={"current_password": ["wrong"]},
                      code="wrong_password")
    if problem := password_problem(new, [user.email, user.display_name]):
        raise Invalid(f"new password refused: {problem}", fields={"new_password": [problem]},
                      code="weak_password")
    before = user.password_changed_at
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    sessions.end_every_session(user)
    record_password_set(session, user, "change", before=before, now=now)

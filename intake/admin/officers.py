"""Officers (department, primary liaison, absence, role, active) and API tokens.

Absence is by date: ``absent`` is "away now, until further notice"; ``absent_from`` –
``absent_to`` a planned absence (days in Japan, both included).  Routing asks
:meth:`~intake.models.User.present_on` for the day of each submission, so a holiday hands
new items to the deputy and the primary takes them again the day after it ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from intake.auth import issue_api_token_row
from intake.core.actors import Actor
from intake.errors import Forbidden, Invalid
from intake.models import ApiToken, Department, Role, User

from .changes import apply, plain, record_change, require_admin, require_office

USER_FIELDS = ("display_name", "department", "is_primary", "absent", "absent_from",
               "absent_to", "active", "role")


def _guard_account(actor: Actor, user: User, values: Mapping[str, object]) -> None:
    """Roles are the administrators' to give; an administrator's account too.  Nobody
    takes their own role or account away (the city would lock itself out)."""
    require_office(actor)
    if "role" in values and values["role"] != user.role:
        require_admin(actor)
    if user.role == Role.admin:
        require_admin(actor)
    if user.id == actor.user.id and (values.get("active") is False
                                     or ("role" in values and values["role"] != user.role)):
        raise Forbidden("you may not deactivate yourself or change your own role",
                        code="own_account")


def _absence(user: User, values: dict[str, object], today: date) -> None:
    """``absent: false`` ends an absence: the flag, and a planned range that has begun (a
    future holiday stays planned).  A range needs its first day and ends after it."""
    if values.get("absent") is False and "absent_from" not in values:
        began = user.absent_from is not None and user.absent_from <= today
        if began:
            values["absent_from"] = values["absent_to"] = None
    start = values.get("absent_from", user.absent_from)
    end = values.get("absent_to", user.absent_to)
    if end is not None and start is None:
        raise Invalid("absent_from: required with absent_to",
                      fields={"absent_from": ["required"]})
    if start is not None and end is not None and end < start:
        raise Invalid("absent_to: before absent_from", fields={"absent_to": ["range"]})


def update_user(session: Session, actor: Actor, user: User, values: Mapping[str, object],
                *, today: date) -> User:
    """Change an officer.  ``values`` uses the model's names, with ``department`` a code
    (empty: none).  Making someone primary makes the department's other primary a
    deputy (one primary per department; that change is recorded too)."""
    values = {name: value for name, value in values.items() if name in USER_FIELDS}
    _guard_account(actor, user, values)
    if "role" in values:
        values["role"] = Role(values["role"])
    if "department" in values:
        code = values.pop("department")
        department = None
        if code:
            department = session.execute(
                select(Department).where(Department.code == code)).scalar_one_or_none()
            if department is None:
                raise Invalid("department: unknown", fields={"department": ["unknown"]})
        values["department_id"] = department.id if department else None
    role = values.get("role", user.role)
    if role == Role.liaison and values.get("department_id", user.department_id) is None:
        raise Invalid("department: a liaison needs one", fields={"department": ["not_chosen"]})
    _absence(user, values, today)
    changes = apply(user, values)
    if "department_id" in changes:
        changes["department"] = changes.pop("department_id")
    if user.is_primary and user.department_id is not None and (
            "is_primary" in changes or "department" in changes):
        demote_other_primaries(session, actor, user)
    session.flush()
    record_change(session, actor, "users", user.id, "update", changes)
    return user


def demote_other_primaries(session: Session, actor: Actor, user: User) -> None:
    """The department has one primary: ``user``'s other primaries become deputies (each
    change recorded)."""
    others = list(session.execute(select(User.id).where(
        User.department_id == user.department_id, User.is_primary.is_(True),
        User.id != user.id)).scalars())
    if not others:
        return
    session.execute(update(User).where(User.id.in_(others)).values(is_primary=False)
                    .execution_options(synchronize_session="fetch"))
    for other in others:
        record_change(session, actor, "users", other, "update",
                      {"is_primary": [True, False]}, reason=f"primary: user {user.id}")


# --- API tokens ---------------------------------------------------------------------------


def create_token(session: Session, actor: Actor, user: User, label: str) -> tuple[str, ApiToken]:
    """A new token for ``user``: the token itself is returned once (to show once); only
    its hash is kept.  A token acts as its user, so one for an administrator is an
    administrator's to make."""
    require_office(actor)
    if user.role == Role.admin:
        require_admin(actor)
    if not user.active:
        raise Invalid("user: inactive", fields={"user": ["inactive"]})
    token, row = issue_api_token_row(session, user, label)
    record_change(session, actor, "api_tokens", row.id, "create",
                  {"user": [None, user.id], "label": [None, label]})
    return token, row


def revoke_token(session: Session, actor: Actor, token: ApiToken) -> None:
    require_office(actor)
    if token.user.role == Role.admin:
        require_admin(actor)
    changes = apply(token, {"revoked": True})
    session.flush()
    record_change(session, actor, "api_tokens", token.id, "update",
                  {**changes, "user": [plain(token.user_id)] * 2} if changes else {})

"""Who may change the city's configuration, and the audit event each change leaves.

Every change is one ``admin_change`` event on the audit log's ``system`` chain, with
``{"entity", "id", "op", "changes": {field: [old, new]}}``: what the row was and became,
so the log alone tells what a rule or an officer looked like on any day.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy.orm import Session

from intake.audit import append_event
from intake.core.actors import Actor
from intake.errors import Forbidden
from intake.models import EventAction, Role


def require_office(actor: Actor) -> None:
    if actor.user is None or not actor.user.active or not actor.user.is_office:
        raise Forbidden("only the collaboration office may change the city's configuration")


def require_admin(actor: Actor) -> None:
    require_office(actor)
    if actor.user.role != Role.admin:
        raise Forbidden("only an administrator may do this", code="admin_only")


def plain(value: object) -> object:
    """A value as the audit event stores it (JSON)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def apply(row: object, values: Mapping[str, object]) -> dict[str, list[object]]:
    """Set each attribute of ``values`` on ``row``; the ones that changed, as
    ``{attribute: [old, new]}``."""
    changes: dict[str, list[object]] = {}
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            setattr(row, name, new)
            changes[name] = [plain(old), plain(new)]
    return changes


def record_change(session: Session, actor: Actor, entity: str, row_id: int, op: str,
                  changes: Mapping[str, list[object]], reason: str = "") -> None:
    """Append the change to the system chain (nothing when nothing changed)."""
    if not changes and op == "update":
        return
    session.flush()
    append_event(session, proposal_id=None, actor=actor.ref, actor_label=actor.label,
                 action=EventAction.admin_change, reason=reason,
                 data={"entity": entity, "id": row_id, "op": op, "changes": dict(changes)})

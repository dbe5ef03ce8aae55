"""Routing (SPEC section 4): which department leads a proposal, and who in
it takes it.

Rules are data: (category, optional district, optional keyword) →
department, highest priority first; among equal priorities the more
specific rule (district and keyword set) wins.  No match → the office's
triage queue (no lead department).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from intake import reference
from intake.models import Department, User
from workflows.calendar import today_jst


@dataclass(frozen=True)
class RouteDecision:
    department: Department | None
    rule_id: int | None


def routing_text(*parts: str | None) -> str:
    """The text keyword rules look in: a proposal's title, problem and proposal, one per
    line (the submission and the office's preview build it the same way)."""
    return "\n".join(part for part in parts if part)


def choose_department(
    session: Session, *, category_id: int, district_id: int | None, text: str
) -> RouteDecision:
    """The first matching active rule of an active department for the category, highest
    priority first, the more specific among equals (the process's cached copy of the
    rules, :mod:`intake.reference`: no query but its stamp's)."""
    cached = reference.snapshot(session)
    folded = text.casefold()
    for rule in cached.rules.get(category_id, ()):
        if rule.district_id is not None and rule.district_id != district_id:
            continue
        if rule.keyword and rule.keyword not in folded:
            continue
        return RouteDecision(reference.attach(session, cached.departments[rule.department_id]),
                             rule.id)
    return RouteDecision(None, None)


def choose_assignee(session: Session, department: Department | None, *,
                    today: date | None = None) -> User | None:
    """The department's primary liaison; a deputy while the primary is absent on
    ``today`` (a day in Japan; marked absent, or within a planned absence), so a
    holiday hands new items to the deputy and the primary takes them again after.

    With several deputies present, the one with the lowest id takes it
    (deterministic, so the office can predict it).  None when nobody in the
    department can take it: the proposal stays unassigned in the queue.
    """
    if department is None:
        return None
    day = today if today is not None else today_jst()
    present = reference.snapshot(session).present_liaisons(department.id, day)
    if not present:
        return None
    return reference.attach(session, min(present, key=lambda u: (not u.is_primary, u.id)))

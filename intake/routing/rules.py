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

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from intake.models import Department, Role, RoutingRule, User
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
    """The first matching active rule for the category (one query; keyword
    matching happens on the few candidate rules of one category)."""
    specificity = case((RoutingRule.district_id.is_not(None), 2), else_=0) + case(
        (RoutingRule.keyword.is_not(None), 1), else_=0
    )
    candidates = session.execute(
        select(RoutingRule)
        .join(RoutingRule.department)
        .where(
            RoutingRule.category_id == category_id,
            RoutingRule.active.is_(True),
            Department.active.is_(True),
            (RoutingRule.district_id.is_(None)) | (RoutingRule.district_id == district_id),
        )
        .order_by(RoutingRule.priority.desc(), specificity.desc(), RoutingRule.id)
    ).scalars()
    folded = text.casefold()
    for rule in candidates:
        if rule.keyword and rule.keyword.casefold() not in folded:
            continue
        return RouteDecision(rule.department, rule.id)
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
    liaisons = session.execute(
        select(User)
        .where(
            User.department_id == department.id,
            User.role == Role.liaison,
            User.active.is_(True),
            User.present_on(day),
        )
        .order_by(User.is_primary.desc(), User.id)
        .limit(1)
    ).scalar_one_or_none()
    return liaisons

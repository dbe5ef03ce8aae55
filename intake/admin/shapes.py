"""The JSON shapes of the administration API (SPEC section 7)."""

from __future__ import annotations

from datetime import date

from intake.models import Category, Department, District, RoutingRule, User
from intake.routing.rules import RouteDecision
from intake.shapes import Json, named


def listed(row: Department | Category | District) -> Json:
    """A code list's row with every name and its settings."""
    shape: Json = {"code": row.code, "name": {"ja": row.name_ja, "en": row.name_en,
                                               "ja-easy": row.name_easy}}
    if isinstance(row, Department | Category):
        shape["active"] = row.active
    if isinstance(row, Category | District):
        shape["sort_order"] = row.sort_order
    if isinstance(row, District):
        shape["valid_from"] = row.valid_from.isoformat() if row.valid_from else None
        shape["valid_to"] = row.valid_to.isoformat() if row.valid_to else None
    return shape


def rule(row: RoutingRule) -> Json:
    return {"id": row.id, "category": row.category.code,
            "district": row.district.code if row.district else None,
            "keyword": row.keyword, "department": row.department.code,
            "priority": row.priority}


def user(row: User, today: date) -> Json:
    """``absent`` is whether the officer is away today (flag or planned range); the range
    itself is ``absent_from``/``absent_to``."""
    return {"id": row.id, "email": row.email, "name": row.display_name,
            "role": row.role.value, "department": row.department.code if row.department else None,
            "primary": row.is_primary, "absent": row.absent_on(today), "active": row.active,
            "absent_from": row.absent_from.isoformat() if row.absent_from else None,
            "absent_to": row.absent_to.isoformat() if row.absent_to else None}


def preview(decision: RouteDecision, lang: str) -> Json:
    return {"department": named(decision.department, lang), "rule": decision.rule_id}

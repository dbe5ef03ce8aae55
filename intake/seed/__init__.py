"""Default organisation data loaded by ``teian init`` and the demo."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Category, Department, District, RoutingRule

DEFAULTS = Path(__file__).parent / "defaults.toml"


def load_defaults(session: Session, path: Path = DEFAULTS) -> dict[str, int]:
    """Insert what is missing, matched by code; returns counts of new rows.

    Idempotent: a second run inserts nothing and changes nothing, and names
    the office has since edited are left alone.
    """
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    added = {"departments": 0, "categories": 0, "districts": 0, "rules": 0}
    departments = _existing(session, Department)
    for row in data.get("departments", []):
        if row["code"] not in departments:
            departments[row["code"]] = Department(**row)
            session.add(departments[row["code"]])
            added["departments"] += 1
    districts = _existing(session, District)
    for row in data.get("districts", []):
        if row["code"] not in districts:
            session.add(District(**row))
            added["districts"] += 1
    categories = _existing(session, Category)
    new_rules: list[tuple[str, str, str | None, int]] = []
    for order, row in enumerate(data.get("categories", [])):
        row = dict(row)
        department = row.pop("department", None)
        if row["code"] not in categories:
            categories[row["code"]] = Category(sort_order=order, **row)
            session.add(categories[row["code"]])
            added["categories"] += 1
            if department:
                new_rules.append((row["code"], department, None, 0))
    for rule in data.get("rules", []):
        if rule["category"] in {c for c, *_ in new_rules}:
            new_rules.append(
                (rule["category"], rule["department"], rule.get("keyword"), rule["priority"])
            )
    session.flush()
    for category, department, keyword, priority in new_rules:
        session.add(
            RoutingRule(
                category_id=categories[category].id,
                department_id=departments[department].id,
                keyword=keyword,
                priority=priority,
            )
        )
        added["rules"] += 1
    session.flush()
    return added


def _existing(session: Session, model) -> dict:
    return {row.code: row for row in session.execute(select(model)).scalars()}

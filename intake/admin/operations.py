"""Changes to the city's code lists (departments, categories, districts) and routing
rules, and the "which rule would route this?" preview.

Operations take validated values (``forms.admin``) as a mapping of column → value, set
them, flush and record one ``admin_change`` event; they never commit.  A partial mapping
is a partial update (PATCH).  Rules are data: an edit only changes which department NEW
submissions go to — nothing here touches a proposal, so none is ever re-routed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from intake.core.actors import Actor
from intake.errors import Invalid
from intake.models import Base, Category, Department, District, RoutingRule
from intake.routing.rules import RouteDecision, choose_department, routing_text

from .changes import apply, plain, record_change, require_office
from .deactivation import refuse_deactivating

CodeListRow = Department | Category | District


# --- departments, categories, districts ------------------------------------------------


def _code_taken(session: Session, model, code: str) -> bool:
    return session.execute(select(exists().where(model.code == code))).scalar()


def _check_range(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise Invalid("valid_to: before valid_from", fields={"valid_to": ["range"]})


def create_listed(session: Session, actor: Actor, model: type[CodeListRow],
                  values: Mapping[str, object]) -> CodeListRow:
    """A new department, category or district; its ``code`` must be new (422 naming
    ``code`` otherwise: codes are in URLs, filters and the audit log)."""
    require_office(actor)
    code = str(values.get("code") or "")
    if _code_taken(session, model, code):
        raise Invalid(f"code: {code!r} exists", fields={"code": ["taken"]})
    if model is District:
        _check_range(values.get("valid_from"), values.get("valid_to"))
    row = model(**values)
    session.add(row)
    session.flush()
    record_change(session, actor, model.__tablename__, row.id, "create",
                  {name: [None, plain(value)] for name, value in values.items()})
    return row


def update_listed(session: Session, actor: Actor, row: CodeListRow,
                  values: Mapping[str, object]) -> CodeListRow:
    """Change names, order, validity or ``active``.  The code stays: old proposals,
    links and the audit log name the row by it.  A department is switched off only
    when nothing still needs it (:mod:`.deactivation`)."""
    require_office(actor)
    values = {name: value for name, value in values.items() if name != "code"}
    if isinstance(row, Department) and row.active and values.get("active") is False:
        refuse_deactivating(session, row)
    if isinstance(row, District):
        _check_range(values.get("valid_from", row.valid_from), values.get("valid_to", row.valid_to))
    changes = apply(row, values)
    op = "deactivate" if changes.get("active") == [True, False] else "update"
    record_change(session, actor, row.__tablename__, row.id, op, changes)
    session.flush()
    return row


def is_used(session: Session, row: Department | Category) -> bool:
    """Whether any row refers to it (a proposal, a rule, an opinion request, an officer):
    one indexed EXISTS per referring column, read off the schema so a new reference
    cannot be forgotten."""
    target = row.__table__
    checks = [
        exists().where(column == row.id)
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table is target
        for column in [fk.parent]
    ]
    return any(session.execute(select(check)).scalar() for check in checks)


def remove_listed(session: Session, actor: Actor, row: Department | Category) -> str:
    """Delete a department or category nothing refers to; one in use is deactivated
    instead, never deleted (old proposals still show it).  Returns what happened:
    ``"delete"`` or ``"deactivate"``."""
    require_office(actor)
    if is_used(session, row):
        update_listed(session, actor, row, {"active": False})
        return "deactivate"
    record_change(session, actor, row.__tablename__, row.id, "delete",
                  {"code": [row.code, None], "name_ja": [row.name_ja, None]})
    session.delete(row)
    session.flush()
    return "delete"


# --- routing rules ------------------------------------------------------------------------


def _by_code(session: Session, model, code: object, field_name: str, *, active: bool = False):
    row = session.execute(select(model).where(model.code == str(code or ""))).scalar_one_or_none()
    if row is None:
        raise Invalid(f"{field_name}: unknown code {code!r}", fields={field_name: ["unknown"]})
    if active and not row.active:
        raise Invalid(f"{field_name}: inactive", fields={field_name: ["inactive"]})
    return row


def rule_columns(session: Session, values: Mapping[str, object]) -> dict[str, object]:
    """A rule's values as the form gives them (codes) → its columns (ids).  A rule may
    only send proposals to an active department, for an active theme."""
    columns: dict[str, object] = {}
    if "category" in values:
        columns["category_id"] = _by_code(session, Category, values["category"], "category",
                                          active=True).id
    if "department" in values:
        columns["department_id"] = _by_code(session, Department, values["department"],
                                            "department", active=True).id
    if "district" in values:
        code = values["district"]
        columns["district_id"] = (_by_code(session, District, code, "district").id
                                  if code else None)
    if "keyword" in values:
        columns["keyword"] = values["keyword"] or None
    if "priority" in values:
        columns["priority"] = values["priority"] if values["priority"] is not None else 0
    return columns


def create_rule(session: Session, actor: Actor, values: Mapping[str, object]) -> RoutingRule:
    require_office(actor)
    missing = [name for name in ("category", "department") if not values.get(name)]
    if missing:
        raise Invalid("required", fields={name: ["required"] for name in missing})
    rule = RoutingRule(**{"district_id": None, "keyword": None, "priority": 0,
                          **rule_columns(session, values)})
    session.add(rule)
    session.flush()
    record_change(session, actor, "routing_rules", rule.id, "create",
                  {name: [None, value] for name, value in _rule_record(session, rule).items()})
    return rule


def update_rule(session: Session, actor: Actor, rule: RoutingRule,
                values: Mapping[str, object]) -> RoutingRule:
    """Change a rule; proposals already routed keep their department."""
    require_office(actor)
    before = _rule_record(session, rule)
    apply(rule, rule_columns(session, values))
    session.flush()
    after = _rule_record(session, rule)
    changes = {name: [before[name], after[name]] for name in after
               if before[name] != after[name]}
    record_change(session, actor, "routing_rules", rule.id, "update", changes)
    return rule


def retire_rule(session: Session, actor: Actor, rule: RoutingRule) -> None:
    """``DELETE``: the rule stops routing and leaves the list; its row stays (deactivated),
    so the ``rule`` id in old routing events still names what routed them."""
    require_office(actor)
    if not rule.active:
        return
    rule.active = False
    session.flush()
    record_change(session, actor, "routing_rules", rule.id, "deactivate",
                  {"active": [True, False], **{name: [value, value] for name, value
                                               in _rule_record(session, rule).items()}})


def _rule_record(session: Session, rule: RoutingRule) -> dict[str, object]:
    """A rule as codes (what the audit event keeps: ids of another database mean nothing)."""
    district = session.get(District, rule.district_id) if rule.district_id else None
    return {
        "category": session.get(Category, rule.category_id).code,
        "district": district.code if district else None,
        "keyword": rule.keyword,
        "department": session.get(Department, rule.department_id).code,
        "priority": rule.priority,
    }


# --- the preview ----------------------------------------------------------------------------


def preview_route(session: Session, *, category: str, district: str | None,
                  title: str = "", problem: str = "", proposal: str = "",
                  text: str = "") -> RouteDecision:
    """Where a draft with these values would go if submitted now: the very function the
    submission calls (:func:`intake.routing.rules.choose_department`), on the text built
    the same way."""
    category_row = _by_code(session, Category, category, "category")
    district_row = _by_code(session, District, district, "district") if district else None
    return choose_department(
        session, category_id=category_row.id,
        district_id=district_row.id if district_row else None,
        text=routing_text(title, problem, proposal, text),
    )

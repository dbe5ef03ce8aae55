"""Whether a department may be switched off (``active`` false): the one rule the page,
the API and the "remove" button all meet, through :func:`operations.update_listed`.

A city expects three refusals, each naming what to do first:

- the collaboration office's own department (``is_office``): it sorts every new
  proposal; an administrator switching it off would lock the office out of its work;
- a department that still leads open proposals: they would sit with nobody, their
  deadlines running; they are to be transferred first (the count says how many);
- a department that active routing rules still send new proposals to: the rules would
  route to a department that no longer appears anywhere; they are to be pointed
  elsewhere or switched off first.

Two indexed counts (``ix_proposals_dept_state_id`` and
``ix_routing_rules_department_active``).
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from intake.errors import Invalid
from intake.models import Department, Proposal, RoutingRule
from intake.queues import open_condition


def active_rules_count(department_id: int) -> Select:
    """How many active routing rules send new proposals to the department (read off
    ``ix_routing_rules_department_active``)."""
    return (select(func.count()).select_from(RoutingRule)
            .where(RoutingRule.department_id == department_id, RoutingRule.active))


def refuse_deactivating(session: Session, department: Department) -> None:
    """Raise :class:`Invalid` naming ``active`` with each rule broken (none: return)."""
    if department.is_office:
        raise Invalid("active: the office's own department",
                      fields={"active": ["office_department"]})
    open_count = session.execute(
        select(func.count()).select_from(Proposal)
        .where(Proposal.lead_department_id == department.id, open_condition())).scalar_one()
    rule_count = session.execute(active_rules_count(department.id)).scalar_one()
    rules = (["leads_open_proposals"] if open_count else []) + (
        ["has_active_rules"] if rule_count else [])
    if rules:
        raise Invalid(f"active: {open_count} open proposals, {rule_count} active rules",
                      fields={"active": rules}, counts={"open": open_count, "rules": rule_count})

"""Answer templates: the office creates and changes them (each change one ``admin_change``
event on the system chain), and a transition may name one — the single rule both doors
follow (:func:`reason_with_template`, called by ``workflow.operations.fire_trigger``).

A template serves one trigger that has a reason input in some workflow (``reject``,
``request_info`` …).  It is never deleted: deactivated, it leaves the forms while the audit
events that name it keep meaning something.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

import workflows
from intake.admin.changes import apply, plain, record_change, require_office
from intake.core.actors import Actor
from intake.errors import Invalid
from intake.models import AnswerTemplate, Proposal

from .queries import forget_active

ENTITY = "answer_templates"


def template_triggers() -> dict[str, workflows.TransitionDef]:
    """Every trigger a template may serve: one that has a reason input in some workflow
    (the first such transition, for its label)."""
    found: dict[str, workflows.TransitionDef] = {}
    for name in workflows.workflow_names():
        for transition in workflows.get_workflow(name).transitions:
            if transition.reason_input is not None:
                found.setdefault(transition.trigger, transition)
    return found


def _check_trigger(trigger: object) -> None:
    if trigger not in template_triggers():
        raise Invalid(f"trigger: {trigger!r} takes no reason", fields={"trigger": ["choice"]})


def create_template(session: Session, actor: Actor,
                    values: Mapping[str, object]) -> AnswerTemplate:
    """A new template; its ``code`` must be new (422 naming ``code``), its ``trigger`` one
    that takes a reason (422 naming ``trigger``)."""
    require_office(actor)
    code = str(values.get("code") or "")
    if session.execute(select(exists().where(AnswerTemplate.code == code))).scalar():
        raise Invalid(f"code: {code!r} exists", fields={"code": ["taken"]})
    _check_trigger(values.get("trigger"))
    row = AnswerTemplate(**{"active": True, "sort_order": 0, **values})
    session.add(row)
    session.flush()
    record_change(session, actor, ENTITY, row.id, "create",
                  {name: [None, plain(value)] for name, value in values.items()})
    forget_active(session)
    return row


def update_template(session: Session, actor: Actor, row: AnswerTemplate,
                    values: Mapping[str, object]) -> AnswerTemplate:
    """Change titles, bodies, trigger, order or ``active`` (a partial mapping is a partial
    update).  The code stays: the audit events of the transitions that used it name it."""
    require_office(actor)
    values = {name: value for name, value in values.items() if name != "code"}
    if "trigger" in values:
        _check_trigger(values["trigger"])
    changes = apply(row, values)
    op = "deactivate" if changes.get("active") == [True, False] else "update"
    session.flush()
    record_change(session, actor, ENTITY, row.id, op, changes)
    forget_active(session)
    return row


def reason_with_template(session: Session, proposal: Proposal,
                         transition: workflows.TransitionDef, code: str,
                         inputs: Mapping[str, object]) -> dict[str, object]:
    """``inputs`` with the template's body as the transition's reason when none was typed
    (a reason typed wins: the officer edited the template).  The body is in the
    proposal's language, else Japanese.  An unknown or inactive template, or one for
    another trigger, is refused naming ``template`` (422)."""
    row = session.execute(
        select(AnswerTemplate).where(AnswerTemplate.code == code)).scalar_one_or_none()
    if row is None or not row.active or row.trigger != transition.trigger:
        raise Invalid(f"template: {code!r} is no active template of {transition.trigger!r}",
                      fields={"template": ["unknown_template"]})
    name = transition.reason_input or "reason"
    typed = inputs.get(name)
    if isinstance(typed, str) and typed.strip():
        return dict(inputs)
    return {**inputs, name: row.body(proposal.language or "ja")}

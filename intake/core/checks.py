"""The checks actions start with: who may act, whether the page was current, whether a
named row exists.  Each raises an :class:`~intake.errors.ActionError` whose ``code`` and
``fields`` say which rule refused; the doors put that into the user's language
(:mod:`intake.explain`), so the English ``message`` here is for developers only."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from intake import access
from intake.errors import Conflict, Forbidden, Invalid, Refused
from intake.models import JST, Department, Proposal, utcnow
from workflows import calendar

from .actors import Actor, ActorKind

STAFF_ROLES = ("liaison", "office")


def moment_of(now: datetime | None, today: date | None) -> tuple[datetime, date]:
    """When an action happens: ``now`` (the clock: its events, timestamps and counts) and
    the day in Japan its deadlines count from, ``today`` or else ``now``'s day.  Both
    default to the present; a caller replaying a history (``teian demo``'s months of use)
    passes its own moment, and everything the action writes agrees with it."""
    now = now if now is not None else utcnow()
    return now, today if today is not None else now.astimezone(JST).date()


def today_or(today: date | None) -> date:
    """The day in Japan the action happens on (deadlines count from it)."""
    return today if today is not None else calendar.today_jst()


def day_to_come(day: date, field_name: str, today: date) -> date:
    """``day``, if an officer may set it on ``today``: not before today, not after the
    calendar's horizon (:func:`workflows.calendar.rule_for_day_to_come`, the rule the
    workflow's own date inputs follow).  Invalid names the field, the rule and its day."""
    broken = calendar.rule_for_day_to_come(day, today)
    if broken is not None:
        rule, dates = broken
        raise Invalid(f"{field_name}: {rule} ({', '.join(map(str, dates.values()))})",
                      fields={field_name: [rule]}, dates=dates)
    return day


def by_code(session: Session, model, code: str, field_name: str):
    return known(session.execute(select(model).where(model.code == code)).scalar_one_or_none(),
                 code, field_name)


def known(row, code: str, field_name: str):
    """``row`` (found by ``code``), or Invalid as :func:`by_code` raises it."""
    if row is None:
        raise Invalid(f"{field_name}: unknown code {code!r}", fields={field_name: ["unknown"]})
    return row


def other_active_department(session: Session, code: str, proposal: Proposal) -> Department:
    """The department ``code`` names, if it exists, is active and does not already lead
    the proposal (a transfer or an opinion request goes elsewhere)."""
    department = by_code(session, Department, code, "department")
    if not department.active:
        raise Invalid("department: inactive", fields={"department": ["inactive"]})
    if department.id == proposal.lead_department_id:
        raise Invalid("department: the proposal is already there",
                      fields={"department": ["same"]})
    return department


def required_text(value: object, field_name: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise Invalid(f"{field_name}: required", fields={field_name: ["required"]})
    return text


def aware(value: object, field_name: str) -> datetime:
    """A date and time with its offset that has a day in Japan: 9999-12-31T23:59+00:00
    parses, but its Japanese day would be in the year 10000, which no date can hold."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value.astimezone(JST)
            return value
        except OverflowError:
            pass
    raise Invalid(f"{field_name}: a date and time with its offset",
                  fields={field_name: ["datetime"]})


def check_version(proposal: Proposal, expected: int | None) -> None:
    if expected is not None and expected != proposal.version:
        raise Conflict(
            f"the proposal was changed by someone else (version {proposal.version}, "
            f"you sent {expected}); reload it and try again",
            version=proposal.version,
        )


def role_of(actor: Actor, proposal: Proposal) -> str:
    """The workflow role ``actor`` has on ``proposal``; Forbidden for a member of staff
    with none (another department's liaison, an inactive account) and for the public."""
    if actor.kind in (ActorKind.proposer, ActorKind.system):
        return str(actor.kind)
    role = access.workflow_role(actor.user, proposal)
    if role is None:
        raise Forbidden("you may not act on proposals of another department")
    return role


def officer_role(actor: Actor, proposal: Proposal) -> str:
    """Like :func:`role_of`, for actions only the lead liaison or the office may take."""
    role = role_of(actor, proposal)
    if role not in STAFF_ROLES:
        raise Forbidden("only the lead department's liaison or the office may do this")
    return role


def refuse_final(proposal: Proposal, what: str) -> workflows.Workflow:
    """The proposal's workflow, unless the proposal has reached a final state."""
    workflow = workflows.get_workflow(proposal.kind)
    if workflow.is_final(proposal.state):
        raise Refused(f"a {proposal.state} proposal cannot {what}", code="final_state")
    return workflow

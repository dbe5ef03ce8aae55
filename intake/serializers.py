"""The shapes of SPEC section 8, as plain functions of rows.

One module decides what each audience sees, so the JSON API, the public pages and the
open-data export show the same fields and, above all, withhold the same ones:

- ``public_*``: anyone.  Never the proposer's name, organization, e-mail or phone —
  only ``proposer`` (the organization, else the name) when they agreed to publish it.
  The timeline shows the reasons of rulings only (the same text as ``ruling``):
  questions, answers and withdrawal reasons pass between the proposer and the city and
  may hold personal details nobody has screened (the public pages do the same).
- ``tracked_*``: the proposer through their private link.  Their own proposal with
  their own timeline, but no contact details: the link can be forwarded, and the
  proposer knows their own e-mail address.
- ``staff_*``: a liaison of the department or the office; adds personal data and
  ``version``.

Nothing here reads Flask's request: the language and ``today`` come in as arguments,
the events as rows loaded once per page (:func:`timeline_events`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from forms.proposal import CITY_WIDE

from .i18n import translate
from .models import (
    JST,
    Category,
    Comment,
    DeliberationSession,
    Department,
    District,
    Event,
    Proposal,
    User,
)
from .queries import is_overdue

Json = dict[str, object]

# Events that change the state; the timeline is made of them.
TIMELINE_ACTIONS = ("submit", "transition")
PROPOSER_ACTOR = "proposer"


def iso_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in Japan's time, with its offset: ``2026-04-01T09:30:00+09:00``."""
    return value.astimezone(JST).isoformat(timespec="seconds") if value else None


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def named(row: Category | Department | District | None, lang: str) -> Json | None:
    """A category, department or district: ``{"code", "name"}`` in ``lang``."""
    return None if row is None else {"code": row.code, "name": row.name(lang)}


def district_ref(district: District | None, lang: str) -> Json:
    """No district means city-wide, which is itself a choice (and a filter value)."""
    if district is None:
        return {"code": CITY_WIDE, "name": translate("field.district.citywide", lang)}
    return named(district, lang)


def ruling(proposal: Proposal) -> Json | None:
    if proposal.ruling_decision is None:
        return None
    answer: Json = {
        "decision": proposal.ruling_decision,
        "reason": proposal.ruling_reason or "",
        "at": iso_datetime(proposal.ruled_at),
    }
    if proposal.ruling_scope:
        answer["scope"] = proposal.ruling_scope
    return answer


def public_proposer(proposal: Proposal) -> str | None:
    """The organization (else the name) only if the proposer agreed to publish it."""
    if not proposal.publish_name or proposal.contact is None:
        return None
    return proposal.contact.organization or proposal.contact.name or None


def timeline_events(session: Session, proposal_ids: Iterable[int]) -> dict[int, list[Event]]:
    """The state-changing events of several proposals in one query, oldest first."""
    ids = list(proposal_ids)
    by_proposal: dict[int, list[Event]] = {pid: [] for pid in ids}
    if ids:
        rows = session.execute(
            select(Event)
            .where(Event.proposal_id.in_(ids), Event.action.in_(TIMELINE_ACTIONS))
            .order_by(Event.proposal_id, Event.seq)
        ).scalars()
        for event in rows:
            by_proposal[event.proposal_id].append(event)
    return by_proposal


def timeline(events: Sequence[Event], *, audience: str, kind: str) -> list[Json]:
    """``[{"at", "from", "to", "trigger", "reason"}]``; the submission is
    ``from: null, to: <initial>, trigger: "submit"``.  The public sees the reasons of
    rulings only (see the module docstring); staff also see who acted."""
    workflow = workflows.get_workflow(kind)
    rulings = {t.trigger for t in workflow.transitions if t.ruling}
    entries = []
    for event in events:
        if event.action not in TIMELINE_ACTIONS:
            continue
        by_proposer = event.actor == PROPOSER_ACTOR
        hidden = audience == "public" and event.trigger not in rulings
        entry: Json = {
            "at": iso_datetime(event.at),
            "from": event.from_state,
            "to": event.to_state,
            "trigger": event.trigger or event.action,
            "reason": None if hidden else (event.reason or None),
        }
        if audience == "staff":
            entry["actor"] = PROPOSER_ACTOR if by_proposer else (event.actor_label
                                                                 or event.actor)
        entries.append(entry)
    return entries


def deliberation_session(record: DeliberationSession) -> Json:
    return {
        "id": record.id,
        "held_at": iso_datetime(record.held_at),
        "place": record.place,
        "online": record.online,
        "agenda": record.agenda,
        "minutes": record.minutes,
        "participants": record.participants,
    }


def comment(record: Comment, *, staff: bool = False) -> Json:
    answer: Json = {
        "id": record.id,
        "name": record.name or None,
        "body": record.body,
        "at": iso_datetime(record.created_at),
    }
    if staff:
        answer["hidden_reason"] = record.hidden_reason
    return answer


def available_triggers(proposal: Proposal, role: str | None, lang: str) -> list[Json]:
    """What ``role`` may do now, with the inputs each action takes (the engine still
    decides: guards are not evaluated here)."""
    if role is None:
        return []
    workflow = workflows.get_workflow(proposal.kind)
    return [
        {
            "trigger": transition.trigger,
            "label": transition.label_in(lang),
            "inputs": [
                {
                    "name": spec.name,
                    "label": spec.label_in(lang),
                    "required": spec.required,
                    "type": spec.type,
                    "choices": list(spec.choices),
                }
                for spec in transition.inputs.values()
            ],
        }
        for transition in workflow.available_triggers(proposal, role)
    ]


def state_label(proposal: Proposal, lang: str) -> str:
    return workflows.get_workflow(proposal.kind).state_label(proposal.state, lang)


# --- the public -----------------------------------------------------------------------


def proposal_summary(proposal: Proposal, lang: str) -> Json:
    """A list item: the public proposal without its timeline, sessions and comments."""
    return {
        "id": proposal.id,
        "receipt": proposal.receipt,
        "kind": proposal.kind,
        "title": proposal.title,
        "category": named(proposal.category, lang),
        "department": named(proposal.lead_department, lang),
        "district": district_ref(proposal.district, lang),
        "state": proposal.state,
        "state_label": state_label(proposal, lang),
        "submitted_at": iso_datetime(proposal.submitted_at),
        "problem": proposal.problem,
        "proposal": proposal.proposal_text,
        "expected_effect": proposal.expected_effect,
        "role_split": proposal.role_split,
        "proposer": public_proposer(proposal),
        "ruling": ruling(proposal),
    }


def public_proposal(proposal: Proposal, lang: str, events: Sequence[Event]) -> Json:
    return {
        **proposal_summary(proposal, lang),
        "timeline": timeline(events, audience="public", kind=proposal.kind),
        "sessions": [deliberation_session(s) for s in proposal.sessions],
        "comments": [comment(c) for c in proposal.comments if not c.hidden_reason],
    }


# --- the proposer (private tracking link) -----------------------------------------------


def pending_question(proposal: Proposal, events: Sequence[Event]) -> Json | None:
    """The open question while the workflow waits for the proposer: the reason of the
    transition that entered the current (clock-pausing) state."""
    workflow = workflows.get_workflow(proposal.kind)
    state = workflow.states.get(proposal.state)
    if state is None or not state.pauses_clock:
        return None
    asked = next((e for e in reversed(events)
                  if e.action == "transition" and e.to_state == proposal.state), None)
    if asked is None:
        return None
    return {"question": asked.reason, "asked_at": iso_datetime(asked.at),
            "answer_by": iso_date(proposal.due_on)}


def tracked_proposal(proposal: Proposal, lang: str, events: Sequence[Event]) -> Json:
    return {
        **proposal_summary(proposal, lang),
        "timeline": timeline(events, audience="proposer", kind=proposal.kind),
        "sessions": [deliberation_session(s) for s in proposal.sessions],
        "comments": [comment(c) for c in proposal.comments if not c.hidden_reason],
        "published": proposal.is_published,
        "publish_name": proposal.publish_name,
        "pending_question": pending_question(proposal, events),
        "available_triggers": available_triggers(proposal, "proposer", lang),
    }


# --- staff -----------------------------------------------------------------------------


def staff_user(user: User | None) -> Json | None:
    return None if user is None else {"id": user.id, "name": user.display_name or user.email}


def staff_summary(proposal: Proposal, lang: str, today: date) -> Json:
    """A queue item: the summary plus what a liaison sorts and acts by.  No personal
    data in lists: it is one click away in the detail, for the few who need it."""
    return {
        **proposal_summary(proposal, lang),
        "version": proposal.version,
        "assignee": staff_user(proposal.assignee),
        "due_on": iso_date(proposal.due_on),
        "overdue": is_overdue(proposal, today),
        "published": proposal.is_published,
    }


def staff_detail(
    proposal: Proposal, lang: str, events: Sequence[Event], *, today: date, role: str | None
) -> Json:
    contact = proposal.contact
    return {
        **staff_summary(proposal, lang, today),
        "timeline": timeline(events, audience="staff", kind=proposal.kind),
        "sessions": [deliberation_session(s) for s in proposal.sessions],
        "comments": [comment(c, staff=True) for c in proposal.comments],
        "proposer_type": proposal.proposer_type.value,
        "proposer_name": contact.name,
        "organization": contact.organization or None,
        "email": contact.email or None,
        "phone": contact.phone or None,
        "publish_name": proposal.publish_name,
        "language": proposal.language,
        "budget_total": proposal.budget_total,
        "city_share": proposal.city_share,
        "withheld_reason": proposal.withheld_reason,
        "pending_question": pending_question(proposal, events),
        "available_triggers": available_triggers(proposal, role, lang),
    }


def transition_result(proposal: Proposal) -> Json:
    return {"id": proposal.id, "state": proposal.state, "version": proposal.version}

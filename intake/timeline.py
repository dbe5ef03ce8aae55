"""A proposal's history as each audience may read it (SPEC sections 3 and 5): the one
rule for which reasons are public, the entries the pages list, the JSON timeline.

The files that came with a step (the submission, an answer to a question) are listed by
id in its event's data; staff and the proposer read them on the step's entry.  The public
timeline never mentions them, not even the published ones: a count would tell of files
nobody published, and each published file is on the page's own list of photos and
documents, which is where the public looks for it (the question and the answer it came
with are not public either)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import workflows

from .models import Department, Event
from .queries import History
from .shapes import Json, iso_date, iso_datetime, named

PROPOSER_ACTOR = "proposer"

# --- the timeline -----------------------------------------------------------------------

# Events whose reason the city publishes (SPEC sections 3 and 5): why a proposal went
# to another department, why a deadline moved; rulings are added per workflow.
PUBLIC_REASON_ACTIONS = frozenset({"transfer", "extend"})
# What the JSON timeline lists: the changes of state and of course, with their reasons.
# Routing and sessions are the pages' story; the JSON has ``department`` and ``sessions``.
JSON_TIMELINE_KINDS = ("submit", "transition", "transfer", "extend")
# What citizens' timelines (public page, tracking page) show: the steps of the proposal
# itself.  Comments, moderation, opinions and publication reviews are the staff's story.
CITIZEN_TIMELINE_KINDS = frozenset({"submit", "route", "triage", "transfer", "transition",
                                    "session", "extend"})


def reason_is_public(event: Event, workflow: workflows.Workflow) -> bool:
    """The one rule for what the public may read of an event's reason: transitions the
    workflow marks ``publish_reason`` (rulings, the evaluation), transfers and deadline
    extensions.  Questions, answers and withdrawal reasons pass
    between the proposer and the city and may hold personal details nobody screened."""
    if event.action in PUBLIC_REASON_ACTIONS:
        return True
    return event.action == "transition" and any(
        t.trigger == event.trigger and "publish_reason" in t.effects
        for t in workflow.transitions
    )


def reason_may_be_personal(event: Event, workflow: workflows.Workflow) -> bool:
    """A reason the retention purge erases: a step's text the public never reads — a
    question to the proposer, their answer, a withdrawal reason."""
    return (event.action == "transition" and bool(event.reason)
            and not reason_is_public(event, workflow))


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a proposal's history, as much as its audience may read.

    ``from_state``/``to_state`` are a transition's states; for any other event both
    are the state the proposal was in.  ``reason`` is None where the audience may not
    read it (or there was none)."""

    at: datetime
    kind: str  # submit | route | triage | transfer | transition | session | extend
    trigger: str  # the workflow trigger, else the kind
    from_state: str | None
    to_state: str | None
    reason: str | None
    actor: str | None  # staff only: "proposer", or who acted
    from_department: Department | None = None  # route, transfer
    to_department: Department | None = None
    from_date: date | None = None  # extend: the old and the new due date
    to_date: date | None = None
    # The ids of the files that came with the step (staff and the proposer only).
    attachments: tuple[int, ...] = ()


def files_listed(event: Event) -> tuple[int, ...]:
    """The ids of the files that came with ``event`` (a submission, an answer), as its
    data lists them; none for any other event."""
    ids = (event.data or {}).get("attachments")
    if not isinstance(ids, list):
        return ()
    return tuple(i for i in ids if isinstance(i, int) and not isinstance(i, bool))


def timeline_entries(history: History, *, kind: str, audience: str) -> list[TimelineEntry]:
    """The history for ``audience`` ("public", "proposer" or "staff"), oldest first.
    Departments are named, officers only to staff."""
    workflow = workflows.get_workflow(kind)
    entries = []
    state = None
    for event in history.events:
        data = event.data or {}
        entry_kind = event.action
        if entry_kind == "route" and not data.get("department"):
            entry_kind = "triage"
        if event.to_state:  # the submission or a transition: where the proposal went
            before, state = event.from_state, event.to_state
        else:  # anything else happened in the state the proposal was in
            before = state
        if audience != "staff" and entry_kind not in CITIZEN_TIMELINE_KINDS:
            continue
        public = audience != "public" or reason_is_public(event, workflow)
        entries.append(TimelineEntry(
            at=event.at,
            kind=entry_kind,
            trigger=event.trigger or event.action,
            from_state=before,
            to_state=state,
            reason=(event.reason or None) if public else None,
            actor=_actor(event) if audience == "staff" else None,
            from_department=history.departments.get(data.get("from_department")),
            to_department=history.departments.get(data.get("department")),
            from_date=_date_or_none(data.get("from")) if event.action == "extend" else None,
            to_date=_date_or_none(data.get("to")) if event.action == "extend" else None,
            attachments=files_listed(event) if audience != "public" else (),
        ))
    return entries


def _actor(event: Event) -> str:
    return PROPOSER_ACTOR if event.actor == PROPOSER_ACTOR else (event.actor_label
                                                                 or event.actor)


def _date_or_none(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def timeline(history: History, *, audience: str, kind: str, lang: str) -> list[Json]:
    """``[{"at", "from", "to", "trigger", "reason"}]``; the submission is
    ``from: null, to: <initial>, trigger: "submit"``; a transfer adds ``department:
    {"from", "to"}``, an extension ``due_on: {"from", "to"}``; staff also see who
    acted.  For staff and the proposer a step that came with files adds
    ``attachments``: their ids, each in the answer's own ``attachments`` list."""
    entries = []
    for item in timeline_entries(history, kind=kind, audience=audience):
        if item.kind not in JSON_TIMELINE_KINDS:
            continue
        entry: Json = {
            "at": iso_datetime(item.at),
            "from": item.from_state,
            "to": item.to_state,
            "trigger": item.trigger,
            "reason": item.reason,
        }
        if item.kind == "transfer":
            entry["department"] = {"from": named(item.from_department, lang),
                                   "to": named(item.to_department, lang)}
        elif item.kind == "extend":
            entry["due_on"] = {"from": iso_date(item.from_date), "to": iso_date(item.to_date)}
        if item.attachments:
            entry["attachments"] = list(item.attachments)
        if audience == "staff":
            entry["actor"] = item.actor
        entries.append(entry)
    return entries



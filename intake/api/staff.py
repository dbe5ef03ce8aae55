"""Staff API (bearer token): the queue, a proposal's detail, and the actions on it.

Every view loads the proposal (404), then asks :mod:`intake.access` (403) before it
reads the body, so another department learns nothing from validation messages; the
operation checks the same rule again and does the work.
"""

from __future__ import annotations

import workflows
from intake import access, operations, queries, serializers
from intake.db import session
from intake.errors import Forbidden
from intake.i18n import translate
from intake.models import Proposal, User

from . import bp
from .auth import office_required, staff_required
from .errors import lang
from .payload import Reader, json_body
from .proposals import load_proposal, page_args

PLACE_MAX = 200
AGENDA_MAX = 4000
MINUTES_MAX = 50000
REASON_MAX = 4000


def _forbidden() -> Forbidden:
    return Forbidden(translate("api.error.not_visible", lang()))


def load_visible(user: User, proposal_id: int) -> Proposal:
    """A proposal the caller may see: the lead or a consulted department, the office."""
    proposal = load_proposal(proposal_id)
    if not access.can_view(user, proposal):
        raise _forbidden()
    return proposal


def load_actionable(user: User, proposal_id: int) -> Proposal:
    """A proposal the caller may act on: the lead department's liaison, the office."""
    proposal = load_proposal(proposal_id)
    if access.workflow_role(user, proposal) is None:
        raise _forbidden()
    return proposal


@bp.get("/queue")
@staff_required
def queue(user: User):
    filters, cursor, limit = page_args()
    today = workflows.today_jst()
    page = queries.queue_for(session(), user, filters, today, cursor=cursor,
                             limit=limit)
    return {"items": [serializers.staff_summary(p, lang(), today) for p in page.items],
            "next_cursor": page.next_cursor}


@bp.get("/proposals/<int:proposal_id>/detail")
@staff_required
def proposal_detail(user: User, proposal_id: int):
    proposal = load_visible(user, proposal_id)
    return serializers.staff_detail(
        proposal, lang(), queries.history(session(), proposal.id), today=workflows.today_jst(),
        role=access.workflow_role(user, proposal),
    )


def declared_inputs(kind: str, trigger: str) -> set[str]:
    """The inputs the workflow definition declares for ``trigger``, plus ``reason``
    (any transition may carry one).  Other keys of the body are ignored, so clients
    cannot write arbitrary data into the audit log."""
    names = {"reason"}
    for transition in workflows.get_workflow(kind).transitions:
        if transition.trigger == trigger:
            names.update(transition.inputs)
    return names


@bp.post("/proposals/<int:proposal_id>/transitions")
@staff_required
def fire_transition(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    payload = json_body()
    reader = Reader(payload)
    trigger = reader.text("trigger", required=True)
    version = reader.integer("version", min=1)
    reason = reader.text("reason", max=REASON_MAX)
    reader.done()
    inputs = {name: payload[name] for name in declared_inputs(proposal.kind, trigger)
              if name in payload}
    inputs["reason"] = reason
    db = session()
    operations.fire_trigger(db, proposal, trigger, operations.Actor.staff(user), inputs,
                            expected_version=version)
    db.commit()
    return serializers.transition_result(proposal)


@bp.post("/proposals/<int:proposal_id>/transfer")
@staff_required
def transfer(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    reader = Reader(json_body())
    department = reader.text("department", required=True)
    reason = reader.text("reason", required=True, max=REASON_MAX)
    version = reader.integer("version", min=1)
    reader.done()
    db = session()
    operations.transfer_proposal(db, proposal, department, operations.Actor.staff(user),
                                 reason=reason, expected_version=version)
    db.commit()
    return {**serializers.transition_result(proposal),
            "department": serializers.named(proposal.lead_department, lang())}


@bp.post("/proposals/<int:proposal_id>/sessions")
@staff_required
def record_session(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    reader = Reader(json_body())
    held_at = reader.aware_datetime("held_at")
    online = reader.boolean("online")
    place = reader.text("place", required=not online, max=PLACE_MAX)
    agenda = reader.text("agenda", required=True, max=AGENDA_MAX)
    minutes = reader.text("minutes", max=MINUTES_MAX)
    participants = reader.integer("participants")
    reader.done()
    db = session()
    record = operations.record_session(
        db, proposal, operations.Actor.staff(user), held_at=held_at, place=place,
        online=online, agenda=agenda, minutes=minutes, participants=participants,
    )
    db.commit()
    return serializers.deliberation_session(record), 201


# --- the office's figures ------------------------------------------------------------------


@bp.get("/stats")
@office_required
def stats(_user: User):
    return serializers.dashboard(queries.dashboard_figures(session(), workflows.today_jst()),
                                 lang())

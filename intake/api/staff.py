"""Staff API (bearer token): the queue and a proposal's detail (the office's figures and
agenda are :mod:`.figures`).

The actions on a proposal are :mod:`.actions`.  Every view loads the proposal (404),
then asks :mod:`intake.access` (403) before it reads the body, so another department
learns nothing from validation messages; the operation checks the same rule again.
"""

from __future__ import annotations

from flask import request

import workflows
from intake import access, queries, queues, serializers
from intake.db import session
from intake.doors import request_links
from intake.errors import Forbidden
from intake.i18n import translate
from intake.models import OpinionRequest, Proposal, User

from . import bp
from .auth import staff_required
from .errors import lang
from .proposals import _found, load_proposal, page_args


def _forbidden() -> Forbidden:
    return Forbidden(translate("api.error.not_visible", lang()), translated=True)


def load_visible(user: User, proposal_id: int) -> Proposal:
    """A proposal the caller may see: the lead or a consulted department, the office."""
    proposal = load_proposal(proposal_id)
    if not access.can_view(user, proposal):
        raise _forbidden()
    return proposal


def load_actionable(user: User, proposal_id: int) -> Proposal:
    """A proposal the caller may act on: the lead department's liaison, the office."""
    proposal = _found(queries.proposal_to_act_on(session(), proposal_id))
    if access.workflow_role(user, proposal) is None:
        raise _forbidden()
    return proposal


def load_opinion(user: User, request_id: int) -> OpinionRequest:
    """An opinion request on a proposal the caller may see (404, then 403)."""
    found = session().get(OpinionRequest, request_id) \
        if 0 < request_id <= queries.INT32_MAX else None
    request = _found(found)
    if not access.can_view(user, request.proposal):
        raise _forbidden()
    return request


@bp.get("/queue")
@staff_required
def queue(user: User):
    filters, cursor, limit = page_args()
    today = workflows.today_jst()
    page = queues.queue_for(session(), user, filters, today, cursor=cursor, limit=limit,
                            overdue_only=queries.parse_flag("overdue", request.args.get("overdue")),
                            mine=queries.parse_flag("mine", request.args.get("mine")),
                            open_only=queries.parse_flag("open", request.args.get("open")))
    return {"items": [serializers.staff_summary(p, lang(), today) for p in page.items],
            "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@bp.get("/proposals/<int:proposal_id>/detail")
@staff_required
def proposal_detail(user: User, proposal_id: int):
    proposal = load_visible(user, proposal_id)
    return serializers.staff_detail(
        proposal, lang(), queries.history(session(), proposal.id), today=workflows.today_jst(),
        role=access.workflow_role(user, proposal), links=request_links(),
    )

"""Submitting a proposal: one operation for every door (page, JSON API, Open311).

The door validates the unified form (``forms.proposal``, the one source of its rules)
and hands over a :class:`~forms.proposal.Submission`; this stores it, routes it, records
the submission and the routing, and queues the receipt and the department's notice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

import workflows
from forms.proposal import Submission
from intake import notify, reference, search
from intake.attachments.operations import keep_files
from intake.attachments.storage import Storage
from intake.auth import new_secret_token
from intake.core.actors import PROPOSER, SYSTEM
from intake.core.checks import known, moment_of, today_or
from intake.core.concurrency import conflict_on_concurrent_change
from intake.core.effects import proposer_params, record
from intake.links import Links
from intake.models import (
    EventAction,
    Proposal,
    ProposerContact,
    ProposerType,
)
from intake.routing import choose_assignee, choose_department
from intake.routing.operations import record_assignment
from intake.routing.rules import routing_text


@conflict_on_concurrent_change
def submit_proposal(
    session: Session, data: Submission, *, channel: str, links: Links,
    today: date | None = None, storage: Storage | None = None, now: datetime | None = None,
) -> tuple[Proposal, str]:
    """Store a validated submission (its clean files in ``storage``), route it, and queue
    the receipt.

    Returns the proposal and its tracking token; the token exists only in this return
    value and the receipt e-mail (the database keeps its hash).
    """
    workflow = workflows.get_workflow(data.kind)
    category = known(reference.category(session, data.category), data.category, "category")
    district = (known(reference.district(session, data.district), data.district, "district")
                if data.district else None)
    decision = choose_department(
        session, category_id=category.id, district_id=district.id if district else None,
        text=routing_text(data.title, data.problem, data.proposal),
    )
    token, token_hash = new_secret_token()
    now, today = moment_of(now, today)
    # Routed before the first INSERT, so a new proposal starts at version 1.
    proposal = Proposal(
        kind=data.kind, title=data.title, category=category, problem=data.problem,
        proposal_text=data.proposal, expected_effect=data.expected_effect,
        role_split=data.role_split, district=district, budget_total=data.budget_total,
        city_share=data.city_share, language=data.language,
        proposer_type=ProposerType(data.proposer_type), publish_name=data.publish_name,
        lead_department=decision.department,
        assignee=choose_assignee(session, decision.department, today=today_or(today)),
        state=workflow.initial, tracking_token_hash=token_hash, submitted_at=now,
        state_entered_at=now, due_on=workflow.deadline_on_entry(workflow.initial, today_or(today)),
        contact=ProposerContact(
            name=data.proposer_name, organization=data.organization, email=data.email,
            phone=data.phone, consent_at=now,
        ),
    )
    session.add(proposal)
    session.flush()
    search.index_original(session, proposal)
    kept = []
    if data.attachments:
        if storage is None:
            raise ValueError("a submission with attachments needs a storage")
        kept = keep_files(session, proposal, data.attachments, storage, now=now)
    record(session, proposal, PROPOSER, EventAction.submit, new_chain=True,
           to_state=proposal.state, at=now,
           data={"channel": channel, "kind": data.kind, "category": category.code,
                 **({"attachments": [a.id for a in kept]} if kept else {})})
    record_assignment(session, links, proposal, None, SYSTEM, reason="",
                      rule_id=decision.rule_id, at=now)
    # The one mail with the link: it says so, and what happens next by when.
    notify.enqueue_for_citizen(session, links, kind="receipt", recipient=data.email,
                               language=data.language, proposal=proposal,
                               parts=("mail.receipt.link",),
                               **proposer_params(links, proposal, token))
    session.flush()
    return proposal, token

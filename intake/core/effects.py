"""What an action leaves behind besides its rows: the audit event on the proposal's
chain, and outbox messages to the people concerned — written in the caller's
transaction, so they land with the change or not at all (SPEC sections 3 and 6)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from intake import notify
from intake.links import Links
from intake.models import Department, Proposal

from .actors import Actor
from .chain import append


def record(session: Session, proposal: Proposal, actor: Actor, action: str, **event) -> None:
    """Append the action's event to the proposal's chain (its head read once per
    transaction, :mod:`.chain`); the event is written at once, so a proposal still
    waiting for its INSERT gets it first."""
    if proposal.id is None:
        session.flush()
    append(session, proposal_id=proposal.id, actor=actor.ref, actor_label=actor.label,
           action=action, **event)


def staff_links(links: Links, proposal: Proposal) -> dict[str, str]:
    return {"staff_url": links.staff_proposal(proposal.id)}


def proposer_links(links: Links, proposal: Proposal, token: str | None = None) -> dict[str, str]:
    """The tracking page (the link itself right after submitting, later the page that
    sends it again) and the public page (until published, the tracking one again)."""
    tracking = links.for_proposer(token)
    public = links.public_proposal(proposal.id) if proposal.is_published else tracking
    return {"tracking_url": tracking, "public_url": public}


def tell_department(session: Session, links: Links, department: Department | None, kind: str,
                    proposal: Proposal, **params) -> None:
    """Queue message ``kind`` for the department's present liaisons (the office when
    there are none, or no department)."""
    for address in notify.department_addresses(session, department):
        notify.enqueue(session, kind=kind, recipient=address, language="ja",
                       proposal=proposal, **params, **staff_links(links, proposal))


def tell_office(session: Session, links: Links, kind: str, proposal: Proposal,
                **params) -> None:
    for address in notify.office_addresses(session):
        notify.enqueue(session, kind=kind, recipient=address, language="ja",
                       proposal=proposal, **params, **staff_links(links, proposal))


def tell_proposer(session: Session, links: Links, proposal: Proposal, kind: str,
                  **params) -> None:
    notify.enqueue(session, kind=kind, recipient=proposal.contact.email,
                   language=proposal.language, proposal=proposal, **params,
                   **proposer_links(links, proposal))

"""What an action leaves behind besides its rows: the audit event on the proposal's
chain, and outbox messages to the people concerned — written in the caller's
transaction, so they land with the change or not at all (SPEC sections 3 and 6)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from intake import notify
from intake.i18n import translate
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


def proposer_params(links: Links, proposal: Proposal,
                    token: str | None = None) -> dict[str, object]:
    """What a mail to the proposer may name besides the proposal's number and title: its
    department (or who will choose one), its due date, the tracking link itself (only
    with ``token``, right after submitting or re-sending: the database keeps its hash),
    the page that sends a new one, the public page (once published), and the subjects
    of the two mails that carry the link (the receipt and a re-sent link)."""
    language = proposal.language
    links = links.in_language(language)
    department = proposal.lead_department
    return {
        "department": (department.name(language) if department is not None
                       else translate("public.meta.triage", language)),
        "due_on": proposal.due_on,
        "lookup_url": links.track_lookup(),
        "public_url": links.public_proposal(proposal.id) if proposal.is_published else "",
        "receipt_subject": notify.subject_of("receipt", proposal),
        "link_subject": notify.subject_of("tracking_link", proposal),
        **({"tracking_url": links.track(token)} if token else {}),
    }


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
    """Queue message ``kind`` for the proposer (nothing for one without an e-mail
    address).  Later mails cannot carry the tracking link (only its hash is kept), so
    each says after its own text where the link is and how to get a new one, with the
    public page once the proposal is published."""
    if not proposal.contact.email:
        return
    public = ("mail.part.public_page",) if proposal.is_published else ()
    notify.enqueue_for_citizen(session, links, kind=kind, recipient=proposal.contact.email,
                               language=proposal.language, proposal=proposal,
                               parts=(*public, "mail.part.your_link"),
                               **{**proposer_params(links, proposal), **params})

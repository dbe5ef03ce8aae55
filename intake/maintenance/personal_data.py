"""Personal data over its life: the retention purge and the disclosure export.

``teian purge-personal-data --closed-before DATE`` erases, for every proposal whose
workflow reached a final state before DATE (the workflow files say which states are
final):

- the proposer's e-mail address and phone number, and their name and organisation
  unless they agreed to publish them (then they are part of the public record);
- the original text where the public copy masked something: the original becomes the
  masked public text, and the staff search index follows;
- comments that were held and never published (deleted: they were never public);
- supporters' e-mail addresses (the supports' count stays) and their confirmation mails;
- the messages in the outbox to the proposer (recipient and body), and the tracking link
  (its hash is replaced, so the old link opens nothing);
- the attachments' files, published or not (their rows stay, marked erased, so the audit
  log's references resolve; a file another proposal still uses stays, and so does one put
  again within the hour, left to the sweep: :func:`intake.attachments.operations.delete_unused`).

- the reasons of the steps the public never reads (a question to the proposer, their
  answer, a withdrawal reason) in the audit log, with their salts.

The public record stays: the public text, the timeline, sessions, published comments
and the ruling.  The audit chain keeps verifying: it hashes a salted digest of each
reason, never the text (intake/audit.py), and a ``personal_data_purged`` event names the
events whose reasons were erased.  (Events written before migration 0016 hash their
reason as text; theirs stay.)

``teian export-person EMAIL`` gathers everything held about one e-mail address, as JSON,
for a disclosure request (開示請求).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import and_, delete, false, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

import workflows
from forms.normalize import email_address
from intake.attachments.operations import delete_unused, mark_erased
from intake.attachments.storage import Storage
from intake.audit import append_event, erase_reason
from intake.auth import new_secret_token
from intake.models import (
    JST,
    CommentStatus,
    Event,
    EventAction,
    OutboxMessage,
    Proposal,
    ProposerContact,
    Support,
    User,
)
from intake.privacy.text import FIELDS, fields_of
from intake.search import index as search_index
from intake.serializers import iso_datetime
from intake.supports import CONFIRMATION_MAIL
from intake.timeline import reason_may_be_personal

BATCH = 500
PURGED = ""


@dataclass
class PurgeReport:
    proposals: int = 0
    contacts: int = 0
    originals: int = 0
    comments: int = 0
    supports: int = 0
    messages: int = 0
    reasons: int = 0
    files: int = 0
    ids: list[int] = field(default_factory=list)


def _closed_before(day: date):
    """Proposals in a final state entered before ``day`` (a day in Japan), as SQL."""
    start = datetime.combine(day, time.min, JST)
    per_kind = []
    for name in workflows.workflow_names():
        workflow = workflows.get_workflow(name)
        finals = [s for s in workflow.states if workflow.is_final(s)]
        per_kind.append(and_(Proposal.kind == name, Proposal.state.in_(finals)))
    return and_(or_(*per_kind) if per_kind else false(), Proposal.state_entered_at < start)


def _batches(session: Session, day: date) -> Iterator[list[Proposal]]:
    last = 0
    while True:
        rows = list(session.execute(
            select(Proposal).where(_closed_before(day), Proposal.id > last)
            .options(selectinload(Proposal.contact), selectinload(Proposal.published_text),
                     selectinload(Proposal.comments))
            .order_by(Proposal.id).limit(BATCH)).scalars())
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _personal_reasons(session: Session, proposals, *,
                      erasable: bool = True) -> dict[int, list[Event]]:
    """The reasons of the proposals' steps that may hold personal data (questions, answers,
    a withdrawal reason), per proposal, in order; ``erasable``: only those the purge can
    erase (a salted digest in the chain, not erased yet)."""
    kinds = {p.id: workflows.get_workflow(p.kind) for p in proposals}
    query = select(Event).where(Event.proposal_id.in_(list(kinds)),
                                Event.action == EventAction.transition, Event.reason != "")
    if erasable:
        query = query.where(Event.reason_salt.is_not(None))
    found: dict[int, list[Event]] = {}
    for event in session.execute(query.order_by(Event.proposal_id, Event.seq)).scalars():
        if reason_may_be_personal(event, kinds[event.proposal_id]):
            found.setdefault(event.proposal_id, []).append(event)
    return found


def _purge_one(session: Session, proposal: Proposal, reasons: list[Event],
               report: PurgeReport) -> None:
    before = (report.contacts, report.originals, report.comments, report.messages)
    for event in reasons:
        erase_reason(event)
    report.reasons += len(reasons)
    contact = proposal.contact
    if contact is not None and contact.email:
        # the messages to the proposer, found by their address before it is erased
        erased = session.execute(
            update(OutboxMessage).where(OutboxMessage.proposal_id == proposal.id,
                                        OutboxMessage.recipient == contact.email)
            .values(recipient=PURGED, body=PURGED))
        report.messages += erased.rowcount or 0
    # What is still there: a second purge finds nothing to count, and logs nothing.
    if contact is not None and (contact.email or contact.phone or (
            not proposal.publish_name and (contact.name or contact.organization))):
        contact.email = contact.phone = PURGED
        if not proposal.publish_name:
            contact.name = contact.organization = PURGED
        report.contacts += 1
    public = proposal.published_text
    if public is not None and public.redactions:
        original = fields_of(proposal)
        masked = fields_of(public)
        if original != masked:
            search_index.write(session.connection(), search_index.ORIGINAL, [
                search_index.Entry(proposal.id, search_index.document(original),
                                   search_index.document(masked))])
            for name, column in FIELDS.items():
                setattr(proposal, column, masked[name])
            report.originals += 1
    for comment in list(proposal.comments):
        if comment.status == CommentStatus.held:  # never public: nothing of it stays
            session.delete(comment)
            report.comments += 1
    proposal.tracking_token_hash = new_secret_token()[1]
    if reasons or before != (report.contacts, report.originals, report.comments,
                             report.messages):
        append_event(session, proposal_id=proposal.id, actor="system",
                     action=EventAction.personal_data_purged,
                     data={"erased_reasons": [e.seq for e in reasons]})


def purge_personal_data(session: Session, closed_before: date,
                        storage: Storage | None = None) -> PurgeReport:
    """Erase the personal data of proposals closed before ``closed_before``; commits per
    batch, so a long purge holds no lock for long and an interruption loses nothing.  The
    attachments' files go from ``storage`` once their batch is committed."""
    report = PurgeReport()
    for batch in _batches(session, closed_before):
        ids = [p.id for p in batch]
        reasons = _personal_reasons(session, batch)
        keys: list[str] = []
        for proposal in batch:
            _purge_one(session, proposal, reasons.get(proposal.id, []), report)
            keys += mark_erased(proposal)
        # Supports: the count stays (it is part of the record), the addresses go, and
        # so do the confirmation mails to them.
        erased = session.execute(delete(Support).where(Support.proposal_id.in_(ids)))
        report.supports += erased.rowcount or 0
        erased = session.execute(
            update(OutboxMessage).where(OutboxMessage.proposal_id.in_(ids),
                                        OutboxMessage.kind == CONFIRMATION_MAIL,
                                        OutboxMessage.recipient != PURGED)
            .values(recipient=PURGED, body=PURGED))
        report.messages += erased.rowcount or 0
        report.proposals += len(batch)
        report.ids += ids
        session.commit()
        if storage is not None:
            report.files += delete_unused(session, storage, keys)
        session.expunge_all()
    return report


def _exchanges(session: Session, proposals) -> dict[int, list[dict]]:
    """What passed between the city and the proposer, as the disclosure lists it."""
    return {proposal_id: [{"at": iso_datetime(e.at), "step": e.trigger, "from": e.from_state,
                           "to": e.to_state, "text": e.reason} for e in events]
            for proposal_id, events in _personal_reasons(session, proposals,
                                                         erasable=False).items()}


def export_person(session: Session, email: str) -> dict:
    """Everything held about ``email``: their proposals with contact data and the original
    text, the messages sent to them, and a staff account if they have one.

    The address is read as the forms read it (full-width letters and spaces folded) and
    compared without regard to case: a person asking for their data types their address
    as they remember it, not as it was stored.  (A scan of the contacts: this runs for a
    disclosure request, a few times a year.)"""
    email = email_address(email.strip()).lower()
    proposals = session.execute(
        select(Proposal).join(Proposal.contact)
        .where(func.lower(ProposerContact.email) == email).order_by(Proposal.id)
        .options(selectinload(Proposal.contact), selectinload(Proposal.category),
                 selectinload(Proposal.lead_department))
    ).scalars().all()
    messages = session.execute(
        select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == email)
        .order_by(OutboxMessage.id)).scalars().all()
    staff = session.execute(select(User).where(func.lower(User.email) == email)
                            ).scalars().first()
    supports = session.execute(
        select(Support, Proposal).join(Proposal, Proposal.id == Support.proposal_id)
        .where(func.lower(Support.email) == email).order_by(Support.id)).all()
    exchanges = _exchanges(session, proposals)
    return {
        "email": email,
        "proposals": [{
            "id": p.id, "receipt": p.receipt, "state": p.state,
            "submitted_at": iso_datetime(p.submitted_at),
            "category": p.category.code,
            "department": p.lead_department.code if p.lead_department else None,
            "contact": {"name": p.contact.name, "organization": p.contact.organization,
                        "email": p.contact.email, "phone": p.contact.phone,
                        "consent_at": iso_datetime(p.contact.consent_at),
                        "publish_name": p.publish_name},
            "text": fields_of(p),
            "language": p.language,
            "exchanges": exchanges.get(p.id, []),
        } for p in proposals],
        "supports": [{"proposal": s.proposal_id, "receipt": p.receipt, "name": s.name,
                      "requested_at": iso_datetime(s.created_at),
                      "confirmed_at": iso_datetime(s.confirmed_at)} for s, p in supports],
        "messages": [{"at": iso_datetime(m.created_at), "kind": m.kind,
                      "subject": m.subject, "body": m.body, "status": str(m.status)}
                     for m in messages],
        "staff_account": None if staff is None else {
            "email": staff.email, "display_name": staff.display_name,
            "role": str(staff.role), "created_at": iso_datetime(staff.created_at)},
    }


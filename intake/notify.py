"""Notifications through the transactional outbox (SPEC section 6).

``enqueue`` writes an :class:`OutboxMessage` row in the caller's transaction, so the
message commits with the change that caused it or not at all.  Delivery
(SMTP, or ``.eml`` files with no SMTP configured) happens later, outside
the user's transaction.

A date or a moment given to a message is written as the pages write it, in the
message's language (:mod:`intake.dates`: ``2026年12月4日（金）``, ``Fri 4 December
2026``), so a mail and the page it links to give the same day the same way.

A message to a citizen (:func:`enqueue_for_citizen`) ends with the signature: the
window's name, the office's telephone when ``TEIAN_OFFICE_PHONE`` is set, and that the
address receives no replies.  That last line is always true: Teian sends from one fixed
address and reads no mailbox (:mod:`intake.delivery`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflows.calendar import today_jst

from . import reference
from .dates import people_date, people_datetime
from .i18n import catalogue, translate, translate_mail
from .links import Links
from .models import Department, OutboxMessage, Proposal, Role, User
from .office_contact import OfficeContact


def enqueue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    language: str,
    proposal: Proposal | None,
    parts: Sequence[str] = (),
    **params: object,
) -> None:
    """Queue message ``kind`` (texts ``mail.<kind>.subject`` / ``.body``, then each of
    ``parts``, more catalogue texts, as paragraphs); ``params`` fill them all in, those
    that are dates or datetimes written for people in ``language``.

    One plain INSERT on the session's connection, not an object for the unit of work:
    nothing reads a message back in the transaction that queues it, and the unit of
    work's bookkeeping cost more than the row (docs/PERFORMANCE.md)."""
    if not recipient:
        return
    if proposal is not None:
        if proposal.id is None:  # still waiting for its INSERT
            session.flush()
        params.setdefault("receipt", proposal.receipt)
        params.setdefault("title", proposal.title)
    params = {name: _for_people(value, language) for name, value in params.items()}
    session.connection().execute(_INSERT_MESSAGE, {
        "proposal_id": proposal.id if proposal is not None else None,
        "kind": kind,
        "recipient": recipient,
        "language": language,
        "subject": translate(f"mail.{kind}.subject", language, **params),
        "body": "\n".join(translate_mail(key, language, **params)
                          for key in (f"mail.{kind}.body", *parts)),
    })


def enqueue_for_citizen(
    session: Session,
    links: Links,
    *,
    kind: str,
    recipient: str,
    language: str,
    proposal: Proposal | None,
    parts: Sequence[str] = (),
    **params: object,
) -> None:
    """Queue message ``kind`` for a citizen (a proposer, a supporter): its body; what
    happens next, by when (``mail.<kind>.next_by`` when ``params`` give a ``due_on``, else
    ``mail.<kind>.next``; each only where the catalogue has it); ``parts``; and the
    signature (see the module docstring)."""
    due_on = params.get("due_on")
    next_step = f"mail.{kind}.next_by" if due_on else f"mail.{kind}.next"
    signature = "mail.part.signature_phone" if links.office_phone else "mail.part.signature"
    enqueue(session, kind=kind, recipient=recipient, language=language, proposal=proposal,
            parts=(*([next_step] if next_step in catalogue() else []), *parts, signature),
            site=translate("site.name", language),
            office_phone=office_phone_in(links.office, language), **params)


def office_phone_in(office: OfficeContact, language: str) -> str:
    """The telephone with its hours worded in the mail's language, as the pages word them
    (``0123-45-6789（平日 8:30〜17:15）``); the number alone when no hours are set."""
    if not office.hours:
        return office.phone
    hours = translate("site.office.hours", language, opens=office.hours.opens,
                      closes=office.hours.closes)
    return translate("mail.part.phone_hours", language, phone=office.phone, hours=hours)


def subject_of(kind: str, proposal: Proposal) -> str:
    """The subject message ``kind`` about ``proposal`` has in its proposer's language:
    for a page or a later mail that tells them which mail to look for."""
    return translate(f"mail.{kind}.subject", proposal.language, receipt=proposal.receipt,
                     title=proposal.title)


_INSERT_MESSAGE = insert(OutboxMessage.__table__)  # the columns not given take their defaults


def _for_people(value: object, language: str) -> object:
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return people_datetime(value, language)
    if isinstance(value, date):
        return people_date(value, language)
    return value


def office_addresses(session: Session) -> list[str]:
    """The office's active accounts (the cached copy, :mod:`intake.reference`)."""
    return [user.email for user in reference.snapshot(session).office]


def present_liaison_addresses(session: Session, department_ids) -> dict[int, list[str]]:
    """Every present liaison's address of the given departments, in one query."""
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(User.department_id, User.email).where(
            User.department_id.in_(set(department_ids)),
            User.role == Role.liaison,
            User.active.is_(True),
            User.present_on(today_jst()),
        ).order_by(User.id)
    )
    for department_id, email in rows:
        found.setdefault(department_id, []).append(email)
    return found


def department_addresses(session: Session, department: Department | None) -> list[str]:
    """The department's present liaisons; the office when there is no
    department (triage) or nobody present in it (the cached copy: no query)."""
    if department is not None:
        cached = reference.snapshot(session)
        if present := cached.present_liaisons(department.id, today_jst()):
            return [user.email for user in present]
    return office_addresses(session)

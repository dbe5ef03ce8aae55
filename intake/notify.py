"""Notifications through the transactional outbox (SPEC section 6).

``enqueue`` writes an :class:`OutboxMessage` row in the caller's transaction, so the
message commits with the change that caused it or not at all.  Delivery
(SMTP, or ``.eml`` files with no SMTP configured) happens later, outside
the user's transaction.

A date or a moment given to a message is written as the pages write it, in the
message's language (:mod:`intake.dates`: ``2026年12月4日（金）``, ``Fri 4 December
2026``), so a mail and the page it links to give the same day the same way.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflows.calendar import today_jst

from . import reference
from .dates import people_date, people_datetime
from .i18n import translate, translate_mail
from .models import Department, OutboxMessage, Proposal, Role, User


def enqueue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    language: str,
    proposal: Proposal | None,
    **params: object,
) -> None:
    """Queue message ``kind`` (texts ``mail.<kind>.subject`` / ``.body``); ``params``
    that are dates or datetimes are written for people in ``language``.

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
        "body": translate_mail(f"mail.{kind}.body", language, **params),
    })


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

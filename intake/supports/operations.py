"""Asking to support a proposal and confirming it by the link mailed (SPEC sections 5, 8).

As the UK petitions site does with signatures: the request writes an unconfirmed
:class:`~intake.models.Support` and mails a link; the support counts only once that link
is confirmed, one per e-mail address per proposal.  Whoever asks gets the same answer
whether the address is new, waiting for confirmation or already counted — the doors
cannot tell anyone whether an address has supported a proposal.

Supports are open while the proposal is published and not in a final state (the
workflow definition says which states are final; no state name is written here).  The
address and name are personal data: nothing here logs them, no event records them, and
the only figure the public reads is ``proposals.supports_count``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

import workflows
from forms.normalize import email_address
from intake import notify
from intake.auth import new_secret_token, token_digest
from intake.errors import Conflict, NotFound
from intake.links import Links
from intake.models import Proposal, Support, utcnow
from intake.privacy.public import public_text
from intake.supports import CONFIRMATION_MAIL
from intake.supports.expiry import CONFIRM_WITHIN, expired

Clock = Callable[[], datetime]


def supports_open(proposal: Proposal) -> bool:
    """Whether citizens may support ``proposal`` now: the one rule the pages, the API and
    these operations ask.  An unknown state (a renamed one in an old row) is closed."""
    state = workflows.get_workflow(proposal.kind).states.get(proposal.state)
    return proposal.is_published and state is not None and not state.final


def _refuse_unless_open(proposal: Proposal) -> None:
    if not proposal.is_published:
        raise NotFound("no such proposal")
    if not supports_open(proposal):
        raise Conflict("supports are closed: the proposal is in a final state",
                       code="supports_closed")


def request_support(
    session: Session, proposal: Proposal, email: str, name: str, *, links: Links,
    language: str, clock: Clock = utcnow,
) -> None:
    """Ask ``email`` to confirm its support of ``proposal``.

    New address: a support row and a mail with its link.  Unconfirmed one: a fresh link
    replaces the old (only its hash is kept, so the old one cannot be sent again) and is
    mailed; it works for :data:`~intake.supports.expiry.CONFIRM_WITHIN` from now.
    Confirmed one: nothing is written or sent.  The caller answers the same in all three
    cases, and so does this function (it returns nothing).
    """
    _refuse_unless_open(proposal)
    email = email_address(email)
    support = _find(session, proposal.id, email)
    if support is not None and support.confirmed_at is not None:
        return
    token, digest = new_secret_token()
    now = clock()
    if support is None:
        support = _insert_if_absent(session, proposal, email, name, digest, now)
    if support.token_hash != digest:  # found, or inserted by a request at the same moment
        if support.confirmed_at is not None:
            return
        support.token_hash, support.created_at = digest, now  # a fresh link, a fresh week
        if name:
            support.name = name
    # A supporter reads the public title: the original may hold what the review masked.
    theirs = links.in_language(language)
    notify.enqueue_for_citizen(session, links, kind=CONFIRMATION_MAIL, recipient=email,
                               language=language, proposal=proposal,
                               title=public_text(proposal).title,
                               confirm_url=theirs.confirm_support(token),
                               days=CONFIRM_WITHIN.days,
                               public_url=theirs.public_proposal(proposal.id))
    session.flush()


def _find(session: Session, proposal_id: int, email: str) -> Support | None:
    return session.execute(
        select(Support).where(Support.proposal_id == proposal_id, Support.email == email)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _insert_if_absent(session: Session, proposal: Proposal, email: str, name: str,
                      digest: str, now: datetime) -> Support:
    """The new row, or the row another request inserted for the same address a moment
    ago: ``INSERT … ON CONFLICT DO NOTHING`` on the unique key (both databases have it),
    so a double submission neither fails nor needs a savepoint."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(Support.__table__)
        .values(proposal_id=proposal.id, email=email, name=name, token_hash=digest,
                created_at=now)
        .on_conflict_do_nothing(index_elements=["proposal_id", "email"])
    )
    return _find(session, proposal.id, email)


def support_for_token(session: Session, token: str, *, clock: Clock = utcnow) -> Support | None:
    """The support a confirmation link names, or None for any other token and for a link
    that expired unconfirmed (the worker forgets those rows; until it does, the link is
    as dead as if it had)."""
    if not token or len(token) > 200:
        return None
    found = session.execute(
        select(Support).where(Support.token_hash == token_digest(token))
    ).scalar_one_or_none()
    return None if found is None or expired(found, clock()) else found


def confirm_support(session: Session, token: str, *, clock: Clock = utcnow) -> Support:
    """Count the support the link names, once.

    The conditional UPDATE (``confirmed_at IS NULL``) lets exactly one of two clicks at
    the same moment through — PostgreSQL makes the second wait for the first and then
    finds the row confirmed; SQLite has one writer — and only that one adds to the
    proposal's count, with an UPDATE that does not bump the proposal's version (an
    officer working on it meanwhile is not interrupted).  A second click answers as
    the first did.  A proposal that closed (final state, or withdrawn from the public)
    since the mail was sent refuses.
    """
    support = support_for_token(session, token, clock=clock)
    if support is None:
        raise NotFound("no such confirmation link (or it expired unconfirmed)")
    if support.confirmed_at is not None:
        return support
    proposal = session.get(Proposal, support.proposal_id)
    _refuse_unless_open(proposal)
    now = clock()
    confirmed = session.execute(
        update(Support).where(Support.id == support.id, Support.confirmed_at.is_(None))
        .values(confirmed_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if confirmed:
        session.execute(
            update(Proposal).where(Proposal.id == proposal.id)
            .values(supports_count=Proposal.supports_count + 1)
            .execution_options(synchronize_session=False)
        )
    session.expire(support, ["confirmed_at"])
    session.expire(proposal, ["supports_count"])
    return support

"""A proposer who lost their tracking link gets a new one by e-mail.

The database keeps only the link token's hash, so the link cannot be sent again as it
was: a look-up with the receipt number and the e-mail address given on the form issues
a fresh token (the old link stops working) and mails it to that address.  The mail says
the old link is dead, so one the proposer did not ask for is a reason to call the office,
not to ignore it.  The answer to
the person asking is the same whether or not anything matched, so the form tells nobody
which receipt numbers or addresses exist.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from intake import notify
from intake.auth import new_secret_token
from intake.core.actors import PROPOSER
from intake.core.effects import proposer_params, record
from intake.links import Links
from intake.models import EventAction, Proposal, parse_receipt


def resend_tracking_link(session: Session, receipt: str, email: str, *, links: Links) -> bool:
    """Mail a fresh tracking link when ``receipt`` and ``email`` belong to one proposal.

    Returns whether a link was sent; the door must not tell the visitor (see above).
    The token is replaced with a plain UPDATE, which does not bump the proposal's
    version: an officer working on the proposal meanwhile is not interrupted.
    """
    parsed = parse_receipt(receipt)  # as typed: full width, other dashes, no zeros …
    proposal = session.get(Proposal, parsed.number) if parsed else None
    if proposal is None:
        return False
    if proposal.receipt != str(parsed):
        return False  # the right number in another year's receipt
    held = (proposal.contact.email or "").strip().casefold()
    if not held or held != email.strip().casefold():
        return False
    token, digest = new_secret_token()
    session.execute(
        update(Proposal).where(Proposal.id == proposal.id)
        .values(tracking_token_hash=digest)
        .execution_options(synchronize_session=False)
    )
    record(session, proposal, PROPOSER, EventAction.tracking_link)
    not_asked = ("mail.tracking_link.not_asked_phone" if links.office_phone
                 else "mail.tracking_link.not_asked")
    notify.enqueue_for_citizen(session, links, kind="tracking_link",
                               recipient=proposal.contact.email, language=proposal.language,
                               proposal=proposal, parts=(not_asked,),
                               **proposer_params(links, proposal, token))
    session.flush()
    return True

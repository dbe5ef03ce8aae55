"""Correcting the readings of a published title (easy Japanese).

The easy-Japanese pages show a published title with readings (``<ruby>``).  They are
suggested by the analyser after the title is published (:func:`write_public_copy`
leaves them pending); the lead liaison or the office may correct them here, the page and
the API alike.  Only the
readings change: the text without them must stay the public title
(:mod:`intake.i18n.reading_markup`).  An empty text asks for the suggestion again: the
readings are pending until the background worker gives them
(:mod:`intake.privacy.pending_readings`; the analyser is never loaded by a web worker).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from intake.core.actors import Actor
from intake.core.checks import check_version, officer_role
from intake.core.concurrency import conflict_on_concurrent_change
from intake.core.effects import record
from intake.errors import Conflict, Invalid
from intake.i18n import reading_markup
from intake.models import EventAction, Proposal, utcnow


@conflict_on_concurrent_change
def set_easy_title(session: Session, proposal: Proposal, actor: Actor, *, text: str,
                   expected_version: int | None = None,
                   now: datetime | None = None) -> Proposal:
    officer_role(actor, proposal)
    check_version(proposal, expected_version)
    copy = proposal.published_text
    if not proposal.is_published or copy is None:
        raise Conflict("the title has readings once the proposal is published",
                       code="not_published")
    reset = not (text or "").strip()
    try:
        notation = None if reset else reading_markup.check(text, copy.title)
    except reading_markup.MarkupError as exc:
        raise Invalid(f"title_easy: {exc.code}", fields={"title_easy": [exc.code]}) from exc
    copy.title_easy = notation
    copy.updated_at = now or utcnow()
    session.flush()
    record(session, proposal, actor, EventAction.easy_title, at=copy.updated_at,
           data={"reset": reset})
    session.flush()
    return proposal

"""Publishing a proposal without unreviewed personal data (SPEC section 5).

``accept`` (any transition with the ``publish`` effect) calls :func:`publish_on_accept`:
a proposal whose free text holds no personal data is published as written; one with hits
waits (``review_pending``) for the lead liaison or the office.  Their review
(:func:`review_publication`) masks the texts they list — every other hit counts as
confirmed — writes the public copy and publishes.  On a published proposal the same
review masks what the scan missed and republishes.  The office may withhold a proposal
instead (:func:`withhold_publication`).  The audit events say that texts were masked and
how many, never which: the log is kept for ever and must not become a copy of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime

from sqlalchemy.orm import Session, object_session

from intake import search
from intake.core.actors import Actor
from intake.core.checks import check_version, officer_role, required_text
from intake.core.concurrency import conflict_on_concurrent_change
from intake.core.effects import record
from intake.errors import Conflict, Forbidden, Invalid
from intake.models import EventAction, Proposal, PublishedText, utcnow

from .text import (
    MAX_REDACTIONS,
    REDACTION_MAX_LENGTH,
    fields_of,
    mask_fields,
    missing,
    proposal_hits,
)

PUBLISHED = "published"
REVIEW = "review"


def publish_on_accept(proposal: Proposal, now: datetime) -> str | None:
    """The ``publish`` effect: publish the text as written when the scan finds nothing,
    else hold it for review.  Returns what happened (:data:`PUBLISHED`, :data:`REVIEW`),
    or None when the proposal was already published, waiting or withheld."""
    if (proposal.published_at is not None or proposal.review_pending
            or proposal.withheld_reason is not None):
        return None
    with _no_autoflush(proposal):  # the transition under way is flushed once, by its caller
        if proposal_hits(proposal):
            proposal.review_pending = True
            return REVIEW
        write_public_copy(proposal, fields_of(proposal), redactions=0, now=now)
    proposal.published_at = now
    return PUBLISHED


def _no_autoflush(row):
    """Reading a relationship of ``row`` (its contact, its public copy) without flushing
    the change under way first: one UPDATE per action, so one version step."""
    session = object_session(row)
    return session.no_autoflush if session is not None else nullcontext()


def write_public_copy(proposal: Proposal, fields: dict[str, str], *, redactions: int,
                      now: datetime) -> PublishedText:
    with _no_autoflush(proposal):
        copy = proposal.published_text
    old = None if copy is None else fields_of(copy)
    if copy is None:
        copy = proposal.published_text = PublishedText(proposal_id=proposal.id)
    if copy.title != fields["title"]:
        # A new public title: its readings are pending until the worker suggests them
        # (intake.privacy.pending_readings); reviewed ones are kept while the title stays.
        copy.title_easy = None
    copy.title, copy.problem, copy.proposal_text = (fields["title"], fields["problem"],
                                                    fields["proposal"])
    copy.expected_effect, copy.role_split = fields["expected_effect"], fields["role_split"]
    copy.redactions = (copy.redactions or 0) + redactions
    copy.updated_at = now
    search.index_public(object_session(proposal), proposal.id, old, fields)
    return copy


def clean_redactions(redact: Sequence[str]) -> list[str]:
    """The texts to mask, trimmed and once each; the limits keep one request small."""
    texts = list(dict.fromkeys(r.strip() for r in redact if r and r.strip()))
    if len(texts) > MAX_REDACTIONS:
        raise Invalid(f"redact: at most {MAX_REDACTIONS} texts", fields={"redact": ["limit"]})
    if any(len(r) > REDACTION_MAX_LENGTH for r in texts):
        raise Invalid(f"redact: each text at most {REDACTION_MAX_LENGTH} characters",
                      fields={"redact": ["too_long"]})
    return texts


def _may_review(proposal: Proposal, role: str) -> None:
    if not (proposal.review_pending or proposal.published_at is not None
            or proposal.withheld_reason is not None):
        raise Conflict("the proposal is published once accepted; it has not been",
                       code="not_accepted")
    if not proposal.review_pending and role != "office":
        raise Forbidden("once published or withheld, only the office changes the public "
                        "version")


@conflict_on_concurrent_change
def review_publication(session: Session, proposal: Proposal, actor: Actor, *,
                       redact: Sequence[str], expected_version: int | None = None,
                       now: datetime | None = None) -> Proposal:
    """Mask ``redact`` in the public version and publish (or republish) the proposal.

    Waiting for review (the lead liaison or the office), the texts must occur in the
    original; once published (the office), in the public version — masking what the scan
    missed, on top of the earlier masks."""
    role = officer_role(actor, proposal)
    check_version(proposal, expected_version)
    _may_review(proposal, role)
    texts = clean_redactions(redact)
    copy = proposal.published_text
    base = fields_of(proposal) if copy is None or proposal.review_pending else fields_of(copy)
    if missing(texts, base):
        raise Invalid("redact: every text must occur in the proposal's text",
                      fields={"redact": ["not_in_text"]})
    if not texts and not proposal.review_pending and proposal.withheld_reason is None:
        raise Invalid("redact: name at least one text to mask", fields={"redact": ["required"]})
    now = now or utcnow()
    was_pending = proposal.review_pending
    confirmed = sum(1 for hit in proposal_hits(proposal) if hit.text not in texts) \
        if was_pending else 0
    write_public_copy(proposal, mask_fields(base, texts), redactions=len(texts), now=now)
    proposal.review_pending = False
    proposal.withheld_reason = None
    if proposal.published_at is None:
        proposal.published_at = now
    session.flush()
    record(session, proposal, actor, EventAction.publication, at=now,
           data={"redactions": len(texts), "confirmed": confirmed,
                 "reviewed": was_pending})
    session.flush()
    return proposal


@conflict_on_concurrent_change
def withhold_publication(session: Session, proposal: Proposal, actor: Actor, *, reason: str,
                         expected_version: int | None = None) -> Proposal:
    """The office keeps an accepted proposal from the public, with a reason (kept in the
    audit log; the proposal leaves every public list, page and search)."""
    role = officer_role(actor, proposal)
    if role != "office":
        raise Forbidden("only the office withholds a proposal")
    check_version(proposal, expected_version)
    _may_review(proposal, role)
    reason = required_text(reason, "withhold")
    proposal.withheld_reason = reason
    proposal.review_pending = False
    session.flush()
    record(session, proposal, actor, EventAction.withhold, reason=reason)
    session.flush()
    return proposal

"""Comment moderation (SPEC section 5): publishing a held comment, masking what the scan
missed in a published one, hiding one with a reason.

A held comment is published by the lead liaison or the office, with the texts they list
masked (the rest of its hits confirmed); the same action on a published comment masks
more.  Hiding: the lead liaison or the office may hide a held comment; only the office
hides a published one, and always with a reason the public page then shows in its place.
The audit events record that a comment was published (and how many texts were masked)
or hidden and why — never the masked texts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from intake.core.actors import Actor
from intake.core.checks import officer_role, required_text
from intake.core.concurrency import conflict_on_concurrent_change
from intake.core.effects import record
from intake.errors import Conflict, Forbidden, Invalid
from intake.models import Comment, CommentStatus, EventAction
from intake.privacy.operations import clean_redactions
from intake.privacy.text import comment_hits, mask, missing


@conflict_on_concurrent_change
def publish_comment(session: Session, comment: Comment, actor: Actor, *,
                    redact: Sequence[str] = ()) -> Comment:
    """Publish a held comment with ``redact`` masked, or mask more of a published one."""
    role = officer_role(actor, comment.proposal)
    if comment.status == CommentStatus.hidden:
        raise Conflict("a hidden comment stays hidden", code="comment_hidden")
    if comment.status == CommentStatus.published and role != "office":
        raise Forbidden("only the office masks more of a published comment")
    texts = clean_redactions(redact)
    held = comment.status == CommentStatus.held
    base = ({"name": comment.name or "", "body": comment.body} if held else
            {"name": comment.public_name or "", "body": comment.public_body or ""})
    if missing(texts, base):
        raise Invalid("redact: every text must occur in the comment",
                      fields={"redact": ["not_in_text"]})
    if not held and not texts:
        raise Invalid("redact: name at least one text to mask", fields={"redact": ["required"]})
    confirmed = sum(1 for hit in comment_hits(comment) if hit.text not in texts) if held else 0
    comment.public_name = mask(base["name"], texts)
    comment.public_body = mask(base["body"], texts)
    comment.status = CommentStatus.published
    session.flush()
    record(session, comment.proposal, actor, EventAction.comment_publish,
           data={"comment": comment.id, "redactions": len(texts), "confirmed": confirmed,
                 "reviewed": held})
    session.flush()
    return comment


@conflict_on_concurrent_change
def hide_comment(session: Session, comment: Comment, actor: Actor, *, reason: str) -> Comment:
    """Hide a comment for good: its text leaves every public answer; the page says the
    office hid it, and why."""
    role = officer_role(actor, comment.proposal)
    if comment.status == CommentStatus.published and role != "office":
        raise Forbidden("only the office hides a published comment")
    if comment.status == CommentStatus.hidden:
        raise Conflict("the comment is already hidden", code="comment_hidden")
    reason = required_text(reason, "reason")
    comment.status = CommentStatus.hidden
    comment.hidden_reason = reason
    comment.public_name = comment.public_body = None
    session.flush()
    record(session, comment.proposal, actor, EventAction.comment_hide, reason=reason,
           data={"comment": comment.id})
    session.flush()
    return comment

"""The one accessor for what the public may read.

Every public door — the pages, the JSON API, the list and its search, and the Open311
and open-data outputs — reads a proposal's text through :func:`public_text` and a
comment through :func:`public_comments`.  Both read only what a review left public:
the :class:`~intake.models.PublishedText` copy (masked) and a comment's ``public_*``
columns.  An unpublished proposal has no public text at all: asking for it raises,
so a door that forgot to check publication fails loudly instead of leaking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.models import Comment, CommentStatus, Proposal


class NotPublic(LookupError):
    """The proposal is not published: there is no public text to read."""


@dataclass(frozen=True)
class ProposalText:
    """A proposal's free text: the public copy (:func:`public_text`) or, for staff and
    the proposer, the original (:func:`original_text`)."""

    title: str
    problem: str
    proposal: str
    expected_effect: str
    role_split: str


@dataclass(frozen=True)
class PublicComment:
    """A comment as the public sees it: its text, or — hidden by the office — only that it
    was hidden and why."""

    id: int
    name: str | None
    body: str | None
    created_at: datetime
    hidden_reason: str | None

    @property
    def hidden(self) -> bool:
        return self.hidden_reason is not None


def public_text(proposal: Proposal) -> ProposalText:
    copy = proposal.published_text
    if not proposal.is_published or copy is None:
        raise NotPublic(f"proposal {proposal.id} is not published")
    return ProposalText(copy.title, copy.problem, copy.proposal_text, copy.expected_effect,
                        copy.role_split)


def original_text(proposal: Proposal) -> ProposalText:
    """What the proposer wrote: for staff and for the proposer's own tracking page."""
    return ProposalText(proposal.title, proposal.problem, proposal.proposal_text,
                        proposal.expected_effect, proposal.role_split)


def public_comment(comment: Comment) -> PublicComment | None:
    """None for a comment the public must not see at all (held for review)."""
    if comment.status == CommentStatus.published:
        return PublicComment(comment.id, comment.public_name or None, comment.public_body or "",
                             comment.created_at, None)
    if comment.status == CommentStatus.hidden:
        return PublicComment(comment.id, None, None, comment.created_at,
                             comment.hidden_reason or "")
    return None


def public_comments(proposal: Proposal) -> list[PublicComment]:
    """The comments anyone may read, oldest first: held ones are left out; a hidden one
    shows that the office hid it, and why, without its text."""
    return [shown for c in proposal.comments if (shown := public_comment(c)) is not None]

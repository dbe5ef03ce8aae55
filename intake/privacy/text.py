"""The free text of a proposal as the scan and the review see it, and the mask.

The SPEC names the fields ``title``, ``problem``, ``proposal``, ``expected_effect`` and
``role_split`` (``proposal`` is the ``proposal_text`` column); everything that reads or
writes them by those names goes through :data:`FIELDS` here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from intake.models import Comment, Proposal

from .scan import CONTACT_KINDS, KINDS, Hit, scan_fields

MASK = "●●●"
"""What a masked text becomes in the public version: always the same, so the mask does
not even tell the length of what it hides (黒丸伏せ字, as city publications do)."""

FIELDS = {
    "title": "title",
    "problem": "problem",
    "proposal": "proposal_text",
    "expected_effect": "expected_effect",
    "role_split": "role_split",
}
"""SPEC field name → column, on :class:`Proposal` and on its public copy alike."""

COMMENT_FIELDS = ("name", "body")

MAX_REDACTIONS = 100
REDACTION_MAX_LENGTH = 200


def fields_of(row) -> dict[str, str]:
    """The free-text fields of a proposal (or of its public copy) by their SPEC names."""
    return {name: getattr(row, column) or "" for name, column in FIELDS.items()}


def own_names(proposal: Proposal) -> list[str]:
    """The proposer's own name and organization: the scan looks for both."""
    contact = proposal.contact
    if contact is None:
        return []
    return [name for name in (contact.name, contact.organization) if name]


def proposal_hits(proposal: Proposal) -> list[Hit]:
    """Every personal-data hit in the proposal's original free text."""
    return scan_fields(fields_of(proposal), names=own_names(proposal), kinds=KINDS)


def comment_hits(comment: Comment) -> list[Hit]:
    """The contact details in a comment (its name and body) that hold it for review:
    phone numbers, e-mail addresses, postal codes.  A commenter's own name is theirs to
    give; other people's names cannot be known to the scan (the form says they will be
    removed, and the office masks what the scan missed)."""
    return scan_fields({"name": comment.name or "", "body": comment.body or ""},
                       kinds=CONTACT_KINDS)


def mask(text: str, redact: Iterable[str]) -> str:
    """``text`` with every occurrence of each redacted text replaced by :data:`MASK`,
    longest first (so "山田太郎" is masked whole before "山田" would split it)."""
    for secret in sorted(set(redact), key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def mask_fields(fields: Mapping[str, str], redact: Iterable[str]) -> dict[str, str]:
    redact = list(redact)
    return {name: mask(value, redact) for name, value in fields.items()}


def missing(redact: Iterable[str], fields: Mapping[str, str]) -> list[str]:
    """The redacted texts that occur in none of ``fields`` (a typo, or a text that the
    public version no longer holds)."""
    return [r for r in redact if not any(r in value for value in fields.values())]

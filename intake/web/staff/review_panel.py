"""The personal-data review panel of the staff page, and its comment moderation
(SPEC section 5).

The panel shows each free-text field with every hit highlighted and a checkbox per hit
(ticked: mask it; unticked: fine to publish), the public version beside it as it stands
or — waiting for review — as it would be with every hit masked, and one button.  Once
published, the office masks what the scan missed and may withhold the proposal.  The
forms are :mod:`forms.privacy`; the routes call the operations the API calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.attachments import AttachmentActionForm
from forms.privacy import CommentHideForm, CommentPublishForm, EasyTitleForm, PublicationForm
from intake import access
from intake.models import Attachment, Comment, CommentStatus, Proposal
from intake.privacy.scan import Hit
from intake.privacy.text import FIELDS, comment_hits, fields_of, mask, proposal_hits

from .common import lang, officer


@dataclass
class Segment:
    """A piece of a text: plain, or a hit (numbered as its checkbox)."""

    text: str
    hit: Hit | None = None
    number: int | None = None


@dataclass
class FieldReview:
    name: str
    segments: list[Segment]
    preview: str


@dataclass
class CommentReview:
    comment: Comment
    hits: list[Hit]
    segments: dict[str, list[Segment]]
    publish_form: CommentPublishForm | None = None
    hide_form: CommentHideForm | None = None
    error: str | None = None


@dataclass
class AttachmentReview:
    attachment: Attachment
    form: AttachmentActionForm | None = None
    error: str | None = None


@dataclass
class PrivacyPanel:
    status: str  # review_pending | published | withheld | not_published
    hits: list[Hit]
    fields: list[FieldReview] = field(default_factory=list)
    review_form: PublicationForm | None = None
    withhold_form: PublicationForm | None = None
    comments: list[CommentReview] = field(default_factory=list)
    error: str | None = None
    # The published title's readings on the easy-Japanese pages (intake.privacy.easy_title).
    easy_title_form: EasyTitleForm | None = None
    easy_title_error: str | None = None
    withhold_error: str | None = None
    # Photos and documents, each with its publish / withhold form (intake.attachments).
    attachments: list[AttachmentReview] = field(default_factory=list)


def segments(text: str, hits: list[Hit], numbers: dict[Hit, int]) -> list[Segment]:
    """``text`` cut at its hits (which never overlap), in order."""
    pieces, at = [], 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start > at:
            pieces.append(Segment(text[at:hit.start]))
        pieces.append(Segment(text[hit.start:hit.end], hit, numbers.get(hit)))
        at = hit.end
    if at < len(text):
        pieces.append(Segment(text[at:]))
    return pieces


def panel(proposal: Proposal, failed: tuple[str, object, str] | None = None
          ) -> PrivacyPanel | None:
    """The review panel for the lead liaison and the office; None for anyone else.
    ``failed``: the key, form and message of this panel's form the officer just sent,
    refused — shown again with what they typed."""
    role = access.workflow_role(officer(), proposal)
    if role not in ("liaison", "office"):
        return None
    hits = proposal_hits(proposal)
    numbers = {hit: n for n, hit in enumerate(hits, 1)}
    status = ("withheld" if proposal.withheld_reason is not None else
              "review_pending" if proposal.review_pending else
              "published" if proposal.is_published else "not_published")
    original = fields_of(proposal)
    copy = proposal.published_text
    public = fields_of(copy) if copy is not None and not proposal.review_pending else None
    every_hit = [hit.text for hit in hits]
    result = PrivacyPanel(status, hits)
    for name in FIELDS:
        field_hits = [hit for hit in hits if hit.field == name]
        preview = public[name] if public is not None else mask(original[name], every_hit)
        result.fields.append(FieldReview(name, segments(original[name], field_hits, numbers),
                                         preview))
    version = proposal.version
    if status == "review_pending" or (status in ("published", "withheld") and role == "office"):
        result.review_form = PublicationForm(lang=lang(), version=version)
    if role == "office" and status in ("review_pending", "published"):
        result.withhold_form = PublicationForm(lang=lang(), version=version,
                                               prefix="withhold")
    if status == "published" and copy is not None:
        result.easy_title_form = EasyTitleForm(lang=lang(), version=version,
                                               title_easy=copy.title_easy or "")
    result.comments = [comment_review(c, role) for c in proposal.comments]
    result.attachments = [
        AttachmentReview(a, None if a.purged_at is not None else
                         AttachmentActionForm(lang=lang(), prefix=f"attachment-{a.id}"))
        for a in proposal.attachments]
    if failed is not None:
        _show_failure(result, *failed, version=version)
    return result


def _show_failure(result: PrivacyPanel, key: str, form, message: str, *, version: int) -> None:
    if hasattr(form, "refresh_version"):
        form.refresh_version(version)
    if key == "publication" and result.review_form is not None:
        result.review_form, result.error = form, message
    elif key == "withhold" and result.withhold_form is not None:
        result.withhold_form, result.withhold_error = form, message
    elif key == "easy_title" and result.easy_title_form is not None:
        result.easy_title_form, result.easy_title_error = form, message
    for item in result.attachments:
        if key == f"attachment:{item.attachment.id}":
            item.form, item.error = form, message
    for review in result.comments:
        if key == f"comment:{review.comment.id}":
            review.error = message
            if isinstance(form, CommentPublishForm) and review.publish_form is not None:
                review.publish_form = form
            elif isinstance(form, CommentHideForm) and review.hide_form is not None:
                review.hide_form = form


def comment_review(comment: Comment, role: str) -> CommentReview:
    hits = comment_hits(comment)
    numbers = {hit: n for n, hit in enumerate(hits, 1)}
    review = CommentReview(comment, hits, {
        "name": segments(comment.name or "", [h for h in hits if h.field == "name"], numbers),
        "body": segments(comment.body, [h for h in hits if h.field == "body"], numbers),
    })
    prefix = f"comment-{comment.id}"
    if comment.status == CommentStatus.held or (comment.status == CommentStatus.published
                                                and role == "office"):
        review.publish_form = CommentPublishForm(lang=lang(), prefix=prefix)
    if comment.status == CommentStatus.held or (comment.status == CommentStatus.published
                                                and role == "office"):
        review.hide_form = CommentHideForm(lang=lang(), prefix=f"hide-{comment.id}")
    return review

"""Attachments on the staff page (SPEC section 2): each file's thumbnail and its full size
behind the staff sign-in, and the publish / withhold buttons beside the personal-data
review, posting the form their API twins read (:mod:`intake.api.attachments`)."""

from __future__ import annotations

from flask import abort, request

from forms.attachments import AttachmentActionForm
from intake import access
from intake.attachments.operations import publish_attachment, withhold_attachment
from intake.db import session as db
from intake.doors import attachment_response
from intake.models import Attachment, Proposal
from intake.queries import INT32_MAX

from .actions import _me, act
from .common import actionable_proposal, bp, lang, officer, t


def _attachment_of(proposal: Proposal, attachment_id: int) -> Attachment:
    found = next((a for a in proposal.attachments if a.id == attachment_id), None)
    if found is None:
        abort(404)
    return found


def _visible(attachment_id: int) -> Attachment:
    found = db().get(Attachment, attachment_id) if attachment_id <= INT32_MAX else None
    if found is None:
        abort(404)
    if not access.can_view(officer(), found.proposal):
        abort(403)
    return found


@bp.get("/attachments/<int:attachment_id>")
def attachment_file(attachment_id: int):
    return attachment_response(_visible(attachment_id), private=True)


@bp.get("/attachments/<int:attachment_id>/thumbnail")
def attachment_thumbnail(attachment_id: int):
    return attachment_response(_visible(attachment_id), thumbnail=True, private=True)


@bp.post("/proposals/<int:proposal_id>/attachments/<int:attachment_id>/publish")
def attachment_publish(proposal_id: int, attachment_id: int):
    return _attachment_action(proposal_id, attachment_id, publish_attachment,
                              "staff.attachments.done.published")


@bp.post("/proposals/<int:proposal_id>/attachments/<int:attachment_id>/withhold")
def attachment_withhold(proposal_id: int, attachment_id: int):
    return _attachment_action(proposal_id, attachment_id, withhold_attachment,
                              "staff.attachments.done.withheld")


def _attachment_action(proposal_id: int, attachment_id: int, operation, done_key: str):
    """Publish or withhold: the same checks, form and flash, another operation."""
    proposal = actionable_proposal(proposal_id)
    attachment = _attachment_of(proposal, attachment_id)
    form = AttachmentActionForm(request.form, lang=lang(),
                                prefix=f"attachment-{attachment.id}")
    return act(
        proposal, f"attachment:{attachment.id}", form,
        lambda: operation(db(), attachment, _me(), reason=form.reason.data or ""),
        done=lambda _result: t(done_key, name=attachment.name),
    )

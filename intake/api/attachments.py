"""Attachments over the API (SPEC section 8): ``POST /api/v1/attachments/{id}/publish``
and ``…/withhold`` (``{"reason"?}``), the twins of the staff page's buttons with the same
form and operations, and the staff-only file (``GET /api/v1/attachments/{id}/file``).
Acting is for the proposal's lead department's liaison and the office, seeing the file
for whoever sees the proposal (404, then 403, before the body is read)."""

from __future__ import annotations

from forms.attachments import AttachmentActionForm
from intake.attachments.operations import publish_attachment, withhold_attachment
from intake.attachments.shapes import file_response, staff_attachments
from intake.core.actors import Actor
from intake.db import session
from intake.doors import request_links, request_storage
from intake.errors import NotFound
from intake.i18n import translate
from intake.models import Attachment, User
from intake.queries import INT32_MAX

from . import bp
from .actions import _form, _perform
from .auth import staff_required
from .errors import lang
from .payload import json_body
from .staff import load_actionable, load_visible


def load_attachment(user: User, attachment_id: int, *, act: bool = True) -> Attachment:
    """An attachment of a proposal the caller may act on (``act``) or see (404, then 403)."""
    found = session().get(Attachment, attachment_id) if 0 < attachment_id <= INT32_MAX else None
    if found is None:
        raise NotFound(translate("api.error.not_found", lang()), translated=True)
    (load_actionable if act else load_visible)(user, found.proposal_id)
    return found


def _shape(attachment: Attachment):
    links = request_links()
    return next(item for item in staff_attachments(attachment.proposal, links)
                if item["id"] == attachment.id)


@bp.post("/attachments/<int:attachment_id>/publish")
@staff_required
def attachment_publish(user: User, attachment_id: int):
    return _attachment_action(user, attachment_id, publish_attachment)


@bp.post("/attachments/<int:attachment_id>/withhold")
@staff_required
def attachment_withhold(user: User, attachment_id: int):
    return _attachment_action(user, attachment_id, withhold_attachment)


def _attachment_action(user: User, attachment_id: int, operation):
    """Publish or withhold: the same checks, body and answer, another operation."""
    attachment = load_attachment(user, attachment_id)
    form = _form(AttachmentActionForm, json_body())
    _perform(form, lambda: operation(session(), attachment, Actor.staff(user),
                                     reason=form.reason.data or ""))
    return _shape(attachment)


@bp.get("/attachments/<int:attachment_id>/file")
@staff_required
def attachment_file(user: User, attachment_id: int):
    """The clean file for staff, published or not (never cached)."""
    attachment = load_attachment(user, attachment_id, act=False)
    data = request_storage().get(attachment.storage_key)
    if data is None:  # erased with the personal data
        raise NotFound(translate("api.error.not_found", lang()), translated=True)
    return file_response(attachment, data, private=True)

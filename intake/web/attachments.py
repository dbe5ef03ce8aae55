"""The public's way to a published attachment (SPEC section 2): ``/attachments/<id>`` and
its thumbnail.  An attachment that is not published, or whose proposal is not public
(not yet accepted, withheld, its files erased), does not exist for the public: 404."""

from __future__ import annotations

from flask import abort

from ..attachments.shapes import visible_to_public
from ..db import session
from ..doors import attachment_response
from ..models import Attachment
from ..queries import INT32_MAX
from .public import bp


def _public(attachment_id: int) -> Attachment:
    found = session().get(Attachment, attachment_id) if attachment_id <= INT32_MAX else None
    if found is None or not visible_to_public(found):
        abort(404)
    return found


@bp.get("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    return attachment_response(_public(attachment_id), private=False)


@bp.get("/attachments/<int:attachment_id>/thumbnail")
def attachment_thumbnail(attachment_id: int):
    return attachment_response(_public(attachment_id), thumbnail=True, private=False)

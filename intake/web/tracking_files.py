"""The proposer's own files under their tracking link: ``/track/<token>/attachments/<id>``
and its thumbnail.

A proposer sees every file they sent, published or not — the city decides what the public
sees, not what the sender may see of their own photo.  The token is the only key, as for
the tracking page: any other token, another proposal's file, or a file erased by the
retention rules is a 404 that says nothing more.  Answered ``private, no-store`` and
``no-referrer`` (see ``PRIVATE_ENDPOINTS``), so no shared cache keeps an unpublished file.
"""

from __future__ import annotations

from flask import abort

from ..db import session
from ..doors import attachment_response
from ..models import Attachment
from ..queries import INT32_MAX
from .public import bp
from .tracking import _proposal_for_token


def _own(token: str, attachment_id: int) -> Attachment:
    proposal = _proposal_for_token(token)
    found = session().get(Attachment, attachment_id) if attachment_id <= INT32_MAX else None
    if found is None or found.proposal_id != proposal.id or found.purged_at is not None:
        abort(404)
    return found


@bp.get("/track/<token>/attachments/<int:attachment_id>")
def track_attachment(token: str, attachment_id: int):
    return attachment_response(_own(token, attachment_id), private=True)


@bp.get("/track/<token>/attachments/<int:attachment_id>/thumbnail")
def track_attachment_thumbnail(token: str, attachment_id: int):
    return attachment_response(_own(token, attachment_id), thumbnail=True, private=True)

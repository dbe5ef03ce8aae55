"""What each audience sees of a proposal's attachments (SPEC section 2), and the file
answers every door sends.

The public sees an attachment only when it is published and its proposal is public
(:func:`public_attachments`); staff see every one with its status and a staff-only
address.  Addresses come from a :class:`~intake.links.Links` the door builds.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from intake.links import Links
from intake.models import Attachment, Proposal
from intake.shapes import Json, iso_datetime

# Served files run nothing and load nothing, even when opened on their own.
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def visible_to_public(attachment: Attachment) -> bool:
    return attachment.is_published and attachment.proposal.is_published


def public_attachments(proposal: Proposal, links: Links) -> list[Json]:
    if not proposal.is_published:
        return []
    return [{"id": a.id, "url": links.attachment(a.id), "content_type": a.content_type,
             "name": a.name} for a in proposal.attachments if a.is_published]


def first_image_url(proposal: Proposal, links: Links) -> str | None:
    """Open311's ``media_url``: the first published image."""
    return next((item["url"] for item in public_attachments(proposal, links)
                 if item["content_type"].startswith("image/")), None)


def staff_attachments(proposal: Proposal, links: Links) -> list[Json]:
    return [{
        "id": a.id, "url": links.api_attachment(a.id), "page_url": links.staff_attachment(a.id),
        "content_type": a.content_type, "name": a.name, "size": a.size,
        "published": a.is_published, "status": a.status,
        "withheld_reason": a.withheld_reason or None,
        "created_at": iso_datetime(a.created_at),
    } for a in proposal.attachments]


def proposer_attachments(proposal: Proposal, token: str, links: Links) -> list[Json]:
    """The proposer's own files, published or not, through their tracking link (the token is
    their only key); files erased by the retention rules are gone for them too."""
    return [{"id": a.id, "url": links.tracked_attachment(token, a.id),
             "content_type": a.content_type, "name": a.name, "published": a.is_published}
            for a in proposal.attachments if a.purged_at is None]


def file_response(attachment: Attachment, data: bytes, *, thumbnail: bool = False,
                  private: bool = False) -> Response:
    """The file: an image shown in the page, a PDF only ever as a download; never sniffed
    into another type, sandboxed when opened on its own."""
    content_type = "image/jpeg" if thumbnail else attachment.content_type
    inline = content_type.startswith("image/")
    quoted = quote(attachment.name, safe="")
    ascii_name = attachment.name.encode("ascii", "replace").decode().replace("?", "_")
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; "
        f"filename*=UTF-8''{quoted}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    # no-cache: a withheld file must not outlive its withholding in a shared cache
    response.headers["Cache-Control"] = "private, no-store" if private else "no-cache"
    return response

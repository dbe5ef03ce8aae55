"""What the receipt, the tracking page and the printable receipt show of the tracking link:
the link itself, the same link as a QR code, whether the proposer gave an e-mail address
(the wording never promises e-mail to a proposer who gave only a phone number), and which
mail carries the link.

The QR code is drawn as inline SVG by segno (a maintained, pure-Python QR encoder): a
phone's camera opens the link from a screen or a printed receipt, and no image file or
third-party service ever sees the token.
"""

from __future__ import annotations

import segno
from markupsafe import Markup, escape

from .. import notify
from ..doors import request_links
from ..models import Proposal


def qr_svg(url: str) -> Markup:
    """``url`` as an SVG element for the page.  Medium error correction survives a
    creased receipt; black on an explicit white square scans in dark mode too.  The
    drawing is hidden from screen readers: the link beside it is the same thing in text."""
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff",
                                                svgclass="qr-code", lineclass=None)
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def has_email(proposal: Proposal) -> bool:
    return bool(proposal.contact and proposal.contact.email)


def link_context(proposal: Proposal, token: str) -> dict[str, object]:
    """The template values of the tracking link for ``token``, with the subjects of the
    mails that carry it (the receipt, a re-sent link): later mails do not, so the page
    says which mail to keep."""
    url = request_links().track(token)
    # As the mailbox shows them: the proposer's title in them gets no readings (and an
    # easy-Japanese page no analyser).
    return {"tracking_url": url, "qr": qr_svg(url), "has_email": has_email(proposal),
            "receipt_subject": escape(notify.subject_of("receipt", proposal)),
            "link_subject": escape(notify.subject_of("tracking_link", proposal))}

"""Atom feeds of the public pages: follow a proposal, or a filtered list, in a feed
reader — no e-mail address, no account, nothing about the reader kept.

FixMyStreet offers a feed per area; the UK petitions site mails its signers when the
government answers.  Teian's supports keep an address only until it is confirmed and do
not mail again, so a citizen who wants to know what became of a proposal subscribes to
its feed instead:

- ``/proposals/<id>.atom``: the proposal's public timeline (the page's own entries, with
  the reasons the public may read — the ruling's among them), newest first;
- ``/proposals.atom``: the first page of the public list with the list's own filters
  (``state``, ``category``, ``department``, ``district``, ``q``), newest received first,
  as the list orders it; each entry's ``updated`` is when the proposal entered its
  present state, so a reader sees a ruling on a proposal it already lists.

Both read exactly what the pages read (the public copy, masked where reviewed; the
public timeline) and say each sentence in the words the page uses
(``templates/public/_parts.html``), in the language the address asks for
(``?lang=``; feed readers send no cookie).  Readings (furigana) are left out: feed
readers show text, not ruby.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, render_template, request, url_for
from markupsafe import Markup

from .. import queries, serializers
from ..db import session
from ..doors import request_links
from ..errors import Invalid
from ..i18n import DEFAULT_LANGUAGE
from ..privacy.public import public_text
from .public import _lang, _published_or_404, bp
from .public_list import list_refused

# Entries in the list's feed: a reader polls the newest; the list pages on beyond them.
FEED_SIZE = 50
MIMETYPE = "application/atom+xml; charset=utf-8"


def _links():
    """Absolute links (``TEIAN_BASE_URL`` when set) in the feed's language."""
    return request_links().in_language(_lang())


@bp.app_template_filter("rfc3339")
def rfc3339(moment: datetime | None) -> str:
    """A moment as Atom writes it (RFC 3339, UTC); now for none (an empty list's feed)."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:  # stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _as_feed(template: str, **context):
    g.ruby = False  # text for a reader, not ruby markup (see the module docstring)
    # ``ids``: an entry's id is the same in every language (Atom ids are permanent).
    return (render_template(template, links=_links(), ids=request_links(), **context), 200,
            {"Content-Type": MIMETYPE})


@bp.app_template_filter("feed_paragraphs")
def feed_paragraphs(text: str | None) -> Markup:
    """A person's text as HTML paragraphs for ``content``: a feed reader has no
    ``white-space: pre-wrap``, so its line breaks are written as ``<br>``."""
    paragraphs = [p for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(Markup("<br>").join(p.strip().split("\n")))
                           for p in paragraphs)


@bp.context_processor
def _feed_links() -> dict:
    def feed_url(proposal_id: int | None = None, filters: queries.Filters | None = None) -> str:
        """The feed of a proposal, or of the list with ``filters``, for the pages' links:
        in the page's language (a feed reader sends no cookie to say it)."""
        lang = {"lang": _lang()} if _lang() != DEFAULT_LANGUAGE else {}
        if proposal_id is not None:
            return url_for("public.proposal_feed", proposal_id=proposal_id, **lang)
        active = filters.active() if filters else {}
        return url_for("public.proposals_feed", **active, **lang)

    return {"feed_url": feed_url}


@bp.get("/proposals/<int:proposal_id>.atom")
def proposal_feed(proposal_id: int):
    found = _published_or_404(proposal_id)
    entries = serializers.timeline_entries(queries.history(session(), found.id),
                                           kind=found.kind, audience="public")
    numbered = list(enumerate(entries, start=1))[::-1]  # an entry's number never changes
    return _as_feed("public/proposal_feed.xml", proposal=found, text=public_text(found),
                    entries=numbered)


@bp.get("/proposals.atom")
def proposals_feed():
    filters = queries.Filters.from_args(request.args)
    try:
        page = queries.published_proposals(session(), filters, limit=FEED_SIZE)
    except Invalid as error:
        return list_refused(error)
    active = filters.active()
    return _as_feed("public/proposals_feed.xml", items=page.items, active=active,
                    filtered=bool(active))

"""Comment moderation for the office (a liaison: their own department's proposals): the
held comments, longest waiting first, then the published ones (to hide an unsuitable one
soon after it went up) and the hidden ones, newest first — each linking to
its place on the proposal's page (``#comment-<id>``), where the publish and hide forms
are (:mod:`.privacy`).  Each list pages by keyset both ways
(``queries.moderation_comments``), its cursor a parameter of its own
(``held_cursor`` …), so paging one list keeps the others' pages and every other
parameter."""

from __future__ import annotations

from flask import render_template, request, url_for

from intake import queries
from intake.db import session as db
from intake.errors import Invalid
from intake.models import CommentStatus
from intake.paging import Page
from intake.web.page_links import page_links

from .common import bp, error_page, officer, t

LISTS = (("held", CommentStatus.held), ("published", CommentStatus.published),
         ("hidden", CommentStatus.hidden))


@bp.get("/comments")
def comments():
    user = officer()
    lists = {}
    try:
        limit = queries.parse_limit(request.args.get("limit"))
        for name, status in LISTS:
            lists[name] = queries.moderation_comments(
                db(), user, status, cursor=request.args.get(f"{name}_cursor"), limit=limit)
    except Invalid:
        return error_page(400, t("staff.error.bad_list"))
    return render_template("staff/comments.html", lists=lists,
                           pages={name: _links(name, page) for name, page in lists.items()})


def _links(name: str, page: Page) -> dict[str, str | None]:
    """The first, previous and next pages of list ``name``, each landing on its heading."""
    key = f"{name}_cursor"
    kept = {arg: value for arg, value in request.args.items() if arg != key}

    def link(cursor: str | None = None) -> str:
        return url_for(".comments", **kept, **({key: cursor} if cursor else {})) \
            + f"#{name}-title"

    return page_links(page, request.args.get(key), link)

"""Comment moderation for the office (a liaison: their own department's proposals): the
held comments, longest waiting first, then the published ones (to hide an unsuitable one
soon after it went up) and the hidden ones, newest first — each linking to
its place on the proposal's page (``#comment-<id>``), where the publish and hide forms
are (:mod:`.privacy`).  Both lists page by keyset (``queries.moderation_comments``)."""

from __future__ import annotations

from flask import render_template, request, url_for

from intake import queries
from intake.db import session as db
from intake.errors import Invalid
from intake.models import CommentStatus

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
    more = {name: url_for(".comments", **(request.args.to_dict()
                                          | {f"{name}_cursor": page.next_cursor}))
            + f"#{name}-title"
            for name, page in lists.items() if page.next_cursor}
    return render_template("staff/comments.html", lists=lists, more=more)

"""The personal-data review and comment moderation over the API (SPEC section 5): the
twins of the staff page's forms (:mod:`forms.privacy`), calling the same operations."""

from __future__ import annotations

from forms.privacy import CommentHideForm, CommentPublishForm, EasyTitleForm, PublicationForm
from intake import serializers
from intake.core.actors import Actor
from intake.db import session
from intake.deliberation.moderation import hide_comment, publish_comment
from intake.errors import NotFound
from intake.i18n import translate
from intake.models import Comment, User
from intake.privacy.easy_title import set_easy_title
from intake.privacy.operations import review_publication, withhold_publication
from intake.queries import INT32_MAX

from . import bp
from .actions import _form, _perform
from .auth import staff_required
from .errors import lang
from .payload import json_body
from .staff import load_actionable


@bp.post("/proposals/<int:proposal_id>/publication")
@staff_required
def publication(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    form = _form(PublicationForm, json_body())
    if form.withholding:
        _perform(form, lambda: withhold_publication(
            session(), proposal, Actor.staff(user), reason=form.withhold.data,
            expected_version=form.version.data))
    else:
        _perform(form, lambda: review_publication(
            session(), proposal, Actor.staff(user), redact=form.redact.data,
            expected_version=form.version.data))
    return {**serializers.transition_result(proposal),
            "publication": serializers.publication(proposal)}


@bp.post("/proposals/<int:proposal_id>/easy-title")
@staff_required
def easy_title(user: User, proposal_id: int):
    """The page's form to correct the readings of the published title."""
    proposal = load_actionable(user, proposal_id)
    form = _form(EasyTitleForm, json_body())
    _perform(form, lambda: set_easy_title(session(), proposal, Actor.staff(user),
                                          text=form.title_easy.data or "",
                                          expected_version=form.version.data))
    return {**serializers.transition_result(proposal),
            "title_easy": proposal.published_text.title_easy}


def load_comment(user: User, comment_id: int) -> Comment:
    """A comment on a proposal the caller may act on (404, then 403)."""
    found = session().get(Comment, comment_id) if 0 < comment_id <= INT32_MAX else None
    if found is None:
        raise NotFound(translate("api.error.not_found", lang()), translated=True)
    load_actionable(user, found.proposal_id)  # its docstring says: may act on
    return found


@bp.post("/comments/<int:comment_id>/publish")
@staff_required
def comment_publish(user: User, comment_id: int):
    comment = load_comment(user, comment_id)
    form = _form(CommentPublishForm, json_body())
    _perform(form, lambda: publish_comment(session(), comment, Actor.staff(user),
                                           redact=form.redact.data))
    return serializers.staff_comment(comment)


@bp.post("/comments/<int:comment_id>/hide")
@staff_required
def comment_hide(user: User, comment_id: int):
    comment = load_comment(user, comment_id)
    form = _form(CommentHideForm, json_body())
    _perform(form, lambda: hide_comment(session(), comment, Actor.staff(user),
                                        reason=form.reason.data))
    return serializers.staff_comment(comment)



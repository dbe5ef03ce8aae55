"""The routes of the personal-data review and of comment moderation on the staff page:
each posts its form (:mod:`forms.privacy`) to the operation its API twin calls
(:mod:`intake.api.privacy`); the panel itself is :mod:`.review_panel`."""

from __future__ import annotations

from flask import abort, request

from forms.privacy import CommentHideForm, CommentPublishForm, EasyTitleForm, PublicationForm
from intake.db import session as db
from intake.deliberation.moderation import hide_comment, publish_comment
from intake.models import Comment, Proposal
from intake.privacy.easy_title import set_easy_title
from intake.privacy.operations import review_publication, withhold_publication

from .actions import _me, act
from .common import actionable_proposal, bp, lang, t


@bp.post("/proposals/<int:proposal_id>/publication")
def publication(proposal_id: int):
    proposal = actionable_proposal(proposal_id)
    form = PublicationForm(request.form, lang=lang())
    return act(
        proposal, "publication", form,
        lambda: review_publication(db(), proposal, _me(), redact=form.redact.data,
                                   expected_version=form.version.data),
        done=lambda _result: t("privacy.done.published", count=len(form.redact.data)),
    )


@bp.post("/proposals/<int:proposal_id>/withhold")
def withhold(proposal_id: int):
    proposal = actionable_proposal(proposal_id)
    form = PublicationForm(request.form, lang=lang(), prefix="withhold")
    return act(
        proposal, "withhold", form,
        lambda: withhold_publication(db(), proposal, _me(), reason=form.withhold.data or "",
                                     expected_version=form.version.data),
        done=lambda _result: t("privacy.done.withheld"),
        confirm=True,
    )


@bp.post("/proposals/<int:proposal_id>/easy-title")
def easy_title(proposal_id: int):
    proposal = actionable_proposal(proposal_id)
    form = EasyTitleForm(request.form, lang=lang())
    return act(
        proposal, "easy_title", form,
        lambda: set_easy_title(db(), proposal, _me(), text=form.title_easy.data or "",
                               expected_version=form.version.data),
        done=lambda _result: t("staff.easy.done"),
    )


def _comment_of(proposal: Proposal, comment_id: int) -> Comment:
    """The proposal's comment ``comment_id`` (404 for another proposal's)."""
    found = next((c for c in proposal.comments if c.id == comment_id), None)
    if found is None:
        abort(404)
    return found


@bp.post("/proposals/<int:proposal_id>/comments/<int:comment_id>/publish")
def comment_publish(proposal_id: int, comment_id: int):
    proposal = actionable_proposal(proposal_id)
    comment = _comment_of(proposal, comment_id)
    form = CommentPublishForm(request.form, lang=lang(), prefix=f"comment-{comment.id}")
    return act(
        proposal, f"comment:{comment.id}", form,
        lambda: publish_comment(db(), comment, _me(), redact=form.redact.data),
        done=lambda _result: t("privacy.done.comment_published", count=len(form.redact.data)),
    )


@bp.post("/proposals/<int:proposal_id>/comments/<int:comment_id>/hide")
def comment_hide(proposal_id: int, comment_id: int):
    proposal = actionable_proposal(proposal_id)
    comment = _comment_of(proposal, comment_id)
    form = CommentHideForm(request.form, lang=lang(), prefix=f"hide-{comment.id}")
    return act(
        proposal, f"comment:{comment.id}", form,
        lambda: hide_comment(db(), comment, _me(), reason=form.reason.data or ""),
        done=lambda _result: t("privacy.done.comment_hidden"),
        confirm=True,
    )

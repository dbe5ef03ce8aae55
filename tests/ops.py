"""Every operation as the tests call it: the real function, with the links a door would
hand it (built from the test app, as ``intake.doors.request_links`` builds them) unless a
test passes its own."""

from __future__ import annotations

import functools

from flask import current_app

from intake.core.actors import PROPOSER, PUBLIC, SYSTEM, Actor
from intake.deliberation.moderation import hide_comment, publish_comment
from intake.deliberation.operations import add_comment, record_session, set_comment_period
from intake.links import links_for
from intake.opinions.operations import answer_opinion, request_opinion, waive_opinion
from intake.privacy.operations import review_publication, withhold_publication
from intake.proposals.operations import submit_proposal as _submit
from intake.routing.operations import transfer_proposal as _transfer
from intake.workflow.operations import TransitionResult
from intake.workflow.operations import extend_deadline as _extend
from intake.workflow.operations import fire_trigger as _fire

__all__ = [
    "PROPOSER", "PUBLIC", "SYSTEM", "Actor", "TransitionResult", "add_comment",
    "answer_opinion", "extend_deadline", "fire_trigger", "hide_comment", "publish_comment",
    "record_session", "request_opinion", "review_publication", "set_comment_period",
    "submit_proposal", "transfer_proposal", "waive_opinion", "withhold_publication",
]


def _with_links(operation):
    @functools.wraps(operation)
    def call(*args, **kwargs):
        kwargs.setdefault("links", links_for(current_app))
        return operation(*args, **kwargs)

    return call


submit_proposal = _with_links(_submit)
fire_trigger = _with_links(_fire)
extend_deadline = _with_links(_extend)
transfer_proposal = _with_links(_transfer)
request_opinion = _with_links(request_opinion)
answer_opinion = _with_links(answer_opinion)
waive_opinion = _with_links(waive_opinion)

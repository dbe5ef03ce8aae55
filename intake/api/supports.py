"""``POST /api/v1/proposals/{id}/supports``: ask to support a published proposal
(SPEC section 8).  The answer is ``202`` whatever the address's history — new, waiting
for confirmation, or already counted — so the API never tells whether an address has
supported; the support counts once the mailed link is confirmed
(:mod:`intake.supports.operations`)."""

from __future__ import annotations

from forms.proposal import formdata_from_json
from forms.support import SupportForm
from intake.db import session
from intake.doors import request_links
from intake.ratelimit import limit_supports
from intake.supports.operations import request_support

from . import bp
from .errors import lang
from .payload import TEXT, json_body, validated
from .proposals import load_published


@bp.post("/proposals/<int:proposal_id>/supports")
@limit_supports()
def add_support(proposal_id: int):
    proposal = load_published(proposal_id)
    payload = json_body()
    form = validated(SupportForm(formdata_from_json(payload), lang=lang()), payload,
                     accepts=TEXT)
    request_support(session(), proposal, **form.support(), links=request_links(),
                    language=lang())
    return {"status": "pending_confirmation"}, 202

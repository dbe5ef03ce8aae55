"""How the public pages present what people wrote and what the workflow says of it
(no Flask here; :mod:`intake.web.public` hands these to the templates).

User text — a proposal's title and texts, its comments, the reasons given on it — is
marked with the language it was written in and isolated from the page's own words
(templates/public/_parts.html ``user_text``), so a screen reader uses the right voice
and a right-to-left override character inside a title cannot turn the page around.
"""

from __future__ import annotations

import workflows
from intake.models import Proposal

FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def text_lang(proposal: Proposal) -> str:
    """The language of what was written on ``proposal`` as an HTML ``lang``: the
    proposal's ``language``, easy Japanese being Japanese.  User text carries it whatever
    the page's language, so an English page's Japanese title is read by a Japanese voice."""
    return "en" if proposal.language == "en" else "ja"


def isolate(value: str) -> str:
    """Plain text between Unicode's isolate marks, for user text where no element can
    wrap it (the page's ``<title>``)."""
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"


def is_final(proposal: Proposal) -> bool:
    """In a state nothing leaves (the workflow definition says which)."""
    state = workflows.get_workflow(proposal.kind).states.get(proposal.state)
    return state is not None and state.final


def comments_were_open(proposal: Proposal, timeline) -> bool:
    """Whether the proposal was ever in a state that takes comments (the workflow
    definition says which), read off its public timeline: a page without comments then
    says they closed with none received, not that none were invited."""
    workflow = workflows.get_workflow(proposal.kind)
    return any(workflow.state_takes_comments(entry.to_state)
               for entry in timeline if entry.to_state)

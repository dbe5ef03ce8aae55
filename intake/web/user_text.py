"""How the public pages present what people wrote and what the workflow says of it
(no Flask here; :mod:`intake.web.public` hands these to the templates).

User text — a proposal's title and texts, its comments, the reasons given on it — is
marked with the language it was written in and isolated from the page's own words
(templates/public/_parts.html ``user_text``), so a screen reader uses the right voice
and a right-to-left override character inside a title cannot turn the page around.
"""

from __future__ import annotations

import re

from markupsafe import Markup

import workflows
from intake.models import Proposal

FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
# Kana, kanji, Japanese punctuation and full-width forms: only Japanese is written so.
JAPANESE_SCRIPT = re.compile("[\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                             "\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]")
LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")


def text_lang(text: object, proposal: Proposal) -> str:
    """The language ``text``, written on ``proposal``, is in, as an HTML ``lang``.  User
    text carries it whatever the page's language, so that a screen reader reads it with
    the right voice.

    Decided from the text itself, not from the language the proposer chose for their
    mail (a Japanese title from a proposer reading English mail is Japanese; so is the
    department's reason on an English proposer's page): any kana or kanji make it
    Japanese; else Latin letters make it English (the only other language the site
    takes); else (digits, signs) the proposal's language, easy Japanese being Japanese.
    """
    plain = text.striptags() if isinstance(text, Markup) else str(text or "")
    if JAPANESE_SCRIPT.search(plain):
        return "ja"
    if LATIN_LETTER.search(plain):
        return "en"
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

"""Messages in Japanese, English and easy Japanese (やさしい日本語).

Why not gettext/Babel: easy Japanese is not a CLDR locale, so Babel cannot
select it, and translators here work on one row per message with all three
languages side by side.  Every ``*.toml`` file in this folder is one area's
catalogue: ``[key] ja = … en = … ja-easy = …``; a key may appear in one file
only.  Missing English or easy-Japanese text falls back to Japanese.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

from workflows import LANGUAGES  # noqa: E402  (one list for the app and its workflows)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_ONE_OR_TWO_PEOPLE = re.compile(r"(?<![0-9])([12])人")
_PEOPLE_IN_KANA = {"1": "ひとり", "2": "ふたり"}
# Not messages: the reviewed furigana readings (:mod:`intake.i18n.furigana`).
NOT_MESSAGES = frozenset({"glossary.toml"})
DEFAULT_LANGUAGE = "ja"
EASY_LANGUAGE = "ja-easy"
LANGUAGE_NAMES = {"ja": "日本語", "ja-easy": "やさしい日本語", "en": "English"}
# Messages only staff read (staff pages, staff mail, the office's review panel).  Staff pages
# are not translated into easy Japanese, so these need ja and en only; every other message
# reaches citizens and needs all three (tests/test_easy_japanese.py checks both, and that
# the public templates name no message without easy Japanese).
STAFF_ONLY_PREFIXES = ("staff.", "staff_page.", "admin.", "office.", "import.", "answers.",
                       "privacy.", "mail.new_item.", "mail.transferred.", "mail.routed.",
                       "mail.escalation.", "mail.staff_update.", "mail.staff_step.",
                       "mail.opinion_", "mail.account_")
# Staff pages are not translated into easy Japanese: they do not offer it, and a staff
# page asked for it is shown in Japanese.
STAFF_LANGUAGE_NAMES = {code: name for code, name in LANGUAGE_NAMES.items()
                        if code != EASY_LANGUAGE}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(Path(__file__).parent.glob("*.toml")):
        if path.name in NOT_MESSAGES:
            continue
        with path.open("rb") as fh:
            for key, texts in tomllib.load(fh).items():
                if key in merged:
                    raise ValueError(f"message {key!r} is defined twice ({path.name})")
                merged[key] = texts
    return merged


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text of ``key`` in ``lang`` with ``{params}`` filled in.

    An unknown key returns the key itself, so a missing message shows up in
    a page instead of crashing it.
    """
    texts = catalogue().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or key
    return text.format(**params) if params else text


def translate_html(key: str, lang: str, *, ruby: bool = True, **params: object) -> Markup:
    """``translate`` for a page: the catalogue text as safe HTML, ``{params}`` escaped.

    Easy Japanese keeps common kanji and gives their readings (the national guideline), so
    its text carries ``<ruby>`` furigana unless the reader switched them off — and so do
    its text parameters (department names, state labels); HTML already made (``Markup``)
    is inserted as it is, anything else escaped.
    """
    texts = catalogue().get(key)
    if texts is None:
        return escape(key)
    text = texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or key
    if lang == EASY_LANGUAGE and ruby:
        from .furigana import furigana

        # Numbers go in first: they change readings (3人 is さんにん, a person ひと).  A
        # number given as text ("1,234", formatted by a page) stays a parameter: the
        # catalogue reads a placeholder before a counter as a number (furigana._counted).
        numbers = {k: v for k, v in params.items() if isinstance(v, int)}
        if numbers:
            text = _PLACEHOLDER.sub(lambda m: str(numbers.get(m[1], m[0])), text)
            params = {k: v for k, v in params.items() if k not in numbers}
            # One and two people are ひとり and ふたり, which no reading of 人 after a
            # number gives (the analyser reads 1人 as いちひと): written in kana.
            text = _ONE_OR_TWO_PEOPLE.sub(lambda m: _PEOPLE_IN_KANA[m[1]], text)
        html = furigana(text)
        params = {k: v if isinstance(v, Markup) or not isinstance(v, str) else furigana(v)
                  for k, v in params.items()}
    else:
        html = escape(text)
    return html.format(**params) if params else html


def translate_mail(key: str, lang: str, **params: object) -> str:
    """``translate`` for an e-mail body: easy Japanese gives each kanji word's reading in
    brackets after its first use (mail has no ruby); what the parameters bring (names,
    links, what people wrote) is left as it is."""
    if lang != EASY_LANGUAGE or key not in catalogue():
        return translate(key, lang, **params)
    from .furigana import readings_in_brackets

    text = catalogue()[key].get(lang) or catalogue()[key].get(DEFAULT_LANGUAGE) or key
    text = readings_in_brackets(text)
    return text.format(**params) if params else text


def label_or(key: str, lang: str, fallback: str) -> str:
    """The catalogue's text for ``key``, or ``fallback`` when it has none: a workflow file
    may bring kinds, choices, guards or roles the catalogue does not name yet."""
    return translate(key, lang) if key in catalogue() else fallback


def negotiate(requested: str | None, accept_languages: list[str] | None = None) -> str:
    """Pick a supported language from an explicit choice or Accept-Language."""
    if requested in LANGUAGES:
        return requested
    for tag in accept_languages or []:
        tag = tag.lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("ja"):
            return "ja"
    return DEFAULT_LANGUAGE

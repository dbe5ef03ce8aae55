"""Readings written into text, for titles whose readings a person reviews.

A published proposal's title gets readings on the easy-Japanese pages.  The analyser
suggests them when the proposal is published; the lead liaison or the office may correct
them.  What is stored is text, not HTML: the 青空文庫 ruby notation ``｜協働《きょうどう》``
(every annotated run starts with ``｜``, so its start is never guessed).  Editing it can
change readings only — the text without them must stay the published title — and the
page builds the ``<ruby>`` markup itself, escaping everything, so a stored title cannot
inject HTML.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .furigana import has_kanji, suggested_pieces

OPEN, READ, CLOSE = "｜", "《", "》"
_ANNOTATED = re.compile(f"{OPEN}([^{OPEN}{READ}{CLOSE}]+){READ}([^{OPEN}{READ}{CLOSE}]*){CLOSE}")
_KANA_ONLY = re.compile("[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb ]+")
MAX_LENGTH = 2000


class MarkupError(ValueError):
    """What is wrong with an edited title's readings (a code the messages word)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def suggest(text: str) -> str:
    """The analyser's (and glossary's) readings for ``text`` in the notation."""
    return "".join(f"{OPEN}{piece}{READ}{reading}{CLOSE}" if reading else piece
                   for piece, reading in suggested_pieces(text))


def plain(notation: str) -> str:
    """The text without its readings."""
    return _ANNOTATED.sub(lambda m: m[1], notation)


def check(notation: str, title: str) -> str:
    """``notation`` if it reads ``title`` with kana readings; else :class:`MarkupError`."""
    notation = notation.strip()
    if len(notation) > MAX_LENGTH:
        raise MarkupError("too_long")
    rest = _ANNOTATED.sub("", notation)
    if any(mark in rest for mark in (OPEN, READ, CLOSE)) and not any(
            mark in title for mark in (OPEN, READ, CLOSE)):
        raise MarkupError("unbalanced")
    for match in _ANNOTATED.finditer(notation):
        if not match[2] or not _KANA_ONLY.fullmatch(match[2]) or not has_kanji(match[1]):
            raise MarkupError("bad_reading")
    if plain(notation) != title:
        raise MarkupError("not_the_title")
    return notation


def pieces(notation: str) -> list[tuple[str, str]]:
    """The notation as (text, reading) pieces, the reading empty where none is given:
    what :func:`intake.i18n.furigana.suggested_pieces` gave :func:`suggest`."""
    found, end = [], 0
    for match in _ANNOTATED.finditer(notation):
        if match.start() > end:
            found.append((notation[end:match.start()], ""))
        found.append((match[1], match[2]))
        end = match.end()
    if end < len(notation):
        found.append((notation[end:], ""))
    return found


def to_html(notation: str) -> Markup:
    """The notation as safe HTML with ``<ruby>``."""
    html, end = [], 0
    for match in _ANNOTATED.finditer(notation):
        html.append(str(escape(notation[end:match.start()])))
        html.append(f"<ruby>{escape(match[1])}<rt>{escape(match[2])}</rt></ruby>")
        end = match.end()
    html.append(str(escape(notation[end:])))
    return Markup("".join(html))

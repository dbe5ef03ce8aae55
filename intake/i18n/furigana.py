"""Furigana: Japanese text as HTML with ``<ruby>漢字<rt>かんじ</rt></ruby>`` readings.

Why: the national easy-Japanese guideline (在留支援のためのやさしい日本語ガイドライン) keeps
kanji for common words and gives their readings, instead of writing everything in
hiragana.  Readings come from SudachiPy with sudachidict-core (Apache-2.0, offline), and
a reviewed glossary (``glossary.toml``: place and department names the analyser gets
wrong or that must be read one way) overrides it.

Only kanji carry ruby: okurigana stay outside (受け付けます → 受 and 付 annotated), and
everything that is not ruby markup is escaped, so the result is safe to put in a page.
Interface strings repeat on every page, so results are cached; the tokenizer is made
once per process and used under a lock (a Sudachi tokenizer is not shared between
threads, and waitress serves requests on several).

The catalogue's text is fixed at release, so what the analyser says of it is too: it is
shipped in ``catalogue_readings.json`` (made by :mod:`intake.i18n.catalogue_readings`,
checked current by the tests), and the analyser is asked only about other text —
published titles when they are published, names a city gives its departments, numbers
put into a message.  A web worker serving catalogue text and stored titles then never
loads the dictionary: its pages cost about 100 MB of every worker's resident memory and
a second at a worker's first easy-Japanese page (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from markupsafe import Markup, escape

GLOSSARY_PATH = Path(__file__).with_name("glossary.toml")
CATALOGUE_READINGS_PATH = Path(__file__).with_name("catalogue_readings.json")

# Kanji, plus the marks written inside kanji words (々 repeat, 〆, ヶ as in 霞ヶ関, 〇).
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u3007\u30f6"
_HAS_KANJI = re.compile(f"[{_KANJI}]")
_KANA = "\u3041-\u3096\u30a1-\u30fa\u30fc"
_IS_KANA = re.compile(f"[{_KANA}]+")
_RUNS = re.compile(f"[{_KANJI}]+|[{_KANA}]+|[^{_KANJI}{_KANA}]+")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_lock = threading.Lock()
# What the analyser says of the catalogue's text (see above); None until first needed.
_known: dict[str, list[tuple[str, str]]] | None = None
_learning = False
# Readings stored with the city's names (intake.easy_names), by text.
_remembered: dict[str, list[tuple[str, str]]] = {}


@dataclass(frozen=True)
class GlossaryEntry:
    """A reviewed reading: ``word`` is always read ``reading`` (``note`` says why)."""

    word: str
    reading: str
    note: str = ""


def hiragana(text: str) -> str:
    return text.translate(_KATAKANA_TO_HIRAGANA)


def has_kanji(text: str) -> bool:
    return _HAS_KANJI.search(text) is not None


@cache
def glossary() -> tuple[GlossaryEntry, ...]:
    """The reviewed readings, in the file's order (the reviewers' page lists them so)."""
    with GLOSSARY_PATH.open("rb") as fh:
        data = tomllib.load(fh)
    entries = []
    for word, fields in data.items():
        reading = fields.get("reading", "")
        if not has_kanji(word) or not reading or has_kanji(reading):
            raise ValueError(f"glossary entry {word!r} needs a kanji word and a kana reading")
        entries.append(GlossaryEntry(word, hiragana(reading), fields.get("note", "")))
    return tuple(entries)


@cache
def _glossary_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    readings = {entry.word: entry.reading for entry in glossary()}
    # Longest first, so 協働推進室 wins over 協働.
    words = sorted(readings, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))), readings


@cache
def _tokenizer():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def _known_readings() -> dict[str, list[tuple[str, str]]]:
    global _known
    if _known is None:
        try:
            with CATALOGUE_READINGS_PATH.open(encoding="utf-8") as fh:
                table = json.load(fh)
        except FileNotFoundError:  # a source tree before its first build: the analyser
            table = {}
        _known = {text: [tuple(word) for word in words] for text, words in table.items()}
    return _known


def learn_readings() -> dict[str, list[tuple[str, str]]]:
    """Start afresh and keep what the analyser says from now on, in the returned dict
    (:mod:`intake.i18n.catalogue_readings` builds the shipped table so)."""
    global _known, _learning
    _known, _learning = {}, True
    furigana.cache_clear()
    readings_in_brackets.cache_clear()
    return _known


def forget_learned_readings() -> None:
    """Back to the shipped table (after :func:`learn_readings`)."""
    global _known, _learning
    _known, _learning = None, False
    furigana.cache_clear()
    readings_in_brackets.cache_clear()


def _analysed(text: str) -> list[tuple[str, str]]:
    """(surface, reading in hiragana) for each word the analyser finds: the shipped
    table's answer for catalogue text, else the analyser's."""
    known = _known_readings().get(text)
    if known is not None:
        return list(known)
    found = _counted(text) or _morphemes(text)
    if _learning:
        _known_readings()[text] = found
    return found


def _morphemes(text: str) -> list[tuple[str, str]]:
    with _lock:
        morphemes = [(m.surface(), m.reading_form(), m.is_oov())
                     for m in _tokenizer().tokenize(text)]
    return [(surface, "" if oov else hiragana(reading)) for surface, reading, oov in morphemes]


# A catalogue placeholder right before a kanji is a number before its counter (賛同 {count}人,
# {days}日, {amount}円): analysed as one, else 人 after 「}」 is read ひと, not にん.  A number
# whose counters take their plain readings (12345人 にん, 12345日 にち; 3日 would be みっか).
_COUNTED = re.compile(f"\\{{\\w+\\}}(?=[{_KANJI}])")
_A_NUMBER = "12345"


def _counted(text: str) -> list[tuple[str, str]] | None:
    """The words of a text with placeholders before counters, read with a number in each
    place and the placeholder given back (no reading); None when there is none, or when
    the analyser joined the number to a neighbour (then the text is read as it is)."""
    places = list(_COUNTED.finditer(text))
    if not places or _A_NUMBER in text:
        return None
    found = _morphemes(_COUNTED.sub(_A_NUMBER, text))
    names = iter(place.group() for place in places)
    words = []
    for surface, reading in found:
        if surface == _A_NUMBER:
            surface, reading = next(names, surface), ""
        elif _A_NUMBER in surface:
            return None
        words.append((surface, reading))
    return words if next(names, None) is None else None


def _words(text: str) -> list[tuple[str, str, bool]]:
    """(surface, reading, from the glossary) for the whole text: glossary words first, the
    analyser for the rest."""
    pattern, readings = _glossary_pattern()
    words: list[tuple[str, str, bool]] = []
    start = 0
    for match in pattern.finditer(text) if readings else ():
        if match.start() > start:
            words.extend((s, r, False) for s, r in _analysed(text[start:match.start()]))
        words.append((match.group(), readings[match.group()], True))
        start = match.end()
    if start < len(text):
        words.extend((s, r, False) for s, r in _analysed(text[start:]))
    return words


def _aligned(surface: str, reading: str) -> list[tuple[str, str]] | None:
    """Split one word into (text, reading) pieces, a reading only on kanji runs: the
    kana in the word are matched against its reading (受け付け / うけつけ → 受=う, け,
    付=つ, け).  None when the word holds letters, digits or signs (1番, 読み方（ふりがな）
    as one dictionary word), which the caller reads piece by piece."""
    runs = _RUNS.findall(surface)
    if any(not has_kanji(run) and not _IS_KANA.fullmatch(run) for run in runs):
        return None
    regex = "".join("(.+?)" if has_kanji(run) else f"({re.escape(hiragana(run))})" for run in runs)
    match = re.fullmatch(regex, reading)
    if match is None:  # an irregular reading: the whole word carries it
        return [(surface, reading)]
    return [(run, read if has_kanji(run) else "")
            for run, read in zip(runs, match.groups(), strict=True)]


def _ruby(text: str, reading: str) -> str:
    return f"<ruby>{escape(text)}<rt>{escape(reading)}</rt></ruby>"


def _word_pieces(surface: str, reading: str, *, split: bool = True) -> list[tuple[str, str]]:
    """(text, reading) pieces of one word, the reading empty where none is shown."""
    if not reading or not has_kanji(surface):
        return [(surface, "")]
    pieces = _aligned(surface, reading)
    if pieces is not None:
        return pieces
    if not split:
        return [(surface, reading)]
    # Signs and digits as they are; each kana-and-kanji stretch analysed on its own.
    result: list[tuple[str, str]] = []
    for run in re.findall(f"[{_KANJI}{_KANA}]+|[^{_KANJI}{_KANA}]+", surface):
        if has_kanji(run) or _IS_KANA.fullmatch(run):
            for s, r in _analysed(run):
                result.extend(_word_pieces(s, r, split=False))
        else:
            result.append((run, ""))
    return result


def remember(text: str, pieces: list[tuple[str, str]]) -> None:
    """What :func:`suggested_pieces` says of ``text``, as it was stored when the text was
    written (a department's name): asked again, it is answered without the analyser."""
    if _remembered.get(text) != pieces:
        _remembered[text] = pieces
        furigana.cache_clear()  # a page made before must not keep other readings


def suggested_pieces(text: str) -> list[tuple[str, str]]:
    """``text`` as (piece, reading) pairs: a reading on each kanji run, none elsewhere.
    A glossary word with digits (10日 → とおか) is read as a whole, never piece by piece."""
    remembered = _remembered.get(text)
    if remembered is not None and not _learning:
        return list(remembered)
    return [piece for surface, reading, reviewed in _words(text)
            for piece in _word_pieces(surface, reading, split=not reviewed)]


@lru_cache(maxsize=8192)
def furigana(text: str) -> Markup:
    """``text`` as safe HTML, every kanji run with its reading in ``<ruby>``."""
    if not has_kanji(text):
        return escape(text)
    return Markup("".join(_ruby(piece, reading) if reading else str(escape(piece))
                          for piece, reading in suggested_pieces(text)))


@lru_cache(maxsize=1024)
def readings_in_brackets(text: str) -> str:
    """Plain text (an e-mail) with each kanji word's reading in brackets after its first
    use: 受付番号（うけつけばんごう）.  Mail has no ruby; the guideline's other way."""
    out, seen = [], set()
    for surface, reading, _reviewed in _words(text):
        if not reading or not has_kanji(surface) or surface in seen:
            out.append(surface)
            continue
        seen.add(surface)
        pieces = _aligned(surface, reading) or [(surface, reading)]
        if sum(1 for _piece, read in pieces if read) > 1:  # 受け付け（うけつけ）
            pieces = [(surface, reading)]
        out.extend(f"{piece}（{read}）" if read else piece for piece, read in pieces)
    return "".join(out)


_RT = re.compile(r"<rt>.*?</rt>|<rp>.*?</rp>", re.S)


def without_ruby(html: str) -> str:
    """The plain text of ruby markup (the readings dropped): for attributes and ``<title>``."""
    return Markup(_RT.sub("", str(html))).striptags()

"""The personal-data scan: where a proposal's free text holds a phone number, an e-mail
address, a postal code, a street address, or the proposer's own name or organization.

A pure function over text, with no database and no Flask: the review before publication
(SPEC section 5, "Personal data before publication") and the comment moderation ask it.

How it works
------------
The text is folded one character for one character (full-width ASCII to half-width, the
ideographic space to a space, every dash variant to "-", ー/ｰ between digits to "-"), so
a match in the folded copy has the original's positions and ``Hit.text`` is always the
substring the citizen wrote. Then:

- phone numbers: Google's ``phonenumbers`` (region JP, leniency VALID) over the folded
  copy's windows that start with 0, (0 or +81 (``[phone] window``: the library is slow on
  every other number of a text), keeping only numbers written with the trunk 0 or +81 (so
  receipt numbers such as T-2026-000123, dates and years are never phones) and not glued
  to a longer number;
- e-mail, postal codes and street addresses: the named regexes of ``patterns.toml`` (data,
  one comment each), compiled once;
- names: built per call from the ``names`` given (the proposer's name and organization),
  with or without a half- or full-width space between the parts.

Overlapping hits are merged: a group of hits that overlap becomes one hit spanning them
all, of the kind of the longest (ties: email, phone, postal_code, address, name), so no
character a hit covered is left out and no two hits overlap.

Decisions
---------
- A bare "N番" is not an address (110番 and 119番 are the police and the fire brigade;
  3番線, 2番目 are ordinals): 番 counts with 号 after it (1番2号), as 番地, or after 丁目.
- A chome alone (中央町3丁目の交差点) names a neighbourhood that proposals talk about all
  the time, not a home: an address hit needs a house number (3丁目1-1, 三丁目1番1号).
  The hit covers the chome and the house number, never the town name.
- "1-2" counts only right after a kanji town name (大手町3-1), never after kana (は3-4,
  スコア3-1), an ordinal or a word of time (第1-2回, 期間1-2), nor before a counter (3-4人).
  Its first number has at most 3 digits, so 計画2025-2026 is no address; the price is that
  a rural lot written 宮河内1234-5 (no 番地) is missed.
- A room number is part of the address hit when it follows one (3丁目1番1号 101号室).
- Seven digits in a row are a postal code only after 〒.
- A family name alone is not searched (山田 is also a town, a station, a neighbour), nor a
  name shorter than two characters; a name written without a space is found only as
  written. Half-width katakana other than ｰ are not folded (ｶﾞ is two characters for one).

Libraries looked at (2026): phonenumbers is given for phones. For the rest none fitted:
``chiban-extract`` (address extraction for property documents; pulls in PyMuPDF, AGPL),
``besshouka`` (alpha, names through GiNZA/spaCy models), ``privyscope-ja`` (downloads
ONNX weights at run time, which this deployment cannot do), ``pleno-recognizers`` (AGPL),
``kakushi``/``namemask``/``privacy-masker`` (new LLM-prompt maskers, judged only by their
descriptions: none says it finds 丁目/番地 house numbers or handles width variants),
``normalize-japanese-addresses``/``jageocoder`` (normalise or geocode ONE address and need
an address database, they do not find addresses in prose). So the patterns are ours, kept
as data, with the tests in tests/test_privacy_scan.py.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers

KINDS = ("phone", "email", "postal_code", "address", "name")
CONTACT_KINDS = ("phone", "email", "postal_code")   # what holds a comment for review

PATTERNS_FILE = Path(__file__).with_name("patterns.toml")


@dataclass(frozen=True)
class Hit:
    field: str      # the field name given by the caller, e.g. "problem"
    kind: str       # one of KINDS
    text: str       # the exact substring of the ORIGINAL text
    start: int      # index into the original field text
    end: int        # exclusive


@dataclass(frozen=True)
class _Rules:
    fold_table: dict[int, str]
    digit_dash: re.Pattern[str]
    regexes: tuple[tuple[str, re.Pattern[str]], ...]   # (kind, compiled)
    phone_starts: tuple[str, ...]
    phone_window: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = tomllib.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    table = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    table.update({ord(dash): "-" for dash in data["fold"]["dashes"]})
    fragments = data["fragments"]
    regexes = []
    for name, pattern in data["patterns"].items():
        source = pattern["regex"]
        for key, value in fragments.items():
            source = source.replace("{" + key + "}", value)
        if pattern["kind"] not in KINDS:
            raise ValueError(f"patterns.toml: {name} has an unknown kind {pattern['kind']!r}")
        regexes.append((pattern["kind"], re.compile(source)))
    digit_dashes = re.escape(data["fold"]["digit_dashes"])
    return _Rules(
        fold_table=table,
        digit_dash=re.compile(f"(?<=[0-9])[{digit_dashes}](?=[0-9])"),
        regexes=tuple(regexes),
        phone_starts=tuple(data["phone"]["starts"]),
        phone_window=re.compile(data["phone"]["window"]),
    )


def fold(text: str) -> str:
    """The width- and dash-folded copy of ``text``, of exactly the same length."""
    rules = _rules()
    folded = rules.digit_dash.sub("-", text.translate(rules.fold_table))
    assert len(folded) == len(text)
    return folded


def _phones(folded: str, rules: _Rules) -> list[tuple[str, int, int]]:
    found = []
    for window in rules.phone_window.finditer(folded):
        offset = window.start()
        for match in phonenumbers.PhoneNumberMatcher(
                window.group(), "JP", leniency=phonenumbers.Leniency.VALID):
            start, end = offset + match.start, offset + match.end
            if not match.raw_string.lstrip("(").startswith(rules.phone_starts):
                continue
            before = folded[max(0, start - 2):start]
            if (before[-1:].isdigit() or (before.endswith("-") and before[:1].isdigit())
                    or folded[end:end + 1].isdigit()):
                continue   # part of a longer number (a receipt, an ISBN), not a phone
            found.append(("phone", start, end))
    return found


_SPACES = "[ \t]{0,2}"


@lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    alternatives = []
    for name in names:
        parts = fold(name or "").split()
        if len("".join(parts)) < 2:
            continue
        alternatives.append(_SPACES.join(re.escape(part) for part in parts))
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)   # the longest name first
    return re.compile("|".join(alternatives), re.IGNORECASE)


_PRIORITY = {kind: rank for rank, kind in enumerate(("email", "phone", "postal_code",
                                                      "address", "name"))}


def _resolve(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Merge overlapping spans: one span per overlapping group, the longest one's kind."""
    merged: list[tuple[str, int, int]] = []
    best: tuple[int, int] = (0, 0)   # (length, -priority) of the kind chosen for the group
    for kind, start, end in sorted(spans, key=lambda s: (s[1], -s[2])):
        rank = (end - start, -_PRIORITY[kind])
        if merged and start < merged[-1][2]:
            group_kind, group_start, group_end = merged[-1]
            if rank > best:
                group_kind, best = kind, rank
            merged[-1] = (group_kind, group_start, max(group_end, end))
        else:
            merged.append((kind, start, end))
            best = rank
    return merged


def _check_kinds(kinds: Collection[str]) -> None:
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown personal-data kinds: {sorted(unknown)}; known: {KINDS}")


def scan_text(field: str, text: str, *, names: Sequence[str] = (),
              kinds: Collection[str] = KINDS) -> list[Hit]:
    """Every personal-data hit in one field's text, in order of position, none overlapping."""
    _check_kinds(kinds)
    if not text:
        return []
    rules = _rules()
    folded = fold(text)
    spans: list[tuple[str, int, int]] = []
    if "phone" in kinds:
        spans.extend(_phones(folded, rules))
    for kind, regex in rules.regexes:
        if kind in kinds:
            spans.extend((kind, m.start(), m.end()) for m in regex.finditer(folded))
    if "name" in kinds and (pattern := _name_pattern(tuple(n for n in names if n))):
        spans.extend(("name", m.start(), m.end()) for m in pattern.finditer(folded))
    return [Hit(field, kind, text[start:end], start, end)
            for kind, start, end in _resolve(spans) if end > start]


def scan_fields(fields: Mapping[str, str], *, names: Sequence[str] = (),
                kinds: Collection[str] = KINDS) -> list[Hit]:
    """The hits of every field, in the order the fields are given, then by position."""
    hits: list[Hit] = []
    for field, text in fields.items():
        hits.extend(scan_text(field, text or "", names=names, kinds=kinds))
    return hits

"""Typed readers for one TOML table of a workflow definition, each reporting its own problem.

The loader (:mod:`workflows.loader`) knows what a workflow is made of; this module knows how
to read one value (a name, a flag, a list of strings, a label, a choice from a closed list)
and how to word and place a problem ("line 12: [states.x]: …") without stopping, so that
one load reports every mistake of a file at once.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any

from .definition import LANGUAGES, Label
from .source_lines import Place, SourceLines

NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
NAME_RULE = 'lower-case letters, digits and "_", starting with a letter'


class FieldReader:
    """Reads values out of parsed TOML tables, collecting problems in :attr:`problems`."""

    def __init__(self, text: str) -> None:
        self.lines = SourceLines(text)
        self.problems: list[str] = []

    def check_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], where: Place) -> None:
        for key in table:
            if key not in allowed:
                self.report(where, f'unknown key "{key}"{did_you_mean(key, allowed)}', key=key)

    def name(
        self, table: Mapping[str, Any], key: str, where: Place, *, required: bool = True
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.report(where, f'missing key "{key}"')
            return None
        if not isinstance(value, str) or not NAME.match(value):
            self.report(where, f"{key} must be {NAME_RULE}, not {show(value)}", key=key)
            return None
        return value

    def one_of(
        self, table: Mapping[str, Any], key: str, where: Place, known: Collection[str]
    ) -> str | None:
        """An optional string that must be one of ``known`` (a closed list such as RULINGS)."""
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or value not in known:
            hint = did_you_mean(value, known) if isinstance(value, str) else ""
            listed = ", ".join(known)
            self.report(where, f"unknown {key} {show(value)}{hint} (known: {listed})", key=key)
            return None
        return value

    def flag(self, table: Mapping[str, Any], key: str, where: Place) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.report(where, f"{key} must be true or false, not {show(value)}", key=key)
            return False
        return value

    def strings(
        self,
        table: Mapping[str, Any],
        key: str,
        where: Place,
        *,
        required: bool = False,
        known: Collection[str] | None = None,
        kind: str = "",
    ) -> tuple[str, ...]:
        """A string or a list of strings, each (if ``known`` is given) one of ``known``."""
        value = table.get(key)
        if value is None:
            if required:
                self.report(where, f'missing key "{key}"')
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            self.report(where, f"{key} must be a list of strings, not {show(value)}", key=key)
            return ()
        if required and not items:
            self.report(where, f"{key} must not be empty", key=key)
        for item in items:
            if known is not None and item not in known:
                listed = ", ".join(known) or "none registered"
                self.report(where, f'unknown {kind} "{item}" (known: {listed})', key=key)
        return tuple(items)

    def label(self, table: Mapping[str, Any], where: Place, *, required: bool) -> Label:
        value = table.get("label")
        if value is None:
            if required:
                self.report(where, 'missing label, e.g. label = { ja = "…", en = "…" }')
            return MappingProxyType({})
        if not isinstance(value, dict):
            self.report(where, 'label must be a table, e.g. { ja = "…", en = "…" }', key="label")
            return MappingProxyType({})
        for lang, text in value.items():
            if lang not in LANGUAGES:
                known = ", ".join(LANGUAGES)
                self.report(
                    where, f'label: unknown language "{lang}" (known: {known})', key="label"
                )
            elif not isinstance(text, str) or not text.strip():
                self.report(where, f"label: {lang} must be non-empty text", key="label")
        if required and "ja" not in value:
            self.report(where, 'label needs a Japanese text (ja = "…")', key="label")
        return MappingProxyType(
            {
                lang: text
                for lang, text in value.items()
                if lang in LANGUAGES and isinstance(text, str)
            }
        )

    def report(self, where: Place, message: str, *, key: str | None = None) -> None:
        """Add a problem, prefixed by the line of ``key`` in ``where`` (else of the table)."""
        line = self.lines.key(where, key) if key is not None else where.line
        prefix = f"line {line}: " if line else ""
        self.problems.append(f"{prefix}{where.name}: {message}")


def did_you_mean(word: str, options: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def show(value: Any) -> str:
    """A value as the TOML author wrote it (strings quoted), for error messages."""
    return json.dumps(value, ensure_ascii=False, default=str)

"""Where things are in a workflow TOML file, for error messages.

``tomllib`` reports line numbers only for syntax errors; for a valid file with a wrong value
we find the line by searching the text for the table header (``[states.x]``, the n-th
``[[transitions]]``, ``[transitions.inputs.y]``) and then for ``key =`` inside that table.
This covers the layout the shipped files use; for any other layout (inline tables, dotted
keys) the search finds nothing and the message names the table without a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TRANSITION_HEADER = r"\[\[\s*transitions\s*\]\]"


@dataclass(frozen=True)
class Place:
    """A table of the file: its readable name and the line of its header.

    ``line`` is 0 for the top level (before any header) and ``None`` when not found.
    """

    name: str
    line: int | None


TOP = Place("workflow", 0)


class SourceLines:
    """Line lookups over one file's text (1-based line numbers, as editors show them)."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def state(self, name: str) -> Place:
        header = rf'\[\s*states\s*\.\s*"?{re.escape(name)}"?\s*\]'
        return Place(f"[states.{name}]", self._header(header))

    def transition(self, index: int, trigger: object) -> Place:
        """The ``index``-th (0-based) ``[[transitions]]``, shown 1-based with its trigger."""
        name = f"[[transitions]] #{index + 1}"
        if isinstance(trigger, str):
            name += f' (trigger "{trigger}")'
        return Place(name, self._header(_TRANSITION_HEADER, nth=index + 1))

    def input(self, transition: Place, name: str) -> Place:
        """The transition's ``[transitions.inputs.<name>]`` table, else its ``inputs =`` line."""
        place_name = f'{transition.name} input "{name}"'
        if transition.line is None:
            return Place(place_name, None)
        header = rf'\[\s*transitions\s*\.\s*inputs\s*\.\s*"?{re.escape(name)}"?\s*\]'
        line = self._header(header, start=transition.line)
        next_transition = self._header(_TRANSITION_HEADER, start=transition.line)
        if line is None or (next_transition is not None and line > next_transition):
            line = self.key(transition, "inputs")
        return Place(place_name, line)

    def key(self, place: Place, key: str) -> int | None:
        """The line of ``key = …`` inside the table at ``place``, else the table's own line."""
        if place.line is None:
            return None
        regex = re.compile(rf'\s*"?{re.escape(key)}"?\s*=')
        for number in range(place.line + 1, len(self._lines) + 1):
            text = self._lines[number - 1]
            if text.lstrip().startswith("["):
                break
            if regex.match(text):
                return number
        return place.line or None

    def _header(self, pattern: str, *, start: int = 0, nth: int = 1) -> int | None:
        """The line of the ``nth`` header matching ``pattern`` after line ``start``."""
        regex = re.compile(rf"\s*{pattern}\s*(#.*)?$")
        for number in range(start + 1, len(self._lines) + 1):
            if regex.match(self._lines[number - 1]):
                nth -= 1
                if not nth:
                    return number
        return None

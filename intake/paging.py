"""Keyset pages both ways: the cursor a list gives out, and a page put together from
the rows read after (or before) it.

A cursor is the sort key of a row, as an opaque base64 JSON list of whole numbers: the
last row of a page (read on after it: the next page) or, led by ``"prev"``, the first row
of a page (read on before it: the previous page).  A list reads the previous page as it
reads the next, its index walked the other way — every ORDER BY term and every
comparison turned round, cut by ``LIMIT`` — and the rows found are put back in the
list's order here; never ``OFFSET``, so going back from page 10,000 costs what going
back from page 2 costs.  A cursor that is not one of these is refused naming ``cursor``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import Invalid

BACKWARD = "prev"  # the first element of a cursor read backwards


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None
    prev_cursor: str | None = None


@dataclass(frozen=True)
class Position:
    """Where a page starts: after ``key`` (or, ``backward``, before it); no key: the
    first page."""

    key: list[int] | None = None
    backward: bool = False


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _refused() -> Invalid:
    return Invalid("cursor: not a cursor this list gave out", fields={"cursor": ["invalid"]})


def _payload(cursor: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, RecursionError):  # RecursionError: a forged "[[[[…" cursor
        raise _refused() from None


def _key(values, size: int) -> list[int]:
    if isinstance(values, list) and len(values) == size and all(
        type(v) is int and 0 <= v < 2**63 for v in values  # beyond: SQLite overflows
    ):
        return values
    raise _refused()


def decode_cursor(cursor: str | None, size: int) -> list | None:
    """The key of a forward cursor of ``size`` numbers (lists that page forward only)."""
    return _key(_payload(cursor), size) if cursor else None


def decode_position(cursor: str | None, size: int) -> Position:
    """Where a cursor of a list paged both ways starts (its key: ``size`` numbers)."""
    if not cursor:
        return Position()
    values = _payload(cursor)
    if isinstance(values, list) and values[:1] == [BACKWARD]:
        return Position(_key(values[1:], size), backward=True)
    return Position(_key(values, size))


def assemble(found: list[tuple[list[int], Any]], position: Position, limit: int,
             first_page: Callable[[], Page]) -> Page:
    """The page of ``found`` — up to ``limit + 1`` (key, row) pairs read from
    ``position`` in its direction (backwards: the nearest first) — with the cursors of
    the pages beside it.

    Read backwards, ``limit + 1`` rows mean there is a page before; fewer than ``limit``
    mean the start was reached short of a page (rows added or removed since the cursor
    was given out): the first page is then answered as it is now (``first_page()``),
    never a short page with no way further back."""
    more = len(found) > limit
    found = found[:limit]
    if not position.backward:
        return Page([row for _key, row in found],
                    encode_cursor(found[-1][0]) if more and found else None,
                    back_cursor(found[0][0]) if position.key is not None and found else None)
    if not more and len(found) < limit:
        return first_page()
    found.reverse()
    return Page([row for _key, row in found], encode_cursor(found[-1][0]),
                back_cursor(found[0][0]) if more else None)


def back_cursor(key: list[int]) -> str:
    """The cursor of the page before the row whose key is ``key``."""
    return encode_cursor([BACKWARD, *key])

"""The open-data files, written as they are read: each format turns the rows of
:mod:`.export` into text chunks, never the whole document.

- **CSV** for Excel in Japan: the office's spreadsheet rules, one definition
  (:func:`intake.office.spreadsheet.lines`): UTF-8 with a byte-order mark, CRLF, the
  column names as the header row, and a cell starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return prefixed with ``'`` (OWASP's CSV injection rule: titles
  and reasons are free text).  An absent value is an empty cell.
- **JSON**: one array of objects, one object per line (``[`` and ``]`` on lines of
  their own), keys as the CSV's header, absent values ``null``, numbers as numbers.
  An array rather than JSON Lines: every JSON reader opens it as it is.  Values are not
  neutralised: no spreadsheet runs JSON.

Lines are gathered into chunks of about :data:`CHUNK` characters, so an HTTP download or
a file gets a few large writes rather than one per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from intake.office import spreadsheet

from .export import COLUMNS, Row

CHUNK = 64 * 1024


def csv_text(rows: Iterable[Row]) -> Iterator[str]:
    return spreadsheet.lines(COLUMNS, ([r[name] for name in COLUMNS] for r in rows))


def json_text(rows: Iterable[Row]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for r in rows:
        yield separator + json.dumps(r, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


@dataclass(frozen=True)
class Format:
    name: str
    mimetype: str
    write: Callable[[Iterable[Row]], Iterator[str]]  # rows → text pieces

    def chunks(self, rows: Iterable[Row]) -> Iterator[str]:
        """The document in chunks of about :data:`CHUNK` characters."""
        pending: list[str] = []
        size = 0
        for piece in self.write(rows):
            pending.append(piece)
            size += len(piece)
            if size >= CHUNK:
                yield "".join(pending)
                pending, size = [], 0
        if pending:
            yield "".join(pending)

    def save(self, rows: Iterable[Row], out: BinaryIO) -> None:
        """Write the document to a binary file (UTF-8), chunk by chunk."""
        for chunk in self.chunks(rows):
            out.write(chunk.encode("utf-8"))


FORMATS = {
    "csv": Format("csv", spreadsheet.MIMETYPE, csv_text),
    "json": Format("json", "application/json; charset=utf-8", json_text),
}

"""What the office's-view tests share (tests/test_dashboard.py, tests/test_agenda.py):
proposals submitted and ruled on fixed Japanese dates, and reading a page's tables and a
CSV download."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from html.parser import HTMLParser

from intake.models import JST
from tests import ops as operations

from .workflow_support import INPUTS, lead, record_deliberation, walk


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of ``day`` in Japan."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST)


def submitted(city, on: date | datetime, **overrides):
    """A proposal submitted ``on`` (a day in Japan, or an exact moment).  The operation
    stamps the real clock; the test sets the moment, as a data set would have it."""
    proposal, _ = city.submit(**overrides)
    proposal.submitted_at = on if isinstance(on, datetime) else at(on)
    city.session.commit()
    return proposal


def ruled(city, category: str, on: date, ruled_on: date, decision: str):
    """Submitted ``on``, ruled ``ruled_on`` through the real operations (whose ``today``
    is the day of the ruling: the business days are counted by the operation); the
    ruling's moment is set to that day in Japan, as the real clock would have had it."""
    proposal = submitted(city, on, category=category)
    if decision == "rejected":
        walk(city.session, proposal, "rejected", today=ruled_on)
    else:
        walk(city.session, proposal, "in_deliberation", today=ruled_on)
        record_deliberation(city.session, proposal)
        inputs = dict(INPUTS["adopt"])
        if decision == "partially_adopted":
            inputs["scope"] = "花壇のみ設置する。"
        operations.fire_trigger(city.session, proposal, "adopt", lead(proposal), inputs,
                                today=ruled_on)
    proposal.ruled_at = at(ruled_on, 16)
    city.session.commit()
    assert proposal.ruling_decision == decision
    return proposal


class Tables(HTMLParser):
    """Every table row of a page that carries a ``data-<key>`` attribute, as the texts
    of its cells, per table (the ``id`` of the nearest enclosing element with one)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = f"data-{key}"
        self.rows: dict[str, dict[str, list[str]]] = {}
        self._ids: list[str | None] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag in ("figure", "section", "div", "table", "tbody", "tr", "td", "th", "ul", "li",
                   "span", "a", "strong"):
            self._ids.append(found.get("id"))
        if tag == "tr" and self.key in found:
            owner = next((i for i in reversed(self._ids) if i), "")
            self._row = self.rows.setdefault(owner, {}).setdefault(found[self.key], [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr":
            self._row = None
        if tag in ("figure", "section", "div", "table", "tbody", "tr", "td", "th", "ul", "li",
                   "span", "a", "strong") and self._ids:
            self._ids.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str, key: str) -> dict[str, dict[str, list[str]]]:
    parser = Tables(key)
    parser.feed(html)
    return parser.rows


def read_csv(body: bytes) -> list[list[str]]:
    """A download as Excel in Japan needs it: UTF-8 with a BOM."""
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))

"""Receipt numbers: ``T-<year of submission in JST>-<proposal id, six digits or more>``,
derived from the proposal (no column of their own: the primary key finds one), and read
back from what people type (:func:`parse_receipt`) by every door that takes one — the
lost-link page, the list's ``q``, Open311 tokens, the rulings import."""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from forms.normalize import machine_text
from workflows.calendar import JST


def receipt_for(proposal_id: int, submitted_at: datetime) -> str:
    return str(Receipt(submitted_at.astimezone(JST).year, proposal_id))


class Receipt(NamedTuple):
    """A receipt number read back: the year of submission (JST) and the proposal id.
    ``str()`` gives it as printed: ``T-2026-000034``."""

    year: int
    number: int

    def __str__(self) -> str:
        return f"T-{self.year}-{self.number:06d}"

    def year_bounds(self) -> tuple[datetime, datetime]:
        """The year the number names, in JST: its proposal was submitted in between."""
        start = datetime(self.year, 1, 1, tzinfo=JST)
        return start, start.replace(year=self.year + 1)


# T, the year and the number, apart by a dash, spaces, both or neither (the year has four digits).
_RECEIPT = re.compile(r"T\s*-?\s*([0-9]{4})\s*-?\s*([0-9]{1,10})", re.ASCII)


def parse_receipt(text: str) -> Receipt | None:
    """A receipt number as people type it, or None if it is none: full width
    (``Ｔ－２０２６－０００３４``), any dash look-alike (－ ― ‐ ー …), lower case, spaces, the
    leading zeros left out (``T-2026-34``).  Every door that takes a receipt number reads
    it here.  A number beyond the id column's range names no proposal (None)."""
    found = _RECEIPT.fullmatch(machine_text(text).upper())
    if found is None or not 0 < int(found.group(2)) < 2**31:
        return None
    return Receipt(int(found.group(1)), int(found.group(2)))

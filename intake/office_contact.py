"""How citizens reach the collaboration office: its telephone, opening hours and address
(TEIAN_OFFICE_PHONE, TEIAN_OFFICE_HOURS, TEIAN_OFFICE_ADDRESS), read once at start-up.

The hours are two times, ``8:30-17:15``, on the days the deadlines count as business days
(weekdays that are not national holidays, outside the 29 December–3 January closure); the
catalogue words them in each language, so an English page never shows 「平日」.

An older TEIAN_OFFICE_PHONE held the hours in brackets, ``0123-45-6789（平日 8:30〜17:15）``:
such a value is read as the number and those hours (TEIAN_OFFICE_HOURS, when set, wins).
A bracket that holds anything else is kept as written, shown as it always was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TIME = r"(\d{1,2}):(\d{2})"
_HOURS = re.compile(rf"^{_TIME}\s*[-~〜–—]\s*{_TIME}$")
# The number, then the hours in brackets, perhaps after 平日 ("weekdays"); after NFKC, which
# turns full-width brackets and ～ into ASCII (〜, the wave dash, stays as it is).
_PHONE_WITH_HOURS = re.compile(r"^(?P<number>[^()]+?)\s*\(\s*(?:平日\s*)?(?P<hours>[^()]+?)\s*\)$")
_DIALLABLE = re.compile(r"^\+?[\d\s()-]+$")


@dataclass(frozen=True)
class OfficeHours:
    """Opening and closing time on a business day, as people write them (``8:30``)."""

    opens: str
    closes: str


@dataclass(frozen=True)
class OfficeContact:
    phone: str = ""
    hours: OfficeHours | None = None
    address: str = ""

    @property
    def tel(self) -> str | None:
        """The ``tel:`` address of the phone, or None when it is not a plain number."""
        if not _DIALLABLE.match(self.phone):
            return None
        return "tel:" + re.sub(r"[^\d+]", "", self.phone)


def parse_hours(text: str) -> OfficeHours:
    """``8:30-17:15`` (full-width digits, 〜 and ~ allowed) as opening hours; ValueError
    for anything else, or a closing time not after the opening time."""
    found = _HOURS.match(unicodedata.normalize("NFKC", text).strip())
    if not found:
        raise ValueError(text)
    oh, om, ch, cm = (int(part) for part in found.groups())
    if oh > 23 or ch > 24 or om > 59 or cm > 59 or (ch, cm) <= (oh, om) or (ch == 24 and cm):
        raise ValueError(text)
    return OfficeHours(f"{oh}:{om:02d}", f"{ch}:{cm:02d}")


def office_contact(phone: str, hours: str, address: str) -> OfficeContact:
    """The settings' three values as the pages use them; ValueError (naming the setting)
    for hours that are not two times."""
    phone, hours, address = phone.strip(), hours.strip(), address.strip()
    opening = None
    if hours:
        try:
            opening = parse_hours(hours)
        except ValueError:
            raise ValueError(f"TEIAN_OFFICE_HOURS must be the opening and closing time on "
                             f"a business day, such as 8:30-17:15 (got {hours!r})") from None
    older = _PHONE_WITH_HOURS.match(unicodedata.normalize("NFKC", phone))
    if older:
        try:
            in_brackets = parse_hours(older["hours"])
        except ValueError:
            pass  # not hours: the value stays as written
        else:
            phone, opening = older["number"], opening or in_brackets
    return OfficeContact(phone=phone, hours=opening, address=address)

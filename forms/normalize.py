"""Normalisation for the fields where it is safe (SPEC section 2).

Only machine-readable values are normalised: e-mail addresses, phone numbers,
amounts and postal codes.  NFKC turns full-width ＡＢＣ１２３＠ into ASCII,
but leaves the dash look-alikes that Japanese keyboards produce, so those are
mapped to ``-`` by hand.  Prose and names are never touched: even NFC would
rewrite some kanji (U+FA19 神), and a name must come back as it was typed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

# Dash look-alikes NFKC keeps: hyphen, non-breaking hyphen, figure dash,
# en/em dash, horizontal bar, minus, katakana prolonged sound mark, small
# hyphen-minus, full-width hyphen-minus is handled by NFKC itself.
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\ufe63\uff70"), "-"
)


def strip_ends(value: str | None) -> str | None:
    """Outer whitespace only: prose keeps every character the writer typed."""
    return value.strip() if isinstance(value, str) else value


def machine_text(value: str) -> str:
    """NFKC, dashes to ``-``, outer whitespace removed."""
    return unicodedata.normalize("NFKC", value).translate(_DASHES).strip()


def email_address(value: str) -> str:
    """NFKC-normalised, the domain lower-cased (the local part is the
    recipient's business: RFC 5321 lets it be case-sensitive)."""
    text = machine_text(value)
    local, sep, domain = text.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else text


def phone_number(value: str) -> str:
    """NFKC-normalised with inner spaces removed: ``０３ー１２３４`` → ``03-1234``.  The
    brackets Japanese numbers are often written with mark the area code's end, so they
    become hyphens: ``03(1234)5678`` and ``(03)1234-5678`` → ``03-1234-5678``; a
    leading ``+`` is kept for the validator to accept, its number's spaces becoming
    hyphens (``+81 3 1234 5678`` → ``+81-3-1234-5678``)."""
    text = machine_text(value)
    if "(" in text or ")" in text or "+" in text:
        text = "-".join(text.replace("(", " ").replace(")", " ").split())
        return re.sub(r"-{2,}", "-", text).strip("-")
    return "".join(text.split())


def whole_yen(value: str) -> str:
    """Digits of an amount as typed: full-width digits, ``,``, a leading ``¥`` (``￥``, or
    the ``\\`` a Japanese keyboard's ¥ key types in ASCII mode) and a trailing ``円`` are
    accepted (``１，０００円`` → ``1000``, ``￥３０，０００`` → ``30000``), and the units people
    write amounts in (``5万円`` → ``50000``, ``1.5万`` → ``15000``, ``1億2000万`` →
    ``120000000``).  A minus sign is kept (``-5万`` → ``-50000``), for the validator to
    say the amount must be 0 or more.  Anything else is left as typed, to be refused."""
    text = machine_text(value).replace(",", "").replace("_", "")
    text = text.removesuffix("円").strip().removeprefix("¥").removeprefix("\\").strip()
    if text.startswith("-"):
        return "-" + _with_units(text[1:].strip())
    return _with_units(text)


_UNITS = (10**12, 10**8, 10**4, 10**3)  # 兆, 億, 万, 千
_AMOUNT = re.compile(r"(?:(\d+(?:\.\d+)?)兆)?(?:(\d+(?:\.\d+)?)億)?"
                     r"(?:(\d+(?:\.\d+)?)万)?(?:(\d+(?:\.\d+)?)千)?(\d+)?")


def _with_units(text: str) -> str:
    """``text`` in plain digits if it is an amount written with 兆, 億, 万 or 千 that
    comes to whole yen; else unchanged (``1.23456万`` is not a whole number of yen)."""
    found = _AMOUNT.fullmatch(text)
    if found is None or not any(found.groups()[:4]):
        return text
    units = zip(found.groups()[:4], _UNITS, strict=True)
    total = sum((Decimal(part) * unit for part, unit in units if part),
                Decimal(found.group(5) or 0))
    return str(int(total)) if total == total.to_integral_value() else text

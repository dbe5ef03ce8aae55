"""A sent PDF checked: pypdf parses it, and one holding JavaScript or a launch action is
refused (the rules: :mod:`.inspect`).  Imported when a PDF is inspected.

A PDF that cannot be looked into is refused by rules of its own, not ``type``: the sender
did send a PDF, and "only JPEG, PNG, HEIC and PDF" would tell them nothing they can act
on.  ``pdf_locked``: password-protected (remove the password); ``pdf_damaged``: no pages,
unparseable, or too many objects to check (save it again, or send photos of it)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from .inspect import (
    CONTENT_TYPES,
    MAX_PDF_OBJECTS,
    SCRIPT_ACTIONS,
    SCRIPT_KEYS,
    SUFFIXES,
    CleanFile,
    Refused,
)


def checked_pdf(raw: bytes, name: str) -> CleanFile:
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise Refused("pdf_locked")  # cannot be looked into
        if len(reader.pages) < 1:
            raise Refused("pdf_damaged")
        if _runs_something(reader):
            raise Refused("script")
    except Refused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, IndexError, AssertionError) as exc:
        raise Refused("pdf_damaged") from exc
    return CleanFile(name=name, content_type=CONTENT_TYPES["PDF"], suffix=SUFFIXES["PDF"],
                     data=raw)


def _runs_something(reader: PdfReader) -> bool:
    """Whether any object reachable from the trailer holds JavaScript or an action that
    launches, imports or plays something (names are compared decoded: ``/J#61vaScript``
    is ``/JavaScript``)."""
    stack: list[object] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        item = stack.pop()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise Refused("pdf_damaged")
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            stack.append(item.get_object())
        elif isinstance(item, DictionaryObject):  # streams too (their dictionary)
            if SCRIPT_KEYS & set(item.keys()):
                return True
            action = item.get("/S")
            if isinstance(action, IndirectObject):
                action = action.get_object()
            if isinstance(action, NameObject) and action in SCRIPT_ACTIONS:
                return True
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False

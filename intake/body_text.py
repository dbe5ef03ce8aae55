"""The one rule for the text of a form body, for every door that reads one (the pages,
the JSON API's multipart form, Open311): it is UTF-8 text, or it is not read at all.

Werkzeug is lenient where we must not be: a urlencoded body that is not UTF-8 is
silently read as an empty form (Open311 then found no ``api_key`` and answered a
misleading 403), a percent-escape that is not UTF-8 (``%FF``) is kept as the three
characters ``%FF``, and a multipart field's bad bytes become U+FFFD.  Each of these
would store text the sender never wrote.  :class:`Utf8Request` reads form bodies
strictly instead; a body that fails gets an empty form that says so, and each door asks
:func:`body_is_utf8` and answers in its own format (Open311 400, the API 400, the
public page 400 with the form again, a staff page 400 saying so — even where the CSRF
check ran first, since the token was in the unread body), naming this rule.
"""

from __future__ import annotations

import codecs
from urllib.parse import parse_qsl

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.formparser import FormDataParser, MultiPartParser

# A codec that decodes UTF-8 strictly whatever error handling its caller asks for
# (werkzeug decodes multipart fields with "replace", which would hide the fault).
STRICT_UTF8 = "teian_strict_utf_8"


def _strict_decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    return codecs.utf_8_decode(data, "strict", True)


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name != STRICT_UTF8:
        return None
    return codecs.CodecInfo(codecs.utf_8_encode, _strict_decode, name=STRICT_UTF8)


codecs.register(_find_codec)


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 text (for bodies read whole, such as JSON)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class NotUtf8Form(ImmutableMultiDict):
    """The (empty) form of a body that is not UTF-8: its type is the mark."""


class _NotUtf8(Exception):
    """Not a ValueError, which werkzeug's parser would swallow as a malformed body."""


class _StrictMultiPartParser(MultiPartParser):
    def get_part_charset(self, headers) -> str:
        charset = super().get_part_charset(headers)
        return STRICT_UTF8 if charset in ("utf-8", "ascii", "us-ascii") else charset


class _Utf8FormDataParser(FormDataParser):
    def parse(self, stream, mimetype, content_length, options=None):
        try:
            return super().parse(stream, mimetype, content_length, options)
        except _NotUtf8:
            return stream, NotUtf8Form(), self.cls()

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        try:
            items = parse_qsl(stream.read().decode("utf-8"), keep_blank_values=True,
                              encoding="utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise _NotUtf8 from exc
        return stream, self.cls(items), self.cls()

    def _parse_multipart(self, stream, mimetype, content_length, options):
        parser = _StrictMultiPartParser(stream_factory=self.stream_factory,
                                        max_form_memory_size=self.max_form_memory_size,
                                        max_form_parts=self.max_form_parts, cls=self.cls)
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        try:
            form, files = parser.parse(stream, boundary, content_length)
        except UnicodeDecodeError as exc:  # a field's value or a part's header
            raise _NotUtf8 from exc
        return stream, form, files


class Utf8Request(Request):
    """The app's request: form bodies are read as strict UTF-8 (see the module)."""

    form_data_parser_class = _Utf8FormDataParser


def body_is_utf8() -> bool:
    """Whether the current request's form body (if any) was UTF-8 text."""
    return not isinstance(request.form, NotUtf8Form)

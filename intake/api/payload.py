"""Reading requests: the JSON body, typed values out of it, and the query string.

Everything a client sends is checked here before it reaches an operation or the
database, so bad input ends in a 4xx that names the field, never in a 500: a JSON body
must be an object, parsed strictly (no ``NaN``, no 5 000-digit integers, no nesting
that exhausts the stack); no string may hold NUL or a lone surrogate (PostgreSQL and
UTF-8 refuse both); integers must fit the column they are compared with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from flask import request
from wtforms import Form

from intake.body_text import body_is_utf8, is_utf8
from intake.errors import Invalid
from intake.i18n import translate
from intake.queries import INT32_MAX

from .errors import BadRequest, UnsupportedMediaType, lang

# The JSON types a form field may receive.  Any scalar reads as its text (a number for
# an amount of yen); a comment's texts must be strings.
SCALARS = (str, int, float, bool, type(None))
TEXT = (str, type(None))
# The staff actions' forms: each field's JSON type follows the field (see _json_type_error).
STRICT = (str, int, bool, type(None))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def json_body() -> dict[str, object]:
    """The request's JSON object: 415 unless sent as JSON, 413 when over the app's
    MAX_CONTENT_LENGTH (werkzeug raises it while reading), 400 when not parseable or
    not an object, 422 naming each top-level field that holds unstorable text."""
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(translate("api.error.unsupported_media_type", lang()))
    raw = request.get_data(cache=True)
    try:
        payload = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        if not is_utf8(raw):  # RFC 8259: JSON between systems is UTF-8
            raise BadRequest(translate("api.error.not_utf8", lang()), code="not_utf8") from exc
        raise BadRequest(translate("api.error.malformed_json", lang()),
                         code="malformed_json") from exc
    if not isinstance(payload, dict):
        raise BadRequest(translate("api.error.not_an_object", lang()), code="not_an_object")
    bad = [name for name, value in payload.items()
           if not storable(name) or not _all_storable(value)]
    if bad:
        fields = {name: [translate("api.error.bad_characters", lang(), field=name)]
                  for name in bad}
        raise Invalid(_summary(bad), fields=fields, translated=True)
    return payload


def multipart_body() -> dict[str, object]:
    """A multipart form's text fields as a JSON-like object (the first value of each name;
    files stay in ``request.files``), refused like :func:`json_body` when a value holds
    unstorable text, and with 400 when the body is not UTF-8 (:mod:`intake.body_text`).
    Over the request's body limit werkzeug answers 413 while reading."""
    if not body_is_utf8():
        raise BadRequest(translate("api.error.not_utf8", lang()), code="not_utf8")
    payload: dict[str, object] = {}
    for name, value in request.form.items(multi=True):
        payload.setdefault(name, value)
    bad = sorted({name for name, value in request.form.items(multi=True)
                  if not storable(name) or not storable(value)})
    bad += sorted({name for name in request.files if not storable(name)} - set(bad))
    if bad:
        fields = {name: [translate("api.error.bad_characters", lang(), field=name)]
                  for name in bad}
        raise Invalid(_summary(bad), fields=fields, translated=True)
    return payload


def storable(text: str) -> bool:
    """Text a database can keep: no NUL, valid UTF-8 (no lone surrogates)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _all_storable(value: object) -> bool:
    """Every string inside ``value`` (keys too), walked without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not storable(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def check_query_string() -> None:
    """Query parameters feed SQL filters: refuse the same unstorable text there."""
    bad = [name for name, value in request.args.items(multi=True)
           if not (storable(name) and storable(value))]
    if bad:
        fields = {name: [translate("api.error.bad_query", lang(), field=name)] for name in bad}
        raise BadRequest(translate("api.error.bad_query", lang(), field=", ".join(bad)),
                         code="bad_query", fields=fields)


def validated(form: Form, payload: Mapping[str, object], *, accepts: tuple = SCALARS) -> Form:
    """``form`` (built from ``payload`` with ``formdata_from_json``), validated by the
    same rules as on the web page; a value of a JSON type the field does not accept
    (a list, an object; for text-only forms a number) fails that field by name, in
    the form's language.  Raises one :class:`~intake.errors.Invalid` (422) naming every
    field to correct."""
    valid = form.validate()
    fields = {name: list(errors) for name, errors in form.errors.items() if name and errors}
    for field in form:
        value = payload.get(field.name)
        if getattr(field, "takes_list", False):  # a JSON array of strings (TextListField)
            if value is not None and not (isinstance(value, list)
                                          and all(isinstance(v, str) for v in value)):
                fields[field.name] = [translate("api.error.text_list", form.lang,
                                                field=field.label.text)]
            continue
        if not isinstance(value, accepts):
            fields[field.name] = [translate("api.error.text", form.lang, field=field.label.text)]
        elif value is not None and (key := _json_type_error(field, value, accepts)):
            fields[field.name] = [translate(key, form.lang, field=field.label.text,
                                            min=0, max=INT32_MAX)]
    if not valid or fields:
        names = ", ".join(form[name].label.text for name in fields)
        raise Invalid(translate("api.error.invalid_fields", form.lang, fields=names),
                      fields=fields, translated=True)
    return form


# JSON is typed where form data is text: in a staff action a number is a number and a
# flag a flag ("3" is not a version, "yes" is not true), as the OpenAPI document says.
_NUMBER_FIELDS = ("WholeNumberField", "IntegerField")


def _json_type_error(field, value: object, accepts: tuple) -> str | None:
    if accepts is not STRICT:
        return None
    if field.type in _NUMBER_FIELDS:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "api.error.integer"
    if field.type == "BooleanField":
        return None if isinstance(value, bool) else "api.error.boolean"
    return None if isinstance(value, str) else "api.error.text"


def _summary(names) -> str:
    return translate("api.error.invalid_fields", lang(), fields=", ".join(names))


class Reader:
    """Typed values out of a JSON object, strictly (a string is not a number, ``true`` is
    not 1).  Each bad field collects a message in the caller's language; :meth:`done`
    raises one :class:`~intake.errors.Invalid` (422) naming all of them.

    ``labels`` maps a field to its catalogue key when it is not ``api.field.<name>``.
    """

    def __init__(self, payload: Mapping[str, object], labels: Mapping[str, str] | None = None):
        self.payload = payload
        self.labels = dict(labels or {})
        self.lang = lang()
        self.errors: dict[str, list[str]] = {}

    def label(self, name: str) -> str:
        return translate(self.labels.get(name, f"api.field.{name}"), self.lang)

    def fail(self, name: str, key: str, **params: object) -> None:
        message = translate(key, self.lang, field=self.label(name), **params)
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str, *, required: bool = False, min: int = 0,
             max: int | None = None) -> str:
        """Stripped text; ``null`` or absent is empty."""
        value = self.payload.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(name, "api.error.text")
            return ""
        value = value.strip()
        if not value:
            if required:
                self.fail(name, "error.required")
            return ""
        if len(value) < min or (max is not None and len(value) > max):
            key = "error.length_between" if min else "error.length_max"
            self.fail(name, key, min=min, max=max, length=len(value))
        return value

    def integer(self, name: str, *, required: bool = True, min: int = 0,
                max: int = INT32_MAX) -> int | None:
        value = self.payload.get(name)
        if value is None:
            if required:
                self.fail(name, "error.required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not min <= value <= max:
            self.fail(name, "api.error.integer", min=min, max=max)
            return None
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self.payload.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, "api.error.boolean")
            return default
        return value

    def aware_datetime(self, name: str, *, required: bool = True) -> datetime | None:
        """ISO 8601 with an offset (``2026-04-01T18:30:00+09:00`` or ``…Z``), as UTC."""
        value = self.payload.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, "error.required")
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            parsed = datetime.fromisoformat(value.strip())
            if parsed.tzinfo is None or parsed.utcoffset() is None:
                raise ValueError(value)
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            self.fail(name, "api.error.datetime")
            return None

    def done(self) -> None:
        if self.errors:
            raise Invalid(_summary(self.label(n) for n in self.errors), fields=self.errors,
                          translated=True)

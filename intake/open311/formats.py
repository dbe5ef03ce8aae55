"""Open311 GeoReport v2's two wire formats, from one description of each answer.

Every Open311 answer is a root element holding a list of records (``services`` of
``service``, ``service_requests`` of ``request``, ``errors`` of ``error``) or a single
record (``service_definition``, ``discovery``).  Views build plain Python values once;
this module writes them as the spec's XML (the required format) or JSON.  In XML a list
inside a record is a wrapper element whose children take the singular tag
(``attributes``/``attribute``, ``values``/``value``, ``formats``/``format``); ``None`` is
an empty element and a boolean is ``true``/``false``, as in the spec's examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.etree import ElementTree

from flask import Response

FORMATS = ("xml", "json")
MIMETYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The singular tag of each list's items in XML.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


@dataclass(frozen=True)
class Document:
    """One answer: ``root`` names the XML root; ``body`` is a list of records (a JSON
    array) or one record (a JSON object)."""

    root: str
    body: list | dict


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ElementTree.Element, tag: str, value: object) -> None:
    element = ElementTree.SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: ElementTree.Element, tag: str, value: object) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM_TAGS[tag], item)
    else:
        element.text = _text(value)


def to_xml(document: Document) -> bytes:
    root = ElementTree.Element(document.root)
    _fill(root, document.root, document.body)
    # The spec asks for the declaration with encoding="UTF-8", as written here.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root,
                                                                             encoding="utf-8")


def to_json(document: Document) -> bytes:
    return json.dumps(document.body, ensure_ascii=False).encode()


def respond(document: Document, fmt: str, status: int = 200) -> Response:
    body = to_xml(document) if fmt == "xml" else to_json(document)
    return Response(body, status=status, mimetype=None,
                    headers={"Content-Type": MIMETYPES[fmt]})


def errors(fmt: str, status: int, *descriptions: str) -> Response:
    """The spec's error answer: ``<errors><error><code>…`` / ``[{"code","description"}]``,
    one entry per problem, each with the HTTP status as its code."""
    body = [{"code": status, "description": text} for text in descriptions]
    return respond(Document("errors", body), fmt, status)

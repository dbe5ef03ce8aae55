"""The old ``open311`` package from PyPI (Code for America, 2011), made to run on
Python 3 by a test-only shim, so the tests post through a real third-party client.

The package is Python 2: implicit relative imports (``from api import API``),
``Element.getchildren()`` and ``urlopen(url, str_data)``.  The shim loads its modules
from their files under the names those imports expect, gives its XML parser elements
that still have ``getchildren``, and encodes the POST body; the client's own logic (which
URL it builds, how it sends ``api_key`` and reads the answer) is untouched.
"""

from __future__ import annotations

import importlib.util
import sys
import urllib.request
from pathlib import Path
from types import ModuleType
from xml.etree import ElementTree


class _Element(ElementTree.Element):
    def getchildren(self):  # removed from ElementTree in Python 3.9
        return list(self)


class _ElementTreeShim:
    """What the client's ``xml2dict`` asks of ``ElementTree``, with Python 2's elements."""

    @staticmethod
    def fromstring(text):
        parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(element_factory=_Element))
        parser.feed(text)
        return parser.close()


def _load(name: str, path: Path, package: bool = False) -> ModuleType:
    locations = [str(path.parent)] if package else None
    spec = importlib.util.spec_from_file_location(name, path,
                                                  submodule_search_locations=locations)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _urlopen(url, data=None, *args, **kwargs):
    if isinstance(data, str):
        data = data.encode()
    return urllib.request.urlopen(url, data, *args, **kwargs)


def open311_class():
    """The package's ``Open311`` class, importable on Python 3."""
    root = Path(importlib.util.find_spec("open311").submodule_search_locations[0])
    saved = {name: sys.modules.get(name) for name in
             ("object_dict", "xml2dict", "xml2dict.xml2dict", "api", "api.api", "_open311")}
    try:
        _load("object_dict", root / "api" / "xml2dict" / "object_dict.py")
        xml2dict = _load("xml2dict", root / "api" / "xml2dict" / "__init__.py", package=True)
        sys.modules["xml2dict.xml2dict"].ET = _ElementTreeShim
        api = _load("api", root / "api" / "api.py")
        sys.modules["api.api"] = api
        client = _load("_open311", root / "open311.py")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    assert xml2dict is not None
    client.urlopen = _urlopen
    return client.Open311

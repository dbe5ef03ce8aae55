"""Sending files with a proposal through the API and the page, and reading what each
audience gets back (tests/test_attachments*.py)."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

from tests.factories import VALID_FORM

API = "/api/v1"


def as_fields(**overrides) -> dict:
    """The valid form as multipart text fields (true → "y", false/None → left out)."""
    fields = {}
    for name, value in {**VALID_FORM, **overrides}.items():
        if value is None or value is False:
            continue
        fields[name] = "y" if value is True else str(value)
    return fields


def files(*items: tuple[bytes, str]) -> list:
    return [(io.BytesIO(data), name) for data, name in items]


def api_submit(client, *items: tuple[bytes, str], **overrides):
    return client.post(f"{API}/proposals", data={**as_fields(**overrides),
                                                 "attachments": files(*items)},
                       content_type="multipart/form-data")


def page_submit(client, *items: tuple[bytes, str], **overrides):
    """GET the form (its fill timer), then POST it with the files (set the app's
    ``TEIAN_MIN_FILL_SECONDS`` to 0 first)."""
    inputs = re.findall(r'<input[^>]*type="hidden"[^>]*>',
                        client.get("/propose").get_data(as_text=True))
    hidden = {re.search(r'name="([^"]+)"', tag)[1]: re.search(r'value="([^"]*)"', tag)[1]
              for tag in inputs}
    return client.post("/propose", data={**hidden, **as_fields(**overrides),
                                         "attachments": files(*items)},
                       content_type="multipart/form-data")


def age_files(root, by: timedelta = timedelta(hours=2)) -> None:
    """Every file under ``root`` (a folder storage's) as if last put ``by`` ago: what the
    storage tells the sweep of unreferenced files (intake/attachments/sweep.py)."""
    for path in Path(root).rglob("*"):
        if path.is_file():
            then = path.stat().st_mtime - by.total_seconds()
            os.utime(path, (then, then))

"""Sending files with a proposal, and with the proposer's answer to a question, through
the API and the page, and reading what each audience gets back (tests/test_attachments*.py)."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

from tests import ops
from tests.factories import VALID_FORM

API = "/api/v1"
QUESTION = "花壇を作りたい場所の地図か写真を送ってください。"
ANSWER = "公園の北側、砂場の横です。地図を付けます。"


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


def ask(city):
    """A proposal in review with a question to the proposer open; (proposal, token)."""
    proposal, token = city.submit()
    liaison = ops.Actor.staff(city.parks_liaison)
    ops.fire_trigger(city.session, proposal, "accept", liaison)
    ops.fire_trigger(city.session, proposal, "request_info", liaison, {"question": QUESTION})
    city.session.commit()
    return proposal, token


def answer(client, door: str, token: str, *items: tuple[bytes, str], text: str = ANSWER,
           trigger: str = "provide_info"):
    """The proposer's answer with files, as the page's form or the API's multipart sends it."""
    if door == "page":
        return client.post(f"/track/{token}/{trigger}",
                           data={"text": text, "attachments": files(*items)},
                           content_type="multipart/form-data")
    return client.post(f"{API}/track/{token}/transitions",
                       data={"trigger": trigger, "text": text, "attachments": files(*items)},
                       content_type="multipart/form-data")

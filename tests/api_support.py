"""Helpers shared by the JSON API tests (tests/test_api_*.py): requests with a bearer
token, publishing through the API as the lead liaison, walking paginated lists; and, for
the public pages' tests too, an application with its rate limits on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import Flask

from intake import create_app
from intake.models import utcnow
from intake.ratelimit import limiter
from tests.factories import publish_as_written
from workflows.calendar import today_jst

from .factories import VALID_FORM

API = "/api/v1"

# A history's texts (web and API tests of which reasons are public): the question and
# the answer may hold personal details; the city publishes the other three.
QUESTION = "ご自宅の住所と電話番号を教えてください。"
ANSWER = "北町一丁目の山田です。電話は090-0000-1111です。"
TRANSFER_REASON = "道路に面した花壇のため、道路課が担当します。"
EXTENSION_REASON = "町内会との調整に時間がかかっているため、期限を延ばします。"
RULING_REASON = "道路の安全基準により、花壇は設置できません。"
WITHDRAWAL_REASON = "家族の入院のため取り下げます。"


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def form(**overrides) -> dict:
    """A valid submission payload with ``overrides``; ``None`` removes a field."""
    payload = {**VALID_FORM, **overrides}
    return {k: v for k, v in payload.items() if v is not None}


def submit(client, **overrides):
    response = client.post(f"{API}/proposals", json=form(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def version(client, token: str, proposal_id: int) -> int:
    """The proposal's current version, as its staff detail gives it."""
    detail = client.get(f"{API}/proposals/{proposal_id}/detail", headers=bearer(token))
    assert detail.status_code == 200, detail.get_json()
    return detail.get_json()["version"]


def fire(client, token: str, proposal_id: int, trigger: str, **inputs):
    """Fire ``trigger`` with the proposal's current version."""
    body = {"trigger": trigger, "version": version(client, token, proposal_id), **inputs}
    return client.post(f"{API}/proposals/{proposal_id}/transitions", json=body,
                       headers=bearer(token))


def advance(client, token: str, proposal_id: int, *triggers: str) -> None:
    for trigger in triggers:
        response = fire(client, token, proposal_id, trigger)
        assert response.status_code == 200, response.get_json()


def today_at(time: str, offset: str = "+09:00") -> str:
    """``time`` today in Japan, as the API takes it: a session is not held before the day
    its proposal's deliberation began, nor after today."""
    return f"{today_jst().isoformat()}T{time}:00{offset}"


def record_session(client, token: str, proposal_id: int, **overrides):
    body = {"held_at": today_at("18:30"), "place": "市民センター 会議室A",
            "agenda": "花壇の場所と管理方法", "minutes": "町内会と協議した。",
            "participants": 12, **overrides}
    return client.post(f"{API}/proposals/{proposal_id}/sessions", json=body,
                       headers=bearer(token))


def publish(db, proposal) -> None:
    """Publish directly (for tests about reading, not about accepting)."""
    publish_as_written(proposal, utcnow() - timedelta(minutes=1))
    db.commit()


def walk(client, url: str, headers: dict | None = None, limit: int = 10) -> list[list[int]]:
    """Follow ``next_cursor`` to the end; the ids of each page."""
    pages, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(url, query_string=query, headers=headers or {})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "pagination does not end"


@contextmanager
def rate_limited_app(database_url: str, tmp_path: Path, **settings) -> Iterator[Flask]:
    """An application with the rate limits on (the shared ``app`` fixture turns them
    off) and CSRF off, inside its app context; the limiter's counts start empty.
    ``settings`` override :class:`intake.config.Settings` fields (``submit_limit``, …)."""
    instance = tmp_path / "limited"
    instance.mkdir()
    application = create_app({
        "instance_path": instance, "database_url": database_url, "secret_key": "test-secret",
        "base_url": "http://teian.test", "smtp_url": "", **settings,
        "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True},
    })
    try:
        with application.app_context():
            limiter.reset()
            yield application
            limiter.reset()
    finally:
        application.extensions["teian.engine"].dispose()

"""Helpers shared by the JSON API tests (tests/test_api_*.py): requests with a bearer
token, publishing through the API as the lead liaison, walking paginated lists."""

from __future__ import annotations

from datetime import timedelta

from intake.models import utcnow

from .factories import VALID_FORM

API = "/api/v1"


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


def fire(client, token: str, proposal_id: int, trigger: str, **inputs):
    """Fire ``trigger`` with the proposal's current version (read from /detail)."""
    detail = client.get(f"{API}/proposals/{proposal_id}/detail", headers=bearer(token))
    assert detail.status_code == 200, detail.get_json()
    body = {"trigger": trigger, "version": detail.get_json()["version"], **inputs}
    return client.post(f"{API}/proposals/{proposal_id}/transitions", json=body,
                       headers=bearer(token))


def advance(client, token: str, proposal_id: int, *triggers: str) -> None:
    for trigger in triggers:
        response = fire(client, token, proposal_id, trigger)
        assert response.status_code == 200, response.get_json()


def record_session(client, token: str, proposal_id: int, **overrides):
    body = {"held_at": "2026-04-01T18:30:00+09:00", "place": "市民センター 会議室A",
            "agenda": "花壇の場所と管理方法", "minutes": "町内会と協議した。",
            "participants": 12, **overrides}
    return client.post(f"{API}/proposals/{proposal_id}/sessions", json=body,
                       headers=bearer(token))


def publish(db, proposal) -> None:
    """Publish directly (for tests about reading, not about accepting)."""
    proposal.published_at = utcnow() - timedelta(minutes=1)
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

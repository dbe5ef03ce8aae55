"""The staff page and the JSON API apply one definition of each action: the same invalid
input is refused on both doors with the same message naming the same field; and every
API error comes back in the request's language."""

from __future__ import annotations

import html

import pytest

from intake.i18n import translate
from tests import ops as operations

from .api_support import API, bearer
from .staff_support import advanced, login, page, post_form, reload, settle

LONG = "m" * 50001  # ASCII: the page posts it URL-encoded, within the body limit

# action → (page path under the proposal, page prefix, API path under /api/v1, the
# proposal's state: the triggers that bring it there), the invalid input, the field.
CASES = [
    ("transfer", "transfer", "transfer", ("accept",), {"reason": "x"}, "department"),
    ("transfer", "transfer", "transfer", ("accept",), {"department": "parks", "reason": "x"},
     "department"),
    ("transfer", "transfer", "transfer", ("accept",), {"department": "roads", "reason": " "},
     "reason"),
    ("deadline", "extend", "extend", ("accept",), {"due_on": "2026-02-30", "reason": "x"},
     "due_on"),
    ("deadline", "extend", "extend", ("accept",), {"due_on": "2000-01-01", "reason": "x"},
     "due_on"),
    ("opinions", "opinion", "opinions", ("accept",),
     {"department": "roads", "question": "q", "due_in_days": 0}, "due_in_days"),
    ("opinions", "opinion", "opinions", ("accept",),
     {"department": "roads", "question": "q", "due_in_days": 251}, "due_in_days"),
    ("opinions", "opinion", "opinions", ("accept",),
     {"department": "roads", "question": ""}, "question"),
    ("sessions", "session", "sessions", ("accept", "open_deliberation"),
     {"held_at": "2026-06-01T10:00", "agenda": "説明"}, "place"),
    ("sessions", "session", "sessions", ("accept", "open_deliberation"),
     {"held_at": "2026-06-01T10:00", "place": "市民会館"}, "agenda"),
    ("sessions", "session", "sessions", ("accept", "open_deliberation"),
     {"held_at": "2026-06-01T10:00", "place": "市民会館", "agenda": "説明", "minutes": LONG},
     "minutes"),
    ("sessions", "session", "sessions", ("accept", "open_deliberation"),
     {"held_at": "2026-06-01T10:00", "place": "会館", "agenda": "説明", "participants": -1},
     "participants"),
    ("comment-period", "comments", "comment-period", ("accept", "open_deliberation"),
     {"ends_at": "2000-01-01T09:00"}, "ends_at"),
    ("transitions/request_info", "request_info", "transitions", ("accept",),
     {"question": "  "}, "question"),
]


def _api_body(api_path: str, page_prefix: str, fields: dict, version: int) -> dict:
    body = {**fields, "version": version}
    if api_path == "transitions":
        body["trigger"] = page_prefix
    if api_path == "sessions":
        body.pop("version")
        body["held_at"] = body["held_at"] + ":00+09:00"
    if api_path == "comment-period":
        body["ends_at"] = body["ends_at"] + ":00+09:00"
    return body


@pytest.mark.parametrize("page_path, prefix, api_path, steps, fields, field", CASES)
def test_the_same_invalid_input_is_refused_alike_on_the_page_and_the_api(
        app, city, client, page_path, prefix, api_path, steps, fields, field):
    proposal = advanced(city, *steps)
    before = reload(city.session, proposal).version
    api = client.post(f"{API}/proposals/{proposal.id}/{api_path}", headers=bearer(
        city.token(city.parks_liaison)), json=_api_body(api_path, prefix, fields, before))
    assert api.status_code in (400, 409, 422), api.get_json()
    messages = api.get_json()["error"]["fields"][field]
    browser = app.test_client()
    login(browser, city.parks_liaison)
    version = None if api_path == "sessions" else "current"
    shown = post_form(browser, proposal, page_path, prefix, version=version, **fields)
    assert shown.status_code == api.status_code
    text = html.unescape(page(shown))
    for message in messages:
        assert message in text, (message, field)
    assert reload(city.session, proposal).version == before  # nothing changed on either door


def test_an_opinion_answer_and_waiver_are_refused_alike(app, city, client):
    proposal = advanced(city, "accept")
    request = operations.request_opinion(city.session, proposal, "roads",
                                         operations.Actor.staff(city.parks_liaison),
                                         question="ご意見を")
    city.session.commit()
    api = client.post(f"{API}/opinions/{request.id}/answer", json={"answer": " "},
                      headers=bearer(city.token(city.roads_primary)))
    assert api.status_code == 422
    browser = app.test_client()
    login(browser, city.roads_primary)
    shown = settle(browser, request, "answer", answer=" ")
    assert shown.status_code == 422
    for message in api.get_json()["error"]["fields"]["answer"]:
        assert message in html.unescape(page(shown))


@pytest.mark.parametrize("lang, expected", [("ja", "ja"), ("en", "en")])
def test_operation_errors_come_back_in_the_requests_language(city, client, lang, expected):
    proposal = advanced(city, "accept")
    headers = bearer(city.token(city.parks_liaison), **{"Accept-Language": lang})
    same = client.post(f"{API}/proposals/{proposal.id}/transfer", headers=headers, json={
        "department": "parks", "reason": "x", "version": proposal.version})
    assert same.status_code == 422
    error = same.get_json()["error"]
    assert error["fields"]["department"] == [
        translate("staff.error.field.same", expected, field=translate("staff.field.department",
                                                                      expected))]
    assert "already there" not in error["message"]
    stale = client.post(f"{API}/proposals/{proposal.id}/extend", headers=headers, json={
        "due_on": "2099-01-01", "reason": "x", "version": proposal.version + 5})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["message"] == translate("staff.error.conflict", expected)
    limit = client.get(f"{API}/proposals?limit=0", headers={"Accept-Language": lang})
    assert limit.status_code == 422
    assert limit.get_json()["error"]["fields"]["limit"] == [translate(
        "staff.error.field.limit", expected, field=translate("api.field.limit", expected))]
    blocked = client.post(f"{API}/proposals/{proposal.id}/transitions", headers=headers,
                          json={"trigger": "adopt", "reason": "r", "version": proposal.version})
    assert blocked.status_code == 422
    assert "'adopt'" not in blocked.get_json()["error"]["message"]


def test_an_opinion_request_takes_the_contracts_body_without_a_version(city, client):
    proposal = advanced(city, "accept")
    headers = bearer(city.token(city.parks_liaison))
    asked = client.post(f"{API}/proposals/{proposal.id}/opinions", headers=headers, json={
        "department": "roads", "question": "道路への影響は？", "due_in_days": 5})
    assert asked.status_code == 201, asked.get_json()
    stale = client.post(f"{API}/proposals/{proposal.id}/opinions", headers=headers, json={
        "department": "roads", "question": "もう一度", "version": 1})
    assert stale.status_code == 409  # a version, when sent, is still checked

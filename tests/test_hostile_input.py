"""Hostile input through every door that takes a citizen's text — the web form, the JSON
API, Open311 — and every filter, search and cursor: random Unicode (control characters,
right-to-left overrides, NUL, huge and empty values), bytes that are not UTF-8, wrong
JSON types, SQL meta-characters.  Never a 500; never a partial write (a refused
submission stores nothing: no proposal, no contact, no event, no message)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from intake.models import Event, OutboxMessage, Proposal, ProposerContact

from .factories import VALID_FORM

FIELDS = ["title", "problem", "proposal", "expected_effect", "role_split", "proposer_name",
          "organization", "email", "phone", "category", "district", "proposer_type",
          "budget_total", "city_share", "language", "kind"]
NASTY = st.sampled_from(["\x00", "\u202e", "\u2028", "'; DROP TABLE proposals; --", "%",
                         "_", "\\", "\"", "<script>", "　", "\ufeff", "𠮷", "\r\n", "=1+1"])
TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=4000, max_size=4100),
    st.lists(st.one_of(NASTY, st.text(max_size=5)), max_size=8).map("".join),
)
JSON_VALUE = st.one_of(TEXT, st.integers(), st.floats(allow_nan=True), st.booleans(),
                       st.none(), st.lists(st.text(max_size=3), max_size=3),
                       st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
EXAMPLES: dict[str, int] = {}


def stored(db) -> tuple[int, ...]:
    db.rollback()
    return tuple(db.execute(select(func.count()).select_from(model)).scalar()
                 for model in (Proposal, ProposerContact, Event, OutboxMessage))


def whole_or_nothing(before: tuple[int, ...], after: tuple[int, ...], accepted: bool) -> bool:
    """Nothing written for a refusal; for an acceptance one proposal and its contact."""
    if not accepted:
        return after == before
    return after[0] == before[0] + 1 and after[1] == before[1] + 1 and after[2] > before[2]


def count(name: str) -> None:
    EXAMPLES[name] = EXAMPLES.get(name, 0) + 1


def test_the_web_form_takes_anything_without_a_500(app, city, db):
    client = app.test_client()

    @SETTINGS
    @given(field=st.sampled_from(FIELDS), value=TEXT)
    def attempt(field, value):
        count("web form")
        before = stored(db)
        data = {**{k: ("y" if v is True else "" if v is False else v)
                   for k, v in VALID_FORM.items()}, field: value}
        answer = client.post("/propose", data=data)
        assert answer.status_code < 500, (field, value)
        assert whole_or_nothing(before, stored(db), answer.status_code == 303)

    attempt()


def test_the_json_api_takes_any_json_without_a_500(app, city, db):
    client = app.test_client()

    @SETTINGS
    @given(field=st.sampled_from(FIELDS + ["consent", "publish_name"]), value=JSON_VALUE)
    def attempt(field, value):
        count("JSON API")
        before = stored(db)
        answer = client.post("/api/v1/proposals", json={**VALID_FORM, field: value})
        assert answer.status_code < 500, (field, value)
        assert whole_or_nothing(before, stored(db), answer.status_code == 201)
        if answer.status_code == 422:
            assert answer.get_json()["error"]["fields"]  # names the field

    attempt()


def test_bodies_that_are_not_utf8_or_json_are_refused_cleanly(app, city, db):
    client = app.test_client()

    @SETTINGS
    @given(body=st.binary(max_size=200))
    def attempt(body):
        count("raw bodies")
        before = stored(db)
        for url, kind in (("/api/v1/proposals", "application/json"),
                          ("/propose", "application/x-www-form-urlencoded"),
                          ("/open311/v2/requests.json", "application/x-www-form-urlencoded")):
            answer = client.post(url, data=body, content_type=kind)
            assert answer.status_code < 500, (url, body)
        assert stored(db) == before

    attempt()


def test_open311_takes_anything_without_a_500(app, city, db):
    client = app.test_client()
    key = city.token(city.office_user)

    @SETTINGS
    @given(field=st.sampled_from(["service_code", "description", "first_name", "last_name",
                                  "email", "phone", "attribute[title]", "attribute[proposal]",
                                  "attribute[proposer_type]", "attribute[consent]",
                                  "attribute[district]", "lat", "long", "api_key"]),
           value=TEXT)
    def attempt(field, value):
        count("Open311")
        before = stored(db)
        data = {"service_code": "parks", "description": VALID_FORM["problem"],
                "first_name": "花子", "last_name": "山田", "email": "hanako@example.jp",
                "attribute[title]": VALID_FORM["title"],
                "attribute[proposal]": VALID_FORM["proposal"],
                "attribute[proposer_type]": "individual", "attribute[consent]": "true",
                "api_key": key, field: value}
        answer = client.post("/open311/v2/requests.xml", data=data)
        assert answer.status_code < 500, (field, value)
        assert whole_or_nothing(before, stored(db), answer.status_code == 201)

    attempt()


def test_filters_search_and_cursors_take_anything_without_a_500(app, city):
    client = app.test_client()
    token = city.token(city.office_user)

    @SETTINGS
    @given(name=st.sampled_from(["q", "cursor", "state", "category", "department",
                                 "district", "limit", "lang", "status", "start_date",
                                 "service_request_id"]), value=TEXT)
    def attempt(name, value):
        count("filters")
        for url in ("/proposals", "/api/v1/proposals", "/api/v1/queue",
                    "/open311/v2/requests.json", "/staff/"):
            answer = client.get(url, query_string={name: value},
                                headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code < 500, (url, name, value)

    attempt()


def test_print_the_number_of_hostile_examples():
    """For SECURITY.md: how many hostile inputs the tests above sent (when run together)."""
    print("hostile input examples:", EXAMPLES)

"""Staff API: bearer tokens, the queue, a proposal's detail, transitions with optimistic
versions, transfer, deliberation sessions, the office's figures — and a liaison who
cannot see or touch another department's proposals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from intake.dates import people_date
from intake.i18n import translate
from intake.models import ApiToken, DeliberationSession, Event, Proposal
from tests.factories import publish_as_written
from workflows.calendar import today_jst

from .api_support import API, advance, bearer, fire, record_session, submit, today_at, walk


def _events(db, proposal_id: int) -> int:
    return db.execute(select(func.count(Event.id)).where(Event.proposal_id == proposal_id)
                      ).scalar()


def _detail(client, token, proposal_id):
    return client.get(f"{API}/proposals/{proposal_id}/detail", headers=bearer(token))


def _post(client, token, proposal_id, action, body):
    return client.post(f"{API}/proposals/{proposal_id}/{action}", json=body,
                       headers=bearer(token))


# --- authentication --------------------------------------------------------------------------

STAFF_REQUESTS = [
    ("get", "/queue"),
    ("get", "/proposals/1/detail"),
    ("post", "/proposals/1/transitions"),
    ("post", "/proposals/1/transfer"),
    ("post", "/proposals/1/sessions"),
    ("get", "/stats"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_REQUESTS)
@pytest.mark.parametrize(("header", "code"), [
    (None, "unauthorized"),
    ("Bearer", "unauthorized"),
    ("Basic dXNlcjpwYXNz", "unauthorized"),
    ("Bearer not-a-token", "invalid_token"),
    ("Bearer " + "x" * 10_000, "invalid_token"),
])
def test_missing_or_invalid_token_is_401(client, method, path, header, code):
    headers = {"Authorization": header} if header else {}
    response = getattr(client, method)(API + path, headers=headers, json={})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_and_inactive_user_are_401(city, client, db):
    revoked = city.token(city.parks_liaison)
    db.execute(select(ApiToken)).scalar_one().revoked = True
    inactive = city.token(city.roads_primary)
    city.roads_primary.active = False
    db.commit()
    for token in (revoked, inactive):
        response = client.get(f"{API}/queue", headers=bearer(token))
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


# --- queue and detail ------------------------------------------------------------------------


def test_office_queue_has_every_department_and_triage(city, client):
    made = {submit(client, category=c)["id"] for c in ("parks", "roads", "other")}
    pages = walk(client, f"{API}/queue", bearer(city.token(city.office_user)))
    assert {i for page in pages for i in page} == made


def test_queue_item_shape_and_filters(city, client):
    parks = submit(client, category="parks")["id"]
    submit(client, category="parks", district="d01")
    office = bearer(city.token(city.office_user))
    body = client.get(f"{API}/queue", headers=office,
                      query_string={"department": "parks", "district": "city-wide"}).get_json()
    [item] = body["items"]
    assert item["id"] == parks
    assert {"version", "assignee", "due_on", "overdue", "published"} <= set(item)
    assert not {"email", "phone", "proposer_name", "timeline"} & set(item)
    assert item["due_on"] and item["overdue"] is False


def test_the_most_overdue_come_first_and_a_search_lists_them_newest_first(city, client, db):
    """Overdue first, the longest overdue at the top (a day's newest first), in pages; a
    search reads its matches newest first, the overdue still before the rest."""
    ids = [city.submit(title=f"公園の花壇 {i}")[0].id for i in range(7)]
    due = {ids[1]: date(2020, 3, 1), ids[5]: date(2020, 1, 6), ids[3]: date(2020, 3, 1)}
    for proposal_id, day in due.items():
        db.get(Proposal, proposal_id).due_on = day
    db.commit()
    liaison = bearer(city.token(city.parks_liaison))
    flat = [i for page in walk(client, f"{API}/queue", liaison, limit=2) for i in page]
    assert flat[:3] == [ids[5], ids[3], ids[1]]
    assert flat[3:] == sorted(set(ids) - set(due), reverse=True)
    body = client.get(f"{API}/queue", query_string={"q": "花壇"}, headers=liaison).get_json()
    found = [item["id"] for item in body["items"]]
    assert found == sorted(due, reverse=True) + sorted(set(ids) - set(due), reverse=True)


def test_queue_pagination_overdue_first_without_duplicates_or_gaps(city, client, db):
    ids = [city.submit()[0].id for _ in range(13)]
    for proposal_id in ids[::3]:  # some overdue, spread over the id range
        db.get(Proposal, proposal_id).due_on = date(2020, 1, 6)
    db.commit()
    liaison = bearer(city.token(city.parks_liaison))
    pages = walk(client, f"{API}/queue", liaison, limit=4)
    flat = [i for page in pages for i in page]
    assert len(flat) == len(set(flat)) == 13
    overdue = sorted(ids[::3], reverse=True)
    assert flat[:len(overdue)] == overdue
    assert flat[len(overdue):] == sorted(set(ids) - set(overdue), reverse=True)


def test_queue_with_a_public_list_cursor_is_422(city, client, db):
    for _ in range(3):
        proposal, _ = city.submit()
        publish_as_written(proposal, proposal.submitted_at)
    db.commit()
    public_cursor = client.get(f"{API}/proposals", query_string={"limit": 1}).get_json()[
        "next_cursor"]
    response = client.get(f"{API}/queue", headers=bearer(city.token(city.office_user)),
                          query_string={"cursor": public_cursor})
    assert response.status_code == 422


def test_detail_adds_personal_data_and_version(city, client):
    answer = submit(client, proposer_type="npo", organization="花の会", budget_total=5000)
    body = _detail(client, city.token(city.parks_liaison), answer["id"]).get_json()
    assert body["proposer_name"] == "山田 花子"
    assert body["organization"] == "花の会"
    assert body["email"] == "hanako@example.jp"
    assert body["phone"] == "090-1234-5678"
    assert body["assignee"]["id"] == city.parks_liaison.id
    assert body["budget_total"] == 5000
    assert isinstance(body["version"], int)
    assert body["timeline"][0]["trigger"] == "submit"
    assert {t["trigger"] for t in body["available_triggers"]} == {"accept"}


def test_office_sees_withdraw_among_its_triggers(city, client):
    answer = submit(client)
    body = _detail(client, city.token(city.office_user), answer["id"]).get_json()
    assert {t["trigger"] for t in body["available_triggers"]} == {"accept", "withdraw"}


def test_detail_of_a_missing_proposal_is_404(city, client):
    for proposal_id in (4242, 2**40):
        response = _detail(client, city.token(city.office_user), proposal_id)
        assert response.status_code == 404


# --- (f) another department's proposals: invisible, untouchable ------------------------------


def test_a_liaison_cannot_see_or_act_on_another_departments_proposal(city, client, db):
    parks = submit(client, category="parks")["id"]
    own = submit(client, category="roads")["id"]
    roads = city.token(city.roads_primary)
    proposal = db.get(Proposal, parks)
    before = (proposal.state, proposal.version, proposal.lead_department_id, _events(db, parks))

    detail = _detail(client, roads, parks)
    assert detail.status_code == 403
    assert detail.get_json()["error"]["code"] == "forbidden"
    assert "山田" not in detail.get_data(as_text=True)

    queue = [i for page in walk(client, f"{API}/queue", bearer(roads)) for i in page]
    assert queue == [own]
    filtered = client.get(f"{API}/queue", headers=bearer(roads),
                          query_string={"department": "parks"}).get_json()
    assert filtered["items"] == []

    attempts = [
        _post(client, roads, parks, "transitions", {"trigger": "accept", "version": 1}),
        _post(client, roads, parks, "transitions", {"trigger": "accept",
                                                    "version": proposal.version}),
        _post(client, roads, parks, "transitions", {}),  # 403 before any validation
        _post(client, roads, parks, "transfer", {"department": "roads", "reason": "ours",
                                                 "version": proposal.version}),
        _post(client, roads, parks, "sessions", {"held_at": "2026-04-01T18:30:00+09:00",
                                                 "place": "x", "agenda": "x",
                                                 "participants": 1}),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert all(r.get_json()["error"]["code"] == "forbidden" for r in attempts)

    db.expire_all()
    proposal = db.get(Proposal, parks)
    after = (proposal.state, proposal.version, proposal.lead_department_id, _events(db, parks))
    assert after == before
    assert db.execute(select(func.count(DeliberationSession.id))).scalar() == 0


def test_a_consulted_department_may_read_but_not_act(city, client, db):
    from intake.models import OpinionRequest

    parks = submit(client, category="parks")["id"]
    db.add(OpinionRequest(proposal_id=parks, department_id=city.roads.id, question="ご意見を"))
    db.commit()
    roads = city.token(city.roads_primary)
    assert _detail(client, roads, parks).status_code == 200
    response = _post(client, roads, parks, "transitions", {"trigger": "accept", "version": 1})
    assert response.status_code == 403


# --- transitions -----------------------------------------------------------------------------


def test_transition_answers_the_new_state_and_version(city, client, db):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    version = _detail(client, liaison, answer["id"]).get_json()["version"]
    response = _post(client, liaison, answer["id"], "transitions",
                     {"trigger": "accept", "version": version, "reason": "受理します"})
    assert response.status_code == 200
    body = response.get_json()
    assert body == {"id": answer["id"], "state": "in_review", "version": body["version"]}
    assert body["version"] > version
    proposal = db.get(Proposal, answer["id"])
    assert proposal.state == "in_review" and proposal.published_at is not None


def test_stale_version_is_409_and_changes_nothing(city, client, db):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    old = _detail(client, liaison, answer["id"]).get_json()["version"]
    advance(client, liaison, answer["id"], "accept")
    events = _events(db, answer["id"])
    response = _post(client, liaison, answer["id"], "transitions",
                     {"trigger": "open_deliberation", "version": old})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["version"] > old
    db.expire_all()
    assert db.get(Proposal, answer["id"]).state == "in_review"
    assert _events(db, answer["id"]) == events


def test_trigger_not_allowed_from_this_state_is_422(city, client):
    answer = submit(client)
    response = fire(client, city.token(city.parks_liaison), answer["id"], "adopt",
                    reason="早すぎる")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "trigger_not_allowed"
    assert "採択する" in error["message"] and "受付" in error["message"]  # words, not codes


def test_failed_guard_is_422_naming_it(city, client, db):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    advance(client, liaison, answer["id"], "accept", "open_deliberation")
    response = fire(client, liaison, answer["id"], "adopt", reason="良い提案のため")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "guard_failed"
    assert error["guard"] == "deliberation_recorded"
    assert db.get(Proposal, answer["id"]).state == "in_deliberation"


@pytest.mark.parametrize(("inputs", "field"), [
    ({}, "reason"),
    ({"reason": "   "}, "reason"),
    ({"reason": "対象外です"}, "reason_code"),
    ({"reason": "対象外です", "reason_code": "i_dont_like_it"}, "reason_code"),
])
def test_missing_or_bad_transition_inputs_are_422_naming_them(city, client, inputs, field):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    advance(client, liaison, answer["id"], "accept")
    response = fire(client, liaison, answer["id"], "reject", **inputs)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "guard_failed"
    assert list(error["fields"]) == [field]


def test_reject_with_reason_code_records_the_ruling(city, client, db):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    advance(client, liaison, answer["id"], "accept")
    response = fire(client, liaison, answer["id"], "reject", reason="既に実施済みです。",
                    reason_code="already_done", unrelated={"ignored": True})
    assert response.status_code == 200
    proposal = db.get(Proposal, answer["id"])
    assert (proposal.state, proposal.ruling_decision) == ("rejected", "rejected")
    event = db.execute(select(Event).where(Event.trigger == "reject")).scalar_one()
    assert event.data == {"reason_code": "already_done"}


@pytest.mark.parametrize("body", [
    {"trigger": "accept"},
    {"trigger": "accept", "version": None},
    {"trigger": "accept", "version": "3"},
    {"trigger": "accept", "version": 2.0},
    {"trigger": "accept", "version": True},
    {"trigger": "accept", "version": 0},
    {"trigger": "accept", "version": -5},
    {"trigger": "accept", "version": 10**30},
    {"trigger": "accept", "version": [3]},
])
def test_version_must_be_a_positive_integer(city, client, db, body):
    answer = submit(client)
    response = _post(client, city.token(city.parks_liaison), answer["id"], "transitions", body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"].keys() == {"version"}
    assert db.get(Proposal, answer["id"]).state == "submitted"


def test_a_missing_version_is_asked_for_by_its_name(city, client):
    """Not "reload the page": an API client has none."""
    answer = submit(client)
    token = city.token(city.parks_liaison)
    response = _post(client, token, answer["id"], "transitions", {"trigger": "accept"})
    assert response.get_json()["error"]["fields"]["version"] == [
        "バージョン（version）を入力してください。"]
    english = client.post(f"{API}/proposals/{answer['id']}/transitions",
                          json={"trigger": "accept"},
                          headers=bearer(token, **{"Accept-Language": "en"}))
    assert english.get_json()["error"]["fields"]["version"] == ["Enter version."]


@pytest.mark.parametrize(("body", "code"), [
    ({}, "invalid"),
    ({"trigger": 7}, "invalid"),
    ({"trigger": {"name": "accept"}}, "invalid"),
    ({"trigger": "teleport"}, "unknown_trigger"),
    ({"trigger": "accept", "reason": 12}, "invalid"),
])
def test_bad_triggers_are_422(city, client, body, code):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    version = _detail(client, liaison, answer["id"]).get_json()["version"]
    response = _post(client, liaison, answer["id"], "transitions", {**body, "version": version})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code


def test_a_liaison_may_not_fire_an_office_or_proposer_trigger(city, client):
    answer = submit(client)
    response = fire(client, city.token(city.parks_liaison), answer["id"], "withdraw")
    assert response.status_code == 403


def test_the_office_may_withdraw(city, client):
    answer = submit(client)
    response = fire(client, city.token(city.office_user), answer["id"], "withdraw",
                    reason="提案者から電話で申し出があったため")
    assert response.status_code == 200
    assert response.get_json()["state"] == "withdrawn"


def test_start_implementation_with_a_bad_due_date_is_422(city, client, db):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    advance(client, liaison, answer["id"], "accept", "open_deliberation")
    record_session(client, liaison, answer["id"])
    assert fire(client, liaison, answer["id"], "adopt", reason="採択").status_code == 200
    for due_on in ("next spring", 20270401, "2027-02-30"):
        response = fire(client, liaison, answer["id"], "start_implementation", due_on=due_on)
        assert response.status_code == 422
        assert "due_on" in response.get_json()["error"]["fields"]
    due_on = today_jst() + timedelta(days=120)
    response = fire(client, liaison, answer["id"], "start_implementation",
                    due_on=due_on.isoformat())
    assert response.status_code == 200
    assert db.get(Proposal, answer["id"]).due_on == due_on


# --- transfer --------------------------------------------------------------------------------


def test_transfer_moves_the_lead_and_the_queue(city, client, db):
    answer = submit(client, category="parks")
    liaison = city.token(city.parks_liaison)
    version = _detail(client, liaison, answer["id"]).get_json()["version"]
    response = _post(client, liaison, answer["id"], "transfer",
                     {"department": "roads", "reason": "道路の植栽のため", "version": version})
    assert response.status_code == 200
    body = response.get_json()
    assert body["department"] == {"code": "roads", "name": "道路課"}
    assert body["version"] > version
    assert _detail(client, liaison, answer["id"]).status_code == 403
    roads_queue = client.get(f"{API}/queue",
                             headers=bearer(city.token(city.roads_primary))).get_json()
    assert [i["id"] for i in roads_queue["items"]] == [answer["id"]]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"department": "roads", "reason": "x"}, 422, "version"),
    ({"department": "roads", "version": "{v}"}, 422, "reason"),
    ({"reason": "x", "version": "{v}"}, 422, "department"),
    ({"department": ["roads"], "reason": "x", "version": "{v}"}, 422, "department"),
    ({"department": "atlantis", "reason": "x", "version": "{v}"}, 422, "department"),
    ({"department": "parks", "reason": "x", "version": "{v}"}, 422, "department"),
    ({"department": "roads", "reason": "x", "version": 999}, 409, None),  # not current
])
def test_bad_transfers(city, client, db, body, status, field):
    answer = submit(client, category="parks")
    liaison = city.token(city.parks_liaison)
    version = _detail(client, liaison, answer["id"]).get_json()["version"]
    body = {k: version if v == "{v}" else v for k, v in body.items()}
    response = _post(client, liaison, answer["id"], "transfer", body)
    assert response.status_code == status
    if field:
        assert field in response.get_json()["error"]["fields"]
    assert db.get(Proposal, answer["id"]).lead_department.code == "parks"


# --- deliberation sessions -------------------------------------------------------------------


@pytest.fixture
def deliberating(city, client):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    advance(client, liaison, answer["id"], "accept", "open_deliberation")
    return answer["id"], liaison


def test_record_session_is_201(deliberating, client, db):
    proposal_id, liaison = deliberating
    response = record_session(client, liaison, proposal_id,
                              held_at=today_at("09:30", offset="Z"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["held_at"] == today_at("18:30")
    assert body["participants"] == 12
    stored = db.execute(select(DeliberationSession)).scalar_one()
    assert stored.place == "市民センター 会議室A"


def test_the_same_session_sent_twice_is_409_and_recorded_once(deliberating, client, db):
    proposal_id, liaison = deliberating
    assert record_session(client, liaison, proposal_id).status_code == 201
    again = record_session(client, liaison, proposal_id)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate_session"
    assert len(db.execute(select(DeliberationSession)).scalars().all()) == 1


def test_online_session_needs_no_place(deliberating, client):
    proposal_id, liaison = deliberating
    response = record_session(client, liaison, proposal_id, place=None, online=True)
    assert response.status_code == 201
    assert response.get_json()["online"] is True


@pytest.mark.parametrize(("overrides", "field"), [
    ({"held_at": None}, "held_at"),
    ({"held_at": "next Tuesday"}, "held_at"),
    ({"held_at": "2026-02-30T10:00:00+09:00"}, "held_at"),
    ({"held_at": "0001-01-01T00:00:00+09:00"}, "held_at"),    # overflows UTC
    ({"held_at": "9999-12-31T20:00:00+00:00"}, "held_at"),    # its day in Japan: 10000
    ({"held_at": 1775036000}, "held_at"),
    ({"participants": -1}, "participants"),
    ({"participants": "12"}, "participants"),
    ({"participants": 2**31}, "participants"),
    ({"participants": 1.5}, "participants"),
    ({"participants": None}, "participants"),
    ({"place": None}, "place"),
    ({"place": "場" * 201}, "place"),
    ({"online": "yes"}, "online"),
    ({"agenda": None}, "agenda"),
    ({"agenda": {"items": []}}, "agenda"),
    ({"minutes": "録" * 50001}, "minutes"),
])
def test_bad_session_fields_are_422_naming_the_field(deliberating, client, db, overrides,
                                                     field):
    proposal_id, liaison = deliberating
    response = record_session(client, liaison, proposal_id, **overrides)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert list(error["fields"]) == [field]
    assert db.execute(select(func.count(DeliberationSession.id))).scalar() == 0


def test_session_messages_in_english(deliberating, client):
    proposal_id, liaison = deliberating
    response = client.post(f"{API}/proposals/{proposal_id}/sessions",
                           json={"held_at": "2026-04-01", "place": "Hall", "agenda": "a",
                                 "participants": -3},
                           headers=bearer(liaison, **{"Accept-Language": "en"}))
    fields = response.get_json()["error"]["fields"]
    # The page's own messages: one form for both doors (forms/actions.py).
    assert fields["held_at"] == ["Enter Date and time (Japan time) as a date and time."]
    assert fields["participants"] == ["Participants must be a whole number, 0 or more."]


def test_a_session_time_without_an_offset_is_japan_time(deliberating, client):
    proposal_id, liaison = deliberating
    response = record_session(client, liaison, proposal_id, held_at=today_at("18:30", ""))
    assert response.status_code == 201
    assert response.get_json()["held_at"] == today_at("18:30")


def test_a_transition_input_of_the_wrong_json_type_is_422_naming_it(city, client):
    answer = submit(client)
    liaison = city.token(city.parks_liaison)
    advance(client, liaison, answer["id"], "accept")
    response = fire(client, liaison, answer["id"], "reject", reason="対象外です",
                    reason_code=["out_of_scope"])
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["reason_code"]


def test_session_outside_deliberation_is_409(city, client):
    answer = submit(client)
    response = record_session(client, city.token(city.parks_liaison), answer["id"])
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "wrong_state"


def _held_on(day: date) -> str:
    return f"{day.isoformat()}T10:00:00+09:00"


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
@pytest.mark.parametrize(("held", "rule", "day"), [
    (lambda today: date(2025, 6, 1), "before_deliberation_day", "began"),
    (lambda today: today - timedelta(days=1), "before_deliberation_day", "began"),
    (lambda today: today + timedelta(days=1), "after_today", "today"),
])
def test_a_session_before_deliberation_began_or_after_today_is_422_and_does_not_count(
        deliberating, client, db, lang, held, rule, day):
    """Deliberation began today: a session "held" before that day, or one only planned,
    is no deliberation record, in any language of the API."""
    proposal_id, liaison = deliberating
    today = today_jst()
    response = client.post(
        f"{API}/proposals/{proposal_id}/sessions", query_string={"lang": lang},
        json={"held_at": _held_on(held(today)), "place": "市民会館", "agenda": "説明",
              "participants": 5},
        headers=bearer(liaison))
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields == {"held_at": [translate(
        f"staff.error.field.{rule}", lang, field=translate("staff.field.held_at", lang),
        **{day: people_date(today, lang)})]}
    assert db.execute(select(func.count(DeliberationSession.id))).scalar() == 0
    refused = fire(client, liaison, proposal_id, "adopt", reason="合意")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["guard"] == "deliberation_recorded"


def test_a_session_on_the_day_deliberation_began_counts(deliberating, client):
    proposal_id, liaison = deliberating
    early = record_session(client, liaison, proposal_id, held_at=today_at("00:00"))
    assert early.status_code == 201, early.get_json()
    assert fire(client, liaison, proposal_id, "adopt", reason="合意").status_code == 200


def test_an_input_the_step_does_not_take_is_refused_naming_it_not_dropped(deliberating,
                                                                          client, db):
    """Rejecting after deliberation keeps no reason code (only a rejection in review
    does): a client that sends one is told, rather than seeing its ruling go out
    without it.  Names no step knows are still ignored."""
    proposal_id, liaison = deliberating
    response = fire(client, liaison, proposal_id, "reject", reason="合意に至りませんでした",
                    reason_code="duplicate", unrelated="ignored")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert list(error["fields"]) == ["reason_code"]
    assert "理由の区分（reason_code）" in error["message"]
    db.expire_all()
    assert db.get(Proposal, proposal_id).state == "in_deliberation"
    # An empty one is no input.
    assert fire(client, liaison, proposal_id, "reject", reason="合意に至りませんでした",
                reason_code="").status_code == 200


def test_a_session_lets_the_proposal_be_adopted(deliberating, client):
    proposal_id, liaison = deliberating
    record_session(client, liaison, proposal_id)
    assert fire(client, liaison, proposal_id, "adopt", reason="合意").status_code == 200


# --- the office's figures --------------------------------------------------------------------


def test_stats_counts_per_department_and_state(city, client, db):
    office = city.token(city.office_user)
    parks = [submit(client, category="parks")["id"] for _ in range(3)]
    submit(client, category="roads")
    submit(client, category="other")
    advance(client, office, parks[0], "accept", "open_deliberation")
    record_session(client, office, parks[0])
    advance(client, office, parks[1], "accept")
    assert fire(client, office, parks[0], "adopt", reason="採択").status_code == 200
    assert fire(client, office, parks[1], "reject", reason="対象外",
                reason_code="out_of_scope").status_code == 200
    db.get(Proposal, parks[2]).due_on = date.today() - timedelta(days=30)
    db.commit()

    response = client.get(f"{API}/stats", headers=bearer(office))
    assert response.status_code == 200
    body = response.get_json()
    rows = {(r["department"] or {}).get("code"): r for r in body["departments"]}
    assert rows["parks"]["states"] == {"adopted": 1, "rejected": 1, "submitted": 1}
    assert rows["parks"]["overdue"] == 1 and rows["parks"]["total"] == 3
    assert rows["roads"]["states"] == {"submitted": 1}
    assert rows[None]["states"] == {"submitted": 1}
    assert body["departments"][0]["department"] is None  # triage first
    assert body["total"] == 5 and body["overdue"] == 1
    assert body["rulings"] == {"adopted": 1, "rejected": 1}
    assert body["adoption_rate"] == 0.5


def test_stats_of_a_liaison_are_their_department_only(city, client):
    """SPEC section 7: a liaison sees their own department (tests/test_dashboard.py has
    the figures themselves)."""
    submit(client, category="parks")
    submit(client, category="roads")
    response = client.get(f"{API}/stats", headers=bearer(city.token(city.parks_liaison)))
    assert response.status_code == 200
    body = response.get_json()
    assert [r["department"]["code"] for r in body["departments"]] == ["parks"]
    assert body["total"] == 1
    assert client.get(f"{API}/stats",
                      headers=bearer(city.token(city.admin_user))).get_json()["total"] == 2


def test_stats_of_an_empty_city(city, client):
    body = client.get(f"{API}/stats", headers=bearer(city.token(city.office_user))).get_json()
    assert body["departments"] == [] and body["adoption_rate"] is None

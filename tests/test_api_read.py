"""Public reads: the list, one proposal, comments, the city's lists, the proposer's
tracking link; no personal data anywhere public; pagination; JSON for every error."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from intake.i18n import translate
from intake.models import Comment, Event, Proposal, utcnow
from tests import ops as operations

from .api_support import (
    ANSWER,
    API,
    EXTENSION_REASON,
    QUESTION,
    RULING_REASON,
    TRANSFER_REASON,
    WITHDRAWAL_REASON,
    advance,
    bearer,
    fire,
    form,
    publish,
    rate_limited_app,
    record_session,
    submit,
    today_at,
    version,
    walk,
)

PERSONAL_KEYS = {"proposer_name", "email", "phone", "organization"}


def _published(city, db, count: int, **overrides) -> list[int]:
    ids = []
    for _ in range(count):
        proposal, _token = city.submit(**overrides)
        publish(db, proposal)
        ids.append(proposal.id)
    return ids


# --- the public list and one proposal -----------------------------------------------------


def test_list_shows_only_published_proposals(city, client, db):
    published = _published(city, db, 2)
    hidden, _ = city.submit()
    withheld, _ = city.submit()
    publish(db, withheld)
    withheld.withheld_reason = "個人が特定される記述があるため"
    db.commit()
    body = client.get(f"{API}/proposals").get_json()
    assert [item["id"] for item in body["items"]] == sorted(published, reverse=True)
    assert body["next_cursor"] is None
    assert hidden.id not in [item["id"] for item in body["items"]]


def test_list_item_shape(city, client, db):
    _published(city, db, 1)
    item = client.get(f"{API}/proposals").get_json()["items"][0]
    assert set(item) == {
        "id", "receipt", "kind", "title", "category", "department", "district", "state",
        "state_label", "submitted_at", "problem", "proposal", "expected_effect", "role_split",
        "proposer", "ruling", "supports",
    }
    assert item["category"] == {"code": "parks", "name": "公園・緑地"}
    assert item["district"] == {"code": "city-wide", "name": "市全体"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", item["submitted_at"])
    assert item["proposer"] is None and item["ruling"] is None


def test_names_follow_the_request_language(city, client, db):
    _published(city, db, 1)
    item = client.get(f"{API}/proposals", headers={"Accept-Language": "en"}).get_json()[
        "items"][0]
    assert item["category"]["name"] == "Parks and green"
    assert item["department"]["name"] == "Parks Division"
    assert item["state_label"] == "Submitted"


@pytest.mark.parametrize(("query", "expected"), [
    ({"category": "roads"}, "roads"),
    ({"department": "welfare"}, "welfare"),
    ({"district": "d01"}, "district"),
    ({"q": "ベンチ"}, "bench"),
    ({"state": "in_review"}, "review"),
    ({"department": "triage"}, None),
])
def test_list_filters(city, client, db, query, expected):
    made = {
        "roads": city.submit(category="roads")[0],
        "welfare": city.submit(category="welfare")[0],
        "district": city.submit(district="d01")[0],
        "bench": city.submit(title="公園にベンチを置く提案")[0],
        "review": city.submit()[0],
    }
    made["review"].state = "in_review"
    for proposal in made.values():
        publish(db, proposal)
    ids = [item["id"] for item in
           client.get(f"{API}/proposals", query_string=query).get_json()["items"]]
    assert ids == ([made[expected].id] if expected else [])


@pytest.mark.parametrize("field", ["state", "category", "department", "district"])
def test_a_filter_value_no_list_offers_is_a_422_naming_the_filter(city, client, db, field):
    """An unknown value is a mistake to correct, not a question with no answer."""
    _published(city, db, 1)
    response = client.get(f"{API}/proposals", query_string={field: "nonsense"},
                          headers={"Accept-Language": "en"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == [field]
    assert error["fields"][field] == [f"{field}: choose one of the listed options."]


def test_a_filter_keeps_an_inactive_theme(city, client, db):
    """Old proposals keep a theme the city has switched off: it can still be asked for."""
    proposal, _token = city.submit(category="roads")
    publish(db, proposal)
    proposal.category.active = False
    db.commit()
    items = client.get(f"{API}/proposals", query_string={"category": "roads"}).get_json()
    assert [item["id"] for item in items["items"]] == [proposal.id]


def test_q_treats_like_wildcards_literally(city, client, db):
    _published(city, db, 2)
    for q in ("%", "_", "\\"):
        assert client.get(f"{API}/proposals", query_string={"q": q}).get_json()["items"] == []


def test_one_published_proposal_has_timeline_sessions_comments_and_ruling(city, client, db):
    proposal, _ = city.submit()
    liaison = city.token(city.parks_liaison)
    advance(client, liaison, proposal.id, "accept", "open_deliberation")
    assert record_session(client, liaison, proposal.id).status_code == 201
    assert client.post(f"{API}/proposals/{proposal.id}/comments",
                       json={"name": "近所の人", "body": "賛成です。"}).status_code == 201
    response = fire(client, liaison, proposal.id, "adopt", reason="地域の合意が得られたため")
    assert response.status_code == 200, response.get_json()

    body = client.get(f"{API}/proposals/{proposal.id}").get_json()
    assert [(e["from"], e["to"], e["trigger"]) for e in body["timeline"]] == [
        (None, "submitted", "submit"),
        ("submitted", "in_review", "accept"),
        ("in_review", "in_deliberation", "open_deliberation"),
        ("in_deliberation", "adopted", "adopt"),
    ]
    assert body["timeline"][-1]["reason"] == "地域の合意が得られたため"
    assert all(e["at"].endswith("+09:00") for e in body["timeline"])
    assert body["ruling"]["decision"] == "adopted"
    assert body["ruling"]["reason"] == "地域の合意が得られたため"
    assert body["ruling"]["at"].endswith("+09:00")
    [session_] = body["sessions"]
    assert session_["held_at"] == today_at("18:30")
    assert session_["participants"] == 12 and session_["online"] is False
    assert [(c["name"], c["body"]) for c in body["comments"]] == [("近所の人", "賛成です。")]


def test_a_hidden_comment_shows_why_and_not_its_text(city, client, db):
    proposal, _ = city.submit()
    proposal.state = "in_deliberation"
    publish(db, proposal)
    for text in ("残るコメント", "隠すコメント"):
        client.post(f"{API}/proposals/{proposal.id}/comments", json={"body": text})
    hidden = db.execute(select(Comment).where(Comment.body == "隠すコメント")).scalar_one()
    response = client.post(f"{API}/comments/{hidden.id}/hide", json={"reason": "誹謗中傷のため"},
                           headers=bearer(city.token(city.office_user)))
    assert response.status_code == 200, response.get_json()
    body = client.get(f"{API}/proposals/{proposal.id}").get_json()
    assert [(c["body"], c["hidden"], c["hidden_reason"]) for c in body["comments"]] == [
        ("残るコメント", False, None), (None, True, "誹謗中傷のため")]
    assert "隠すコメント" not in client.get(f"{API}/proposals/{proposal.id}").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/proposals/{id}", "/proposals/999999",
                                  "/proposals/99999999999999999999999999"])
def test_unpublished_or_missing_proposal_is_404(city, client, path):
    proposal, _ = city.submit()
    response = client.get(API + path.format(id=proposal.id))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# --- comments ---------------------------------------------------------------------------------


def _in_state(city, db, state: str, published: bool = True) -> Proposal:
    proposal, _ = city.submit()
    proposal.state = state
    if published:
        publish(db, proposal)
    db.commit()
    return proposal


def test_comment_while_in_deliberation_is_201(city, client, db):
    proposal = _in_state(city, db, "in_deliberation")
    response = client.post(f"{API}/proposals/{proposal.id}/comments",
                           json={"name": " 北区の住民 ", "body": " 花壇に賛成です 🌷 "})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["name"], body["body"]) == ("北区の住民", "花壇に賛成です 🌷")
    assert body["at"].endswith("+09:00")
    stored = db.execute(select(Comment)).scalar_one()
    assert stored.proposal_id == proposal.id
    events = db.execute(select(Event).where(Event.action == "comment")).scalars().all()
    assert len(events) == 1


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_the_same_comment_again_within_minutes_is_409_and_stored_once(city, client, db, lang):
    proposal = _in_state(city, db, "in_deliberation")
    url = f"{API}/proposals/{proposal.id}/comments?lang={lang}"
    same = {"name": "北区の住民", "body": "花壇に賛成です。"}
    assert client.post(url, json=same).status_code == 201
    again = client.post(url, json={"name": " 北区の住民", "body": "花壇に賛成です。 "})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate_comment"
    assert again.get_json()["error"]["message"] == translate("staff.error.duplicate_comment",
                                                             lang)
    assert db.execute(select(func.count(Comment.id))).scalar() == 1
    # Another name with the same words, or other words, are other comments.
    assert client.post(url, json={"body": "花壇に賛成です。"}).status_code == 201
    assert client.post(url, json={**same, "body": "花壇に大賛成です。"}).status_code == 201
    # Past the window, the same comment may be posted again.
    db.execute(update(Comment).values(created_at=utcnow() - timedelta(minutes=11)))
    db.commit()
    assert client.post(url, json=same).status_code == 201


def test_anonymous_comment(city, client, db):
    proposal = _in_state(city, db, "in_deliberation")
    response = client.post(f"{API}/proposals/{proposal.id}/comments", json={"body": "賛成"})
    assert response.status_code == 201
    assert response.get_json()["name"] is None


@pytest.mark.parametrize("state", ["in_review", "adopted", "rejected"])
def test_comment_outside_deliberation_is_409(city, client, db, state):
    proposal = _in_state(city, db, state)
    response = client.post(f"{API}/proposals/{proposal.id}/comments", json={"body": "賛成"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "comments_closed"
    # what is closed, not "someone changed the proposal"
    assert response.get_json()["error"]["message"].startswith(
        "この提案は今、コメントを受け付けていません")
    assert db.execute(select(func.count(Comment.id))).scalar() == 0


def test_comment_after_the_comment_period_is_409(city, client, db):
    proposal = _in_state(city, db, "in_deliberation")
    proposal.comments_until = utcnow() - timedelta(hours=1)
    db.commit()
    response = client.post(f"{API}/proposals/{proposal.id}/comments", json={"body": "賛成"})
    assert response.status_code == 409


def test_comment_on_unpublished_or_missing_is_404(city, client, db):
    unpublished = _in_state(city, db, "in_deliberation", published=False)
    for proposal_id in (unpublished.id, 424242):
        response = client.post(f"{API}/proposals/{proposal_id}/comments", json={"body": "x"})
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "body"),
    ({"body": "   "}, "body"),
    ({"body": "あ" * 2001}, "body"),
    ({"body": 123}, "body"),
    ({"body": ["賛成"]}, "body"),
    ({"body": "賛成", "name": "名" * 101}, "name"),
    ({"body": "賛成", "name": {"first": "花子"}}, "name"),
])
def test_bad_comment_is_422_naming_the_field(city, client, db, body, field):
    proposal = _in_state(city, db, "in_deliberation")
    response = client.post(f"{API}/proposals/{proposal.id}/comments", json=body,
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert list(error["fields"]) == [field]
    assert error["code"] == "invalid"


def test_comment_of_exactly_2000_characters_is_accepted(city, client, db):
    proposal = _in_state(city, db, "in_deliberation")
    response = client.post(f"{API}/proposals/{proposal.id}/comments", json={"body": "あ" * 2000})
    assert response.status_code == 201



@pytest.mark.parametrize("lang", ["ja", "ja-easy", "en"])
def test_comment_errors_name_the_field_in_the_callers_language(city, client, db, lang):
    proposal = _in_state(city, db, "in_deliberation")
    url = f"{API}/proposals/{proposal.id}/comments"
    body_label = translate("public.comment.body", lang)
    name_label = translate("public.comment.name", lang)
    error = client.post(url, json={"body": " "}, query_string={"lang": lang}).get_json()["error"]
    assert error["fields"] == {"body": [translate("error.comment.body.required", lang)]}
    assert body_label in error["message"]
    error = client.post(url, json={"body": "賛成", "name": ["花子"]},
                        query_string={"lang": lang}).get_json()["error"]
    assert error["fields"] == {"name": [translate("api.error.text", lang, field=name_label)]}


def test_sixth_comment_within_a_minute_is_json_429(limited_app):
    from .factories import Factory

    city = Factory(limited_app.extensions["teian.session"]())
    city.small_city()
    proposal = _in_state(city, city.session, "in_deliberation")
    client = limited_app.test_client()
    url = f"{API}/proposals/{proposal.id}/comments"
    statuses = [client.post(url, json={"body": f"意見その{n}"}).status_code for n in range(6)]
    assert statuses == [201] * 5 + [429]
    assert client.post(url, json={"body": "まだ"}).get_json()["error"]["code"] == "rate_limited"

# --- categories, departments ------------------------------------------------------------------


def test_categories_and_departments_are_lists_of_code_and_name(city, client, db):
    city.cat_other.active = False
    db.commit()
    categories = client.get(f"{API}/categories").get_json()
    assert categories["next_cursor"] is None
    assert {"code": "parks", "name": "公園・緑地"} in categories["items"]
    assert "other" not in [c["code"] for c in categories["items"]]
    departments = client.get(f"{API}/departments", headers={"Accept-Language": "en"}).get_json()
    assert {"code": "roads", "name": "Roads Division"} in departments["items"]
    assert all(set(d) == {"code", "name"} for d in departments["items"])


# --- the proposer's tracking link --------------------------------------------------------------


def test_tracking_shows_the_unpublished_proposal_without_contact_details(city, client):
    answer = submit(client, proposer_name="追跡 花子", email="track.me@example.jp",
                    phone="03-1111-2222")
    response = client.get(f"{API}/track/{answer['tracking_token']}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["id"] == answer["id"] and body["published"] is False
    assert body["pending_question"] is None
    assert [t["trigger"] for t in body["available_triggers"]] == ["withdraw"]
    for secret in ("track.me@example.jp", "03-1111-2222", "追跡 花子"):
        assert secret not in response.get_data(as_text=True)


def test_tracking_question_answer_and_withdrawal(city, client, db):
    answer = submit(client)
    track = f"{API}/track/{answer['tracking_token']}"
    liaison = city.token(city.parks_liaison)
    advance(client, liaison, answer["id"], "accept")
    asked = fire(client, liaison, answer["id"], "request_info",
                 question="花壇の広さの希望を教えてください。")
    assert asked.status_code == 200

    body = client.get(track).get_json()
    assert body["state"] == "awaiting_proposer"
    assert body["pending_question"]["question"] == "花壇の広さの希望を教えてください。"
    assert body["pending_question"]["answer_by"]
    assert {t["trigger"] for t in body["available_triggers"]} == {"provide_info", "withdraw"}

    missing = client.post(f"{track}/transitions", json={"trigger": "provide_info"})
    assert missing.status_code == 422
    assert missing.get_json()["error"]["code"] == "guard_failed"
    assert missing.get_json()["error"]["fields"] == {
        "answer": ["回答（answer）を入力してください。"]}

    from workflows.engine import TEXT_MAX
    too_long = client.post(f"{track}/transitions",
                           json={"trigger": "provide_info", "text": "広" * (TEXT_MAX + 1)})
    assert too_long.status_code == 422
    assert too_long.get_json()["error"]["fields"] == {
        "answer": [f"「回答（answer）」は{TEXT_MAX}文字以内にしてください。"]}

    answered = client.post(f"{track}/transitions",
                           json={"trigger": "provide_info", "text": "10平方メートルほどです。"})
    assert answered.status_code == 200
    assert answered.get_json()["state"] == "in_review"
    timeline = client.get(track).get_json()["timeline"]
    assert timeline[-1]["reason"] == "10平方メートルほどです。"

    withdrawn = client.post(f"{track}/transitions",
                            json={"trigger": "withdraw", "text": "引っ越すため"})
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["state"] == "withdrawn"
    assert db.get(Proposal, answer["id"]).state == "withdrawn"


def test_tracking_refusals(city, client, db):
    answer = submit(client)
    track = f"{API}/track/{answer['tracking_token']}"
    staff_only = client.post(f"{track}/transitions", json={"trigger": "accept"})
    assert staff_only.status_code == 403
    not_now = client.post(f"{track}/transitions", json={"trigger": "provide_info", "text": "x"})
    assert not_now.status_code == 422
    assert not_now.get_json()["error"]["code"] == "trigger_not_allowed"
    unknown = client.post(f"{track}/transitions", json={"trigger": "teleport"})
    assert unknown.get_json()["error"]["code"] == "unknown_trigger"
    for body in ({}, {"trigger": 5}, {"trigger": None}):
        response = client.post(f"{track}/transitions", json=body)
        assert response.status_code == 422
        assert list(response.get_json()["error"]["fields"]) == ["trigger"]
    assert db.get(Proposal, answer["id"]).state == "submitted"


@pytest.mark.parametrize("token", ["nope", "A" * 43, "%00", "x" * 5000])
def test_unknown_tracking_token_is_404(client, token):
    assert client.get(f"{API}/track/{token}").status_code == 404
    response = client.post(f"{API}/track/{token}/transitions", json={"trigger": "withdraw"})
    assert response.status_code == 404


# --- (e) no personal data in any public answer --------------------------------------------------

SECRETS = {
    "proposer_name": "秘密野 個人太郎",
    "email": "very.secret.person@private-mail.example",
    "phone": "03-9876-5432",
    "organization": "非公開の秘密研究会",
}
ANSWER_SECRET = "080-1357-2468 に電話ください"
# What citizens write into the free text and into comments (SPEC section 5): found by the
# scan, masked by the review, never public.
FREE_TEXT_SECRETS = {
    "phone": "０９７－５３６－１１１１",
    "email": "Secret.Writer@example.org",
    "postal_code": "〒870-8504",
    "address": "3丁目1番1号",
    "name": "秘密野個人太郎",  # the proposer's own name, written without its space
}
COMMENT_SECRET = "連絡は090-8642-9753まで"
TEXT_MARK = "花壇の世話は"  # the masked problem text is still public around its masks


def _keys(value):
    """Every key of every object inside a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_no_personal_data_in_any_public_answer(city, client, db):
    liaison = city.token(city.parks_liaison)
    bodies: dict[str, str] = {}

    def keep(name: str, response):
        assert response.status_code in (200, 201), (name, response.get_json())
        bodies[name] = response.get_data(as_text=True)

    # Two proposals with distinctive personal data, neither agreeing to publish it: one
    # as an organization, one as an individual whose answer to a question is personal.
    free = FREE_TEXT_SECRETS
    group = submit(client, proposer_type="npo", publish_name=False, **SECRETS,
                   problem=f"花壇の世話は{free['name']}が担当。電話{free['phone']}、"
                           f"メール{free['email']}、住所は{free['postal_code']} 大手町"
                           f"{free['address']}です。")
    person = submit(client, proposer_name=SECRETS["proposer_name"] + "二",
                    email="2." + SECRETS["email"], phone="090-2468-1357")
    for answer in (group, person):
        advance(client, liaison, answer["id"], "accept")  # accepting publishes …
    # … unless the scan found personal data: the group's waits for review, which masks
    # every hit.
    assert client.get(f"{API}/proposals/{group['id']}").status_code == 404
    hits = client.get(f"{API}/proposals/{group['id']}/detail",
                      headers=bearer(liaison)).get_json()["personal_data"]
    assert {h["kind"] for h in hits} == set(FREE_TEXT_SECRETS)
    keep("review", client.post(f"{API}/proposals/{group['id']}/publication", headers=bearer(
        liaison), json={"version": version(client, liaison, group["id"]),
                        "redact": [h["text"] for h in hits]}))
    fire(client, liaison, person["id"], "request_info", question="詳しい場所を教えてください。")
    keep("provide_info", client.post(f"{API}/track/{person['tracking_token']}/transitions",
                                     json={"trigger": "provide_info", "text": ANSWER_SECRET}))
    advance(client, liaison, group["id"], "open_deliberation")
    record_session(client, liaison, group["id"])
    keep("comment", client.post(f"{API}/proposals/{group['id']}/comments",
                                json={"name": "通りすがり", "body": "良い提案です"}))
    held = client.post(f"{API}/proposals/{group['id']}/comments",
                       json={"name": "近所の人", "body": COMMENT_SECRET})
    assert held.status_code == 201 and held.get_json()["status"] == "held"
    keep("adopt", fire(client, liaison, group["id"], "adopt", reason="協議の結果、採択します。"))

    for lang in ("ja", "en", "ja-easy"):
        query = {"lang": lang}
        keep(f"list {lang}", client.get(f"{API}/proposals", query_string=query))
        keep(f"search {lang}", client.get(f"{API}/proposals", query_string={**query,
                                                                              "q": "花壇"}))
        keep(f"page {lang}", client.get(f"{API}/proposals", query_string={**query,
                                                                            "limit": 1}))
        for answer in (group, person):
            keep(f"detail {answer['id']} {lang}",
                 client.get(f"{API}/proposals/{answer['id']}", query_string=query))
        keep(f"categories {lang}", client.get(f"{API}/categories", query_string=query))
        keep(f"departments {lang}", client.get(f"{API}/departments", query_string=query))
    keep("openapi", client.get(f"{API}/openapi.json"))
    # The public pages read the same public version (HTML: not parsed as JSON below).
    pages = {f"html {url}": client.get(url).get_data(as_text=True) for url in (
        "/", "/proposals", "/proposals?q=花壇", f"/proposals/{group['id']}",
        f"/proposals/{person['id']}", f"/proposals/{group['id']}?lang=en")}
    assert all(TEXT_MARK in body for name, body in pages.items() if str(group["id"]) in name)

    listed = json.loads(bodies["list ja"])["items"]
    assert {item["id"] for item in listed} == {group["id"], person["id"]}
    assert json.loads(bodies[f"detail {group['id']} ja"])["ruling"]["decision"] == "adopted"
    secrets = [*SECRETS.values(), SECRETS["proposer_name"] + "二", "2." + SECRETS["email"],
               "090-2468-1357", ANSWER_SECRET, *FREE_TEXT_SECRETS.values(), COMMENT_SECRET,
               "090-8642-9753"]
    for name, body in {**bodies, **pages}.items():
        for secret in secrets:
            assert secret not in body, (name, secret)
        # (the description names the staff detail's fields; pages are not JSON)
        if name != "openapi" and not name.startswith("html "):
            assert not PERSONAL_KEYS & set(_keys(json.loads(body))), name
    # Question and answer are steps in the public timeline, without their texts; the
    # proposer and the department see them.
    detail = json.loads(bodies[f"detail {person['id']} ja"])
    steps = {e["trigger"]: e["reason"] for e in detail["timeline"]}
    assert steps["request_info"] is None and steps["provide_info"] is None
    assert "詳しい場所を教えてください。" not in "".join(bodies.values())
    for private in (client.get(f"{API}/track/{person['tracking_token']}"),
                    client.get(f"{API}/proposals/{person['id']}/detail",
                               headers=bearer(liaison))):
        steps = {e["trigger"]: e["reason"] for e in private.get_json()["timeline"]}
        assert steps["request_info"] == "詳しい場所を教えてください。"
        assert steps["provide_info"] == ANSWER_SECRET


def test_published_name_is_the_organization_or_the_name(city, client, db):
    group = submit(client, proposer_type="npo", organization="花いっぱいの会",
                   proposer_name="代表 花子", publish_name=True)
    person = submit(client, proposer_name="公開 太郎", publish_name=True)
    for answer in (group, person):
        publish(db, db.get(Proposal, answer["id"]))
    items = {i["id"]: i for i in client.get(f"{API}/proposals").get_json()["items"]}
    assert items[group["id"]]["proposer"] == "花いっぱいの会"
    assert items[person["id"]]["proposer"] == "公開 太郎"
    assert "代表 花子" not in json.dumps(items, ensure_ascii=False)


# --- reasons: public for rulings, transfers and extensions only -----------------------------------


def test_public_timeline_gives_the_reasons_of_transfers_extensions_and_rulings_only(
        city, client, db):
    answer = submit(client)
    track = f"{API}/track/{answer['tracking_token']}"
    parks, roads = city.token(city.parks_liaison), city.token(city.roads_primary)
    advance(client, parks, answer["id"], "accept")
    assert fire(client, parks, answer["id"], "request_info", question=QUESTION).status_code == 200
    assert client.post(f"{track}/transitions",
                       json={"trigger": "provide_info", "text": ANSWER}).status_code == 200
    moved = client.post(f"{API}/proposals/{answer['id']}/transfer", headers=bearer(parks),
                        json={"department": "roads", "reason": TRANSFER_REASON,
                              "version": version(client, parks, answer["id"])})
    assert moved.status_code == 200, moved.get_json()
    proposal = db.get(Proposal, answer["id"])
    old_due = proposal.due_on
    operations.extend_deadline(db, proposal, operations.Actor.staff(city.roads_primary),
                               due_on=old_due + timedelta(days=14),
                               reason=EXTENSION_REASON)
    db.commit()
    assert fire(client, roads, answer["id"], "reject", reason=RULING_REASON,
                reason_code="unlawful").status_code == 200

    response = client.get(f"{API}/proposals/{answer['id']}")
    timeline = response.get_json()["timeline"]
    assert [(e["trigger"], e["reason"]) for e in timeline] == [
        ("submit", None), ("accept", None), ("request_info", None), ("provide_info", None),
        ("transfer", TRANSFER_REASON), ("extend", EXTENSION_REASON),
        ("reject", RULING_REASON),
    ]
    transfer, extend = timeline[4], timeline[5]
    assert (transfer["from"], transfer["to"]) == ("in_review", "in_review")
    assert transfer["department"] == {"from": {"code": "parks", "name": "公園緑地課"},
                                      "to": {"code": "roads", "name": "道路課"}}
    assert extend["due_on"] == {"from": old_due.isoformat(),
                                "to": (old_due + timedelta(days=14)).isoformat()}
    raw = response.get_data(as_text=True)
    assert QUESTION not in raw and ANSWER not in raw

    # The proposer and the department read every reason; only staff see who acted.
    for private in (client.get(track), client.get(f"{API}/proposals/{answer['id']}/detail",
                                                  headers=bearer(roads))):
        entries = private.get_json()["timeline"]
        assert [e["reason"] for e in entries][2:] == [QUESTION, ANSWER, TRANSFER_REASON,
                                                      EXTENSION_REASON, RULING_REASON]
    assert "actor" not in client.get(track).get_json()["timeline"][0]


def test_withdrawal_reason_is_not_public(city, client, db):
    answer = submit(client)
    advance(client, city.token(city.parks_liaison), answer["id"], "accept")
    track = f"{API}/track/{answer['tracking_token']}"
    assert client.post(f"{track}/transitions",
                       json={"trigger": "withdraw", "text": WITHDRAWAL_REASON}).status_code == 200
    public = client.get(f"{API}/proposals/{answer['id']}")
    last = public.get_json()["timeline"][-1]
    assert (last["trigger"], last["reason"]) == ("withdraw", None)
    assert WITHDRAWAL_REASON not in public.get_data(as_text=True)
    assert client.get(track).get_json()["timeline"][-1]["reason"] == WITHDRAWAL_REASON


# --- pagination ----------------------------------------------------------------------------------


def test_cursor_pagination_has_no_duplicates_and_no_gaps(city, client, db):
    ids = _published(city, db, 23)
    pages = walk(client, f"{API}/proposals", limit=10)
    assert [len(p) for p in pages] == [10, 10, 3]
    flat = [i for page in pages for i in page]
    assert flat == sorted(ids, reverse=True)


def test_a_page_exactly_full_has_no_next_cursor(city, client, db):
    _published(city, db, 5)
    assert walk(client, f"{API}/proposals", limit=5) == [[5, 4, 3, 2, 1]]


def test_items_added_while_paging_do_not_shift_pages(city, client, db):
    ids = _published(city, db, 6)
    first = client.get(f"{API}/proposals", query_string={"limit": 3}).get_json()
    _published(city, db, 2)
    second = client.get(f"{API}/proposals",
                        query_string={"limit": 3, "cursor": first["next_cursor"]}).get_json()
    assert [i["id"] for i in first["items"] + second["items"]] == sorted(ids, reverse=True)


@pytest.mark.parametrize("query", [
    {"cursor": "not-a-cursor"},
    {"cursor": "W10"},                       # []
    {"cursor": "WyJ4Il0"},                   # ["x"]
    {"cursor": "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwXQ"},  # [10^25]
    {"cursor": "W3RydWVd"},                  # [true]
    {"cursor": "WzEuNV0"},                   # [1.5]
    {"cursor": "W" * 3000},
    {"limit": "0"}, {"limit": "101"}, {"limit": "-1"}, {"limit": "ten"}, {"limit": "²"},
    {"limit": "1e3"},
])
def test_invalid_cursor_or_limit_is_422_json(client, query):
    response = client.get(f"{API}/proposals", query_string=query)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid"


def test_forged_deeply_nested_cursor_is_422(client):
    import base64

    cursor = base64.urlsafe_b64encode(b"[" * 5000).decode().rstrip("=")
    response = client.get(f"{API}/proposals", query_string={"cursor": cursor})
    assert response.status_code == 422


@pytest.mark.parametrize("query", [{"q": "花\x00壇"}, {"category": "\x00"}, {"\x00": "x"}])
def test_nul_in_the_query_string_is_400(client, query):
    response = client.get(f"{API}/proposals", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_query"


# --- every error is JSON -------------------------------------------------------------------------


def test_unknown_api_path_is_json_404(client):
    response = client.get(f"{API}/nothing/here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405_with_allow(client):
    response = client.delete(f"{API}/proposals")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_pages_outside_the_api_keep_their_own_errors(client):
    response = client.get("/no-such-page-anywhere")
    assert response.status_code == 404
    assert not response.is_json


def test_crash_is_json_500_under_the_api(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get(f"{API}/_test_crash")
    def _crash():
        raise RuntimeError("boom")

    response = app.test_client().get(f"{API}/_test_crash")
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "internal_error"
    assert "boom" not in error["message"]


@pytest.fixture
def limited_app(database_url, tmp_path):
    with rate_limited_app(database_url, tmp_path) as application:
        yield application


def test_rate_limit_is_json_429(limited_app):
    from .factories import Factory

    Factory(limited_app.extensions["teian.session"]()).category("parks", "公園・緑地")
    client = limited_app.test_client()
    statuses = [client.post(f"{API}/proposals", json=form()).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = client.post(f"{API}/proposals", json=form())
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in response.headers
    # Reading is not limited.
    assert client.get(f"{API}/categories").status_code == 200

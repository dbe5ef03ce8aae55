"""POST /api/v1/proposals: the unified form's rules (SPEC section 2) through the JSON
API, in Japanese and English; bodies that are not what we expect; normalisation;
routing into the right queue."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from intake.models import Proposal, ProposerContact

from .api_support import API, bearer, form, submit

URL = f"{API}/proposals"

# One row per rule: (field, overrides, Japanese message, English message) — each field and
# rule has its own words (GOV.UK's patterns), never a label pasted into a template.
LENGTH_EN = "{} must be between {} and {} characters (you entered {})"
TYPE_EN = ("Select whether you are proposing as an individual, an association, an NPO or "
           "civic group, a business, a school or other")
YEN_JA = "費用の総額は、50000や5万のように円単位で入力してください"
YEN_EN = "Total cost must be a whole number of yen, like 50000"
CONSENT_JA = ("個人情報の取扱いに同意する場合は、チェックを入れてください"
              "（同意がないと提案を受け付けられません）")
CONSENT_EN = ("Tick the box to agree to how your personal information is handled; we cannot "
              "accept a proposal without it")
RULES = [
    ("title", {"title": "  abc  "}, "題名は5〜80文字で入力してください（いま3文字）",
     LENGTH_EN.format("Title", 5, 80, 3)),
    ("title", {"title": "あ" * 81}, "題名は5〜80文字で入力してください（いま81文字）",
     LENGTH_EN.format("Title", 5, 80, 81)),
    ("title", {"title": "   "}, "題名を入力してください", "Enter a title"),
    ("category", {"category": None}, "テーマを選んでください", "Select a theme"),
    ("category", {"category": "space-travel"}, "テーマを一覧から選んでください",
     "Select a theme from the list"),
    ("problem", {"problem": "短すぎる説明です。" * 2},
     "現状・課題は20〜4000文字で入力してください（いま18文字）",
     LENGTH_EN.format("The current situation or problem", 20, 4000, 18)),
    ("problem", {"problem": "あ" * 4001},
     "現状・課題は20〜4000文字で入力してください（いま4001文字）",
     LENGTH_EN.format("The current situation or problem", 20, 4000, 4001)),
    ("proposal", {"proposal": "花壇"}, "提案内容は20〜4000文字で入力してください（いま2文字）",
     LENGTH_EN.format("What should be done", 20, 4000, 2)),
    ("proposal", {"proposal": "い" * 4001},
     "提案内容は20〜4000文字で入力してください（いま4001文字）",
     LENGTH_EN.format("What should be done", 20, 4000, 4001)),
    ("expected_effect", {"expected_effect": "効" * 2001},
     "期待される効果は2000文字以内で入力してください（いま2001文字）",
     "Expected effect must be 2000 characters or fewer (you entered 2001)"),
    ("role_split", {"role_split": "役" * 2001},
     "役割分担は2000文字以内で入力してください（いま2001文字）",
     "Who does what must be 2000 characters or fewer (you entered 2001)"),
    ("district", {"district": "d99"}, "地域を一覧から選ぶか、「市全体」を選んでください",
     "Select an area from the list, or city-wide"),
    ("budget_total", {"budget_total": -1}, "費用の総額は0円以上で入力してください",
     "Total cost must be 0 or more"),
    ("city_share", {"city_share": "－２万"}, "市に求める額は0円以上で入力してください",
     "The amount asked of the city must be 0 or more"),
    ("budget_total", {"budget_total": 1000.5}, YEN_JA, YEN_EN),
    ("budget_total", {"budget_total": "1" * 26}, "費用の総額は1000兆円未満で入力してください",
     "Total cost must be less than 1,000 trillion yen"),
    ("budget_total", {"budget_total": "たくさん"}, YEN_JA, YEN_EN),
    ("city_share", {"budget_total": 1000, "city_share": 2000},
     "市に求める額は、費用の総額以下にしてください",
     "The amount asked of the city must be the same as or less than the total cost"),
    ("language", {"language": "fr"}, "連絡に使う言葉を一覧から選んでください",
     "Select the language for messages to you from the list"),
    ("proposer_type", {"proposer_type": None},
     "個人・町内会や自治会・NPOや市民活動団体・事業者・学校・その他のどれとして提案するか"
     "選んでください", TYPE_EN),
    ("proposer_type", {"proposer_type": "alien", "organization": "謎の団体"},
     "提案者の区分を一覧から選んでください", TYPE_EN + ", from the list"),
    ("proposer_name", {"proposer_name": None}, "お名前を入力してください", "Enter your name"),
    ("proposer_name", {"proposer_name": "名" * 101},
     "お名前は100文字以内で入力してください（いま101文字）",
     "Your name must be 100 characters or fewer (you entered 101)"),
    ("organization", {"proposer_type": "npo", "organization": ""},
     "団体・事業者名を入力してください（個人として提案する場合は不要です）",
     "Enter the name of your association, group, business or school"),
    ("organization", {"proposer_type": "business", "organization": "団" * 101},
     "団体・事業者名は100文字以内で入力してください（いま101文字）",
     "The name of your organisation must be 100 characters or fewer (you entered 101)"),
    ("email", {"email": "hanako.example.jp"},
     "メールアドレスを正しい形で入力してください（例：name@example.com）",
     "Enter an email address in the correct format, like name@example.com"),
    ("email", {"email": "", "phone": ""}, "メールアドレスか電話番号のどちらかを入力してください",
     "Enter an email address or a phone number, so that we can contact you"),
    ("phone", {"phone": "090-abcd-5678"},
     "電話番号は、03-1234-5678のように数字とハイフンで入力してください",
     "Enter a phone number in the correct format, like 03-1234-5678"),
    ("consent", {"consent": None}, CONSENT_JA, CONSENT_EN),
    ("consent", {"consent": False}, CONSENT_JA, CONSENT_EN),
    # Any other text is neither: "maybe" is no consent, nor a wish to publish one's name.
    ("consent", {"consent": "maybe"},
     "個人情報の取扱いへの同意は、true（同意する）か false で指定してください",
     "Consent to how your personal information is handled must be true (you agree) or false"),
    ("publish_name", {"publish_name": "maybe"},
     "名前の公開は、true（公開する）か false（公開しない）で指定してください",
     "Publishing your name must be true (publish it) or false (do not)"),
    ("kind", {"kind": "petition"}, "提案の種類を一覧から選んでください",
     "Select the type of proposal from the list"),
]


@pytest.fixture
def themes(factory):
    """Only what validation reads (a theme, a district): rule tests need no staff."""
    factory.category("parks", "公園・緑地", "Parks and green")
    factory.district("d01", "第一小学校区")
    return factory


def _rule_id(rule) -> str:
    field, overrides, *_ = rule
    shown = ",".join(f"{k}={str(v)[:12]}" for k, v in overrides.items())
    return f"{field}[{shown}]"


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("field", "overrides", "ja", "en"), RULES,
                         ids=[_rule_id(r) for r in RULES])
def test_each_form_rule_answers_422_naming_the_field(themes, client, db, lang, field,
                                                     overrides, ja, en):
    # The message language is the payload's language, else Accept-Language (the
    # "language unknown" row exercises the fallback).
    payload = form(**{"language": lang, **overrides})
    response = client.post(URL, json=payload, headers={"Accept-Language": lang})
    assert response.status_code == 422
    error = response.get_json()["error"]
    expected = ja if lang == "ja" else en
    assert error["code"] == "invalid"
    assert error["fields"] == {field: [expected]}
    label = {"ja": "入力内容を確認してください", "en": "There is a problem with"}[lang]
    assert error["message"].startswith(label)
    assert db.execute(select(Proposal)).first() is None


def test_message_language_follows_accept_language_without_payload_language(city, client):
    response = client.post(URL, json=form(language=None, title="abc"),
                           headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.get_json()["error"]["fields"]["title"] == [
        "Title must be between 5 and 80 characters (you entered 3)"]


def test_easy_japanese_by_query_parameter(city, client):
    response = client.post(f"{URL}?lang=ja-easy", json=form(language=None, title=None))
    # The API gives easy Japanese as plain text (kanji kept; readings are the pages' ruby).
    assert response.get_json()["error"]["fields"]["title"] == [
        "題名（タイトル）を 書いて ください"]


def test_several_bad_fields_are_all_named(city, client):
    response = client.post(URL, json=form(title="", category="nope", consent=False))
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"title", "category", "consent"}
    for label in ("提案の題名", "テーマ", "個人情報の取扱いに同意します"):
        assert label in error["message"]


# --- bodies that are not a valid proposal object ---------------------------------------------


def _post_raw(client, data, content_type="application/json"):
    return client.post(URL, data=data, content_type=content_type)


@pytest.mark.parametrize(("data", "code"), [
    (b"{", "malformed_json"),
    (b"", "malformed_json"),
    (b"{'title': 'single quotes'}", "malformed_json"),
    (b'{"budget_total": NaN}', "malformed_json"),
    (b'{"budget_total": Infinity}', "malformed_json"),
    (b'{"a": 1} trailing', "malformed_json"),
    (b"\xff\xfe\xfa", "not_utf8"),  # the rule it breaks: JSON is UTF-8
    (b'{"budget_total": ' + b"9" * 5000 + b"}", "malformed_json"),
    (b"[" * 100_000 + b"]" * 100_000, "malformed_json"),
    (b"[]", "not_an_object"),
    (b'"a string"', "not_an_object"),
    (b"42", "not_an_object"),
    (b"null", "not_an_object"),
])
def test_unparseable_or_non_object_json_is_400(client, data, code):
    response = _post_raw(client, data)
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["error"]["code"] == code


# (multipart/form-data is the body that carries attachments: tests/test_attachments.py)
@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "application/xml", "",
])
def test_wrong_content_type_is_415(client, content_type):
    response = _post_raw(client, json.dumps(form()).encode(), content_type=content_type)
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_json_with_charset_and_vendor_suffix_are_accepted(city, client):
    assert _post_raw(client, json.dumps(form()).encode(),
                     "application/json; charset=utf-8").status_code == 201
    assert _post_raw(client, json.dumps(form()).encode(),
                     "application/vnd.teian+json").status_code == 201


def test_oversized_body_is_413_json(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps(form(problem="あ" * limit)).encode()
    response = _post_raw(client, body)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large"
    assert str(limit) in error["message"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "花壇の\x00提案です"}, "title"),
    ({"proposer_name": "山田\ud800花子"}, "proposer_name"),
    ({"extra": {"nested": ["ok", "bad\x00"]}}, "extra"),
])
def test_text_that_cannot_be_stored_is_422_naming_the_field(client, db, overrides, field):
    response = client.post(URL, data=json.dumps(form(**overrides)),
                           content_type="application/json")
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {field}
    assert db.execute(select(Proposal)).first() is None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": {"ja": "公園に花壇をつくる提案"}}, "title"),
    ({"category": ["parks"]}, "category"),
    ({"consent": {"agreed": True}}, "consent"),
    ({"budget_total": [1000]}, "budget_total"),
    ({"budget_total": 10**20}, "budget_total"),
    ({"city_share": True}, "city_share"),
    ({"email": 12345}, "email"),
])
def test_wrong_json_types_are_422_never_500(themes, client, overrides, field):
    response = client.post(URL, json=form(**overrides))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_a_number_beyond_float_range_is_422(themes, client):
    body = json.dumps(form()).replace('"publish_name": false', '"budget_total": 1e400, '
                                      '"publish_name": false')
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 422
    assert "budget_total" in response.get_json()["error"]["fields"]


def test_unknown_fields_are_ignored(city, client, db):
    answer = submit(client, favourite_colour="green", id=999, state="adopted",
                    department="roads", website="http://spam.example")
    proposal = db.get(Proposal, answer["id"])
    assert proposal.state == "submitted"
    assert proposal.lead_department.code == "parks"


def test_numbers_and_digit_strings_are_whole_yen(city, client, db):
    answer = submit(client, budget_total="１，０００，０００円", city_share=250000)
    proposal = db.get(Proposal, answer["id"])
    assert (proposal.budget_total, proposal.city_share) == (1_000_000, 250_000)


# --- what a success answers, and what it stores -------------------------------------------------


def test_success_answers_201_with_receipt_token_and_location(city, client, db):
    response = client.post(URL, json=form())
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "receipt", "tracking_token", "state", "department"}
    assert body["receipt"].startswith("T-") and body["receipt"].endswith(f"{body['id']:06d}")
    assert body["state"] == "submitted"
    assert body["department"] == {"code": "parks", "name": "公園緑地課"}
    assert len(body["tracking_token"]) >= 22  # ≥ 128 bits, url-safe
    assert response.headers["Location"] == f"{API}/track/{body['tracking_token']}"
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(response.headers["Location"]).status_code == 200
    proposal = db.get(Proposal, body["id"])
    assert proposal.tracking_token_hash != body["tracking_token"]


def test_department_name_follows_the_submission_language(city, client):
    assert submit(client, language="en")["department"] == {"code": "parks",
                                                           "name": "Parks Division"}


def test_full_width_contact_details_are_normalised(city, client, db):
    answer = submit(client, email="ｈａｎａｋｏ＠ＥＸＡＭＰＬＥ．ＪＰ",
                    phone="０９０ー１２３４ー５６７８")
    contact = db.get(ProposerContact, answer["id"])
    assert contact.email == "hanako@example.jp"
    assert contact.phone == "090-1234-5678"


@pytest.mark.parametrize(("typed", "stored"), [
    ("03(1234)5678", "03-1234-5678"),
    ("０３（１２３４）５６７８", "03-1234-5678"),
    ("(03) 1234-5678", "03-1234-5678"),
    ("+81 3-1234-5678", "+81-3-1234-5678"),
])
def test_phone_numbers_written_the_usual_ways_are_taken(city, client, db, typed, stored):
    contact = db.get(ProposerContact, submit(client, phone=typed)["id"])
    assert contact.phone == stored


@pytest.mark.parametrize("typed", ["03(12a4)5678", "+", "++81-3-1234-5678", "81+3-1234-5678"])
def test_phone_numbers_that_are_not_numbers_are_still_refused(city, client, typed):
    response = client.post(f"{API}/proposals", json=form(phone=typed))
    assert response.status_code == 422
    assert "phone" in response.get_json()["error"]["fields"]


def test_names_and_prose_keep_their_exact_characters(city, client, db):
    kami = "\ufa19"  # 神 (CJK compatibility ideograph): NFC/NFKC would turn it into U+795E
    name = f"{kami}田 花子🌸"
    organization = f"{kami}田町内会 🏡"
    title = f"{kami}社の花壇🌷をつくる"
    problem = f"{kami}社の前の公園は草が伸び放題で、子どもが遊びにくい🌱状態です。"
    answer = submit(client, proposer_name=name, proposer_type="neighborhood_association",
                    organization=organization, title=title, problem=problem)
    db.expire_all()
    proposal = db.get(Proposal, answer["id"])
    assert proposal.title == title and kami in proposal.title
    assert proposal.problem == problem
    assert proposal.contact.name == name
    assert proposal.contact.organization == organization


# --- routing: the right queue, the right person -------------------------------------------------


def _queue(client, token, **query):
    response = client.get(f"{API}/queue", headers=bearer(token), query_string=query)
    assert response.status_code == 200
    return {item["id"]: item for item in response.get_json()["items"]}


def test_lands_in_the_departments_queue_assigned_to_its_primary(city, client):
    answer = submit(client, category="parks")
    queue = _queue(client, city.token(city.parks_liaison))
    assert answer["id"] in queue
    assert queue[answer["id"]]["assignee"] == {"id": city.parks_liaison.id, "name": "parks"}
    assert queue[answer["id"]]["department"]["code"] == "parks"
    assert answer["id"] not in _queue(client, city.token(city.roads_primary))


def test_the_deputy_takes_it_while_the_primary_is_absent(city, client, db):
    city.roads_primary.absent = True
    db.commit()
    answer = submit(client, category="roads")
    queue = _queue(client, city.token(city.roads_deputy))
    assert queue[answer["id"]]["assignee"]["id"] == city.roads_deputy.id


def test_keyword_rule_routes_to_the_more_specific_department(city, client):
    answer = submit(client, category="welfare", title="子育て世代の交流サロン")
    assert answer["department"]["code"] == "children"
    assert answer["id"] in _queue(client, city.token(city.children_liaison))


def test_unroutable_lands_in_the_office_triage_queue(city, client):
    answer = submit(client, category="other")
    assert answer["department"] is None
    office = city.token(city.office_user)
    triage = _queue(client, office, department="triage")
    assert triage[answer["id"]]["department"] is None
    assert triage[answer["id"]]["assignee"] is None
    for liaison in (city.parks_liaison, city.roads_primary, city.welfare_liaison):
        assert answer["id"] not in _queue(client, city.token(liaison))


def test_idea_kind_runs_the_idea_workflow(city, client, db):
    answer = submit(client, kind="idea")
    assert db.get(Proposal, answer["id"]).kind == "idea"

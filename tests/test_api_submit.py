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

# One row per rule: (field, overrides, Japanese message, English message).
RULES = [
    ("title", {"title": "  abc  "},
     "提案の題名は5〜80文字で入力してください（いま3文字）。",
     "Title must be 5 to 80 characters (now 3)."),
    ("title", {"title": "あ" * 81},
     "提案の題名は5〜80文字で入力してください（いま81文字）。",
     "Title must be 5 to 80 characters (now 81)."),
    ("title", {"title": "   "}, "提案の題名を入力してください。", "Enter Title."),
    ("category", {"category": None}, "テーマを選んでください。", "Choose Theme."),
    ("category", {"category": "space-travel"}, "テーマの選択肢から選んでください。",
     "Theme must be one of the listed choices."),
    ("problem", {"problem": "短すぎる説明です。" * 2},
     "現状・課題は20〜4000文字で入力してください（いま18文字）。",
     "The current situation or problem must be 20 to 4000 characters (now 18)."),
    ("problem", {"problem": "あ" * 4001},
     "現状・課題は20〜4000文字で入力してください（いま4001文字）。",
     "The current situation or problem must be 20 to 4000 characters (now 4001)."),
    ("proposal", {"proposal": "花壇"},
     "提案内容は20〜4000文字で入力してください（いま2文字）。",
     "What should be done must be 20 to 4000 characters (now 2)."),
    ("proposal", {"proposal": "い" * 4001},
     "提案内容は20〜4000文字で入力してください（いま4001文字）。",
     "What should be done must be 20 to 4000 characters (now 4001)."),
    ("expected_effect", {"expected_effect": "効" * 2001},
     "期待される効果（任意）は2000文字以内で入力してください（いま2001文字）。",
     "Expected effect (optional) must be at most 2000 characters (now 2001)."),
    ("role_split", {"role_split": "役" * 2001},
     "役割分担：市民がすること・市がすること（任意）は2000文字以内で入力してください（いま2001文字）。",
     "Who does what: citizens and the city (optional) must be at most 2000 characters "
     "(now 2001)."),
    ("district", {"district": "d99"}, "地域（小学校区）の選択肢から選んでください。",
     "Area (elementary-school district) must be one of the listed choices."),
    ("budget_total", {"budget_total": -1},
     "必要な費用の総額（円、任意）は0以上の整数（円）で入力してください。",
     "Total cost in yen (optional) must be a whole number of yen, 0 or more."),
    ("budget_total", {"budget_total": 1000.5},
     "必要な費用の総額（円、任意）は0以上の整数（円）で入力してください。",
     "Total cost in yen (optional) must be a whole number of yen, 0 or more."),
    ("budget_total", {"budget_total": "たくさん"},
     "必要な費用の総額（円、任意）は0以上の整数（円）で入力してください。",
     "Total cost in yen (optional) must be a whole number of yen, 0 or more."),
    ("city_share", {"budget_total": 1000, "city_share": 2000},
     "うち市に求める額（円、任意）は総額以下にしてください。",
     "Of which the city is asked to pay, in yen (optional) cannot be more than the total "
     "cost."),
    ("language", {"language": "fr"}, "連絡に使う言葉の選択肢から選んでください。",
     "Language for messages to you must be one of the listed choices."),
    ("proposer_type", {"proposer_type": None}, "提案者の区分を選んでください。",
     "Choose You are proposing as."),
    ("proposer_type", {"proposer_type": "alien", "organization": "謎の団体"},
     "提案者の区分の選択肢から選んでください。",
     "You are proposing as must be one of the listed choices."),
    ("proposer_name", {"proposer_name": None}, "お名前を入力してください。", "Enter Your name."),
    ("proposer_name", {"proposer_name": "名" * 101},
     "お名前は100文字以内で入力してください（いま101文字）。",
     "Your name must be at most 100 characters (now 101)."),
    ("organization", {"proposer_type": "npo", "organization": ""},
     "個人以外の方は団体・事業者名を入力してください。",
     "Enter Organisation: it is required unless you propose as an individual."),
    ("organization", {"proposer_type": "business", "organization": "団" * 101},
     "団体・事業者名は100文字以内で入力してください（いま101文字）。",
     "Organisation must be at most 100 characters (now 101)."),
    ("email", {"email": "hanako.example.jp"},
     "メールアドレスの形式が正しくありません（例：name@example.jp）。",
     "E-mail address is not a valid e-mail address (like name@example.jp)."),
    ("email", {"email": "", "phone": ""},
     "メールアドレスか電話番号のどちらかを入力してください。",
     "Enter an e-mail address or a phone number."),
    ("phone", {"phone": "090-abcd-5678"},
     "電話番号（任意）は数字とハイフンで入力してください（例：03-1234-5678）。",
     "Phone number (optional) may contain only digits and hyphens (like 03-1234-5678)."),
    ("consent", {"consent": None}, "個人情報の取扱いへの同意が必要です。",
     "You must agree to how your personal information is handled."),
    ("consent", {"consent": False}, "個人情報の取扱いへの同意が必要です。",
     "You must agree to how your personal information is handled."),
    ("kind", {"kind": "petition"}, "提案の種類の選択肢から選んでください。",
     "Type of proposal must be one of the listed choices."),
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
        "Title must be 5 to 80 characters (now 3)."]


def test_easy_japanese_by_query_parameter(city, client):
    response = client.post(f"{URL}?lang=ja-easy", json=form(language=None, title=None))
    # The API gives easy Japanese as plain text (kanji kept; readings are the pages' ruby).
    assert response.get_json()["error"]["fields"]["title"] == [
        "提案の 題名を 書いて ください。"]


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
    (b"\xff\xfe\xfa", "malformed_json"),
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


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/xml", "",
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

"""Search (SPEC section 8, issue 9): ``q`` on the public list and the staff queue, pages
and API, on whichever database the suite runs on — width and case folded, every word
required, two-character and one-character words, the public copy only for the public."""

from __future__ import annotations

import re

import pytest

from intake import search
from intake.core.actors import Actor
from intake.models import Proposal
from tests import ops
from tests.api_support import API, bearer, publish
from tests.staff_support import fire, login, reload

TEXTS = {
    "led": dict(title="商店街の街灯をＬＥＤにする提案",
                problem="街灯が暗く、夜の商店街を歩くのが不安です。",
                proposal="省エネのため、街灯を順番に取り替えることを提案します。"),
    "bench": dict(title="公園にﾍﾞﾝﾁを置く提案",
                  problem="公園に座る場所がなく、高齢者が休めません。",
                  proposal="木製の長いすを三つ置くことを提案します。"),
    "bus": dict(title="バス停の改善について",
                problem="バスを待つ人が雨にぬれています。",
                proposal="停留所に屋根をつけてください。"),
    "flowers": dict(title="駅前に花壇をつくる提案",
                    problem="駅前の歩道が殺風景です。",
                    proposal="町内会が季節の花を植えて世話をします。"),
}


@pytest.fixture
def published(city, db) -> dict[str, int]:
    made = {}
    for name, text in TEXTS.items():
        proposal, _ = city.submit(**text)
        publish(db, proposal)
        made[name] = proposal.id
    return made


def public_ids(client, q, **args) -> list[int]:
    response = client.get(f"{API}/proposals", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def queue_ids(client, token, q) -> list[int]:
    response = client.get(f"{API}/queue", query_string={"q": q}, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


@pytest.mark.parametrize(("q", "expected"), [
    ("LED", ["led"]),  # the title says ＬＥＤ (full width)
    ("ＬＥＤ", ["led"]),
    ("led", ["led"]),
    ("ベンチ", ["bench"]),  # the title says ﾍﾞﾝﾁ (half-width kana)
    ("ﾍﾞﾝﾁ", ["bench"]),
    ("バス 屋根", ["bus"]),  # two words, in different fields
    ("バス　屋根", ["bus"]),  # a full-width space between them
    ("屋根 バス", ["bus"]),
    ("バス ベンチ", []),  # every word must match
    ("花壇", ["flowers"]),  # two characters
    ("提案", ["flowers", "bench", "led"]),
    ("ベチ", []),  # both characters are in ベンチ, not side by side
    ("ンチを", ["bench"]),  # ﾍﾞﾝﾁを folds to ベンチを
    ("屋根が", []),
    ("街灯を順番", ["led"]),  # a phrase of four bigrams
    ("灯", ["led"]),  # one character
    ("駅", ["flowers"]),
    ("提案します。", ["bench", "led"]),  # punctuation is text too
])
def test_public_search_folds_width_and_case_and_needs_every_word(published, client, q,
                                                                  expected):
    assert public_ids(client, q) == [published[name] for name in expected]


def test_no_match_across_a_space_or_a_field(city, db, client):
    proposal, _ = city.submit(title="駅前 広場の清掃", problem="ごみが多い。",
                              proposal="前広の字は並んでいません。")
    publish(db, proposal)
    assert public_ids(client, "駅前広場") == []  # a space between 駅前 and 広場
    assert public_ids(client, "広場の") == [proposal.id]
    assert public_ids(client, "清掃ごみ") == []  # the end of the title, the start of problem
    assert public_ids(client, "前広") == [proposal.id]  # it is in the proposal text


def test_a_word_of_three_or_more_characters_matches_only_as_written(city, db, client):
    """PostgreSQL looks such a word up by its trigrams, not its pairs: 壇の and の花 both
    in a text, apart, is no 壇の花; 壇の花 and の花壇 both in a text, apart, is no
    壇の花壇 (the folded text is still checked).  SQLite's phrase of bigrams: the same."""
    apart, _ = city.submit(title="花壇の手入れと野の花の観察")
    windows, _ = city.submit(title="壇の花と野の花壇が並ぶ公園")
    adjacent, _ = city.submit(title="市民花壇の花壇を増やす提案")
    for proposal in (apart, windows, adjacent):
        publish(db, proposal)
    office = city.token(city.office_user)
    for found in (lambda q: public_ids(client, q), lambda q: queue_ids(client, office, q)):
        assert found("壇の花") == [adjacent.id, windows.id]
        assert found("壇の花壇") == [adjacent.id]
        assert found("花壇の手") == [apart.id]
        assert found("の花の") == [apart.id]
        assert found("の花壇 花の観") == []  # every word: no text has both
        assert found("手入れの花") == []


def test_staff_queue_searches_the_original_too(published, city, client):
    office = city.token(city.office_user)
    assert queue_ids(client, office, "ＬＥＤ") == [published["led"]]
    assert queue_ids(client, office, "バス 屋根") == [published["bus"]]
    assert queue_ids(client, office, "ベチ") == []
    parks = city.token(city.parks_liaison)  # the parks queue: only parks proposals
    assert queue_ids(client, parks, "花壇") == [published["flowers"]]


def test_unpublished_proposals_are_found_by_staff_only(city, client):
    proposal, _ = city.submit(title="図書館の開館時間を延ばす提案")
    assert public_ids(client, "図書館") == []
    assert queue_ids(client, city.token(city.office_user), "図書館") == [proposal.id]


FULL_WIDTH = str.maketrans("T-0123456789", "Ｔ－０１２３４５６７８９")


def test_a_receipt_number_finds_its_proposal_however_it_is_typed(published, city, client):
    wanted = published["bus"]
    year = city.session.get(Proposal, wanted).receipt.split("-")[1]
    for q in (f"T-{year}-{wanted:06d}", f"T-{year}-{wanted:06d}".translate(FULL_WIDTH),
              f"t-{year}-{wanted}", f"T―{year}―{wanted}", f" T {year} {wanted} "):
        assert public_ids(client, q) == [wanted], q
    assert public_ids(client, f"T-{int(year) - 1}-{wanted}") == []  # another year's number
    assert public_ids(client, f"T-{year}-999999") == []
    page = client.get("/proposals", query_string={"q": f"ｔ－{year}－{wanted}"})
    assert "バス停の改善について" in page.get_data(as_text=True)
    assert "花壇をつくる" not in page.get_data(as_text=True)


def test_an_unpublished_receipt_number_is_found_by_staff_only(city, client):
    proposal, _ = city.submit()
    q = f"t-{proposal.receipt.split('-')[1]}-{proposal.id}"  # lower case, no zeros
    assert public_ids(client, q) == []
    assert queue_ids(client, city.token(city.office_user), q) == [proposal.id]


PHONE = "090-1111-2222"
NEIGHBOUR = "鈴木一郎"


def test_a_masked_text_is_never_found_publicly_but_staff_find_it(city, db, client):
    proposal, _ = city.submit(
        title="集会所のスロープの提案",
        problem=f"連絡は{PHONE}まで。",
        proposal=f"{NEIGHBOUR}さんと一緒に手すりを点検します。",
    )
    fire(city, proposal, "accept", city.parks_liaison)
    proposal = reload(db, proposal)
    assert proposal.review_pending  # the scan found the phone number
    assert public_ids(client, "スロープ") == []
    ops.review_publication(db, proposal, Actor.staff(city.parks_liaison), redact=[PHONE])
    db.commit()
    assert public_ids(client, "スロープ") == [proposal.id]
    assert public_ids(client, "1111") == []
    assert public_ids(client, PHONE) == []
    assert public_ids(client, NEIGHBOUR) == [proposal.id]
    # The office masks what the scan missed: the public index is rewritten.
    proposal = reload(db, proposal)
    ops.review_publication(db, proposal, Actor.staff(city.office_user), redact=[NEIGHBOUR])
    db.commit()
    for q in (NEIGHBOUR, "鈴木", "一郎さん", "鈴"):
        assert public_ids(client, q) == [], q
    assert public_ids(client, "手すり 点検") == [proposal.id]
    pages = client.get("/proposals", query_string={"q": NEIGHBOUR}).get_data(as_text=True)
    assert "スロープ" not in pages
    office = city.token(city.office_user)
    for q in (PHONE, NEIGHBOUR, "鈴木", "1111"):
        assert queue_ids(client, office, q) == [proposal.id], q


@pytest.mark.parametrize("few", [search.query.FEW_MATCHES, 2])
def test_pagination_with_q_walks_every_match_once(city, db, client, monkeypatch, few):
    """Pages without gaps or repeats, newest first, whether the matches are few enough to
    be looked up by id or (``few`` = 2: seven matches are many) the list is walked with
    the search as its filter (PostgreSQL; SQLite has one plan)."""
    monkeypatch.setattr(search.query, "FEW_MATCHES", few)
    ids = []
    for i in range(7):
        proposal, _ = city.submit(title=f"歩道の段差をなくす提案 第{i}号",
                                  category="roads" if i % 2 else "parks")
        publish(db, proposal)
        ids.append(proposal.id)
    city.submit(title="ほかの話題の提案")
    seen, cursor = [], None
    while True:
        args = {"q": "段差", "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"{API}/proposals", query_string=args).get_json()
        seen.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[::-1][:3], ids[::-1][3:6], ids[::-1][6:]]
    office = city.token(city.office_user)
    first = client.get(f"{API}/queue", query_string={"q": "段差", "limit": 4},
                       headers=bearer(office)).get_json()
    rest = client.get(f"{API}/queue", headers=bearer(office),
                      query_string={"q": "段差", "limit": 4,
                                    "cursor": first["next_cursor"]}).get_json()
    assert [i["id"] for i in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None


WILD = ["%", "_", "%_%", "'", '"', "''", '"引用"', "\\", "*", "a*", "NEAR(", "AND", "OR",
        "NOT 提案", "(", ")", "^", ":", "'a':*", "a & b", "!", "<->", "😀", "👨‍👩‍👧", "\u202e提案",
        "\t", "   ", "　　", "x" * 100, "-", "+提案", "{", "ß", "İ", "ﷺ"]


@pytest.mark.parametrize("q", WILD)
def test_wild_queries_never_fail(published, city, client, q):
    assert client.get(f"{API}/proposals", query_string={"q": q}).status_code == 200
    assert client.get("/proposals", query_string={"q": q}).status_code == 200
    office = city.token(city.office_user)
    assert client.get(f"{API}/queue", query_string={"q": q},
                      headers=bearer(office)).status_code == 200


def test_only_spaces_filter_nothing(published, client):
    assert len(public_ids(client, "   ")) == len(published)
    assert len(public_ids(client, "　")) == len(published)


def test_emoji_and_quotes_are_found_as_written(city, db, client):
    proposal, _ = city.submit(title='「"夜市"」を開く提案 🏮', problem="100% 地元産。a_b です。")
    publish(db, proposal)
    for q in ('"夜市"', "🏮", "100%", "a_b", "%", "_"):
        assert public_ids(client, q) == [proposal.id], q
    assert public_ids(client, "a%b") == []


def test_a_query_too_long_is_refused_with_a_message(published, city, client):
    q = "あ" * 1000
    response = client.get(f"{API}/proposals", query_string={"q": q})
    assert response.status_code == 422
    assert "q" in response.get_json()["error"]["fields"]
    assert response.get_json()["error"]["fields"]["q"] == [
        f"検索語（q）は{search.MAX_QUERY}文字以内で入力してください。"]  # its name and limit
    page = client.get("/proposals", query_string={"q": q})
    assert page.status_code == 400
    assert f"{search.MAX_QUERY}文字以内" in page.get_data(as_text=True)
    assert 'href="/proposals"' in page.get_data(as_text=True)  # back to the list, not home
    # The search boxes keep a visitor within the limit in the first place.
    listed = client.get("/proposals").get_data(as_text=True)
    assert re.search(rf'<input[^>]*name="q"[^>]*maxlength="{search.MAX_QUERY}"', listed)
    login(client, city.office_user)
    staff_page = client.get("/staff/", query_string={"q": q})
    assert staff_page.status_code == 400
    assert f"{search.MAX_QUERY}文字以内" in staff_page.get_data(as_text=True)
    queue = client.get("/staff/").get_data(as_text=True)
    assert re.search(rf'<input[^>]*maxlength="{search.MAX_QUERY}"[^>]*name="q"'
                     rf'|<input[^>]*name="q"[^>]*maxlength="{search.MAX_QUERY}"', queue)
    assert public_ids(client, "あ" * search.MAX_QUERY) == []


def test_pages_search_like_the_api(published, city, client):
    page = client.get("/proposals", query_string={"q": "ＬＥＤ"}).get_data(as_text=True)
    assert "街灯" in page and "花壇" not in page
    login(client, city.office_user)
    staff = client.get("/staff/", query_string={"q": "ﾍﾞﾝﾁ"}).get_data(as_text=True)
    assert "ﾍﾞﾝﾁ" in staff and "花壇をつくる" not in staff


def test_fold_and_words():
    assert search.fold("ＬＥＤ") == "led"
    assert search.fold("ﾍﾞﾝﾁ") == "ベンチ"
    assert search.words(" バス　屋根  バス ") == ["バス", "屋根"]
    assert search.words("") == search.words("　 ") == []

"""The public pages as a reader meets them (issue 9): what citizens wrote is marked with
its language and isolated from the page's own text; the list says how many proposals
match and offers only states a public proposal can be in; a posted comment's banner is
where the page lands; a closed proposal does not say "no comments yet"."""

from __future__ import annotations

import re

import pytest

import workflows
from intake import queries
from intake.i18n import translate
from tests import ops as operations

from .test_web_public import (
    Page,
    form_data,
    in_deliberation,
    post_comment,
    post_proposal,
    staff,
)

RLO = "\u202e"


@pytest.fixture(autouse=True)
def no_fill_wait(app):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0


def published(city, **overrides):
    proposal, _token = city.submit(**overrides)
    staff(city, "accept", proposal)
    return proposal


@pytest.mark.parametrize("lang", ["en", "ja-easy"])
def test_japanese_user_text_carries_lang_ja_on_other_language_pages(city, client, db, lang):
    proposal = in_deliberation(city)
    operations.add_comment(db, proposal, name="北町の住民", body="とても良い提案だと思います。")
    db.commit()
    page = client.get(f"/proposals/{proposal.id}?lang={lang}").get_data(as_text=True)
    # (on easy-Japanese pages the title carries its readings: read without them)
    heading = re.search(r'<h1 class="heading-xl" lang="ja" dir="auto">(.*?)</h1>', page, re.S)
    assert re.sub(r"<rt>.*?</rt>|</?ruby>", "", heading.group(1)) == "公園に花壇をつくる提案"
    assert re.search(r'<p class="prose-text" lang="ja" dir="auto">駅前の公園は', page)
    assert '<bdi lang="ja">北町の住民</bdi>' in page
    assert '<p class="prose-text" lang="ja" dir="auto">とても良い提案だと思います。</p>' in page
    listed = client.get(f"/proposals?lang={lang}").get_data(as_text=True)
    titles = re.findall(r'<bdi lang="ja">(.*?)</bdi>', listed, re.S)
    assert "公園に花壇をつくる提案" in [re.sub(r"<rt>.*?</rt>|</?ruby>", "", t) for t in titles]


def test_an_english_proposal_is_marked_english_on_the_japanese_page(city, client):
    proposal = published(city, language="en", title="Benches for the station square")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert '<h1 class="heading-xl" lang="en" dir="auto">Benches for the station square</h1>' \
        in page


def test_user_text_is_marked_with_the_language_it_is_written_in_not_the_mails(city, client):
    """A proposer who reads English mail may well write in Japanese, and the reverse: the
    text itself says which voice reads it (digits alone: the proposal's language)."""
    japanese = published(city, language="en", title="駅前広場にベンチを置く")
    for lang in ("en", "ja"):
        page = client.get(f"/proposals/{japanese.id}?lang={lang}").get_data(as_text=True)
        assert '<h1 class="heading-xl" lang="ja" dir="auto">駅前広場にベンチを置く</h1>' in page
    english = published(city, title="Benches for the station square")
    page = client.get(f"/proposals/{english.id}").get_data(as_text=True)
    assert '<h1 class="heading-xl" lang="en" dir="auto">Benches for the station square</h1>' \
        in page
    digits = published(city, language="en", title="2026-2027")
    page = client.get(f"/proposals/{digits.id}").get_data(as_text=True)
    assert '<h1 class="heading-xl" lang="en" dir="auto">2026-2027</h1>' in page


def test_a_right_to_left_override_in_a_title_stays_inside_it(city, client):
    title = f"花壇の提案{RLO}txt.exe"
    proposal = published(city, title=title)
    for url in (f"/proposals/{proposal.id}", "/proposals", "/"):
        page = client.get(url).get_data(as_text=True)
        assert title in page, url
        # Every occurrence is the whole content of an isolating element.
        for match in re.finditer(re.escape(title), page):
            before = page[:match.start()]
            opening = before[before.rindex("<"):]
            if opening.startswith("<title>"):  # no markup there: Unicode's isolates
                assert before.endswith("\u2068") and page[match.end()] == "\u2069"
                continue
            assert opening.startswith("<bdi") or 'dir="auto"' in opening, (url, opening)


def test_the_list_says_how_many_proposals_match(city, client):
    for title in ("噴水の提案その一", "噴水の提案その二", "ベンチを置く提案"):
        published(city, title=title)
    text = Page(client.get("/proposals?q=噴水").get_data(as_text=True)).text
    assert translate("public.list.count", count="2") in text
    text = Page(client.get("/proposals?q=ベンチ&lang=en").get_data(as_text=True)).text
    assert translate("public.list.count_one", "en") in text
    text = Page(client.get("/proposals?q=存在しない言葉&lang=ja").get_data(as_text=True)).text
    assert translate("public.list.count", count="0") in text


def test_the_count_stops_at_its_cap(city, client, monkeypatch):
    for n in range(3):
        published(city, title=f"花壇の提案その{n}")
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    text = Page(client.get("/proposals").get_data(as_text=True)).text
    assert translate("public.list.count_more", count="2") in text
    assert queries.count_published(city.session, queries.Filters(), 2) == 3  # cap + 1


def test_the_state_filter_offers_only_states_a_public_proposal_can_be_in(city, client):
    page = Page(client.get("/proposals").get_data(as_text=True))
    offered = set(page.named("state")[0]["options"]) - {""}
    expected = {state for name in workflows.workflow_names()
                for state in workflows.get_workflow(name).publishable_states()}
    assert offered == expected
    for name in workflows.workflow_names():
        assert workflows.get_workflow(name).initial not in offered  # 受付 never matches
    assert "in_deliberation" in offered


def test_the_state_awaiting_the_proposer_says_whose_answer_is_awaited(city, client):
    """「回答待ち」 alone reads as if the city owed the answer: the label says it is the
    proposer's, in every workflow, wherever a state is named (badges, filters, tables)."""
    for name in workflows.workflow_names():
        workflow = workflows.get_workflow(name)
        waiting = {t.dest for t in workflow.transitions if t.trigger == "request_info"}
        assert {workflow.state_label(s, "ja") for s in waiting} == {"提案者の回答待ち"}, name
    page = client.get("/proposals").get_data(as_text=True)
    assert ">提案者の回答待ち</option>" in page and ">回答待ち<" not in page


def test_english_labels_start_with_a_capital_and_say_what_the_date_is(city, client):
    published(city)
    card = Page(client.get("/proposals?lang=en").get_data(as_text=True)).text
    assert re.search(r"\bReceived \w{3} \d{1,2} \w+ \d{4}", card), card
    assert "received" not in card
    assert post_proposal(client, form_data()).status_code == 303
    submitted = Page(client.get("/submitted?lang=en").get_data(as_text=True)).text
    assert "Decision on acceptance due" in submitted and "Accepted or not" not in submitted


def test_a_posted_comments_banner_is_beside_the_comments_heading(city, client):
    proposal = in_deliberation(city)
    response = post_comment(client, proposal, {"body": "賛成です。"})
    assert response.headers["Location"].endswith("#comments")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    section = page.split('id="comments"', 1)[1]
    heading_end = section.index("</h2>")
    banner = section.index(translate("public.comment.thanks"))
    assert heading_end < banner < section.index('class="record comment"')
    main_start = page.index('<main')
    assert page.count(translate("public.comment.thanks")) == 1  # not at the top as well
    assert page.index(translate("public.comment.thanks")) > main_start


def test_a_proposal_closed_without_deliberation_says_comments_were_not_opened(city, client):
    proposal = published(city)
    staff(city, "reject", proposal, reason="対象外です。", reason_code="out_of_scope")
    text = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True)).text
    assert translate("public.proposal.no_comments") not in text
    assert translate("public.comment.not_opened") in text


def test_a_deliberation_that_ended_without_comments_says_they_are_closed(city, client):
    proposal = in_deliberation(city)
    staff(city, "reject", proposal, reason="予算がありません。")
    text = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True)).text
    assert translate("public.proposal.no_comments") not in text
    assert translate("public.comment.closed_none") in text


def test_no_comments_yet_only_while_comments_are_open(city, client):
    proposal = in_deliberation(city)
    text = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True)).text
    assert translate("public.proposal.no_comments") in text


def test_the_proposers_own_pages_mark_their_text_too(city, client):
    proposal, token = city.submit()
    page = client.get(f"/track/{token}?lang=en").get_data(as_text=True)
    assert '<h1 class="heading-xl" lang="ja" dir="auto">公園に花壇をつくる提案</h1>' in page

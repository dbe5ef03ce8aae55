"""Easy Japanese done as the national guideline asks: the catalogue is complete, easy-Japanese
pages carry kanji with readings (ruby) that readers can switch off, staff pages do not
offer easy Japanese, and reviewers can read the glossary of readings."""

from __future__ import annotations

import re
import tomllib
from html import unescape
from pathlib import Path

import pytest

from intake.i18n import (
    EASY_LANGUAGE,
    STAFF_ONLY_PREFIXES,
    catalogue,
    translate,
    translate_html,
    translate_mail,
)
from intake.i18n.furigana import furigana, glossary, has_kanji, readings_in_brackets
from tests.factories import publish_as_written

from .staff_support import login, page

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_TEMPLATES = [ROOT / "templates/base.html", ROOT / "templates/_form_macros.html",
                    ROOT / "templates/_footer.html",
                    *sorted((ROOT / "templates/public").glob("*.html")),
                    *sorted((ROOT / "templates/pages").glob("*.html"))]
KYOUDOU = "<ruby>協働<rt>きょうどう</rt></ruby>"
# Common words the old texts spelled out in hiragana; the guideline keeps their kanji.
SPELLED_OUT = re.compile("ていあん|いけん|りゆう|しつもん|こたえ|うけつけ|きょうどう|しやくしょ|"
                         "なまえ|れんらく|でんわ")


def citizen_facing(key: str) -> bool:
    return not key.startswith(STAFF_ONLY_PREFIXES)


# --- the catalogue ------------------------------------------------------------------------------


def test_every_message_has_japanese_and_english():
    missing = [(key, lang) for key, texts in catalogue().items() for lang in ("ja", "en")
               if not (texts.get(lang) or "").strip()]
    assert missing == []


def test_every_message_a_citizen_can_read_has_easy_japanese():
    missing = [key for key, texts in catalogue().items()
               if citizen_facing(key) and not (texts.get(EASY_LANGUAGE) or "").strip()]
    assert missing == []


def test_public_templates_name_only_messages_with_easy_japanese():
    """The staff-only prefixes must not hide a message the public pages show."""
    named = set()
    for path in PUBLIC_TEMPLATES:
        named |= set(re.findall(r"""_\(\s*'([a-z0-9_.]+)'""", path.read_text()))
        # keys built in the template: 'field.kind.' ~ proposal.kind and the like
        for prefix in re.findall(r"""_\(\s*'([a-z0-9_.]+\.)'\s*~""", path.read_text()):
            named |= {key for key in catalogue() if key.startswith(prefix)}
    assert "staff.choice.reason_code.duplicate" in named  # the public page shows reason codes
    without = sorted(key for key in named
                     if key in catalogue() and not catalogue()[key].get(EASY_LANGUAGE))
    assert without == []


def test_easy_japanese_keeps_placeholders():
    changed = [key for key, texts in catalogue().items() if texts.get(EASY_LANGUAGE)
               and set(re.findall(r"\{\w+\}", texts[EASY_LANGUAGE]))
               - set(re.findall(r"\{\w+\}", texts["ja"]))]
    assert changed == []


def test_easy_japanese_keeps_common_kanji_instead_of_spaced_hiragana():
    """The issue's example: 市の 協働推進室が 受け付けます, not しの きょうどう すいしん しつ."""
    texts = [texts[EASY_LANGUAGE] for key, texts in catalogue().items()
             if citizen_facing(key) and texts.get(EASY_LANGUAGE) and has_kanji(texts["ja"])]
    long_all_kana = [text for text in texts
                     if len(re.sub(r"\{\w+\}", "", text)) >= 15 and not has_kanji(text)]
    assert len(texts) > 100 and long_all_kana == []
    spelled_out = [text for text in texts if re.search(SPELLED_OUT, text)]
    assert spelled_out == []
    assert "協働推進室" in translate("site.footer", EASY_LANGUAGE)


def test_business_days_are_not_dropped():
    idea = translate("field.kind.idea", EASY_LANGUAGE)
    assert "市役所が 開いている 日で 10日" in idea
    # the glossary reads 開いている as あいている and 10日 as とおか
    html = str(furigana(idea))
    assert "<ruby>開<rt>あ</rt></ruby>いている" in html
    assert "<ruby>10日<rt>とおか</rt></ruby>" in html


def test_workflow_labels_in_easy_japanese_use_kanji():
    for name in ("proposal", "idea"):
        text = (ROOT / "workflows" / f"{name}.toml").read_text()
        labels = re.findall(r'ja-easy = "([^"]*)"', text)
        assert len(labels) > 10
        assert [label for label in labels if re.search(SPELLED_OUT, label)] == []


# --- furigana -----------------------------------------------------------------------------------


def test_ruby_covers_only_the_kanji_of_a_word_with_okurigana():
    assert str(furigana("受け付けます")) == (
        "<ruby>受<rt>う</rt></ruby>け<ruby>付<rt>つ</rt></ruby>けます")


def test_kana_and_latin_text_is_left_as_it_is():
    assert str(furigana("ありがとう ございます")) == "ありがとう ございます"
    assert str(furigana("LED電球")) == "LED<ruby>電球<rt>でんきゅう</rt></ruby>"


def test_the_glossary_wins_over_the_analyser():
    # The analyser alone reads 大供 as a surname (おおとも) and 西小学校区 as 西小 (にしお).
    assert str(furigana("大供")) == "<ruby>大供<rt>だいく</rt></ruby>"
    assert "<rt>にししょうがっこうく</rt>" in str(furigana("西小学校区"))
    assert str(furigana("協働推進室")) == "<ruby>協働推進室<rt>きょうどうすいしんしつ</rt></ruby>"


def test_html_in_the_text_is_escaped():
    html = str(furigana('<script>alert("協働")</script> & 市'))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert KYOUDOU in html


def test_signs_inside_a_dictionary_word_do_not_swallow_the_ruby():
    assert str(furigana("読み方（ふりがな）")) == (
        "<ruby>読<rt>よ</rt></ruby>み<ruby>方<rt>かた</rt></ruby>（ふりがな）")


def test_the_glossary_file_is_well_formed():
    with (ROOT / "intake/i18n/glossary.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    assert [entry.word for entry in glossary()] == list(raw)
    assert "glossary.toml" not in {key for key in catalogue()}  # not read as messages
    assert all(not has_kanji(entry.reading) for entry in glossary())


def test_page_text_escapes_parameters_and_reads_numbers_with_their_counter():
    html = str(translate_html("public.session.people", EASY_LANGUAGE, count=3))
    assert html == "<ruby>3人<rt>さんにん</rt></ruby>" or "<rt>にん</rt>" in html
    html = str(translate_html("public.timeline.route", EASY_LANGUAGE,
                              department="<b>公園緑地課</b>"))
    # a parameter is escaped, and read too (department names are in the glossary)
    assert "&lt;b&gt;<ruby>公園緑地課<rt>こうえんりょくちか</rt></ruby>&lt;/b&gt;" in html
    assert str(translate_html("public.timeline.route", EASY_LANGUAGE, ruby=False,
                              department="x")).count("<ruby>") == 0


@pytest.mark.parametrize("key", ["public.support.count", "public.session.people"])
def test_a_counter_after_a_number_given_as_text_is_read_as_a_counter(key):
    """Pages give counts formatted ("1,234"): the catalogue's placeholder before 人 is a
    number, so 人 is にん (a person, ひと, only without one) — from the shipped table."""
    for count in ("0", "1,234"):
        html = str(translate_html(key, EASY_LANGUAGE, count=count))
        assert f"{count}<ruby>人<rt>にん</rt></ruby>" in html, html


def test_the_supports_count_reads_nin_on_the_easy_page(client, published):
    html = page(client.get(f"/proposals/{published.id}?lang=ja-easy"))
    assert "0<ruby>人<rt>にん</rt></ruby>" in html
    assert "<rt>ひと</rt>" not in html.split('class="supports-count"', 1)[1][:200]


def test_easy_japanese_mail_gives_readings_in_brackets_once():
    body = translate_mail("mail.receipt.link", EASY_LANGUAGE, receipt="T-2026-000001",
                          tracking_url="http://teian.test/track/abc", lookup_url="u")
    assert "提案（ていあん）の 様子（ようす）を" in body
    assert body.count("（ていあん）") == 1
    assert "http://teian.test/track/abc" in body
    assert readings_in_brackets("見る") == "見（み）る"
    ja = translate_mail("mail.receipt.body", "ja", receipt="T-1", title="t", department="d")
    assert "（" not in ja.split("\n")[0] or "ていあん" not in ja


# --- public pages -------------------------------------------------------------------------------


@pytest.fixture
def published(city, db):
    proposal, _token = city.submit(title="協働で大供公園にベンチを置く")
    publish_as_written(proposal)
    db.commit()
    return proposal


@pytest.mark.parametrize("path", ["/", "/propose", "/proposals", "proposal"])
def test_easy_japanese_pages_carry_readings(client, published, path):
    url = f"/proposals/{published.id}" if path == "proposal" else path
    html = page(client.get(f"{url}?lang=ja-easy"))
    assert '<html lang="ja">' in html
    assert KYOUDOU in html  # the footer: 協働の まちづくり 条例
    assert "<ruby>条例<rt>じょうれい</rt></ruby>" in html  # a glossary word
    # no ruby where it cannot go: the page title and attribute values
    assert "<ruby>" not in re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert not re.search(r'="[^"]*<ruby>', html)


def test_the_form_reads_its_labels_and_grammatical_errors(client, city):
    html = page(client.post("/propose?lang=ja-easy", data={}))
    assert "<ruby>提案<rt>ていあん</rt></ruby>する <ruby>人<rt>ひと</rt></ruby>の" in html
    plain = page(client.post("/propose?lang=ja-easy&ruby=off", data={}))
    # the field's own message (written per field and rule), not a label pasted in
    assert translate("error.proposer_type.required", "ja-easy") in plain
    assert "どれですかを" not in plain


def test_published_title_carries_readings_on_easy_pages_only(client, published):
    easy = page(client.get(f"/proposals/{published.id}?lang=ja-easy"))
    heading = re.search(r'<h1 class="heading-xl"[^>]*>(.*?)</h1>', easy, re.S).group(1)
    assert heading.startswith(KYOUDOU) and "<ruby>大供<rt>だいく</rt></ruby>" in heading
    listed = page(client.get("/proposals?lang=ja-easy"))
    assert "<ruby>大供<rt>だいく</rt></ruby>" in listed
    japanese = page(client.get(f"/proposals/{published.id}?lang=ja"))
    assert "<ruby>" not in japanese
    assert "協働で大供公園にベンチを置く</h1>" in japanese


def test_readers_can_switch_ruby_off_and_on(client, published):
    shown = page(client.get("/?lang=ja-easy"))
    assert 'href="/?lang=ja-easy&amp;ruby=off"' in shown
    off = client.get("/?lang=ja-easy&ruby=off")
    html = page(off)
    assert "<ruby>" not in html
    assert "ふりがな）を 消しています。" in html  # the page says so
    assert 'href="/?lang=ja-easy&amp;ruby=on"' in html
    assert "協働の まちづくり 条例" in html  # kanji stay, without readings
    assert "ruby=off" in off.headers["Set-Cookie"]
    # remembered: the next page has no ruby either, until switched back on
    assert "<ruby>" not in page(client.get(f"/proposals/{published.id}"))
    assert "<ruby>" in page(client.get("/propose?ruby=on"))
    assert "<ruby>" in page(client.get("/proposals"))


def test_japanese_and_english_pages_have_no_ruby_and_no_switch(client, published):
    for lang in ("ja", "en"):
        html = page(client.get(f"/?lang={lang}"))
        assert "<ruby>" not in html and "ruby=off" not in html


# --- staff pages --------------------------------------------------------------------------------


def test_staff_header_offers_no_easy_japanese(client, city):
    login_page = page(client.get("/staff/login"))
    assert "やさしい日本語" not in login_page and "lang=ja-easy" not in login_page
    login(client, city.parks_liaison)
    html = page(client.get("/staff/"))
    assert "やさしい日本語" not in html and "lang=ja-easy" not in html
    assert "lang=en" in html  # the other languages are still offered


def test_a_staff_page_asked_for_easy_japanese_is_shown_in_japanese(client, city):
    login(client, city.parks_liaison)
    response = client.get("/staff/?lang=ja-easy")
    html = page(response)
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert translate("staff.nav.queue", "ja") in html
    assert "<ruby>" not in html
    assert "lang=ja-easy" not in response.headers.get("Set-Cookie", "")


def test_the_glossary_page_needs_a_login(client, city):
    response = client.get("/staff/help/easy-japanese")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_the_glossary_page_lists_every_entry_and_the_rules(client, city):
    login(client, city.office_user)
    html = page(client.get("/staff/help/easy-japanese"))
    for entry in glossary():
        assert f'<th scope="row" lang="ja">{entry.word}</th>' in html
        assert f'<td lang="ja">{entry.reading}</td>' in html
    assert "だいく" in html and "おおとも" in html  # the note says what the analyser reads
    assert translate("staff.easy.rule.short", "ja") in html
    assert 'href="/staff/help/easy-japanese"' in page(client.get("/staff/help/workflow"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_glossary_page_says_who_changes_it_not_where_it_is_stored(client, city, lang):
    """An officer cannot edit a file on the server: the page names no path, and says whom
    to tell about a wrong reading (and that a title's own readings are fixed elsewhere)."""
    login(client, city.office_user)
    shown = unescape(page(client.get(f"/staff/help/easy-japanese?lang={lang}")))
    assert "glossary.toml" not in shown and "intake/" not in shown
    assert translate("staff.easy.glossary_change", lang) in shown
    assert translate("staff.easy.titles", lang) in shown


def test_the_glossary_page_tries_readings_on_a_text(client, city):
    login(client, city.parks_liaison)
    html = page(client.get("/staff/help/easy-japanese", query_string={
        "text": "<b>大供</b>の公園"}))
    assert "&lt;b&gt;<ruby>大供<rt>だいく</rt></ruby>&lt;/b&gt;" in html


@pytest.mark.parametrize("lang", ["ja", "ja-easy", "en"])
def test_the_page_title_stays_escaped_without_readings(client, city, db, lang):
    proposal, _ = city.submit(title="公園 & </title><script>x</script>")
    publish_as_written(proposal)
    db.commit()
    html = page(client.get(f"/proposals/{proposal.id}?lang={lang}"))
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    # (the user's title is isolated by U+2068 … U+2069 from the site's name)
    assert title.startswith("\u2068公園 &amp; &lt;/title&gt;&lt;script&gt;x&lt;/script&gt;"
                            "\u2069 | ")
    assert "<script>" not in html


@pytest.mark.parametrize("count, shown", [
    (1, "ひとり"), (2, "ふたり"), (3, "3<ruby>人<rt>にん</rt></ruby>"),
    (12, "12<ruby>人<rt>にん</rt></ruby>")])
def test_one_and_two_people_are_written_as_they_are_read(count, shown):
    """1人 is ひとり and 2人 ふたり, which no reading of 人 after a number gives."""
    assert str(translate_html("public.support.count", EASY_LANGUAGE, count=count)).endswith(
        f" {shown}")

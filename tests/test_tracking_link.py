"""Keeping the tracking link (intake/web/tracking.py, tracking_link.py): a copy button that
needs no inline script and leaves the link as text without JavaScript, the link as a QR code
in inline SVG, a printable receipt, the look-up by phone that reveals nothing, and wording
that never promises e-mail to a proposer who gave none."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import select

from intake.config import load_settings
from intake.i18n import translate
from intake.models import OutboxMessage, Proposal, parse_receipt
from intake.office_contact import OfficeContact
from intake.web.tracking_link import qr_svg

from .mail_support import BASE, PHONE, sent_subject
from .test_web_public import Page, form_data, post_proposal


@pytest.fixture(autouse=True)
def no_fill_wait(app):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0


def t(key: str, lang: str = "ja", **params) -> str:
    return translate(key, lang, **params)


def receipt_page(client, **overrides) -> tuple[str, str]:
    """Submit through the page; the receipt page's HTML and the tracking URL on it."""
    assert post_proposal(client, form_data(**overrides)).status_code == 303
    html = client.get("/submitted").get_data(as_text=True)
    url = re.search(r'id="tracking-url" href="([^"]+)"', html).group(1)
    return html, url


def assert_keeps_the_link(html: str, url: str) -> None:
    # The link is text on the page, with the copy button shown only by the static script.
    assert f">{url}</a>" in html
    assert re.search(r'<p class="copy-row" data-enhanced hidden>\s*<button type="button"[^>]*'
                     r'data-copy-from="tracking-url"', html)
    assert '<script src="/static/tracking.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"
    assert re.search(r"\son[a-z]+=", html) is None, "no inline event handlers"
    # The QR code is inline SVG of exactly this link.
    assert str(qr_svg(url)) in html
    assert '<svg aria-hidden="true" focusable="false"' in html


def test_receipt_page_offers_copy_qr_and_a_printable_receipt(city, client, db):
    html, url = receipt_page(client)
    token = url.rsplit("/", 1)[1]
    assert url == f"{BASE}/track/{token}"
    assert_keeps_the_link(html, url)
    assert f'href="/track/{token}/receipt"' in html


def link_intro(proposal, lang: str = "ja") -> str:
    return t("public.track.link_intro", lang, receipt_subject=sent_subject("receipt", proposal),
             link_subject=sent_subject("tracking_link", proposal))


def test_tracking_page_offers_the_same(city, client):
    proposal, token = city.submit()
    html = client.get(f"/track/{token}").get_data(as_text=True)
    assert_keeps_the_link(html, f"{BASE}/track/{token}")
    assert link_intro(proposal) in Page(html).text


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_tracking_page_says_which_mail_holds_the_link_and_that_later_ones_do_not(
        city, client, lang):
    """Later mails cannot carry the link (only its hash is kept): the page names the
    receipt mail by its subject, as it was sent in the proposer's language."""
    proposal, token = city.submit(language="en", title="A bench for the park")
    text = Page(client.get(f"/track/{token}?lang={lang}").get_data(as_text=True)).text
    said = link_intro(proposal, lang)
    assert said in text
    assert f"[Proposal received] {proposal.receipt} A bench for the park" in said
    assert f"[Your tracking link] {proposal.receipt} A bench for the park" in said
    assert t("public.track.link_intro", "en").startswith("This link is in the e-mail we sent")
    assert "carries this link too" not in text  # the old promise


def test_on_an_easy_japanese_page_the_subject_reads_as_the_mailbox_shows_it(city, client):
    """The proposer's own title in the subject gets no readings (nor does the page need
    the analyser for it)."""
    proposal, token = city.submit(title="大供公園に花壇をつくる")  # mail in Japanese
    html = client.get(f"/track/{token}?lang=ja-easy").get_data(as_text=True)
    assert f"「【提案受付】{proposal.receipt} 大供公園に花壇をつくる」" in html
    assert f"「【専用リンク】{proposal.receipt} 大供公園に花壇をつくる」" in html


def test_printable_receipt_has_number_title_date_link_and_stays_private(city, client):
    proposal, token = city.submit()
    response = client.get(f"/track/{token}/receipt")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = Page(response.get_data(as_text=True))
    url = f"{BASE}/track/{token}"
    for expected in (proposal.receipt, proposal.title, url, t("public.receipt.title")):
        assert expected in page.text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", page.text)  # the date received
    assert str(qr_svg(url)) in page.source
    assert re.search(r'<p data-enhanced hidden><button type="button" class="button" '
                     r'data-print>', page.source)
    assert client.get("/track/not-a-token/receipt").status_code == 404


def test_the_script_is_served_and_print_css_hides_the_controls(client):
    script = client.get("/static/tracking.js")
    assert script.status_code == 200
    assert "navigator.clipboard" in script.get_data(as_text=True)
    css = client.get("/static/teian.css").get_data(as_text=True)
    assert re.search(r"@media print \{\s*\.no-print, \[data-enhanced\] \{ display: none", css)


def test_qr_code_is_valid_svg_of_the_url():
    svg = str(qr_svg("http://teian.test/track/abc"))
    assert svg.startswith('<svg aria-hidden="true" focusable="false" ')
    assert svg.endswith("</svg>") and "<script" not in svg


# --- phone-only proposers -------------------------------------------------------------------


def test_phone_only_proposer_is_never_promised_email(city, client, db):
    html, url = receipt_page(client, email="", phone="090-1234-5678")
    text = Page(html).text
    assert t("public.submitted.no_email") in text
    assert t("public.submitted.next_no_email") in text
    for promise in ("public.submitted.emailed", "public.submitted.next"):
        assert t(promise) not in text
    token = url.rsplit("/", 1)[1]
    tracking = Page(client.get(f"/track/{token}").get_data(as_text=True)).text
    assert t("public.track.no_email") in tracking
    assert "件名「" not in tracking  # no mail to keep
    receipt = Page(client.get(f"/track/{token}/receipt").get_data(as_text=True)).text
    assert t("public.receipt.no_email") in receipt and t("public.receipt.has_email") not in receipt


def test_pages_that_say_call_the_office_give_its_number(city, client, app, monkeypatch,
                                                        tmp_path):
    """TEIAN_OFFICE_PHONE: where a proposer without e-mail is told to call, the number is
    there to call, with the hours in the page's language (an older setting that holds them
    in brackets still gives both); without the setting no empty line is shown."""
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "settings"))
    monkeypatch.setenv("TEIAN_SECRET_KEY", "test-secret")
    monkeypatch.setenv("TEIAN_OFFICE_PHONE", " 0123-45-6789（平日 8:30〜17:15） ")
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], office=load_settings().office)

    def said(lang: str = "ja") -> str:
        hours = t("site.office.hours", lang, opens="8:30", closes="17:15")
        return squeezed(t("public.office_phone_hours", lang, phone="0123-45-6789", hours=hours))

    _proposal, token = city.submit(email="", phone="090-1234-5678")
    receipt = squeezed(Page(client.get(f"/track/{token}/receipt").get_data(as_text=True)).text)
    lookup = squeezed(Page(client.get("/track").get_data(as_text=True)).text)
    assert said() in receipt and said() in lookup
    answered = client.post("/track", data={"receipt": _proposal.receipt,
                                           "phone": "090-1234-5678"}, follow_redirects=True)
    assert said() in squeezed(Page(answered.get_data(as_text=True)).text)
    english = client.get(f"/track/{token}/receipt?lang=en").get_data(as_text=True)
    assert said("en") in squeezed(Page(english).text) and "平日" not in english
    assert 'href="tel:0123456789"' in english
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], office=OfficeContact())
    assert "office-phone" not in client.get("/track").get_data(as_text=True)


def squeezed(text: str) -> str:
    """Text without its spaces: a link inside a sentence parts it where a reader does not."""
    return re.sub(r"\s+", "", text)


def test_english_tracking_page_for_a_phone_only_proposer(city, client):
    _proposal, token = city.submit(email="", phone="090-1234-5678")
    text = Page(client.get(f"/track/{token}?lang=en").get_data(as_text=True)).text
    assert "You gave no e-mail address, so the city will not e-mail you." in text


def test_proposer_with_email_is_told_about_the_email(city, client, db):
    html, _url = receipt_page(client)
    proposal = db.execute(select(Proposal)).scalar_one()
    emailed = t("public.submitted.emailed", receipt_subject=sent_subject("receipt", proposal))
    assert emailed in Page(html).text
    assert f"件名「【提案受付】{proposal.receipt} {proposal.title}」" in emailed
    assert t("public.submitted.next") in Page(html).text


def test_phone_only_proposer_is_given_the_office_telephone_and_told_the_city_may_call(
        city, client, app):
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"],
                                              office=OfficeContact(phone=PHONE))
    html, _url = receipt_page(client, email="", phone="090-1234-5678")
    text = Page(html).text
    assert t("public.submitted.next_no_email") in text
    assert "市から質問があるときは、書いていただいた電話番号にお電話することもあります。" in text
    assert t("public.office_phone", phone=PHONE) in text
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], office=OfficeContact())
    html, _url = receipt_page(client, email="", phone="090-1234-5678")
    assert t("public.submitted.next_no_email") in Page(html).text
    assert "office-phone" not in html  # no number to give: no empty line


# --- a link that opens nothing ------------------------------------------------------------------


def test_an_unknown_or_replaced_link_offers_a_new_one_and_the_office_telephone(
        city, client, app):
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"],
                                              office=OfficeContact(phone=PHONE))
    proposal, old = city.submit(email="taro@example.jp")
    client.post("/track", data={"receipt": proposal.receipt, "email": "taro@example.jp"})
    for path in (f"/track/{old}", f"/track/{old}/receipt", "/track/not-a-token"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["Cache-Control"] == "no-store"
        page = Page(response.get_data(as_text=True))
        assert t("public.track.unknown.body") in page.text
        assert re.search(r'<a href="/track">[^<]*' + re.escape(t("public.track.unknown.lookup")),
                         page.source)
        assert t("public.office_phone", phone=PHONE) in page.text
    easy = client.get(f"/track/{old}?lang=ja-easy")
    assert easy.status_code == 404
    assert "<ruby>" in easy.get_data(as_text=True)
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], office=OfficeContact())
    assert "office-phone" not in client.get(f"/track/{old}").get_data(as_text=True)


# --- the look-up by receipt number and phone ---------------------------------------------------


def test_phone_look_up_answers_the_same_for_a_match_and_a_mismatch(city, client, db):
    proposal, token = city.submit(email="", phone="090-1234-5678")
    digest = proposal.tracking_token_hash
    answers = [client.post("/track", data={"receipt": receipt, "phone": phone},
                           follow_redirects=True)
               for receipt, phone in ((proposal.receipt, "090-1234-5678"),
                                      (proposal.receipt, "０９０ー９９９９ー００００"),
                                      ("T-2026-999999", "090-1234-5678"))]
    assert [a.status_code for a in answers] == [200, 200, 200]
    notices = [re.search(r'class="notice[^"]*"[^>]*>([^<]*)<', a.get_data(as_text=True))
               .group(1) for a in answers]
    assert notices == [t("public.lookup.phone_answer")] * 3
    assert "協働推進室にお電話ください" in notices[0]
    # Nothing was sent, and the proposer's link still works.
    assert db.execute(select(OutboxMessage).where(OutboxMessage.kind == "tracking_link")
                      ).first() is None
    db.expire_all()
    assert db.get(Proposal, proposal.id).tracking_token_hash == digest
    assert client.get(f"/track/{token}").status_code == 200


def test_look_up_needs_an_email_or_a_phone_and_names_the_rule(city, client):
    response = client.post("/track", data={"receipt": "T-2026-000001"},
                           query_string={"lang": "en"})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert "Enter the email address or the phone number you gave with your proposal" in page.text
    response = client.post("/track", data={"receipt": "T-2026-000001", "phone": "abc"},
                           query_string={"lang": "en"})
    assert "Enter a phone number in the correct format, like 03-1234-5678" in \
        response.get_data(as_text=True)


def test_look_up_by_email_still_mails_a_fresh_link(city, client, db):
    proposal, _token = city.submit(email="taro@example.jp")
    client.post("/track", data={"receipt": proposal.receipt, "email": "taro@example.jp"})
    assert db.execute(select(OutboxMessage).where(OutboxMessage.kind == "tracking_link")
                      ).scalar_one().recipient == "taro@example.jp"


FULL_WIDTH = str.maketrans("T-0123456789", "Ｔ－０１２３４５６７８９")


@pytest.mark.parametrize("typed", [
    "FULL:T-{y}-{n:05d}", "T―{y}―{n}", "t‐{y}‐{n:06d}", "T ー {y} ー {n}", " t-{y}-{n} ",
    "T−{y}−{n:06d}", "T-{y}-{n}",
])
def test_look_up_by_email_reads_the_receipt_number_as_people_type_it(city, client, db, typed):
    proposal, _token = city.submit(email="taro@example.jp")
    typed = typed.format(y=proposal.receipt.split("-")[1], n=proposal.id)
    if typed.startswith("FULL:"):
        typed = typed.removeprefix("FULL:").translate(FULL_WIDTH)
    answer = client.post("/track", data={"receipt": typed, "email": "taro@example.jp"},
                         follow_redirects=True)
    assert answer.status_code == 200
    assert db.execute(select(OutboxMessage).where(OutboxMessage.kind == "tracking_link")
                      ).scalar_one().recipient == "taro@example.jp"


def test_a_receipt_number_of_another_year_sends_nothing(city, client, db):
    proposal, _token = city.submit(email="taro@example.jp")
    year = int(proposal.receipt.split("-")[1])
    for receipt in (f"T-{year - 1}-{proposal.id}", f"T-{year}-{proposal.id + 1}", f"T-{year}-0"):
        client.post("/track", data={"receipt": receipt, "email": "taro@example.jp"})
    assert db.execute(select(OutboxMessage).where(OutboxMessage.kind == "tracking_link")
                      ).first() is None


def test_a_receipt_number_is_read_in_every_way_people_type_it():
    for typed in ("Ｔ－２０２６－０００３４", "T-2026-34", "t 2026 34", "T2026000034",
                  "T‐2026‐000034", "T―2026―000034", "Tー2026ー000034", "T﹣2026﹣34"):
        assert str(parse_receipt(typed)) == "T-2026-000034", typed
    for not_one in ("T-2026-0", "T-26-34", "X-2026-34", "T-2026-", "T-2026-99999999999",
                    "T-2026-34-1", ""):
        assert parse_receipt(not_one) is None, not_one

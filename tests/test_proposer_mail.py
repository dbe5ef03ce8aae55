"""What a citizen is told by mail, read as it arrives at a real SMTP server (aiosmtpd).

The receipt names the title, the department, the day acceptance is decided and what comes
next.  Later mails cannot carry the tracking link (only its hash is kept), so each says
which mail holds it and where to get a new one — and that a new one retires the old.  A
re-sent link says the old one is dead and whom to call if nobody asked.  A withdrawal is
confirmed.  Every mail to a citizen ends with the signature: the window and the office,
its telephone when ``TEIAN_OFFICE_PHONE`` is set, and that the address reads no replies.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

import pytest
from flask import current_app

import workflows
from intake.dates import people_date
from intake.i18n import translate
from intake.links import links_for
from intake.office_contact import OfficeContact, OfficeHours
from intake.supports.operations import request_support
from tests import ops as operations

from .api_support import API
from .mail_support import BASE, PHONE, deliver, sent_subject
from .staff_support import reload
from .workflow_support import lead

LOOKUP = f"{BASE}/track"
URL = re.compile(r"https?://[^\s）」”]+")
EMAIL = "hanako@example.jp"
SIGNED_JA = "-- \nまちづくり提案窓口（協働推進室）\n"
NO_REPLY_JA = "このメールは送信専用です。返信されても、お答えできません。"



@pytest.fixture
def office_phone(app):
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"],
                                              office=OfficeContact(phone=PHONE))
    return PHONE


def received(inbox, app, db, url: str, recipient: str = EMAIL) -> list[tuple[str, str]]:
    """Deliver what is due; each new message to ``recipient`` as (subject, body)."""
    before = len(inbox.to(recipient))
    deliver(db, app, url)
    return [(m["Subject"], m.get_content().replace("\r\n", "\n"))  # 7bit text keeps CRLF
            for m in inbox.to(recipient)[before:]]


def assert_signed_with_phone(body: str) -> None:
    assert body.endswith(f"{SIGNED_JA}電話：{PHONE}\n{NO_REPLY_JA}"
                         "お問い合わせは、上の電話番号へお願いします。\n")


def assert_says_where_the_link_is(body: str, proposal, token: str) -> None:
    """A later mail: the receipt mail's subject and number, the look-up page (its full
    address), that a new link retires the old one, and never the link itself."""
    assert f"件名「{sent_subject('receipt', proposal)}」" in body
    assert f"件名「{sent_subject('tracking_link', proposal)}」" in body
    assert f"受付番号（{proposal.receipt}）とメールアドレスを入力すると" in body
    assert f"\n{LOOKUP}\n" in body
    assert "新しいリンクをお送りすると、それまでのリンクは使えなくなります。" in body
    assert token not in body


def test_the_receipt_names_title_department_decision_day_and_what_comes_next(
        city, db, app, smtp_server, office_phone):
    inbox, url = smtp_server
    proposal, token = city.submit(email=EMAIL)
    (subject, body), = received(inbox, app, db, url)
    assert subject == f"【提案受付】{proposal.receipt} {proposal.title}"
    decide_by = people_date(proposal.due_on, "ja")
    for said in (f"受付番号：{proposal.receipt}\n", f"題名：{proposal.title}\n",
                 "担当部署：公園緑地課\n",
                 f"このあとの流れ：担当部署が提案を読み、受理するかどうかを{decide_by}までに決めます。"
                 "決まったら、メールでお知らせします。",
                 f"\n{BASE}/track/{token}\n",
                 "このリンクが書いてあるのは、このメールだけです。このメールは消さずに保管してください。",
                 f"\n{LOOKUP}\n"):
        assert said in body
    assert_signed_with_phone(body)


def test_an_english_receipt_routed_to_the_office_and_signed_without_a_telephone(
        city, db, app, smtp_server):
    inbox, url = smtp_server
    proposal, token = city.submit(email=EMAIL, language="en", category="other")
    assert proposal.lead_department is None  # no rule: the office chooses
    (subject, body), = received(inbox, app, db, url)
    assert subject == f"[Proposal received] {proposal.receipt} {proposal.title}"
    assert "Department: The Collaboration Office will choose the department\n" in body
    assert (f"decides by {people_date(proposal.due_on, 'en')} whether to accept it"
            in body)
    assert f"\n{BASE}/track/{token}?lang=en\n" in body  # opens in English, whatever the browser
    assert f"\n{LOOKUP}?lang=en\n" in body
    assert body.endswith("-- \nTeian: proposals to the city (Collaboration Office)\n"
                         "This address does not receive replies.\n")
    assert "Telephone" not in body


def test_the_links_in_an_english_mail_open_the_pages_in_english(city, db, app, client,
                                                                 smtp_server):
    inbox, url = smtp_server
    proposal, token = city.submit(email=EMAIL, language="en")
    (_, body), = received(inbox, app, db, url)
    for link in (f"{BASE}/track/{token}?lang=en", f"{LOOKUP}?lang=en"):
        assert link in body
        page = client.get(link.removeprefix(BASE), headers={"Accept-Language": "ja"})
        assert page.status_code == 200
        assert '<html lang="en">' in page.get_data(as_text=True)


def test_later_mails_say_where_the_link_is_and_give_the_public_page_and_the_deadline(
        city, db, app, client, smtp_server, office_phone):
    inbox, url = smtp_server
    proposal, token = city.submit(email=EMAIL)
    received(inbox, app, db, url)
    operations.fire_trigger(db, proposal, "accept", lead(proposal))
    db.commit()
    assert reload(db, proposal).is_published
    (subject, accepted), = received(inbox, app, db, url)
    assert subject == f"【状況のお知らせ】{proposal.receipt} {proposal.title}"
    label = workflows.get_workflow(proposal.kind).state_label(proposal.state, "ja")
    assert accepted.startswith(f"ご提案の状況が「{label}」になりました。\n担当部署：公園緑地課\n")
    assert f"次の対応の予定日：{people_date(proposal.due_on, 'ja')}\n" in accepted
    assert f"公開ページ（どなたでもご覧になれます）：\n{BASE}/proposals/{proposal.id}\n" \
        in accepted
    assert_says_where_the_link_is(accepted, proposal, token)
    assert_signed_with_phone(accepted)

    operations.fire_trigger(db, proposal, "request_info", lead(proposal),
                            {"question": "花壇の広さはどのくらいを考えていますか。"})
    db.commit()
    answer_by = people_date(reload(db, proposal).due_on, "ja")  # the proposer's deadline
    (subject, asked), = received(inbox, app, db, url)
    assert subject == f"【ご質問】{proposal.receipt} {proposal.title}"
    assert asked.startswith("公園緑地課から、ご提案について質問があります。\n\n"
                            "花壇の広さはどのくらいを考えていますか。\n")
    assert f"{answer_by}までに、あなた専用のページから回答してください。" in asked
    assert_says_where_the_link_is(asked, proposal, token)
    assert_signed_with_phone(asked)
    # Every address in them opens its page.
    for link in {*URL.findall(accepted), *URL.findall(asked)}:
        assert client.get(urlsplit(link).path).status_code == 200, link


def test_withdrawing_on_the_tracking_page_is_confirmed_by_mail(city, db, app, client,
                                                                smtp_server, office_phone):
    inbox, url = smtp_server
    proposal, token = city.submit(email=EMAIL)
    received(inbox, app, db, url)
    done = client.post(f"/track/{token}/withdraw", data={"confirm": "y"})
    assert done.status_code == 303
    (subject, body), = received(inbox, app, db, url)
    assert subject == f"【取り下げ】{proposal.receipt} {proposal.title}"
    assert body.startswith("ご提案の取り下げを受け付けました。\n\n"
                           f"受付番号：{proposal.receipt}\n題名：{proposal.title}\n\n"
                           "担当部署にもお知らせしました。ご提案の検討は、これで終わりです。"
                           "取り下げは取り消すことができません。")
    assert_says_where_the_link_is(body, proposal, token)
    assert_signed_with_phone(body)
    told = [m for m in inbox.to("parks@city.test")][-1]
    assert told["Subject"] == f"【取り下げ】{proposal.receipt} {proposal.title}"
    assert told.get_content().startswith("提案者がこの提案を取り下げました。")


def test_withdrawing_through_the_api_is_confirmed_in_the_proposers_language(
        city, db, app, client, smtp_server):
    inbox, url = smtp_server
    proposal, token = city.submit(email=EMAIL, language="en")
    received(inbox, app, db, url)
    answer = client.post(f"{API}/track/{token}/transitions", json={"trigger": "withdraw"})
    assert answer.status_code == 200, answer.get_json()
    (subject, body), = received(inbox, app, db, url)
    assert subject == f"[Proposal withdrawn] {proposal.receipt} {proposal.title}"
    assert "Your proposal has been withdrawn." in body
    assert "The department has been told." in body
    assert "a withdrawal cannot be undone" in body
    assert f"\n{LOOKUP}?lang=en\n" in body and token not in body


def test_a_re_sent_link_says_the_old_one_is_dead_and_whom_to_call(city, db, app, client,
                                                                  smtp_server, office_phone):
    inbox, url = smtp_server
    proposal, old = city.submit(email=EMAIL)
    received(inbox, app, db, url)
    assert client.post("/track", data={"receipt": proposal.receipt, "email": EMAIL}
                       ).status_code == 303
    (subject, body), = received(inbox, app, db, url)
    assert subject == sent_subject("tracking_link", proposal)
    new = re.search(rf"{BASE}/track/(\S+)\n", body).group(1)
    assert new != old and client.get(f"/track/{new}").status_code == 200
    assert client.get(f"/track/{old}").status_code == 404
    assert ("このリンクは、前のリンクに代わるものです。"
            "受付のときのメールや、前にお送りしたメールにあるリンクは、もう使えません。") in body
    assert "お心当たりがない場合は、下の電話番号で協働推進室にご連絡ください。" in body
    assert "破棄" not in body and "無視" not in body
    assert_signed_with_phone(body)


def test_a_re_sent_link_in_english_without_an_office_telephone(city, db, app, client,
                                                              smtp_server):
    inbox, url = smtp_server
    proposal, _old = city.submit(email=EMAIL, language="en")
    received(inbox, app, db, url)
    client.post("/track", data={"receipt": proposal.receipt, "email": EMAIL})
    (_subject, body), = received(inbox, app, db, url)
    assert "It replaces your previous link" in body and "no longer works" in body
    assert "If that was not you, please contact the Collaboration Office." in body
    assert "ignore" not in body
    assert body.endswith("This address does not receive replies.\n")


def test_a_supporters_mail_is_signed_too(city, db, app, smtp_server, office_phone):
    inbox, url = smtp_server
    proposal, _token = city.submit(email=EMAIL)
    operations.fire_trigger(db, proposal, "accept", lead(proposal))
    db.commit()
    request_support(db, proposal, "supporter@example.jp", "", links=links_for(current_app),
                    language="ja")
    db.commit()
    (_subject, body), = received(inbox, app, db, url, "supporter@example.jp")
    assert_signed_with_phone(body)


def test_a_supporter_is_mailed_the_public_title_not_what_the_review_masked(
        city, db, app, smtp_server):
    inbox, url = smtp_server
    proposal, _token = city.submit(title="花壇の件 連絡は090-1234-9999まで")
    operations.fire_trigger(db, proposal, "accept", lead(proposal))  # held: a phone number
    db.commit()
    operations.review_publication(db, proposal, lead(proposal), redact=["090-1234-9999"])
    db.commit()
    request_support(db, proposal, "supporter@example.jp", "", links=links_for(current_app),
                    language="ja")
    db.commit()
    (subject, body), = received(inbox, app, db, url, "supporter@example.jp")
    assert "090-1234-9999" not in subject and "090-1234-9999" not in body
    assert "花壇の件 連絡は●●●" in subject


def test_the_signature_gives_the_office_hours_in_the_mails_language(city, db, app,
                                                                       smtp_server):
    """TEIAN_OFFICE_HOURS is worded by the catalogue in each mail's language, as the pages
    word it: an English mail never says 平日."""
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], office=OfficeContact(
        phone="0123-45-6789", hours=OfficeHours("8:30", "17:15")))
    inbox, url = smtp_server
    city.submit(email=EMAIL)
    (_subject, body), = received(inbox, app, db, url)
    hours = translate("site.office.hours", "ja", opens="8:30", closes="17:15")
    assert f"電話：0123-45-6789（{hours}）" in body
    city.submit(email=EMAIL, language="en")
    (_subject, body), = received(inbox, app, db, url)
    hours = translate("site.office.hours", "en", opens="8:30", closes="17:15")
    assert f"Telephone: 0123-45-6789 ({hours})" in body and "平日" not in body

"""Supports (賛同), confirmed by e-mail (SPEC sections 5 and 8; intake/supports).

A support counts once the link mailed to the address is confirmed — by the button on
the page the link opens, so a mail scanner that fetches the link counts nothing — one
per address per proposal.  The answer to a request is the same whatever the address's
history, and the address appears in no public shape, page or list.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.i18n import translate, translate_html
from intake.models import OutboxMessage, Proposal, Support
from intake.supports.operations import confirm_support, support_for_token
from tests import ops as operations

from .api_support import API, rate_limited_app
from .test_web_public import Page

URL = re.compile(r"https?://[^\s）」]+")
EMAIL = "supporter@example.jp"


@pytest.fixture(autouse=True)
def no_fill_wait(app):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0


def staff(city, proposal: Proposal, *triggers: str, **inputs) -> None:
    for trigger in triggers:
        operations.fire_trigger(city.session, proposal, trigger,
                                operations.Actor.staff(city.parks_liaison), inputs)
        city.session.commit()


def published(city) -> Proposal:
    proposal, _token = city.submit()
    staff(city, proposal, "accept")  # accepting publishes (the scan finds nothing)
    return proposal


def support_mails(db) -> list[OutboxMessage]:
    return list(db.execute(select(OutboxMessage).where(OutboxMessage.kind == "support_confirm")
                           .order_by(OutboxMessage.id)).scalars())


def confirm_path(message: OutboxMessage) -> str:
    link = next(url for url in URL.findall(message.body) if "/supports/confirm/" in url)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == "http://teian.test"
    return parts.path


def count_of(client, proposal: Proposal) -> int:
    return client.get(f"{API}/proposals/{proposal.id}").get_json()["supports"]


def ask(client, proposal: Proposal, **body):
    return client.post(f"{API}/proposals/{proposal.id}/supports",
                       json={"email": EMAIL, **body})


def confirm(client, path: str):
    """What a person does: open the link, press the button."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path)


# --- counted once, after confirmation ---------------------------------------------------------


def test_a_support_counts_only_once_its_link_is_confirmed(city, client, db):
    proposal = published(city)
    answer = ask(client, proposal, name="北町の住民")
    assert answer.status_code == 202
    assert answer.get_json() == {"status": "pending_confirmation"}
    [mail] = support_mails(db)
    assert mail.recipient == EMAIL and proposal.receipt in mail.subject
    path = confirm_path(mail)
    assert count_of(client, proposal) == 0  # unconfirmed: not counted
    # Opening the link (a person, or a mail scanner) shows a button and counts nothing.
    opened = client.get(path)
    assert opened.status_code == 200
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    assert translate("public.support.confirm.button") in opened.get_data(as_text=True)
    assert client.get(path).status_code == 200
    assert count_of(client, proposal) == 0
    pressed = client.post(path)
    assert pressed.status_code == 303
    assert pressed.headers["Location"].endswith(f"/proposals/{proposal.id}#supports")
    assert count_of(client, proposal) == 1
    # A second press (a double click, the link opened again) counts nothing more.
    assert client.post(path).status_code == 303
    again = client.get(path)
    assert translate("public.support.confirm.done") in again.get_data(as_text=True)
    assert count_of(client, proposal) == 1
    assert db.get(Proposal, proposal.id).version == 2  # accept only: no officer interrupted


def test_the_same_address_twice_is_one_support_and_gets_the_same_answer(city, client, db):
    proposal = published(city)
    first, second = ask(client, proposal), ask(client, proposal, email="supporter@EXAMPLE.JP")
    assert first.status_code == second.status_code == 202
    assert first.get_json() == second.get_json()
    assert db.execute(select(func.count()).select_from(Support)).scalar_one() == 1
    older, newer = support_mails(db)  # the second request sent a fresh link
    assert client.get(confirm_path(older)).status_code == 404  # replaced by the newer
    assert confirm(client, confirm_path(newer)).status_code == 303
    assert count_of(client, proposal) == 1
    # Confirmed: a third request answers the same and mails nothing.
    third = ask(client, proposal, email="ｓｕｐｐｏｒｔｅｒ@example.jp")  # full width: the same
    assert third.status_code == 202 and third.get_json() == first.get_json()
    assert len(support_mails(db)) == 2
    assert count_of(client, proposal) == 1


def test_two_addresses_are_two_supports_on_the_list_too(city, client, db):
    proposal = published(city)
    for email in ("a@example.jp", "b@example.jp"):
        assert ask(client, proposal, email=email).status_code == 202
    for mail in support_mails(db):
        confirm(client, confirm_path(mail))
    assert count_of(client, proposal) == 2
    listed = client.get(f"{API}/proposals").get_json()["items"]
    assert [item["supports"] for item in listed] == [2]
    assert translate("public.support.count", "ja", count="2") in client.get(
        "/proposals").get_data(as_text=True)


def test_a_confirmation_that_lost_the_race_counts_nothing(city, client, db, app):
    """Two clicks at once: each read the support unconfirmed; the conditional UPDATE
    lets only the first add to the count."""
    proposal = published(city)
    ask(client, proposal)
    token = confirm_path(support_mails(db)[0]).rsplit("/", 1)[1]
    slow = Session(app.extensions["teian.engine"], expire_on_commit=False)
    try:
        stale = support_for_token(slow, token)
        assert stale.confirmed_at is None
        slow.commit()  # end the read; expire_on_commit=False keeps the stale object
        assert client.post(f"/supports/confirm/{token}").status_code == 303
        confirm_support(slow, token)  # reads its own stale copy, as a racing request would
        slow.commit()
    finally:
        slow.close()
    assert count_of(client, proposal) == 1


def test_the_confirmation_messages_carry_readings_in_easy_japanese(city, client, db):
    """The banner placed beside the supports and the confirmation page's message read
    like every other easy-Japanese text: kanji with their readings (ruby)."""
    proposal = published(city)
    ask(client, proposal)
    path = confirm_path(support_mails(db)[0])
    done = translate_html("public.support.confirm.done", "ja-easy")
    assert "<ruby>" in done
    pressed = client.post(f"{path}?lang=ja-easy", follow_redirects=True)
    placed = pressed.get_data(as_text=True).split('id="supports"', 1)[1]
    assert f'role="status">{done}</div>' in placed
    again = client.get(f"{path}?lang=ja-easy").get_data(as_text=True)
    assert f'role="status">{done}</p>' in again
    plain = client.get(f"{path}?lang=ja").get_data(as_text=True)
    assert f'role="status">{translate("public.support.confirm.done")}</p>' in plain


# --- where supports are open ------------------------------------------------------------------


def test_supports_are_refused_on_unpublished_and_final_proposals(city, client, db):
    unpublished, _token = city.submit()
    assert ask(client, unpublished).status_code == 404
    final = published(city)
    staff(city, final, "reject", reason="対象外です。", reason_code="out_of_scope")
    refused = ask(client, final)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "supports_closed"
    assert refused.get_json()["error"]["message"] == translate("staff.error.supports_closed")
    assert support_mails(db) == []
    page = Page(client.get(f"/proposals/{final.id}").get_data(as_text=True))
    assert translate("public.support.closed") in page.text
    assert not page.named("support-email")


def test_a_link_confirmed_after_the_proposal_closed_counts_nothing(city, client, db):
    proposal = published(city)
    ask(client, proposal)
    path = confirm_path(support_mails(db)[0])
    staff(city, proposal, "reject", reason="対象外です。", reason_code="out_of_scope")
    assert client.get(path).status_code == 409
    assert client.post(path).status_code == 409
    assert count_of(client, proposal) == 0


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b@c", 42, None])
def test_a_bad_address_is_a_422_naming_the_field(city, client, db, email):
    proposal = published(city)
    answer = client.post(f"{API}/proposals/{proposal.id}/supports",
                         json={"email": email} if email is not None else {})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == ["email"]
    assert support_mails(db) == []


def test_an_unknown_link_is_a_404_page(client):
    response = client.get("/supports/confirm/" + "x" * 43)
    assert response.status_code == 404
    assert translate("public.support.confirm.invalid") in response.get_data(as_text=True)
    assert client.post("/supports/confirm/" + "x" * 500).status_code == 404


def test_supports_share_the_comment_limit(database_url, tmp_path):
    from .factories import Factory

    with rate_limited_app(database_url, tmp_path) as limited:
        city = Factory(limited.extensions["teian.session"]())
        city.small_city()
        proposal = published(city)
        client = limited.test_client()
        statuses = [client.post(f"{API}/proposals/{proposal.id}/supports",
                                json={"email": f"p{n}@example.jp"}).status_code
                    for n in range(6)]
    assert statuses == [202] * 5 + [429]


# --- the page ---------------------------------------------------------------------------------


def post_support(client, proposal: Proposal, data: dict[str, str]):
    page = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    return client.post(f"/proposals/{proposal.id}/supports", data={**page.hidden(), **data})


def test_a_citizen_supports_through_the_public_page(city, client, db):
    proposal = published(city)
    page = Page(client.get(f"/proposals/{proposal.id}?lang=en").get_data(as_text=True))
    assert page.labels["support-email"] == translate("public.support.email", "en")
    assert page.named("support-website")  # the honeypot
    response = post_support(client, proposal, {"support-email": " Supporter@Example.JP "})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}#supports")
    shown = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    # The banner sits in the supports section, where the anchor lands.
    section = shown.split('id="supports"', 1)[1].split("</section>", 1)[0]
    assert translate("public.support.sent", "en") in section  # the language chosen above
    [mail] = support_mails(db)
    assert mail.recipient == "Supporter@example.jp"  # the domain lower-cased, as on the form
    confirm(client, confirm_path(mail))
    assert count_of(client, proposal) == 1
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert translate("public.support.confirm.done", "en") in page
    assert translate("public.support.count", "en", count="1") in page


def test_the_support_form_refuses_bad_input_and_spam_with_a_page(city, client, db):
    proposal = published(city)
    bad = post_support(client, proposal, {"support-email": "nope"})
    assert bad.status_code == 422
    message = translate("error.email", field=translate("public.support.email"))
    assert message in Page(bad.get_data(as_text=True)).text
    assert Page(bad.get_data(as_text=True)).value("support-email") == "nope"
    spam = post_support(client, proposal, {"support-email": EMAIL, "support-website": "x"})
    assert spam.status_code == 422
    assert support_mails(db) == []


def test_the_address_and_name_are_never_public(city, client, db):
    proposal = published(city)
    ask(client, proposal, name="賛同花子")
    confirm(client, confirm_path(support_mails(db)[0]))
    answers = [
        client.get(f"{API}/proposals/{proposal.id}").get_data(as_text=True),
        client.get(f"{API}/proposals").get_data(as_text=True),
        client.get(f"/proposals/{proposal.id}").get_data(as_text=True),
        client.get("/proposals").get_data(as_text=True),
        client.get("/").get_data(as_text=True),
        client.get(confirm_path(support_mails(db)[0])).get_data(as_text=True),
    ]
    for text in answers:
        assert "supporter" not in text.lower() and "賛同花子" not in text


def test_the_delivered_mail_holds_a_working_confirmation_link(city, client, db, app):
    import email
    import email.policy

    from intake.delivery import Transport, deliver_due

    proposal = published(city)
    ask(client, proposal)
    instance = app.config["TEIAN"].instance_path
    deliver_due(db, Transport("", instance))
    [eml] = (instance / "mail").glob("*-support_confirm.eml")
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == EMAIL
    link = next(url for url in URL.findall(parsed.get_content()) if "/supports/confirm/" in url)
    assert confirm(client, urlsplit(link).path).status_code == 303
    assert count_of(client, proposal) == 1

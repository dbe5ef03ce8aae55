"""A photo with a proposal, in a real Chromium on a phone-sized screen: the citizen attaches
it, makes one mistake (the page says the file was not kept and asks for it again), sends;
the liaison sees it on the staff page and publishes it; the public page then shows it.
Screenshots go to build/screenshots (or TEIAN_SCREENSHOTS)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.i18n import translate
from intake.models import Attachment, Proposal
from tests import ops
from tests.attachment_files import jpeg_with_gps

from .test_browser import browser, live_server, new_page, sign_in  # noqa: F401
from .test_browser_journey import shot
from .test_browser_staff import serious_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def ja(key: str, **params) -> str:
    return translate(key, "ja", **params)


def fill_form(tab, *, title: str | None) -> None:
    if title:
        tab.get_by_label(ja("field.title"), exact=True).fill(title)
    tab.get_by_label(ja("field.kind.proposal"), exact=True).check()
    tab.get_by_label("公園・緑地", exact=True).check()
    tab.get_by_label(ja("field.problem"), exact=True).fill(
        "公園のベンチが壊れていて、お年寄りが座って休めない状態が続いています。")
    tab.get_by_label(ja("field.proposal"), exact=True).fill(
        "町内会と市が協力してベンチを直し、点検の当番を決めることを提案します。")
    tab.get_by_label(ja("field.proposer_type.individual"), exact=True).check()
    tab.get_by_label(ja("field.proposer_name"), exact=True).fill("山田 花子")
    tab.get_by_label(ja("field.email"), exact=True).fill("hanako@example.jp")
    tab.get_by_label(ja("field.consent"), exact=True).check()


def test_a_citizen_attaches_a_photo_on_a_phone_and_the_liaison_publishes_it(
        new_page, live_server, city, db, tmp_path):  # noqa: F811
    photo = tmp_path / "IMG_0420.jpg"
    photo.write_bytes(jpeg_with_gps(size=(1200, 900)))
    citizen = new_page()
    citizen.set_viewport_size(PHONE)
    citizen.goto(f"{live_server}/propose")
    field = citizen.get_by_label(ja("field.attachments"), exact=True)
    field.set_input_files(str(photo))
    fill_form(citizen, title=None)  # the title forgotten
    citizen.wait_for_timeout(1100)
    citizen.get_by_role("button", name=ja("public.propose.submit")).click()

    summary = citizen.locator(".error-summary")
    summary.wait_for()
    again = ja("error.attachments.again", names="IMG_0420.jpg")
    assert again in summary.inner_text()
    assert again in citizen.locator("#attachments-error").inner_text()
    shot(citizen, "attachments-1-mistake-phone")
    assert db.execute(select(Attachment)).first() is None  # nothing kept from that try

    citizen.get_by_label(ja("field.title"), exact=True).fill("公園のベンチを直す提案")
    citizen.get_by_label(ja("field.attachments"), exact=True).set_input_files(str(photo))
    citizen.wait_for_timeout(1100)
    citizen.get_by_role("button", name=ja("public.propose.submit")).click()
    citizen.locator(".receipt-number").wait_for()
    shot(citizen, "attachments-2-receipt-phone")

    proposal = db.execute(select(Proposal)).scalar_one()
    attachment = db.execute(select(Attachment)).scalar_one()
    assert attachment.name == "IMG_0420.jpg" and attachment.published_at is None
    ops.fire_trigger(city.session, proposal, "accept", ops.Actor.staff(city.parks_liaison))
    city.session.commit()
    # Published proposal, private photo: the public page shows no photo yet.
    citizen.goto(f"{live_server}/proposals/{proposal.id}")
    assert citizen.locator(".attachment-gallery").count() == 0

    liaison = new_page()
    sign_in(liaison, live_server, city.parks_liaison)
    liaison.goto(f"{live_server}/staff/proposals/{proposal.id}")
    item = liaison.locator(f"#attachment-{attachment.id}")
    thumb = item.locator("img.attachment-thumb")
    thumb.wait_for()
    assert liaison.evaluate("img => img.naturalWidth", thumb.element_handle()) > 0
    assert ja("staff.attachments.status.pending") in item.inner_text()
    shot(liaison, "attachments-3-staff-before")
    item.get_by_role("button", name=ja("staff.attachments.publish")).click()
    liaison.get_by_text(ja("staff.attachments.done.published", name="IMG_0420.jpg")).wait_for()
    assert ja("staff.attachments.status.published") in liaison.locator(
        f"#attachment-{attachment.id}").inner_text()
    shot(liaison, "attachments-4-staff-published")

    citizen.goto(f"{live_server}/proposals/{proposal.id}")
    image = citizen.get_by_role("img", name=ja("public.attachments.photo", name="IMG_0420.jpg"))
    image.wait_for()
    image.scroll_into_view_if_needed()
    citizen.wait_for_function("img => img.complete && img.naturalWidth > 0",
                              arg=image.element_handle())
    box = image.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    shot(citizen, "attachments-5-public-phone")


def test_the_proposer_answers_a_question_with_a_photo_from_the_tracking_page(
        new_page, live_server, city, db, tmp_path):  # noqa: F811
    """The question asks for a photo; the first try forgets the answer's text (the page says
    the photo was not kept), the second sends both; the photo is then the proposer's,
    private, under their tracking link, and on the liaison's page."""
    proposal, token = city.submit()
    liaison_actor = ops.Actor.staff(city.parks_liaison)
    ops.fire_trigger(city.session, proposal, "accept", liaison_actor)
    ops.fire_trigger(city.session, proposal, "request_info", liaison_actor,
                     {"question": "ベンチの場所の写真を送ってください。"})
    city.session.commit()
    photo = tmp_path / "IMG_0777.jpg"
    photo.write_bytes(jpeg_with_gps(size=(1200, 900)))

    citizen = new_page()
    citizen.set_viewport_size(PHONE)
    citizen.goto(f"{live_server}/track/{token}")
    assert serious_violations(citizen) == []  # the answer form with its file field
    form = citizen.locator("#provide_info-form")
    form.get_by_label(ja("field.attachments"), exact=True).set_input_files(str(photo))
    form.get_by_role("button", name="質問に答える").click()
    summary = citizen.locator(".error-summary")
    summary.wait_for()
    again = ja("error.attachments.again", names="IMG_0777.jpg")
    assert again in summary.inner_text()
    assert again in citizen.locator("#provide_info-attachments-error").inner_text()
    assert serious_violations(citizen) == []
    shot(citizen, "attachments-6-answer-mistake-phone")
    assert db.execute(select(Attachment)).first() is None

    form = citizen.locator("#provide_info-form")
    form.get_by_label("回答", exact=True).fill("東側の入口から入って右手のベンチです。")
    form.get_by_label(ja("field.attachments"), exact=True).set_input_files(str(photo))
    form.get_by_role("button", name="質問に答える").click()
    citizen.get_by_text(ja("public.track.done.provide_info")).wait_for()
    shot(citizen, "attachments-7-answer-phone")

    db.expire_all()
    attachment = db.execute(select(Attachment)).scalar_one()
    assert attachment.proposal_id == proposal.id and attachment.published_at is None
    assert db.get(Proposal, proposal.id).state == "in_review"
    image = citizen.get_by_role("img", name=ja("public.attachments.photo", name="IMG_0777.jpg"))
    image.scroll_into_view_if_needed()
    citizen.wait_for_function("img => img.complete && img.naturalWidth > 0",
                              arg=image.element_handle())

    liaison = new_page()
    sign_in(liaison, live_server, city.parks_liaison)
    liaison.goto(f"{live_server}/staff/proposals/{proposal.id}")
    item = liaison.locator(f"#attachment-{attachment.id}")
    item.locator("img.attachment-thumb").wait_for()
    assert ja("staff.attachments.status.pending") in item.inner_text()

"""The privacy notice from the consent box, in a real Chromium: the box's key points open
from the keyboard, its link opens the notice in a new tab, and the form keeps everything
typed and is sent as it was.  The pages about the site read at phone width without
scrolling sideways (screenshots under build/screenshots, as the journey's)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import select

from intake.i18n import translate
from intake.models import Proposal
from intake.office_contact import OfficeContact, OfficeHours

from .test_browser import browser, live_server, new_page, page  # noqa: F401
from .test_browser_journey import PROBLEM, TITLE, fill_the_form, send_button, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_the_consent_link_opens_the_notice_in_a_new_tab_and_the_form_keeps_its_input(
        page, live_server, city, db):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/propose")
    fill_the_form(page, title=TITLE)
    form_url = page.url

    # The key points open from the keyboard, right at the box.
    points = page.locator("#privacy-points")
    points.locator("summary").focus()
    page.keyboard.press("Enter")
    assert points.get_attribute("open") is not None
    assert points.get_by_text(translate("notice.summary.use", "ja")).is_visible()
    points.scroll_into_view_if_needed()
    shot(page, "privacy-1-consent-box-phone", full_page=False)

    # The notice opens in a tab of its own; this one stays where it was.
    link = page.get_by_role("link", name=translate("notice.summary.link", "ja"))
    with page.context.expect_page() as opened:
        link.click()
    notice = opened.value
    notice.wait_for_load_state()
    assert notice.url == f"{live_server}/privacy"
    assert notice.locator("h1").inner_text() == translate("site.footer.privacy", "ja")
    notice.close()

    assert page.url == form_url
    assert page.locator("#title").input_value() == TITLE
    assert page.locator("textarea[name=problem]").input_value() == PROBLEM
    assert page.locator("#proposer_name").input_value() == "北 花子"
    assert page.locator("input[name=consent]").is_checked()
    page.wait_for_timeout(1100)  # the fill timer
    send_button(page).click()
    page.locator(".receipt-number").wait_for()
    db.rollback()
    assert db.execute(select(Proposal.title)).scalar_one() == TITLE


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_the_pages_about_the_site_read_at_phone_and_desktop_width(  # noqa: F811
        page, app, live_server, lang):  # noqa: F811
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], office=OfficeContact(
        phone="0123-45-6789", hours=OfficeHours("8:30", "17:15"),
        address="〒000-0000 テスト市中央1-1 市役所本庁舎2階"))
    for name in ("privacy", "accessibility", "contact"):
        for width, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.goto(f"{live_server}/{name}?lang={lang}")
            sideways = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert sideways <= 0, (name, width)
            footer = page.locator(".site-footer")
            assert footer.get_by_role("link", name=re.compile("0123-45-6789")).count() == 1
            shot(page, f"privacy-{name}-{lang}-{width}")

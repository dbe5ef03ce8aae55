"""The tracking link in a real Chromium (Debian's, through Playwright): the copy button
copies the link, without JavaScript the link is still text and no button is offered,
and axe-core finds no serious or critical problem on the receipt, tracking and printable
receipt pages in any language."""

from __future__ import annotations

import pytest

from intake.i18n import LANGUAGES, translate

from .test_browser import browser, live_server, new_page, page  # noqa: F401
from .test_browser_staff import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def tracked(city):
    return city.submit(email="", phone="090-1234-5678")


def test_copy_button_copies_the_tracking_link(browser, live_server, tracked):  # noqa: F811
    _proposal, token = tracked
    context = browser.new_context(locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    tab = context.new_page()
    try:
        tab.goto(f"{live_server}/track/{token}?lang=en")
        button = tab.get_by_role("button", name="Copy link")
        button.click()
        tab.get_by_role("status").filter(has_text="Link copied").wait_for()
        assert tab.evaluate("navigator.clipboard.readText()") == f"{live_server}/track/{token}"
    finally:
        context.close()


def test_without_javascript_the_link_is_text_and_no_button_is_offered(browser, live_server,  # noqa: F811
                                                                      tracked):
    _proposal, token = tracked
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(f"{live_server}/track/{token}/receipt")
        assert tab.get_by_text(f"{live_server}/track/{token}").first.is_visible()
        assert tab.get_by_role("button").count() == 0
        assert tab.locator("svg.qr-code").is_visible()
        # The link wraps inside one box (as a line of text its dashed frame broke into
        # pieces, one per line).
        tab.set_viewport_size({"width": 600, "height": 800})
        link = tab.locator(".receipt-sheet .tracking-link")
        assert link.evaluate("e => e.getClientRects().length") == 1
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_nothing_serious_on_the_tracking_pages(page, live_server, tracked,  # noqa: F811
                                                         lang):
    _proposal, token = tracked
    found = {}
    for path in (f"/track/{token}", f"/track/{token}/receipt", "/track"):
        response = page.goto(f"{live_server}{path}?lang={lang}")
        assert response.status == 200, path
        if problems := serious_violations(page):
            found[path] = problems
    assert found == {}
    assert page.get_by_label(translate("public.lookup.phone", lang)).is_visible()

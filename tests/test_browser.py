"""End to end in a real Chromium (Playwright): a citizen sends a proposal,
corrects a mistake, and follows it through the private tracking link.

The application runs as a real HTTP server in a thread over the test
database, with CSRF on and a one-second fill timer, as in production.
Chromium is Debian's (``/usr/bin/chromium``); Playwright's own browser
download is never used.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from intake.i18n import translate
from intake.models import Proposal

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app, city):
    """The app over HTTP on a free port; links in pages point at it."""
    app.config.update(WTF_CSRF_ENABLED=True, TEIAN_MIN_FILL_SECONDS=1)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], base_url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def ja(key: str, **params) -> str:
    return translate(key, "ja", **params)


PROBLEM = "駅前の公園は草が伸び放題で、神\ufa19社の前の道も暗く、子どもが遊びにくい状態です。"
NAME = "山田 神\ufa19子 🌸"


def test_citizen_fixes_a_mistake_submits_and_tracks(page, live_server, db):
    page.goto(f"{live_server}/propose")
    # The title is forgotten; everything else is filled in by label.
    page.get_by_label(ja("field.kind.proposal"), exact=True).check()
    page.get_by_label("公園・緑地", exact=True).check()
    page.get_by_label(ja("field.problem"), exact=True).fill(PROBLEM)
    page.get_by_label(ja("field.proposal"), exact=True).fill(
        "町内会と市が協力して花壇をつくり、季節の花を植えて管理することを提案します。")
    page.get_by_label(ja("field.proposer_type.individual"), exact=True).check()
    page.get_by_label(ja("field.proposer_name"), exact=True).fill(NAME)
    page.get_by_label(ja("field.email"), exact=True).fill("hanako@example.jp")
    page.get_by_label(ja("field.consent"), exact=True).check()
    page.get_by_role("button", name=translate("public.propose.submit", "ja")).click()

    summary = page.locator(".error-summary")
    summary.wait_for()
    required = ja("error.required", field=ja("field.title"))
    assert required in summary.inner_text()
    assert page.locator("#title-error").inner_text().endswith(required)
    # Nothing typed is lost, to the code point (U+FA19 is not folded to U+795E).
    assert page.get_by_label(ja("field.problem"), exact=True).input_value() == PROBLEM
    assert page.get_by_label(ja("field.proposer_name"), exact=True).input_value() == NAME
    assert page.get_by_label(ja("field.consent"), exact=True).is_checked()
    assert page.get_by_label("公園・緑地", exact=True).is_checked()
    # The summary links to the field.
    summary.get_by_role("link", name=required).click()
    assert page.evaluate("document.activeElement.id") == "title"

    page.get_by_label(ja("field.title"), exact=True).fill("公園に花壇をつくる提案")
    page.wait_for_timeout(1200)  # a person takes longer than the 1 s minimum
    page.get_by_role("button", name=translate("public.propose.submit", "ja")).click()

    receipt = page.locator(".receipt-number")
    receipt.wait_for()
    assert re.fullmatch(r"T-\d{4}-\d{6}", receipt.inner_text().strip())
    assert "公園緑地課" in page.locator(".summary-list").inner_text()
    stored = db.execute(select(Proposal)).scalar_one()
    assert stored.lead_department.code == "parks"
    assert stored.contact.name == NAME

    page.locator(".tracking-link a").click()
    page.wait_for_url(re.compile(re.escape(live_server) + r"/track/[\w-]+$"))
    assert page.locator(".summary-list .tag").inner_text() == "受付"
    assert receipt_text_in(page, stored.receipt)


def receipt_text_in(page, receipt: str) -> bool:
    return receipt in page.locator("main").inner_text()


def test_language_switcher_changes_and_remembers_the_language(page, live_server):
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.locator(".languages").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("h1").inner_text() == translate("public.index.heading", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    # The cookie keeps it: the form, reached through the menu, is in English.
    menu = page.locator(".site-nav")
    menu.get_by_role("link", name=translate("public.nav.propose", "en")).click()
    page.wait_for_url(f"{live_server}/propose")
    assert page.get_by_label(translate("field.title", "en"), exact=True).is_visible()
    assert translate("public.propose.theme_not_department", "en") in page.inner_text("main")

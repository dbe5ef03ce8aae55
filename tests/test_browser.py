"""End to end in a real Chromium (Playwright): a citizen sends a proposal,
corrects a mistake, and follows it through the private tracking link; a
liaison accepts a proposal while a colleague's page goes stale.

The application runs as a real HTTP server in a thread over the test
database, with CSRF on and a one-second fill timer, as in production.
Chromium is Debian's (``/usr/bin/chromium``); Playwright's own browser
download is never used.  Without it these tests skip, unless
``TEIAN_REQUIRE_BROWSER`` is set (CI sets it): then they fail.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from intake.i18n import translate
from intake.models import Event, Proposal
from workflows import get_workflow

from .factories import PASSWORD

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
# The one request a policy blocks on purpose: Redoc's logo from its CDN (/developers/api).
EXPECTED_BLOCK = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def require_browser(executable: str = CHROMIUM) -> None:
    """Skip the browser tests on a machine without Chromium or Playwright; fail them when
    ``TEIAN_REQUIRE_BROWSER`` is set, so a CI run cannot pass by skipping them all."""
    missing = None
    if not os.path.exists(executable):
        missing = f"Chromium is not installed at {executable} (apt-get install chromium)"
    elif importlib.util.find_spec("playwright") is None:
        missing = "Playwright is not installed (pip install playwright; never playwright install)"
    if missing is None:
        return
    if os.environ.get("TEIAN_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"TEIAN_REQUIRE_BROWSER is set but {missing}", pytrace=False)
    pytest.skip(missing)


@pytest.mark.parametrize("required, outcome", [
    (None, pytest.skip.Exception), ("0", pytest.skip.Exception), ("1", pytest.fail.Exception),
])
def test_a_missing_browser_skips_unless_the_run_requires_it(monkeypatch, tmp_path, required,
                                                            outcome):
    if required is None:
        monkeypatch.delenv("TEIAN_REQUIRE_BROWSER", raising=False)
    else:
        monkeypatch.setenv("TEIAN_REQUIRE_BROWSER", required)
    with pytest.raises(outcome):
        require_browser(str(tmp_path / "no-chromium"))


@pytest.fixture(scope="module")
def browser():
    require_browser()
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
def new_page(browser, live_server):
    """Pages in browser contexts of their own (no cookies shared), closed after the test.
    Every page listens for Content-Security-Policy violations: a template that slips an
    inline script or style in fails whichever browser test shows it."""
    contexts, violations = [], []

    def open_page():
        context = browser.new_context(locale="ja-JP")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                and EXPECTED_BLOCK not in message.text else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert violations == []


@pytest.fixture
def page(new_page):
    return new_page()


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
    required = ja("error.title.required")
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


# --- staff ----------------------------------------------------------------------------------


def sign_in(page, live_server: str, user) -> None:
    page.goto(f"{live_server}/staff/login")
    page.get_by_label(ja("staff.field.email"), exact=True).fill(user.email)
    page.get_by_label(ja("staff.field.password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=ja("staff.login.submit")).click()
    page.wait_for_url(f"{live_server}/staff/")


def test_liaison_accepts_from_the_queue_and_a_stale_page_gets_a_conflict(new_page, live_server,
                                                                        city, db):
    proposal, _ = city.submit(title="公園に水飲み場をつくる")
    accept = next(t.label_in("ja") for t in get_workflow("proposal").transitions
                  if t.trigger == "accept")
    liaison, colleague = new_page(), new_page()
    sign_in(liaison, live_server, city.parks_liaison)
    sign_in(colleague, live_server, city.parks_liaison)
    # A colleague opened the proposal a moment ago and has not reloaded it since.
    colleague.get_by_role("link", name=proposal.receipt).click()
    colleague.wait_for_url(f"{live_server}/staff/proposals/{proposal.id}")

    liaison.get_by_role("link", name=proposal.receipt).click()
    liaison.wait_for_url(f"{live_server}/staff/proposals/{proposal.id}")
    assert "受付" in liaison.locator("dl.summary").first.inner_text()
    liaison.locator("#action-trigger-accept").get_by_role("button", name=accept).click()
    liaison.wait_for_url(f"{live_server}/staff/proposals/{proposal.id}")
    done = ja("staff.done.transition", action=accept, state="検討中")
    assert liaison.locator(".notice-success").inner_text() == done
    assert "検討中" in liaison.locator("dl.summary").first.inner_text()
    last_event = liaison.locator("table.events tbody tr").last.inner_text()
    for shown in (city.parks_liaison.display_name, f"{ja('staff.event.transition')}：{accept}",
                  "受付 → 検討中"):
        assert shown in last_event

    with colleague.expect_response(lambda r: r.request.method == "POST") as answer:
        colleague.locator("#action-trigger-accept").get_by_role("button", name=accept).click()
    assert answer.value.status == 409
    assert ja("staff.error.conflict") in colleague.locator(".error-summary").inner_text()
    assert "検討中" in colleague.locator("dl.summary").first.inner_text()  # the page as it is now
    assert colleague.locator("#action-trigger-accept").count() == 0

    db.expire_all()
    assert db.get(Proposal, proposal.id).state == "in_review"
    accepted = db.execute(select(Event).where(Event.proposal_id == proposal.id,
                                              Event.trigger == "accept")).scalars().all()
    assert len(accepted) == 1

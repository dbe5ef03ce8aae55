"""The whole journey in a real Chromium, as its people live it (issue 9's acceptance):

a citizen submits with one mistake, fixes it, keeps the receipt, follows the tracking link
and answers the liaison's question; the liaison accepts and opens deliberation; another
citizen comments and supports it (confirming by the mailed link); the liaison records a
session and adopts; the public page shows the ruling with its reason.  Then the submit
step in English and in easy Japanese, and axe-core on every public page in all three
languages (no serious or critical violation).

Screenshots of the key pages go to ``TEIAN_SCREENSHOTS`` (default ``build/screenshots``
under the repository, as the README says), so a person can look at what the test saw.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from intake.i18n import translate
from intake.models import OutboxMessage, Proposal
from workflows import get_workflow, today_jst

from .test_browser import browser, live_server, new_page, page, sign_in  # noqa: F401
from .test_browser_staff import serious_violations

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("TEIAN_SCREENSHOTS")
                   or Path(__file__).resolve().parent.parent / "build" / "screenshots")
LANGUAGES = ("ja", "en", "ja-easy")

TITLE = "バス停に屋根をつける提案"
PROBLEM = "駅前のバス停には屋根がなく、雨の日はお年寄りや子どもがぬれながらバスを待っています。"
PROPOSAL = "町内会が清掃を受け持ち、市がバス停に屋根とベンチを設置することを提案します。"
REASON = "協議で利用者の声を確かめ、来年度に二か所で設置します。"


def shot(tab, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def step_label(trigger: str, lang: str = "ja") -> str:
    return next(t.label_in(lang) for t in get_workflow("proposal").transitions
                if t.trigger == trigger)


def fill_the_form(tab, *, title: str | None) -> None:
    """Everything a citizen types (labels are checked by ``test_browser``; here the
    fields are found by id, whatever the language); ``title`` None forgets the title."""
    if title is not None:
        tab.locator("#title").fill(title)
    tab.locator("input[name=category][value=roads]").check()
    tab.locator("#problem").fill(PROBLEM)
    tab.locator("#proposal").fill(PROPOSAL)
    tab.locator("input[name=proposer_type][value=individual]").check()
    tab.locator("#proposer_name").fill("北 花子")
    tab.locator("#email").fill("hanako@example.jp")
    tab.locator("input[name=consent]").check()


def send_button(tab):
    """The form's send button, whatever the language (on easy-Japanese pages its name
    carries furigana, which a screen reader reads too)."""
    return tab.locator("main form[method=post] button[type=submit]").last


def submit_with_one_mistake(tab, root: str, lang: str) -> None:
    tab.goto(f"{root}/propose?lang={lang}")
    fill_the_form(tab, title=None)
    send_button(tab).click()
    summary = tab.locator(".error-summary")
    summary.wait_for()
    assert tab.locator("#title-error").is_visible()
    # Nothing typed is lost; the mistake is fixed and the form sent again.
    assert tab.locator("textarea[name=problem]").input_value() == PROBLEM
    summary.get_by_role("link").first.click()
    assert tab.evaluate("document.activeElement.id") == "title"
    tab.locator("#title").fill(TITLE)
    tab.wait_for_timeout(1100)  # the fill timer: a person takes longer than one second
    send_button(tab).click()
    tab.locator(".receipt-number").wait_for()


def text_without_readings(element) -> str:
    """What an element says with furigana (``<rt>``) left out: the catalogue's text."""
    return element.evaluate(
        "e => { const c = e.cloneNode(true); c.querySelectorAll('rt, rp')"
        ".forEach(r => r.remove()); return c.textContent.trim(); }")


def staff_step(tab, root: str, proposal_id: int, trigger: str, **inputs: str) -> None:
    """The liaison takes one workflow step from the proposal page."""
    tab.goto(f"{root}/staff/proposals/{proposal_id}")
    action = tab.locator(f"#action-trigger-{trigger}")
    if action.get_attribute("open") is None:
        action.locator("summary").click()
    for name, value in inputs.items():
        action.locator(f"[name$='{name}']").fill(value)
    confirm = action.locator("input[type=checkbox][name$='confirm']")
    if confirm.count():
        confirm.check()
    action.get_by_role("button", name=step_label(trigger)).click()
    tab.wait_for_url(re.compile(rf"/staff/proposals/{proposal_id}"))
    assert tab.locator(".notice-success").is_visible(), tab.inner_text("main")[:500]


def test_the_whole_journey_from_form_to_ruling(new_page, live_server, city, db):  # noqa: F811
    from playwright.sync_api import expect

    citizen, liaison, neighbour = new_page(), new_page(), new_page()
    root = live_server

    # 1. The citizen submits with one mistake, fixes it and gets the receipt.
    submit_with_one_mistake(citizen, root, "ja")
    receipt = citizen.locator(".receipt-number").inner_text().strip()
    assert re.fullmatch(r"T-\d{4}-\d{6}", receipt)
    shot(citizen, "01-receipt")
    db.rollback()  # a fresh read: the server committed in its own connection
    proposal = db.execute(select(Proposal)).scalar_one()
    assert (proposal.receipt, proposal.title) == (receipt, TITLE)
    tracking = citizen.locator(".tracking-link a").get_attribute("href")

    # 2. The liaison accepts it and asks a question.
    sign_in(liaison, root, city.roads_primary)
    staff_step(liaison, root, proposal.id, "accept")
    question = "屋根をつけたいバス停の名前を教えてください。"
    staff_step(liaison, root, proposal.id, "request_info", question=question)

    # 3. The citizen follows the tracking link and answers.
    citizen.goto(tracking)
    assert question in citizen.locator(".question-box").inner_text()
    shot(citizen, "02-tracking-question")
    citizen.locator("#provide_info-text").fill("大供二丁目のバス停です。")
    citizen.get_by_role("button", name=step_label("provide_info")).click()
    citizen.locator(".notice-success").wait_for()
    assert citizen.locator(".question-box").count() == 0

    # 4. The liaison opens deliberation; a neighbour comments on the public page.
    staff_step(liaison, root, proposal.id, "open_deliberation")
    neighbour.goto(f"{root}/proposals/{proposal.id}")
    assert neighbour.locator("h1").inner_text() == TITLE
    neighbour.locator("textarea[name=body]").fill("毎朝このバス停を使っています。屋根があると助かります。")
    neighbour.wait_for_timeout(1100)
    neighbour.get_by_role("button", name=translate("public.comment.submit", "ja")).click()
    banner = neighbour.locator(".notice-success")
    banner.wait_for()
    expect(banner).to_be_in_viewport()  # the thanks is where the reader is looking
    assert "屋根があると助かります" in neighbour.locator("#comments").inner_text()
    shot(neighbour, "03-public-comment", full_page=False)

    # ...and supports it: the mailed link's button counts the support.
    neighbour.get_by_label(translate("public.support.email", "ja")).fill("neighbour@example.jp")
    neighbour.wait_for_timeout(1100)
    neighbour.get_by_role("button", name=translate("public.support.submit", "ja"),
                          exact=True).click()
    neighbour.wait_for_url(re.compile(r"#supports$"))
    db.rollback()
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.kind == "support_confirm")
                      ).scalar_one()
    link = next(u for u in re.findall(r"https?://\S+", mail.body) if "/supports/" in u)
    neighbour.goto(link)
    neighbour.get_by_role("button",
                          name=translate("public.support.confirm.button", "ja")).click()
    neighbour.wait_for_url(re.compile(r"#supports$"))
    assert neighbour.locator(".supports-count").first.inner_text() == \
        translate("public.support.count", "ja", count="1")

    # 5. The liaison records a session, then adopts with a reason.
    liaison.goto(f"{root}/staff/proposals/{proposal.id}")
    session = liaison.locator("#action-session")
    if session.get_attribute("open") is None:
        session.locator("summary").click()
    # Held today (Japan time): a session may not predate the deliberation, opened just now.
    session.locator("[name='session-held_at']").fill(f"{today_jst().isoformat()}T00:05")
    session.locator("[name='session-place']").fill("大供公民館")
    session.locator("[name='session-agenda']").fill("バス停の屋根について")
    session.locator("[name='session-participants']").fill("12")
    session.locator("button[type=submit]").click()
    liaison.locator(".notice-success").wait_for()
    staff_step(liaison, root, proposal.id, "adopt", reason=REASON)
    shot(liaison, "04-staff-adopted")

    # 6. The public page shows the ruling with its reason, and the session.
    neighbour.goto(f"{root}/proposals/{proposal.id}")
    main = neighbour.locator("main").inner_text()
    assert REASON in main
    assert "大供公民館" in main
    assert neighbour.locator(".tag").first.inner_text() == \
        get_workflow("proposal").state_label("adopted", "ja")
    shot(neighbour, "05-public-ruling")
    db.rollback()
    assert db.get(Proposal, proposal.id).state == "adopted"


@pytest.mark.parametrize("lang", ["en", "ja-easy"])
def test_the_submit_step_in_english_and_easy_japanese(page, live_server, city, db, lang):  # noqa: F811
    submit_with_one_mistake(page, live_server, lang)
    assert page.locator("html").get_attribute("lang") == ("en" if lang == "en" else "ja")
    assert text_without_readings(page.locator("h1")) == \
        translate("public.submitted.heading", lang)
    shot(page, f"06-receipt-{lang}")
    db.rollback()
    stored = db.execute(select(Proposal)).scalar_one()
    assert stored.language == lang


def public_pages(root: str, published: Proposal, open_one: Proposal) -> list[str]:
    return [f"{root}{path}" for path in (
        "/", "/propose", "/proposals", f"/proposals/{published.id}",
        f"/proposals/{open_one.id}", "/track", "/open-data", "/privacy", "/accessibility",
        "/contact")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_serious_violation_on_the_public_pages(page, live_server, city, lang):  # noqa: F811
    from tests import ops
    from tests.workflow_support import walk

    liaison = ops.Actor.staff(city.parks_liaison)
    published, token = city.submit(title="公園にベンチを置く")
    ops.fire_trigger(city.session, published, "accept", liaison)
    open_one, _ = city.submit(title="公園で朝市を開く")
    walk(city.session, open_one, "in_deliberation")
    ops.add_comment(city.session, open_one, name="近所の人", body="ぜひお願いします。")
    city.session.commit()

    page.goto(f"{live_server}/?lang={lang}")
    found = {}
    urls = public_pages(live_server, published, open_one) + [f"{live_server}/track/{token}"]
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        problems = serious_violations(page)
        if problems:
            found[url] = problems
    # The refused form (with its error summary) is a page too.
    page.goto(f"{live_server}/propose")
    send_button(page).click()
    page.locator(".error-summary").wait_for()
    if problems := serious_violations(page):
        found["/propose (refused)"] = problems
    assert found == {}


def test_the_api_reference_renders_in_the_browser(page, live_server):  # noqa: F811
    """Redoc, served from the package, renders the OpenAPI document: its operations
    appear by their summaries, and nothing is fetched from anywhere else."""
    outside = []
    here = (live_server, f"blob:{live_server}", "data:")
    # (Redoc asks for its logo on cdn.redoc.ly; the page's policy blocks it unanswered.)
    page.on("response", lambda r: None if r.url.startswith(here) else outside.append(r.url))
    page.goto(f"{live_server}/developers/api")
    page.locator("h2", has_text="Submit a proposal").first.wait_for()
    assert page.locator("h2", has_text="Published proposals (no personal data)").count()
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "07-api-reference", full_page=False)
    assert outside == []

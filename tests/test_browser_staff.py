"""The staff pages in a real Chromium (Playwright, Debian's /usr/bin/chromium): axe-core
(``axe-playwright-python``, which ships axe.min.js) finds no serious or critical
violation on any of them, for a liaison and for the office; and the office's journey —
route a triage item in one step, edit a routing rule, print the agenda one department
per page.

Set ``TEIAN_SCREENSHOTS`` to a folder to keep screenshots of the proposal page."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from intake.models import Comment, Event, RoutingRule
from tests import ops as operations
from workflows.calendar import today_jst

from .test_browser import browser, ja, live_server, new_page, page, sign_in  # noqa: F401
from .test_routing_admin import rule_for
from .workflow_support import walk

pytestmark = pytest.mark.browser

PHONE = "090-8765-4321"
SERIOUS = ("serious", "critical")


@pytest.fixture
def staff_data(city):
    """A parks proposal in review whose text holds a phone number (its publication waits
    for the personal-data review), one in deliberation with a held comment, a triage item,
    and an overdue welfare proposal and a roads one in review for the agenda."""
    review, _ = city.submit(title="公園の照明を増やす",
                            problem=f"夜の公園が暗いです。連絡は {PHONE} まで。")
    liaison = operations.Actor.staff(city.parks_liaison)
    operations.fire_trigger(city.session, review, "accept", liaison)
    talk, _ = city.submit(title="公園で朝市を開く")
    operations.fire_trigger(city.session, talk, "accept", liaison)
    operations.fire_trigger(city.session, talk, "open_deliberation", liaison)
    operations.add_comment(city.session, talk, name="近所の人", body=f"電話 {PHONE} へどうぞ")
    triage, _ = city.submit(category="other", title="掲示板を新しくする")
    late = city.submit(category="welfare")[0]
    late.due_on = today_jst() - timedelta(days=3)
    walk(city.session, city.submit(category="roads")[0], "in_review")
    city.session.commit()
    assert review.review_pending
    return {"review": review, "talk": talk, "triage": triage}


def serious_violations(tab) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def staff_pages(root: str, data: dict, office: bool) -> list[str]:
    pages = ["/staff/", f"/staff/proposals/{data['review'].id}",
             f"/staff/proposals/{data['talk'].id}", "/staff/dashboard", "/staff/agenda",
             "/staff/comments", "/staff/help/workflow"]
    if office:
        pages += ["/staff/triage", "/staff/admin/", "/staff/admin/routing"]
    return [root + path for path in pages]


@pytest.mark.parametrize("who", ["parks_liaison", "office_user"])
def test_axe_finds_no_serious_violation_on_the_staff_pages(page, live_server, city,  # noqa: F811
                                                           staff_data, who):
    sign_in(page, live_server, getattr(city, who))
    found = {}
    for url in staff_pages(live_server, staff_data, office=who == "office_user"):
        response = page.goto(url)
        assert response.status == 200, url
        problems = serious_violations(page)
        if problems:
            found[url] = problems
    assert found == {}


def test_the_proposal_page_offers_the_next_step_first(page, live_server, city,  # noqa: F811
                                                      staff_data):
    sign_in(page, live_server, city.parks_liaison)
    page.goto(f"{live_server}/staff/proposals/{staff_data['review'].id}")
    first = page.locator("details.action").first
    assert first.get_attribute("id") == "action-trigger-open_deliberation"
    # waiting for the personal-data review: first, but not recommended, closed, saying why
    assert first.get_attribute("open") is None
    assert ja("staff.guard.published") in first.locator("summary").inner_text()
    first.locator("summary").click()
    assert first.get_by_role("button").is_disabled()
    # another step: closed until its summary is clicked
    ask = page.locator("#action-trigger-request_info")
    assert not ask.get_by_role("button").is_visible()
    ask.locator("summary").click()
    assert ask.get_by_role("button").is_visible()
    # the ones that end it: red, confirmed
    reject = page.locator("#action-trigger-reject")
    reject.locator("summary").click()
    assert reject.get_by_label(ja("staff.actions.confirm")).is_visible()
    colour = reject.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert colour == "rgb(212, 53, 28)"
    # the review panel is reached from the actions
    page.get_by_role("link", name=ja("staff_page.actions.review_link")).click()
    assert page.locator("#action-publication").is_visible()
    # once the review published it, opening deliberation is the next step, open
    operations.review_publication(city.session, staff_data["review"],
                                  operations.Actor.staff(city.parks_liaison), redact=[PHONE])
    city.session.commit()
    page.goto(f"{live_server}/staff/proposals/{staff_data['review'].id}")
    first = page.locator("details.action").first
    assert first.get_attribute("id") == "action-trigger-open_deliberation"
    assert first.get_attribute("open") is not None
    assert first.get_by_role("button").is_visible()
    folder = os.environ.get("TEIAN_SCREENSHOTS")
    if folder:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server}/staff/proposals/{staff_data['review'].id}")
        page.screenshot(path=str(Path(folder) / "redesign-proposal.png"), full_page=True)
        page.goto(f"{live_server}/staff/proposals/{staff_data['talk'].id}")
        page.screenshot(path=str(Path(folder) / "redesign-deliberation.png"), full_page=True)


def test_the_office_routes_edits_a_rule_and_prints_the_agenda(page, live_server, city,  # noqa: F811
                                                              staff_data, db):
    item = staff_data["triage"]
    sign_in(page, live_server, city.office_user)
    nav = page.get_by_role("navigation", name=ja("staff.nav.label"))

    # triage: one step
    nav.get_by_role("link", name=ja("staff_page.nav.triage")).click()
    page.wait_for_url(f"{live_server}/staff/triage")
    page.get_by_label(ja("staff_page.triage.department_of", receipt=item.receipt)).select_option(
        "roads")
    page.locator(f"#route-{item.id}").get_by_role(
        "button", name=ja("staff_page.triage.submit")).click()
    page.wait_for_url(f"{live_server}/staff/triage")
    assert page.locator(".notice-success").inner_text() == ja(
        "staff_page.triage.done", receipt=item.receipt, department="道路課")
    assert page.locator(f"#route-{item.id}").count() == 0
    db.expire_all()
    routed = db.execute(select(Event).where(Event.proposal_id == item.id)
                        .order_by(Event.seq.desc())).scalars().first()
    assert (routed.action, routed.data["department"]) == ("transfer", "roads")

    # a routing rule (the steps of tests/test_routing_admin.py)
    rule = rule_for(db, city.cat_roads)
    nav.get_by_role("link", name=ja("staff.nav.admin"), exact=True).click()
    page.get_by_role("link", name=ja("admin.routing.title")).first.click()
    page.locator(f"#rule-{rule.id}").get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/staff/admin/routing/{rule.id}$"))
    page.get_by_label(ja("admin.field.department"), exact=True).select_option("parks")
    page.get_by_label(ja("admin.field.priority"), exact=True).fill("3")
    page.get_by_role("button", name=ja("admin.save")).click()
    page.wait_for_url(re.compile(r"/staff/admin/routing$"))
    assert ja("admin.done.rule_saved", id=rule.id) in page.inner_text("main")
    db.expire_all()
    assert db.get(RoutingRule, rule.id).department_id == city.parks.id

    # the agenda, printed: one page per department
    nav.get_by_role("link", name=ja("office.nav.agenda")).click()
    page.wait_for_url(f"{live_server}/staff/agenda")
    sections = page.locator("section.agenda-department")
    departments = sections.count()
    assert departments >= 2
    page.emulate_media(media="print")
    breaks = sections.evaluate_all("els => els.map(e => getComputedStyle(e).breakBefore)")
    assert breaks == ["auto"] + ["page"] * (departments - 1)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == departments, (pages, departments)
    page.emulate_media(media="screen")


def test_the_moderation_list_leads_to_the_comment(page, live_server, city,  # noqa: F811
                                                  staff_data, db):
    held = db.execute(select(Comment)).scalar_one()
    sign_in(page, live_server, city.parks_liaison)
    page.get_by_role("navigation", name=ja("staff.nav.label")).get_by_role(
        "link", name=ja("staff_page.nav.comments")).click()
    page.get_by_role("link", name=ja("staff_page.comments.open_held",
                                     receipt=staff_data["talk"].receipt)).click()
    page.wait_for_url(re.compile(rf"/staff/proposals/{staff_data['talk'].id}#comment-{held.id}$"))
    assert page.locator(f"#comment-{held.id}").is_visible()


PHONE_VIEWPORT = {"width": 390, "height": 844}
LONG_URL = "https://example.jp/" + "kouen-no-shoumei-wo-fuyasu-" * 6 + "index.html"
LONG_EMAIL = "machizukuri-kyougikai-jimukyoku-tantousha@community-center.example.jp"


def phone_pages(root: str, data: dict, office: bool) -> list[str]:
    """Every page the staff navigation reaches, a proposal's page with its action forms, and
    the office's administration pages (their tables are the widest)."""
    pages = staff_pages(root, data, office) + [
        f"{root}/staff/proposals/{data['long'].id}", f"{root}/staff/account/password",
        f"{root}/staff/account/totp", f"{root}/staff/help/easy-japanese"]
    if office:
        pages += [f"{root}/staff/admin/{kind}" for kind in (
            "departments", "categories", "districts", "users", "answer-templates", "tokens")]
        pages += [f"{root}/staff/rulings/import"]
    return pages


@pytest.mark.parametrize("who", ["parks_liaison", "office_user"])
def test_no_staff_page_scrolls_sideways_on_a_phone(page, live_server, city,  # noqa: F811
                                                   staff_data, who):
    """At 390 px a wide table scrolls inside its own box, navigation and forms wrap and a
    long URL or e-mail address breaks: the page itself never scrolls sideways (a term list
    with a long term, and a table cell's visually hidden text, widened it)."""
    long, _ = city.submit(title="公園の照明について", email=LONG_EMAIL,
                          problem=f"詳しくは {LONG_URL} をご覧ください。",
                          organization="まちづくり協議会" * 4)
    city.parks.name_en = "Parks, Green Spaces and Urban Landscape Management Division"
    city.session.commit()
    staff_data = {**staff_data, "long": long}
    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server, getattr(city, who))
    wide = {}
    for lang in ("ja", "en"):
        page.goto(f"{live_server}/staff/?lang={lang}")
        for url in phone_pages(live_server, staff_data, office=who == "office_user"):
            response = page.goto(url)
            assert response.status == 200, url
            # every action's form open: a closed <details> lays nothing out
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > page.evaluate("window.innerWidth"):
                wide[f"{lang} {url}"] = width
    assert wide == {}


def test_the_queue_on_a_phone_is_a_list_of_cards(page, live_server, city,  # noqa: F811
                                                 staff_data):
    """At 390 px each proposal of the queue is a card that fits the screen, its facts
    labelled, instead of a table to scroll sideways."""
    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server, city.parks_liaison)
    page.goto(f"{live_server}/staff/?lang=ja")
    table = page.locator("table.queue")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    card = page.locator("table.queue tbody tr").first
    box = card.bounding_box()
    assert box is not None and box["width"] <= PHONE_VIEWPORT["width"]
    labels = card.locator("td").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert f'"{ja("staff.col.state")}："' in labels and f'"{ja("staff.col.due_on")}："' in labels
    # The caption reads across, as a heading above the cards: not one character a line.
    caption = page.locator("table.queue caption").bounding_box()
    line = page.locator("table.queue caption").evaluate(
        "c => parseFloat(getComputedStyle(c).lineHeight)")
    assert caption["height"] < 2 * line and caption["width"] > 3 * line, caption


def test_the_administration_sections_are_a_plain_row_with_the_current_one_marked(
        page, live_server, city):  # noqa: F811
    """At a desk's width too: no list bullets between the sections (they landed against
    the previous section's end), and the section shown now marked."""
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, city.admin_user)
    page.goto(f"{live_server}/staff/admin/users")
    items = page.locator(".admin-nav li")
    assert items.count() >= 7
    assert items.evaluate_all(
        "lis => lis.every(li => getComputedStyle(li).listStyleType === 'none')")
    current = page.locator(".admin-nav a[aria-current=page]")
    assert current.inner_text() == ja("admin.users.title")
    assert int(current.evaluate("a => getComputedStyle(a).fontWeight")) >= 700

"""A proposal's timeline on a phone, in a real Chromium (Playwright, Debian's
/usr/bin/chromium): on the staff proposal page, on the public proposal page and on the
tracking page, at 390 px nothing scrolls sideways — not the page, not a box inside it —
and every step is an entry read top to bottom; the staff page keeps its table at a desk's
width, and its columns' headers for a screen reader on a phone.  The liaison-meeting
agenda likewise: each item an entry on a phone, a table at a desk and on paper.

Set ``TEIAN_SCREENSHOTS`` to a folder to keep screenshots of the staff timeline and of
the agenda (ja, en; 390 and 1280 px)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from intake.i18n import translate
from tests import ops as operations
from tests.factories import publish_as_written
from workflows.calendar import today_jst

from .test_browser import browser, live_server, new_page, page, sign_in  # noqa: F401
from .workflow_support import lead, walk

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
# Nothing wider than the window, and no box inside it that scrolls sideways (but a
# visually hidden one, a pixel wide for screen readers: the hidden header row).
FITS = """() => document.documentElement.scrollWidth <= window.innerWidth
    && [...document.querySelectorAll('main *')].every(
        e => getComputedStyle(e).overflowX === 'visible' || e.clientWidth <= 1
             || e.scrollWidth <= e.clientWidth)"""


@pytest.fixture
def long_history(city):
    """A proposal transferred parks → roads, then taken through to implementation (a
    reason on its ruling), published: eleven steps or so, the long words included."""
    proposal, token = city.submit(title="公園の照明を増やす")
    operations.transfer_proposal(city.session, proposal, "roads", lead(proposal),
                                 reason="道路照明として道路課が扱うのが適切なため移管します。")
    city.session.commit()
    walk(city.session, proposal, "implementing")
    publish_as_written(proposal)
    city.session.commit()
    return proposal, token


def _entries_fit(tab, selector: str) -> int:
    """How many entries ``selector`` finds, each visible and within the window."""
    entries = tab.locator(selector)
    count = entries.count()
    width = tab.evaluate("window.innerWidth")
    for entry in entries.all():
        assert entry.is_visible()
        box = entry.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, entry.inner_text()
    return count


def test_the_staff_timeline_is_a_list_on_a_phone_and_a_table_at_a_desk(page, live_server,  # noqa: F811
                                                                       city, long_history):
    proposal, _token = long_history
    sign_in(page, live_server, city.roads_primary)
    url = f"{live_server}/staff/proposals/{proposal.id}"
    folder = os.environ.get("TEIAN_SCREENSHOTS")
    for lang in ("ja", "en"):
        page.set_viewport_size(PHONE)
        page.goto(f"{url}?lang={lang}")
        assert page.evaluate(FITS), lang
        steps = _entries_fit(page, "table.events tbody tr")
        assert steps >= 8
        first = page.locator("table.events tbody tr").first
        # one fact under another: the actor's line below the date's, not beside it
        when, who = (first.locator("td").nth(i).bounding_box() for i in (0, 1))
        assert who["y"] >= when["y"] + when["height"] - 1 and who["x"] <= when["x"] + 1
        # each fact after its label; the header row hidden from view, still the table's
        actor = translate("staff.timeline.actor", lang) + translate("staff.colon", lang)
        assert first.locator("td").nth(1).evaluate(
            "e => getComputedStyle(e, '::before').content").startswith(f'"{actor}"')
        assert page.locator("table.events thead").bounding_box()["width"] <= 1
        assert page.get_by_role("columnheader",
                                name=translate("staff.timeline.actor", lang)).count() == 1
        assert page.get_by_role("cell").filter(has_text="道路課が扱う").count() == 1
        if folder:
            page.locator("table.events").screenshot(
                path=str(Path(folder) / f"staff-timeline-{lang}-390.png"))
        page.set_viewport_size(DESK)
        assert page.locator("table.events thead").bounding_box()["width"] > 600
        cells = page.locator("table.events tbody tr").first.locator("td")
        assert cells.nth(0).bounding_box()["y"] == cells.nth(1).bounding_box()["y"]  # a row
        assert page.evaluate(FITS), lang
        if folder:
            page.locator("table.events").screenshot(
                path=str(Path(folder) / f"staff-timeline-{lang}-1280.png"))


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_the_public_and_tracking_timelines_fit_a_phone(page, live_server, long_history,  # noqa: F811
                                                       lang):
    proposal, token = long_history
    page.set_viewport_size(PHONE)
    for path in (f"/proposals/{proposal.id}", f"/track/{token}"):
        assert page.goto(f"{live_server}{path}?lang={lang}").status == 200
        assert page.evaluate(FITS), path
        assert _entries_fit(page, "ol.timeline > li") >= 8, path


@pytest.fixture
def agenda_items(city):
    """On the agenda: a parks proposal transferred to roads (several departments), an
    overdue one waiting for a ruling, and one more waiting: long titles, every reason."""
    transferred, _ = city.submit(title="通学路の歩道にある段差をなくし車いすでも通れるようにする")
    operations.transfer_proposal(city.session, transferred, "roads", lead(transferred),
                                 reason="道路の案件です。")
    late = walk(city.session, city.submit(title="公園の照明を増やして夜も安心して歩けるように")[0],
                "in_review")
    late.due_on = today_jst() - timedelta(days=10)
    walk(city.session, city.submit(category="roads", title="バス停にベンチと屋根を設置")[0],
         "in_review")
    city.session.commit()


def test_the_agenda_is_a_list_on_a_phone_and_a_table_at_a_desk_and_on_paper(
        page, live_server, city, agenda_items):  # noqa: F811
    sign_in(page, live_server, city.office_user)
    folder = os.environ.get("TEIAN_SCREENSHOTS")
    items = "table.agenda tbody tr"
    for lang in ("ja", "en"):
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server}/staff/agenda?lang={lang}")
        assert page.evaluate(FITS), lang  # the figures' table too
        assert _entries_fit(page, items) == 3
        item = page.locator(items).filter(has=page.locator(".reason-overdue")).first
        cells = item.locator("td")
        # the receipt, then the title under it, then each fact under the one before
        tops = [cells.nth(i).bounding_box() for i in range(6)]
        for above, below in zip(tops, tops[1:], strict=False):
            assert below["y"] >= above["y"] + above["height"] - 1
            assert abs(below["x"] - above["x"]) <= 1
        due = translate("staff.col.due_on", lang) + translate("staff.colon", lang)
        assert cells.nth(4).evaluate(
            "e => getComputedStyle(e, '::before').content").startswith(f'"{due}"')
        assert cells.nth(0).evaluate("e => getComputedStyle(e, '::before').content") == "none"
        assert page.locator("table.agenda thead").first.bounding_box()["width"] <= 1
        assert page.get_by_role("columnheader", name=translate("staff.col.due_on", lang),
                                exact=True).count() == page.locator("table.agenda").count()
        if folder:
            page.screenshot(path=str(Path(folder) / f"agenda-{lang}-390.png"), full_page=True)
        page.emulate_media(media="print")  # on paper the meeting reads the table
        assert page.locator("table.agenda").first.evaluate(
            "e => getComputedStyle(e).display") == "table"
        page.emulate_media(media="screen")
        page.set_viewport_size(DESK)
        assert page.locator("table.agenda thead").first.bounding_box()["width"] > 600
        cells = page.locator(items).first.locator("td")
        assert cells.nth(0).bounding_box()["y"] == cells.nth(5).bounding_box()["y"]  # a row
        assert page.evaluate(FITS), lang
        if folder:
            page.screenshot(path=str(Path(folder) / f"agenda-{lang}-1280.png"), full_page=True)

"""The office's view in a real Chromium (Playwright, Debian's /usr/bin/chromium): the
dashboard's charts are images with a name and a table beside each, and nothing is loaded
from elsewhere; the agenda prints one department per page and downloads as CSV for Excel.
(axe-core is not set up in this repository: the checks are Playwright's.)"""

from __future__ import annotations

from datetime import timedelta

import pytest

from workflows.calendar import today_jst

from .test_browser import browser, ja, live_server, new_page, page, sign_in  # noqa: F401
from .workflow_support import PATHS, walk

pytestmark = pytest.mark.browser


@pytest.fixture
def proposals(city):
    late = city.submit(category="welfare")[0]
    late.due_on = today_jst() - timedelta(days=3)
    walk(city.session, city.submit()[0], "rejected")
    walk(city.session, city.submit(category="roads")[0], "in_review")
    city.submit(category="other")  # waiting in triage: the tables' longest name
    city.welfare.name_en = "Community Welfare and Social Inclusion Division"  # a long label
    city.session.commit()
    return late


def test_the_office_reads_the_dashboard_and_prints_the_agenda(page, live_server, city,  # noqa: F811
                                                              proposals):
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((live_server, "data:")) else None)
    sign_in(page, live_server, city.office_user)
    page.get_by_role("link", name=ja("office.nav.dashboard")).click()
    page.wait_for_url(f"{live_server}/staff/dashboard")
    assert page.get_by_role("link", name=ja("office.nav.dashboard")).get_attribute(
        "aria-current") == "page"

    charts = page.get_by_role("img")
    assert charts.count() == 4
    for name in ("office.states.chart_label", "office.days.chart_label",
                 "office.adoption.chart_label", "office.monthly.chart_label"):
        chart = page.get_by_role("img", name=ja(name))
        assert chart.is_visible()
        figure = chart.locator("xpath=ancestor::figure")
        assert figure.locator("figcaption").is_visible()
        assert figure.locator("table").is_visible()  # the same figures, as text
        box = chart.bounding_box()
        assert box["width"] > 100 and box["height"] > 20
    assert page.locator("#figure-states svg.chart-wide rect").count() == 4  # 3 departments, triage
    # Each department's name on one line, however many states the table has (in a column
    # beside the chart it broke after every character) — on a laptop's width too.
    page.set_viewport_size({"width": 1024, "height": 800})
    for header in page.locator("#figure-states tbody th").all():
        assert header.bounding_box()["height"] < 2 * header.evaluate(
            "e => parseFloat(getComputedStyle(e).lineHeight) || 24"), header.inner_text()
    # Nothing runs past the window's right edge, and from a desktop's width up each table
    # is whole beside its chart, which gives way (the 90th-percentile column was cut off at
    # 1200 px, behind a scroll bar, while the chart kept its full width).
    for width in (1024, 1200, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width >= 1200:
            for box in page.locator(".office-figure .table-scroll").all():
                assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), width
    # Every label is inside its chart, in English too (longer names than in Japanese), and
    # on a phone the charts are drawn at their own size, not scaled down until their 12px
    # labels are 7px: the same four charts, labels above the bars.
    for width, language in ((1024, "en"), (1024, "ja"), (390, "en"), (390, "ja")):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server}/staff/dashboard?lang={language}")
        assert page.get_by_role("img").count() == 4
        for svg in page.locator("svg.chart-svg").all():
            assert svg.evaluate(
                "s => [...s.querySelectorAll('text')].every(t => t.getBBox().x >= 0)"), language
        for chart in page.get_by_role("img").all():
            drawn = chart.evaluate("s => s.getBoundingClientRect().width / s.viewBox.baseVal.width")
            assert drawn > (0.95 if width == 390 else 0.6), (width, language, drawn)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1024, "height": 800})
    assert outside == []

    nav = page.get_by_role("navigation", name=ja("staff.nav.label"))
    nav.get_by_role("link", name=ja("office.nav.agenda")).click()
    page.wait_for_url(f"{live_server}/staff/agenda")
    sections = page.locator("section.agenda-department")
    assert sections.count() == 2  # roads (ruling pending), welfare (overdue)
    assert "期限超過" in sections.nth(1).inner_text()

    page.emulate_media(media="print")
    breaks = sections.evaluate_all("els => els.map(e => getComputedStyle(e).breakBefore)")
    assert breaks == ["auto", "page"]  # the first after the heading, then a page each
    assert page.get_by_role("navigation", name=ja("staff.nav.label")).is_hidden()
    assert page.locator(".print-only").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name=ja("office.downloads.agenda")).click()
    body = open(download.value.path(), "rb").read()
    assert body.startswith("\ufeff".encode()) and proposals.receipt in body.decode("utf-8-sig")


# The demo's English department names: the longest make the department × state table widest.
ENGLISH_NAMES = {"parks": "Parks and Green Spaces Division", "roads": "Road Management Division",
                 "welfare": "Community Welfare Division",
                 "children": "Child-rearing Support Division"}


def test_the_english_department_by_state_table_fits_its_box_at_1280(page, live_server,  # noqa: F811
                                                                    city):
    """Every state of the workflow held by some proposal and the departments' English
    names: at a laptop's 1280 px the table is whole inside its box, its last column
    ("Overdue") not cut behind a scroll bar at the table's foot, and no department's name
    is broken inside a word."""
    into = [{"category": "parks"}, {"category": "roads"}, {"category": "welfare"},
            {"category": "welfare", "title": "子育て広場をつくる"}]  # children, by its keyword
    for n, state in enumerate(PATHS["proposal"]):
        walk(city.session, city.submit(**into[n % len(into)])[0], state)
    city.submit(category="other")  # triage
    for code, name in ENGLISH_NAMES.items():
        getattr(city, code).name_en = name
    city.session.commit()
    sign_in(page, live_server, city.office_user)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/staff/dashboard?lang=en")
    table = page.locator("#figure-states table")
    assert table.locator("thead th").count() == 1 + len(PATHS["proposal"]) + 2
    assert table.evaluate("t => t.getBoundingClientRect().right"
                          " <= t.parentElement.getBoundingClientRect().right + 0.5")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for header in table.locator("tbody th").all():  # whole words on each line
        lines = header.evaluate(
            "th => { const r = document.createRange(); r.selectNodeContents(th);"
            " return [...r.getClientRects()].length; }")
        words = header.inner_text().split()
        assert lines <= len(words), header.inner_text()

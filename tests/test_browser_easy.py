"""Easy Japanese in a real Chromium (Debian's /usr/bin/chromium): the public pages with
furigana pass axe-core with no serious or critical violation, a reader switches the
readings off with the header's link (no JavaScript needed), and the reviewers' glossary
page passes axe too."""

from __future__ import annotations

import pytest

from tests.factories import publish_as_written

from .test_browser import browser, live_server, new_page, page, sign_in  # noqa: F401
from .test_browser_staff import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def published(city):
    proposal, _ = city.submit(title="協働で大供公園にベンチを置く")
    publish_as_written(proposal)
    city.session.commit()
    return proposal


def test_easy_japanese_pages_with_furigana_pass_axe(page, live_server, published):  # noqa: F811
    for path in ("/", "/propose", "/proposals", f"/proposals/{published.id}"):
        page.goto(f"{live_server}{path}?lang=ja-easy")
        assert page.locator("ruby").count() > 0, path
        assert serious_violations(page) == [], path


def test_a_reader_switches_furigana_off_and_on(page, live_server, published):  # noqa: F811
    page.goto(f"{live_server}/?lang=ja-easy")
    assert page.locator("rt", has_text="きょうどう").count() > 0
    # The switch is in kana: its name must not read the readings twice.
    page.get_by_role("link", name="ふりがなを けす", exact=True).click()
    assert page.locator("ruby").count() == 0
    assert page.get_by_text("読み方（ふりがな）を 消しています。").is_visible()
    page.goto(f"{live_server}/proposals/{published.id}")  # remembered
    assert page.locator("ruby").count() == 0
    page.get_by_role("link", name="ふりがなを つける", exact=True).click()
    assert page.locator("h1 ruby").count() > 0


def test_the_glossary_page_passes_axe(page, live_server, city):  # noqa: F811
    sign_in(page, live_server, city.office_user)
    page.goto(f"{live_server}/staff/help/easy-japanese?text=大供の公園")
    assert page.locator("table.glossary tbody tr").count() > 10
    assert serious_violations(page) == []

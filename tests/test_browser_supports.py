"""Supports (賛同) in a real Chromium (Playwright, Debian's /usr/bin/chromium): a citizen
supports a proposal on its public page in each language, opens the mailed link, presses
the button and sees the count; axe-core finds no serious or critical violation on the
proposal page (with the support form), the list and the confirmation page."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from intake.i18n import LANGUAGES, translate
from intake.models import OutboxMessage
from tests import ops as operations

from .test_browser import browser, live_server, new_page, page  # noqa: F401
from .test_browser_staff import serious_violations

pytestmark = pytest.mark.browser


def plain(element) -> str:
    """An element's text as the catalogue writes it: without furigana (``<rt>``), which
    easy-Japanese pages add, and with the spaces folded as a browser shows them."""
    text = element.evaluate(
        "e => { const c = e.cloneNode(true); c.querySelectorAll('rt, rp')"
        ".forEach(r => r.remove()); return c.textContent; }")
    return " ".join(text.split())


@pytest.fixture
def talk(city):
    proposal, _ = city.submit(title="駅前広場にベンチを置く")
    liaison = operations.Actor.staff(city.parks_liaison)
    operations.fire_trigger(city.session, proposal, "accept", liaison)
    operations.fire_trigger(city.session, proposal, "open_deliberation", liaison)
    city.session.commit()
    return proposal


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_citizen_supports_and_confirms_in_a_browser(page, live_server, db,  # noqa: F811
                                                      talk, lang):
    page.goto(f"{live_server}/proposals/{talk.id}?lang={lang}")
    assert serious_violations(page) == []
    page.locator("[name='support-email']").fill("hanako@example.jp")
    time.sleep(1.1)  # the fill timer of the live server
    page.locator("form:has([name='support-email']) button[type=submit]").click()
    page.wait_for_url(re.compile(r"#supports$"))
    assert translate("public.support.sent", lang) in plain(page.locator("main"))
    db.expire_all()
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.kind == "support_confirm")
                      ).scalar_one()
    link = next(u for u in re.findall(r"https?://\S+", mail.body) if "/supports/" in u)
    page.goto(f"{live_server}{urlsplit(link).path}")
    assert serious_violations(page) == []
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"#supports$"))
    count = translate("public.support.count", lang, count="1")
    assert translate("public.support.confirm.done", lang) in plain(page.locator("main"))
    assert plain(page.locator(".supports-count").first) == count
    page.goto(f"{live_server}/proposals?lang={lang}")
    assert serious_violations(page) == []
    assert plain(page.locator(".proposal-card .supports-count").first) == count

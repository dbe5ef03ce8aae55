"""Answer templates in a real Chromium (Playwright, Debian's /usr/bin/chromium): a liaison
opens a proposal in review, chooses a template in the reject form — the page's script
fills the reason with its text — edits it, confirms and rejects; the public page shows
the reason as edited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.answers.operations import create_template
from intake.core.actors import Actor
from intake.models import Proposal
from workflows import get_workflow

from .staff_support import advanced
from .test_browser import browser, ja, live_server, new_page, page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

BODY = "同じ内容の事業を市がすでに行っています。"
EDITED = BODY + "北公園の花壇づくりに参加してください。"


def reveal(locator) -> None:
    """Open the disclosure an action's form may sit in (a page that folds its actions)."""
    if not locator.is_visible():
        summary = locator.locator("xpath=ancestor::details[1]/summary")
        if summary.count():
            summary.click()


def test_a_liaison_rejects_with_an_edited_template(page, live_server, city, db):  # noqa: F811
    create_template(city.session, Actor.staff(city.office_user), {
        "code": "duplicate-project", "trigger": "reject", "title_ja": "既存事業と重複",
        "title_en": "", "title_easy": "", "body_ja": BODY, "body_en": "The city does this.",
        "body_easy": ""})
    city.session.commit()
    proposal = advanced(city, "accept")
    reject = next(t.label_in("ja") for t in get_workflow("proposal").transitions
                  if t.trigger == "reject")
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)

    sign_in(page, live_server, city.parks_liaison)
    page.get_by_role("link", name=proposal.receipt).click()
    page.wait_for_url(f"{live_server}/staff/proposals/{proposal.id}")
    form = page.locator("form:has(#reject-template)")
    template = form.locator("#reject-template")
    reveal(template)
    assert template.locator("option").all_inner_texts() == [ja("answers.none"), "既存事業と重複"]

    template.select_option("duplicate-project")
    reason = form.locator("#reject-reason")
    assert reason.input_value() == BODY  # filled by the script, for the officer to edit
    reason.fill(EDITED)
    form.locator("#reject-reason_code").select_option("duplicate")
    form.locator('input[name="confirm"]').check()
    form.get_by_role("button", name=reject).click()
    page.wait_for_url(f"{live_server}/staff/proposals/{proposal.id}")
    assert any(url.endswith("/static/answer-templates.js") for url in scripts)

    db.expire_all()
    stored = db.execute(select(Proposal).where(Proposal.id == proposal.id)).scalar_one()
    assert (stored.ruling_decision, stored.ruling_reason) == ("rejected", EDITED)
    page.goto(f"{live_server}/proposals/{proposal.id}")
    ruling = page.locator("section.ruling")
    assert EDITED in ruling.inner_text()
    assert ja("ruling.decision.rejected") in ruling.inner_text()

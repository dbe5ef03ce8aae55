"""A new officer's first day, in a real Chromium: an administrator adds the account on the
officers page, the invitation reaches the mail server, its link is opened, a password
set, and the new liaison signs in and sees the department's queue.

Set ``TEIAN_SCREENSHOTS`` to a folder to keep screenshots of each step."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .mail_support import deliver
from .test_browser import browser, ja, live_server, new_page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

NEW_PASSWORD = "violet tram harbour forty-seven"


def _keep(tab, name: str) -> None:
    if folder := os.environ.get("TEIAN_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_an_admin_invites_a_liaison_who_sets_a_password_and_sees_the_queue(
        new_page, live_server, app, city, db, smtp_server):  # noqa: F811
    proposal, _ = city.submit(title="公園に水飲み場をつくる")
    admin = new_page()
    sign_in(admin, live_server, city.admin_user)
    admin.goto(f"{live_server}/staff/admin/users")
    admin.get_by_label(ja("staff.field.email"), exact=True).fill("Arai.Hanako@City.test")
    admin.get_by_label(ja("admin.field.name"), exact=True).fill("新井 花子")
    admin.get_by_label(ja("admin.field.role"), exact=True).select_option("liaison")
    admin.get_by_label(ja("admin.field.department"), exact=True).select_option("parks")
    _keep(admin, "1-users-form")
    admin.get_by_role("button", name=ja("admin.users.create")).click()
    admin.get_by_text(ja("admin.done.invited", email="arai.hanako@city.test")).wait_for()
    _keep(admin, "2-invited")

    inbox, url = smtp_server
    deliver(db, app, url)
    (mail,) = inbox.to("arai.hanako@city.test")
    link = re.search(r"http://\S+/staff/password/\S+", mail.get_content()).group(0)
    assert link.startswith(live_server)

    newcomer = new_page()
    newcomer.goto(link)
    newcomer.get_by_label(ja("staff.field.new_password"), exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label(ja("staff.field.new_password_again"), exact=True).fill(NEW_PASSWORD)
    _keep(newcomer, "3-set-password")
    newcomer.get_by_role("button", name=ja("staff.password_link.submit")).click()
    newcomer.wait_for_url(f"{live_server}/staff/login")
    newcomer.get_by_text(ja("staff.password_link.done")).wait_for()
    _keep(newcomer, "4-signed-out-told-to-sign-in")
    newcomer.get_by_label(ja("staff.field.email"), exact=True).fill("arai.hanako@city.test")
    newcomer.get_by_label(ja("staff.field.password"), exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name=ja("staff.login.submit")).click()
    newcomer.wait_for_url(f"{live_server}/staff/")
    newcomer.get_by_text(proposal.title).first.wait_for()
    _keep(newcomer, "5-queue")
    # The link was used: opened again, it says so.
    newcomer.goto(link)
    newcomer.get_by_text(ja("staff.password_link.used")).wait_for()


def test_an_admin_resends_a_lost_invitation_and_only_the_new_link_works(
        new_page, live_server, app, city, db, smtp_server):  # noqa: F811
    admin = new_page()
    sign_in(admin, live_server, city.admin_user)
    admin.goto(f"{live_server}/staff/admin/users")
    admin.get_by_label(ja("staff.field.email"), exact=True).fill("arai.hanako@city.test")
    admin.get_by_label(ja("admin.field.role"), exact=True).select_option("liaison")
    admin.get_by_label(ja("admin.field.department"), exact=True).select_option("parks")
    admin.get_by_role("button", name=ja("admin.users.create")).click()
    admin.get_by_text(ja("admin.done.invited", email="arai.hanako@city.test")).wait_for()
    # Only the account without a password offers the button; its name says whose it is.
    resend = admin.get_by_role("button", name=re.compile(ja("admin.users.invite_again")))
    assert resend.count() == 1
    # On a phone the note stays a word (a narrow column broke it a character a line).
    admin.set_viewport_size({"width": 390, "height": 844})
    note = admin.get_by_text(ja("admin.users.no_password"), exact=True)
    line = note.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert note.bounding_box()["height"] < 2 * line
    admin.set_viewport_size({"width": 1280, "height": 900})
    _keep(admin, "6-resend-button")
    admin.get_by_role("button", name=f"{ja('admin.users.invite_again')} "
                                      "arai.hanako@city.test").click()
    admin.get_by_text(ja("admin.done.invited_again", email="arai.hanako@city.test")).wait_for()
    _keep(admin, "7-resent")

    inbox, url = smtp_server
    deliver(db, app, url)
    old, new = (re.search(r"http://\S+/staff/password/\S+", m.get_content()).group(0)
                for m in inbox.to("arai.hanako@city.test"))
    newcomer = new_page()
    newcomer.goto(old)
    newcomer.get_by_text(ja("staff.password_link.used")).wait_for()
    newcomer.goto(new)
    newcomer.get_by_label(ja("staff.field.new_password"), exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label(ja("staff.field.new_password_again"), exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name=ja("staff.password_link.submit")).click()
    newcomer.wait_for_url(f"{live_server}/staff/login")
    admin.reload()
    assert resend.count() == 0

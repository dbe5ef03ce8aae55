""""Resend invitation" (intake.admin.accounts.resend_invitation): an administrator mails an
account that has no password yet a new invitation link, on the users page or with
``POST /api/v1/users/<id>/invitation``.  The links are read from the mail as it reached a
real SMTP server and followed as the officer would."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from intake.i18n import translate
from intake.models import Event, EventAction, LinkPurpose, OutboxMessage, User, utcnow
from intake.security.password_links import VALID_FOR

from .api_support import API, bearer
from .mail_support import deliver
from .staff_support import ja, login, page

NEW_PASSWORD = "violet tram harbour forty-seven"
LINK = re.compile(r"http://teian\.test/staff/password/[\w-]+")
BUTTON = ja("admin.users.invite_again")


def _invite(client, city) -> int:
    answer = client.post(f"{API}/users", headers=bearer(city.token(city.admin_user)), json={
        "email": "new@city.test", "name": "新井 花子", "role": "liaison",
        "department": "parks"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def _mailed_link(app, db, smtp_server, recipient: str = "new@city.test") -> str:
    inbox, url = smtp_server
    deliver(db, app, url)
    body = inbox.to(recipient)[-1].get_content()
    return urlsplit(LINK.search(body).group(0)).path


def _set(client, path: str):
    return client.post(path, data={"new_password": NEW_PASSWORD,
                                   "new_password_again": NEW_PASSWORD})


def _resend_by_api(client, city, user_id: int, holder=None, **body):
    return client.post(f"{API}/users/{user_id}/invitation", json=body or None,
                       headers=bearer(city.token(holder or city.admin_user)))


def _mails(db) -> list[tuple[str, str]]:
    db.expire_all()
    return [(m.kind, m.recipient) for m in db.execute(
        select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]


def test_the_page_resends_the_invitation_and_only_the_new_link_works(app, city, db,
                                                                     smtp_server, run):
    user_id = _invite(app.test_client(), city)
    old = _mailed_link(app, db, smtp_server)
    admin = app.test_client()
    login(admin, city.admin_user)
    listed = page(admin.get("/staff/admin/users"))
    assert listed.count(BUTTON) == 1  # only the account with no password has the button
    assert ja("admin.users.no_password") in listed
    answer = admin.post(f"/staff/admin/users/{user_id}/invitation")
    assert answer.status_code == 302
    assert ja("admin.done.invited_again", email="new@city.test") in page(
        admin.get(answer.headers["Location"]))
    new = _mailed_link(app, db, smtp_server)
    inbox, _url = smtp_server
    assert len(inbox.to("new@city.test")) == 2
    assert inbox.to("new@city.test")[-1]["Subject"] == ja("mail.account_invite.subject")
    assert new != old
    officer = app.test_client()
    assert officer.get(old).status_code == 410
    assert _set(officer, old).status_code == 410
    assert _set(officer, new).status_code == 303
    db.expire_all()
    assert db.get(User, user_id).password_hash is not None
    assert BUTTON not in page(admin.get("/staff/admin/users"))  # it has a password now
    resent = [e.data for e in db.execute(select(Event).where(
        Event.action == EventAction.admin_change)).scalars() if e.data["op"] == "invite"]
    assert [(d["entity"], d["id"]) for d in resent] == [("users", user_id)]
    verified = run("audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_the_api_resends_the_invitation_in_the_asked_language(app, city, db, smtp_server):
    client = app.test_client()
    user_id = _invite(client, city)
    old = _mailed_link(app, db, smtp_server)
    answer = _resend_by_api(client, city, user_id, language="en")
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["user"]["id"] == user_id and body["user"]["email"] == "new@city.test"
    lasts = datetime.fromisoformat(body["expires_at"]) - utcnow()
    assert body["expires_at"].endswith("+09:00")
    assert VALID_FOR[LinkPurpose.invite] - timedelta(minutes=1) < lasts <= VALID_FOR[
        LinkPurpose.invite]
    new = _mailed_link(app, db, smtp_server)
    inbox, _url = smtp_server
    assert inbox.to("new@city.test")[-1]["Subject"] == translate("mail.account_invite.subject",
                                                                 "en")
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200
    # An empty body mails in Japanese.
    assert _resend_by_api(client, city, user_id).status_code == 201
    _mailed_link(app, db, smtp_server)
    assert inbox.to("new@city.test")[-1]["Subject"] == ja("mail.account_invite.subject")
    assert client.get(new).status_code == 410


def test_an_account_with_a_password_is_refused_with_a_reason_and_nothing_is_mailed(
        app, city, db):
    has_password = city.parks_liaison
    admin = app.test_client()
    login(admin, city.admin_user)
    answer = admin.post(f"/staff/admin/users/{has_password.id}/invitation")
    assert answer.status_code == 409
    assert ja("staff.error.password_already_set") in page(answer)
    by_api = _resend_by_api(app.test_client(), city, has_password.id)
    assert by_api.status_code == 409
    assert by_api.get_json()["error"]["code"] == "password_already_set"
    assert by_api.get_json()["error"]["message"] == ja("staff.error.password_already_set")
    assert _mails(db) == []


def test_an_inactive_account_is_refused(app, city, db):
    user_id = _invite(app.test_client(), city)
    db.get(User, user_id).active = False
    db.commit()
    before = _mails(db)
    admin = app.test_client()
    login(admin, city.admin_user)
    answer = admin.post(f"/staff/admin/users/{user_id}/invitation")
    assert answer.status_code == 409 and ja("staff.error.account_inactive") in page(answer)
    assert _resend_by_api(app.test_client(), city, user_id).status_code == 409
    assert _mails(db) == before


def test_only_an_administrator_may_resend(app, city, db):
    user_id = _invite(app.test_client(), city)
    before = _mails(db)
    office = app.test_client()
    login(office, city.office_user)
    assert BUTTON not in page(office.get("/staff/admin/users"))
    assert office.post(f"/staff/admin/users/{user_id}/invitation").status_code == 403
    liaison = app.test_client()
    login(liaison, city.parks_liaison)
    assert liaison.post(f"/staff/admin/users/{user_id}/invitation").status_code == 403
    for holder in (city.office_user, city.parks_liaison):
        assert _resend_by_api(app.test_client(), city, user_id, holder).status_code == 403
    assert _mails(db) == before


def test_the_api_names_what_it_refuses(app, city, db):
    client = app.test_client()
    user_id = _invite(client, city)
    before = _mails(db)
    unknown = _resend_by_api(client, city, user_id, language="fr")
    assert unknown.status_code == 422 and "language" in unknown.get_json()["error"]["fields"]
    extra = _resend_by_api(client, city, user_id, langauge="en")
    assert extra.status_code == 422 and "langauge" in extra.get_json()["error"]["fields"]
    assert _resend_by_api(client, city, 999999).status_code == 404
    admin = app.test_client()
    login(admin, city.admin_user)
    assert admin.post("/staff/admin/users/999999/invitation").status_code == 404
    assert _mails(db) == before

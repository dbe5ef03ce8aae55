"""One-time links that set a staff password: the invitation a new account is mailed, and
"forgot your password?" (intake.security.password_links).  Each link is read from the mail
as it reached a real SMTP server, and followed as the officer would."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from intake.models import Event, EventAction, OutboxMessage, PasswordLink, User, utcnow
from intake.security import totp

from .api_support import API, bearer, rate_limited_app
from .factories import PASSWORD
from .mail_support import deliver
from .staff_support import ja, login, page

NEW_PASSWORD = "violet tram harbour forty-seven"
LINK = re.compile(r"http://teian\.test/staff/password/[\w-]+")


def _invite(client, city, email: str = "new@city.test", **values) -> User:
    answer = client.post(f"{API}/users", headers=bearer(city.token(city.admin_user)), json={
        "email": email, "name": "新井 花子", "role": "liaison", "department": "parks",
        **values})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _mailed_link(app, db, smtp_server, recipient: str) -> str:
    """The link in the newest mail ``recipient`` received over SMTP, as a path."""
    inbox, url = smtp_server
    deliver(db, app, url)
    body = inbox.to(recipient)[-1].get_content()
    return urlsplit(LINK.search(body).group(0)).path


def _set(client, path: str, password: str = NEW_PASSWORD, again: str | None = None):
    return client.post(path, data={"new_password": password,
                                   "new_password_again": again or password})


def _signs_in(app, email: str, password: str = NEW_PASSWORD) -> bool:
    visitor = app.test_client()
    answer = visitor.post("/staff/login", data={"email": email, "password": password})
    return answer.status_code == 302 and visitor.get("/staff/").status_code == 200


# --- the invitation -------------------------------------------------------------------------


def test_the_invitation_sets_a_password_once_and_the_new_officer_signs_in(app, city, db,
                                                                            smtp_server):
    client = app.test_client()
    _invite(client, city)
    inbox, _url = smtp_server
    path = _mailed_link(app, db, smtp_server, "new@city.test")
    mail = inbox.to("new@city.test")[-1]
    assert mail["Subject"] == ja("mail.account_invite.subject")
    assert "new@city.test" in mail.get_content()
    sign_in_link = re.search(r"http://teian\.test/staff/login\S*", mail.get_content()).group(0)
    assert app.test_client().get(urlsplit(sign_in_link).path).status_code == 200
    assert not _signs_in(app, "new@city.test")  # no password until the link is followed
    opened = client.get(path)
    assert opened.status_code == 200
    assert ja("staff.password_link.invite_title") in page(opened) and "new@city.test" in page(
        opened)
    done = _set(client, path)
    assert done.status_code == 303 and done.headers["Location"].endswith("/staff/login")
    assert _signs_in(app, "new@city.test")
    # Dead after one use: the page says so, and the password cannot be set again with it.
    again = client.get(path)
    assert again.status_code == 410 and ja("staff.password_link.used") in page(again)
    assert _set(client, path, "another long phrase of words").status_code == 410
    assert _signs_in(app, "new@city.test")
    # Only the token's hash is stored.
    token = path.rsplit("/", 1)[1]
    assert db.execute(select(PasswordLink.token_hash)).scalar_one() != token


def test_a_weak_or_mistyped_password_is_refused_and_the_link_still_works(app, city, db,
                                                                        smtp_server):
    client = app.test_client()
    _invite(client, city)
    path = _mailed_link(app, db, smtp_server, "new@city.test")
    short = _set(client, path, "short")
    assert short.status_code == 422 and ja("password.too_short") in page(short)
    guessable = _set(client, path, "password1234")
    assert guessable.status_code == 422 and ja("password.too_guessable") in page(guessable)
    mismatch = _set(client, path, NEW_PASSWORD, "violet tram harbour forty-eight")
    assert mismatch.status_code == 422 and ja("staff.password.mismatch") in page(mismatch)
    assert _set(client, path).status_code == 303
    assert _signs_in(app, "new@city.test")


def test_an_expired_link_is_refused_with_a_page_that_says_what_to_do(app, city, db,
                                                                     smtp_server):
    client = app.test_client()
    _invite(client, city)
    path = _mailed_link(app, db, smtp_server, "new@city.test")
    link = db.execute(select(PasswordLink)).scalar_one()
    assert timedelta(hours=71) < link.expires_at - link.created_at <= timedelta(hours=72)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    for answer in (client.get(path), _set(client, path)):
        assert answer.status_code == 410
        assert ja("staff.password_link.expired") in page(answer)
        assert 'href="/staff/forgot-password"' in page(answer)
    assert db.get(User, link.user_id).password_hash is None
    assert client.get("/staff/password/not-a-token").status_code == 404


def test_a_link_of_a_deactivated_account_no_longer_works(app, city, db, smtp_server):
    client = app.test_client()
    created = _invite(client, city)
    path = _mailed_link(app, db, smtp_server, "new@city.test")
    db.get(User, created["id"]).active = False
    db.commit()
    assert client.get(path).status_code == 404


# --- forgot your password? ------------------------------------------------------------------


def test_forgot_password_answers_the_same_and_mails_only_an_active_account(app, city, db,
                                                                          smtp_server):
    client = app.test_client()
    assert ja("staff.login.forgot") in page(client.get("/staff/login"))
    city.roads_deputy.active = False
    db.commit()
    answers = [client.post("/staff/forgot-password", data={"forgot-email": address},
                           follow_redirects=True)
               for address in ("nobody@city.test", "roads-deputy@city.test",
                               "PARKS@City.test")]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({page(a) for a in answers}) == 1  # nothing tells the three apart
    assert all(ja("staff.forgot.sent") in page(a) for a in answers)
    mails = db.execute(select(OutboxMessage)).scalars().all()
    assert [(m.kind, m.recipient) for m in mails] == [("account_reset", "parks@city.test")]
    path = _mailed_link(app, db, smtp_server, "parks@city.test")
    assert ja("staff.password_link.reset_title") in page(client.get(path))
    assert _set(client, path).status_code == 303
    assert _signs_in(app, "parks@city.test") and not _signs_in(app, "parks@city.test",
                                                                PASSWORD)


def test_a_new_reset_link_retires_the_older_one(app, city, db, smtp_server):
    client = app.test_client()
    client.post("/staff/forgot-password", data={"forgot-email": "parks@city.test"})
    first = _mailed_link(app, db, smtp_server, "parks@city.test")
    client.post("/staff/forgot-password", data={"forgot-email": "parks@city.test"})
    second = _mailed_link(app, db, smtp_server, "parks@city.test")
    assert first != second
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200
    link = db.execute(select(PasswordLink).where(PasswordLink.used_at.is_(None))).scalar_one()
    assert link.purpose == "reset"
    assert timedelta(hours=1) < link.expires_at - link.created_at <= timedelta(hours=2)


def test_a_reset_keeps_the_lock_out_and_the_second_factor(app, city, db, smtp_server):
    office = db.get(User, city.office_user.id)
    office.totp_secret = totp.new_secret()
    office.locked_until = utcnow() + timedelta(minutes=10)
    db.commit()
    client = app.test_client()
    client.post("/staff/forgot-password", data={"forgot-email": office.email})
    assert _set(client, _mailed_link(app, db, smtp_server, office.email)).status_code == 303
    locked = login(app.test_client(), office, NEW_PASSWORD)
    assert locked.status_code == 200 and "ログインできません" in page(locked)
    office = db.get(User, office.id)
    office.locked_until = None
    db.commit()
    visitor = app.test_client()
    answer = login(visitor, office, NEW_PASSWORD)
    assert answer.headers["Location"].endswith("/staff/login/code")  # the code is still asked
    assert visitor.get("/staff/").status_code == 302


def test_a_reset_signs_out_every_session_of_the_account(app, city, db, smtp_server):
    before = app.test_client()
    login(before, city.parks_liaison)
    assert before.get("/staff/").status_code == 200
    client = app.test_client()
    client.post("/staff/forgot-password", data={"forgot-email": "parks@city.test"})
    _set(client, _mailed_link(app, db, smtp_server, "parks@city.test"))
    assert before.get("/staff/").status_code == 302


def test_forgot_password_names_an_empty_address(client):
    answer = client.post("/staff/forgot-password", data={"forgot-email": ""})
    assert answer.status_code == 422
    assert ja("error.required", field=ja("staff.field.email")) in page(answer)


def test_forgot_password_cannot_mail_someone_over_and_over(database_url, tmp_path, city):
    with rate_limited_app(database_url, tmp_path) as limited:
        client = limited.test_client()
        typos = [client.post("/staff/forgot-password", data={"forgot-email": ""})
                 for _ in range(3)]
        answers = [client.post("/staff/forgot-password",
                               data={"forgot-email": "parks@city.test"}) for _ in range(4)]
    assert [a.status_code for a in typos] == [422, 422, 422]
    assert [a.status_code for a in answers] == [303, 303, 303, 429]


# --- the audit log --------------------------------------------------------------------------


def _password_events(db) -> list[tuple[str, dict]]:
    events = db.execute(select(Event).where(Event.action == EventAction.admin_change)
                        .order_by(Event.seq)).scalars().all()
    return [(e.actor, e.data) for e in events
            if e.data["entity"] == "users" and e.data["op"].startswith("password_")]


def test_a_password_set_by_invitation_or_reset_is_audited_without_secrets(app, city, db,
                                                                         smtp_server, run):
    client = app.test_client()
    created = _invite(client, city)
    invite = _mailed_link(app, db, smtp_server, "new@city.test")
    assert _password_events(db) == []  # mailing a link sets no password
    assert _set(client, invite).status_code == 303
    client.post("/staff/forgot-password", data={"forgot-email": "new@city.test"})
    reset = _mailed_link(app, db, smtp_server, "new@city.test")
    assert _set(client, reset, "another long phrase of words").status_code == 303
    db.expire_all()
    (first_by, first), (then_by, then) = _password_events(db)
    assert first_by == then_by == f"user:{created['id']}"
    assert (first["op"], then["op"]) == ("password_invite", "password_reset")
    assert first["id"] == then["id"] == created["id"]
    changed_at = db.get(User, created["id"]).password_changed_at
    assert first["changes"]["password_changed_at"][0] is None
    assert then["changes"]["password_changed_at"] == [
        first["changes"]["password_changed_at"][1], changed_at.isoformat()]
    stored = str(db.execute(select(Event.data, Event.reason)).all())
    for secret in (NEW_PASSWORD, "another long phrase of words",
                   invite.rsplit("/", 1)[1], reset.rsplit("/", 1)[1]):
        assert secret not in stored
    verified = run("audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_a_refused_password_leaves_no_audit_event(app, city, db, smtp_server):
    client = app.test_client()
    _invite(client, city)
    path = _mailed_link(app, db, smtp_server, "new@city.test")
    assert _set(client, path, "short").status_code == 422
    assert _password_events(db) == []

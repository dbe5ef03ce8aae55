"""Staff sessions and passwords under attack: a cookie copied before sign-out, a
password change, idle and overlong sessions, weak passwords, and guesses spread over
many addresses (the per-account lock-out)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from intake.audit import verify
from intake.models import Event, EventAction, User, utcnow
from intake.security.sessions import SEEN_AT, SIGNED_IN_AT

from .factories import PASSWORD
from .staff_support import ja, login, page

NEW_PASSWORD = "violet tram harbour forty-seven"


def copy_cookie(source, target) -> None:
    """What a thief does with a stolen cookie: the same session in another client."""
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value, domain=cookie.domain)


def signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def test_a_cookie_copied_before_sign_out_no_longer_opens_staff_pages(app, city):
    officer, thief = app.test_client(), app.test_client()
    assert login(officer, city.parks_liaison).status_code == 302
    copy_cookie(officer, thief)
    assert signed_in(thief)  # the copy works while the session lives...
    officer.post("/staff/logout")
    assert not signed_in(thief)  # ...and not after its owner signed out
    assert not signed_in(officer)


def test_changing_the_password_ends_every_other_session(app, city, db):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, city.parks_liaison)
    login(elsewhere, city.parks_liaison)
    answer = here.post("/staff/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD})
    assert answer.status_code == 303
    assert signed_in(here) and not signed_in(elsewhere)
    db.expire_all()
    assert db.get(User, city.parks_liaison.id).password_changed_at is not None
    fresh = app.test_client()
    assert login(fresh, city.parks_liaison).status_code == 200  # the old one is refused
    assert login(fresh, city.parks_liaison, password=NEW_PASSWORD).status_code == 302


def test_changing_the_password_is_audited_without_the_password(app, client, city, db, run):
    login(client, city.parks_liaison)
    refused = client.post("/staff/account/password", data={
        "current_password": "not my password", "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD})
    assert refused.status_code == 422
    assert db.execute(select(Event).where(Event.action == EventAction.admin_change)
                      ).first() is None  # a refused change records nothing
    client.post("/staff/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD})
    db.expire_all()
    event = db.execute(select(Event).where(Event.action == EventAction.admin_change)
                       ).scalar_one()
    changed_at = db.get(User, city.parks_liaison.id).password_changed_at
    assert event.actor == f"user:{city.parks_liaison.id}" and event.proposal_id is None
    assert event.data == {"entity": "users", "id": city.parks_liaison.id,
                          "op": "password_change",
                          "changes": {"password_changed_at": [None, changed_at.isoformat()]}}
    assert NEW_PASSWORD not in str(event.data) + event.reason
    assert PASSWORD not in str(event.data) + event.reason
    verified = run("audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_a_weak_or_wrong_password_change_is_refused_by_field(app, client, city):
    login(client, city.parks_liaison)
    cases = [
        ({"current_password": PASSWORD, "new_password": "password",
          "new_password_again": "password"}, "new_password", ja("password.too_short")),
        ({"current_password": PASSWORD, "new_password": "password1234",
          "new_password_again": "password1234"}, "new_password", ja("password.too_guessable")),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD,
          "new_password_again": NEW_PASSWORD + "!"}, "new_password_again",
         ja("staff.password.mismatch")),
        ({"current_password": "not my password", "new_password": NEW_PASSWORD,
          "new_password_again": NEW_PASSWORD}, "current_password",
         ja("staff.password.wrong_current")),
    ]
    for data, field, message in cases:
        answer = client.post("/staff/account/password", data=data)
        assert answer.status_code == 422, field
        assert message in page(answer)
        assert f'id="{field}-error"' in page(answer) or f"#{field}" in page(answer)
    assert signed_in(client)  # a refused change ends nothing


def test_guesses_from_many_addresses_lock_the_account(app, city, db):
    target = city.parks_liaison
    for n in range(5):  # five addresses, one guess each: the per-address limit never sees it
        guess = app.test_client()
        answer = guess.post("/staff/login", data={"email": target.email,
                                                  "password": f"guess-{n}"},
                            environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
        assert ja("staff.login.failed") in page(answer) or "ログインできません" in page(answer)
    right = app.test_client()
    answer = login(right, target)
    assert answer.status_code == 200  # the right password does not open a locked account
    assert "ログインできません" in page(answer)
    db.expire_all()
    locked = db.execute(select(Event).where(Event.action == EventAction.login_locked)).scalars()
    (event,) = list(locked)
    assert event.data["user"] == target.id and event.chain == "system"
    assert verify(db) is None
    # Once the lock-out is over, the right password works again.
    user = db.get(User, target.id)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.commit()
    assert login(app.test_client(), target).status_code == 302


def test_an_idle_session_and_an_overlong_one_end(app, city):
    idle, long_lived = app.test_client(), app.test_client()
    for client in (idle, long_lived):
        login(client, city.parks_liaison)
        assert signed_in(client)
    now = utcnow().timestamp()
    with idle.session_transaction() as cookie:
        cookie[SEEN_AT] = now - 61 * 60  # an hour and a minute without a request
    with long_lived.session_transaction() as cookie:
        cookie[SIGNED_IN_AT] = now - 12 * 3600 - 60  # signed in more than 12 hours ago
    for client in (idle, long_lived):
        answer = client.get("/staff/")
        assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]
        assert ja("staff.login.expired") in page(client.get(answer.headers["Location"]))


# --- two-step sign-in (TOTP) ---------------------------------------------------------------


def current_code(secret: str, *, steps_ahead: int = 0) -> str:
    import pyotp
    return pyotp.TOTP(secret).at(utcnow().timestamp() + 30 * steps_ahead)


def enrol(client) -> str:
    """Set up two-step sign-in as an officer does: read the key, type the app's code."""
    with client.session_transaction() as cookie:
        cookie.pop("totp_enrolling", None)
    shown = page(client.get("/staff/account/totp"))
    assert "<svg" in shown  # the QR code, inline
    with client.session_transaction() as cookie:
        secret = cookie["totp_enrolling"]
    assert secret in shown
    answer = client.post("/staff/account/totp", data={"code": current_code(secret)})
    assert answer.status_code == 303
    return secret


def test_office_accounts_must_set_up_two_step_sign_in_when_required(app, client, city, db):
    import dataclasses
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], require_totp=True)
    login(client, city.office_user)
    blocked = client.get("/staff/")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith(
        "/staff/account/totp")
    secret = enrol(client)
    assert signed_in(client)
    db.expire_all()
    assert db.get(User, city.office_user.id).totp_secret == secret
    # A liaison is not asked.
    liaison = app.test_client()
    login(liaison, city.parks_liaison)
    assert signed_in(liaison)


def test_sign_in_with_a_code_that_counts_once(app, city, db):
    first = app.test_client()
    login(first, city.office_user)
    secret = enrol(first)
    first.post("/staff/logout")

    client = app.test_client()
    answer = login(client, city.office_user)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/staff/login/code")
    assert not signed_in(client)  # the password alone is not enough
    wrong = client.post("/staff/login/code", data={"code": "000000"})
    assert wrong.status_code == 422 and ja("staff.totp.wrong") in page(wrong)
    code = current_code(secret, steps_ahead=1)  # one step of drift is allowed
    assert client.post("/staff/login/code", data={"code": code}).status_code == 302
    assert signed_in(client)
    # The same code a second time (someone who saw it over a shoulder) is refused.
    replay = app.test_client()
    login(replay, city.office_user)
    refused = replay.post("/staff/login/code", data={"code": code})
    assert refused.status_code == 422 and not signed_in(replay)

"""Staff sign-in is limited per account (the folded e-mail address: 10 a minute) under a
much higher ceiling per client address (100 a minute): a whole city hall behind one
outgoing address is not locked out by one person's typos, while guesses at one account,
or at many accounts from one address, are still refused (429).  The per-account lock-out
(five wrong passwords, tests/test_staff_security.py) works as before."""

from __future__ import annotations

import pytest

from intake import create_app
from intake.i18n import translate
from intake.ratelimit import LOGIN_ADDRESS_LIMIT

from .factories import PASSWORD
from .staff_support import page

CITY_HALL = {"REMOTE_ADDR": "203.0.113.7"}  # everyone's outgoing address


@pytest.fixture
def limited_app(database_url, tmp_path, city):
    """The app with rate limits on (the usual test app has them off), over ``city``."""
    app = create_app({
        "instance_path": tmp_path, "database_url": database_url, "secret_key": "s",
        "base_url": "http://teian.test", "smtp_url": "",
        "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True},
    })
    yield app
    app.extensions["teian.engine"].dispose()


def attempt(app, email: str, password: str = "wrong password", **environ):
    return app.test_client().post("/staff/login", data={"email": email, "password": password},
                                  environ_base={**CITY_HALL, **environ})


def test_one_accounts_eleventh_attempt_is_refused_while_a_colleague_signs_in(limited_app,
                                                                           city):
    typist = city.parks_liaison.email
    statuses = [attempt(limited_app, typist).status_code for _ in range(10)]
    assert statuses == [200] * 10  # wrong passwords (the account locked after five)
    # The same account however it is typed: spaces and capitals fold away.
    refused = attempt(limited_app, f"  {typist.upper()} ")
    assert refused.status_code == 429
    assert translate("staff.error.too_many", "ja") in page(refused)
    # A colleague at the same address signs in.
    assert attempt(limited_app, city.roads_primary.email, PASSWORD).status_code == 302


def test_the_address_still_has_a_ceiling_across_accounts(limited_app, city):
    ceiling = int(LOGIN_ADDRESS_LIMIT.split()[0])
    # Without a password the form refuses at once (no hashing), so the hundred attempts
    # stay well inside the minute; they count all the same.
    for n in range(ceiling):
        assert attempt(limited_app, f"guess-{n}@city.test", "").status_code == 200, n
    assert attempt(limited_app, "one-more@city.test").status_code == 429
    assert attempt(limited_app, city.roads_primary.email, PASSWORD).status_code == 429
    # Another address is not held back by this one's guesses.
    assert attempt(limited_app, city.roads_primary.email, PASSWORD,
                   REMOTE_ADDR="198.51.100.20").status_code == 302


def test_more_colleagues_than_the_old_address_limit_sign_in_from_one_address(
        limited_app, city):
    """Six colleagues signing in twice each from one address: all signed in."""
    users = [city.parks_liaison, city.roads_primary, city.roads_deputy, city.welfare_liaison,
             city.children_liaison, city.office_user]
    for _round in range(2):
        for user in users:
            assert attempt(limited_app, user.email, PASSWORD).status_code == 302, user.email

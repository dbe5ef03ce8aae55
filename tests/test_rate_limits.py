"""Rate limits that count accepted submissions only (SPEC section 8, intake/ratelimit.py):
a citizen correcting mistakes is never locked out, the (limit+1)-th accepted submission is
refused in words with the form kept, and behind ``TEIAN_TRUSTED_PROXIES`` proxies the
client is told apart by ``X-Forwarded-For``."""

from __future__ import annotations

import threading
import time

import pytest
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage
from sqlalchemy import func, select

from intake.config import DEFAULT_SUBMIT_LIMIT, load_settings
from intake.models import Proposal
from intake.ratelimit import limiter
from intake.ratelimit_memory import SWEEP_SECONDS, SweptMemoryStorage, storage_uri

from .api_support import API, form, rate_limited_app
from .factories import Factory
from .test_web_public import Page, form_data, post_proposal, t


def proposals(application) -> int:
    db = application.extensions["teian.session"]()
    return db.execute(select(func.count()).select_from(Proposal)).scalar_one()


@pytest.fixture
def limited(database_url, tmp_path, request):
    """A rate-limited app with a city; ``@pytest.mark.parametrize("limited", [{…}],
    indirect=True)`` passes settings."""
    settings = getattr(request, "param", {})
    with rate_limited_app(database_url, tmp_path, **settings) as application:
        application.config["TEIAN_MIN_FILL_SECONDS"] = 0
        Factory(application.extensions["teian.session"]()).small_city()
        yield application


def test_five_failed_web_submissions_in_a_minute_still_show_errors_then_submit(limited):
    client = limited.test_client()
    for _ in range(5):
        response = post_proposal(client, form_data(title="短い"))
        assert response.status_code == 422
        page = Page(response.get_data(as_text=True))
        assert t("error.title.length", min=5, max=80, length=2) in page.text
    assert post_proposal(client, form_data()).status_code == 303
    assert proposals(limited) == 1


def test_five_failed_api_submissions_in_a_minute_then_one_is_accepted(limited):
    client = limited.test_client()
    for _ in range(5):
        response = client.post(f"{API}/proposals", json=form(title="短い"))
        assert response.status_code == 422
        assert "title" in response.get_json()["error"]["fields"]
    assert client.post(f"{API}/proposals", json=form()).status_code == 201


@pytest.mark.parametrize("limited", [{"submit_limit": "2 per hour"}], indirect=True)
def test_accepted_web_submission_past_the_limit_is_refused_and_keeps_the_form(limited):
    client = limited.test_client()
    assert [post_proposal(client, form_data()).status_code for _ in range(2)] == [303, 303]
    typed = form_data(title="三件目の提案は通らない", email="third@example.jp")
    response = post_proposal(client, typed)
    assert response.status_code == 429
    page = Page(response.get_data(as_text=True))
    assert "この接続から受け付けられる提案の数の上限に達しました" in page.text
    assert page.value("title") == "三件目の提案は通らない"
    assert page.value("email") == "third@example.jp"
    assert page.value("problem") == typed["problem"]
    assert proposals(limited) == 2
    assert client.get("/propose").status_code == 200  # reading is never limited


@pytest.mark.parametrize("limited", [{"submit_limit": "1 per minute",
                                      "comment_limit": "1 per minute"}], indirect=True)
def test_a_wait_of_one_minute_is_said_in_the_singular(limited):
    from .test_api_read import _in_state
    from .test_web_public import post_comment

    client = limited.test_client()
    assert post_proposal(client, form_data()).status_code == 303
    refused = post_proposal(client, form_data(), query_string={"lang": "en"})
    assert refused.status_code == 429
    text = Page(refused.get_data(as_text=True)).text
    assert "Send it again in about a minute, or contact" in text and "1 minutes" not in text

    city = Factory(limited.extensions["teian.session"]())
    proposal = _in_state(city, city.session, "in_deliberation")
    assert post_comment(client, proposal, {"body": "賛成です"}).status_code == 303
    refused = post_comment(client, proposal, {"body": "もう一つ"}, query_string={"lang": "en"})
    assert refused.status_code == 429
    text = Page(refused.get_data(as_text=True)).text
    assert "Send it again in about a minute." in text and "1 minutes" not in text


@pytest.mark.parametrize("limited", [{"submit_limit": "1 per hour"}], indirect=True)
def test_a_longer_wait_is_said_in_minutes(limited):
    client = limited.test_client()
    assert post_proposal(client, form_data()).status_code == 303
    refused = post_proposal(client, form_data(), query_string={"lang": "en"})
    assert "Send it again in about 60 minutes" in Page(refused.get_data(as_text=True)).text


@pytest.mark.parametrize("limited", [{"submit_limit": "2 per hour"}], indirect=True)
def test_accepted_api_submission_past_the_limit_is_json_429(limited):
    client = limited.test_client()
    statuses = [client.post(f"{API}/proposals", json=form()).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    response = client.post(f"{API}/proposals", json=form(), query_string={"lang": "en"})
    error = response.get_json()["error"]
    assert (response.status_code, error["code"]) == (429, "rate_limited")
    assert error["message"] == "Too many requests. Please wait a while and try again."
    assert "Retry-After" in response.headers


@pytest.mark.parametrize("limited", [{"submit_limit": "1 per hour"}], indirect=True)
def test_web_and_api_share_one_count_per_address(limited):
    client = limited.test_client()
    assert client.post(f"{API}/proposals", json=form()).status_code == 201
    assert post_proposal(client, form_data()).status_code == 429


@pytest.mark.parametrize("limited", [{"comment_limit": "1 per hour"}], indirect=True)
def test_comment_limit_is_a_setting_counting_accepted_comments(limited):
    from .test_api_read import _in_state

    city = Factory(limited.extensions["teian.session"]())
    proposal = _in_state(city, city.session, "in_deliberation")
    client = limited.test_client()
    url = f"{API}/proposals/{proposal.id}/comments"
    assert client.post(url, json={"body": " "}).status_code == 422
    assert client.post(url, json={"body": "賛成です"}).status_code == 201
    assert client.post(url, json={"body": "もう一つ"}).status_code == 429


def _submit_from(client, address: str):
    return client.post(f"{API}/proposals", json=form(),
                       headers={"X-Forwarded-For": address},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"})  # the proxy


@pytest.mark.parametrize("limited", [{"submit_limit": "1 per hour", "trusted_proxies": 1}],
                         indirect=True)
def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(limited):
    client = limited.test_client()
    assert _submit_from(client, "203.0.113.5").status_code == 201
    assert _submit_from(client, "203.0.113.5").status_code == 429
    assert _submit_from(client, "198.51.100.7").status_code == 201
    # A client cannot pick its own key by prepending addresses: one proxy, the last one.
    assert _submit_from(client, "192.0.2.1, 203.0.113.5").status_code == 429


@pytest.mark.parametrize("limited", [{"submit_limit": "1 per hour"}], indirect=True)
def test_without_trusted_proxies_forwarded_addresses_are_ignored(limited):
    client = limited.test_client()
    assert _submit_from(client, "203.0.113.5").status_code == 201
    assert _submit_from(client, "198.51.100.7").status_code == 429


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path))
    for name in ("TEIAN_SUBMIT_LIMIT", "TEIAN_COMMENT_LIMIT", "TEIAN_TRUSTED_PROXIES",
                 "TEIAN_RATELIMIT_STORAGE"):
        monkeypatch.delenv(name, raising=False)
    defaults = load_settings()
    assert (defaults.submit_limit, defaults.trusted_proxies) == (DEFAULT_SUBMIT_LIMIT, 0)
    assert defaults.ratelimit_storage == "memory://"
    monkeypatch.setenv("TEIAN_SUBMIT_LIMIT", "5 per day")
    monkeypatch.setenv("TEIAN_COMMENT_LIMIT", "7/hour")
    monkeypatch.setenv("TEIAN_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("TEIAN_RATELIMIT_STORAGE", "memory://?teian=1")
    settings = load_settings()
    assert (settings.submit_limit, settings.comment_limit) == ("5 per day", "7/hour")
    assert settings.trusted_proxies == 2
    assert settings.ratelimit_storage == "memory://?teian=1"


@pytest.mark.parametrize(("name", "value"), [("TEIAN_SUBMIT_LIMIT", "ten an hour"),
                                             ("TEIAN_TRUSTED_PROXIES", "one")])
def test_a_bad_setting_stops_the_start_naming_it(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=name):
        load_settings()


def test_the_storage_setting_reaches_the_limiter(database_url, tmp_path):
    with rate_limited_app(database_url, tmp_path, ratelimit_storage="memory://") as application:
        assert application.config["RATELIMIT_STORAGE_URI"] == "teian-memory://"
        assert isinstance(limiter.storage, MemoryStorage)
    # A storage the limiter cannot use stops the start (so the setting is really read).
    (tmp_path / "other").mkdir()
    with pytest.raises(ConfigurationError, match="nosuchstore"):
        with rate_limited_app(database_url, tmp_path / "other",
                              ratelimit_storage="nosuchstore://host"):
            pass


def _timers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer)]


def test_counting_accepted_submissions_starts_no_thread(limited):
    """The embedded storage sweeps expired counts inline: a counted hit used to start a
    10 ms timer thread (limits' MemoryStorage), a thread start inside every request."""
    client = limited.test_client()
    for _ in range(3):
        assert client.post(f"{API}/proposals", json=form()).status_code == 201
        assert _timers() == []


def test_expired_counts_are_swept_by_a_later_hit():
    """Memory stays bounded without the timer: a count past its expiry is dropped by the
    first hit after the sweep interval, whatever key that hit counts."""
    storage = SweptMemoryStorage()
    storage.incr("gone", expiry=0.05)
    storage.incr("kept", expiry=60)
    time.sleep(SWEEP_SECONDS + 0.1)
    storage.incr("kept", expiry=60)
    assert set(storage.storage) == {"kept"}
    assert storage.get("kept") == 2


def test_other_storages_are_passed_on_as_set():
    assert storage_uri("memory://") == "teian-memory://"
    assert storage_uri("redis://127.0.0.1:6379/7") == "redis://127.0.0.1:6379/7"

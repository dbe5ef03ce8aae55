"""Faults: the database unreachable (a server that is down) answers 503 with a clear
message in every door's own format; SQLite locked by another writer past its busy
timeout is a lost race like any other (409, "try again", as in
tests/test_workflow_concurrency.py).  Either way nothing is half written."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, func, select

from intake import create_app
from intake.i18n import translate_html
from intake.models import Proposal

from .factories import VALID_FORM


@pytest.fixture
def down_app(tmp_path):
    """The application pointed at a PostgreSQL server that is not there."""
    instance = tmp_path / "down"
    instance.mkdir()
    return create_app({
        "instance_path": instance, "secret_key": "test", "base_url": "http://teian.test",
        "smtp_url": "",
        "database_url": "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2",
        "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False},
    })


def test_a_database_that_is_down_answers_503_in_each_doors_format(down_app):
    client = down_app.test_client()
    page = client.get("/proposals")
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "しばらくしてから" in page.get_data(as_text=True)
    api = client.post("/api/v1/proposals", json=VALID_FORM)
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "unavailable"
    open311 = client.get("/open311/v2/services.json")
    assert open311.status_code == 503 and open311.get_json()[0]["code"] == 503


def test_the_easy_japanese_page_for_a_database_that_is_down_reads_without_it(down_app):
    """Its readings come from the shipped table: asking the database for the city's names
    (what |ruby does first) would fail again and lose the page."""
    page = down_app.test_client().get("/proposals?lang=ja-easy")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert str(translate_html("error.unavailable", "ja-easy")) in html and "<ruby>" in html


def test_a_locked_sqlite_database_says_try_again_and_writes_nothing(app, city, db,
                                                                  database_url, is_postgresql):
    if is_postgresql:
        pytest.skip("SQLite's file lock")
    # A short busy timeout, so the test does not wait the production 15 seconds.
    short = create_engine(database_url, connect_args={"timeout": 0.5,
                                                      "check_same_thread": False})
    sessions = app.extensions["teian.session"]
    sessions.remove()
    sessions.configure(bind=short)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        answer = app.test_client().post("/api/v1/proposals", json=VALID_FORM)
    finally:
        holder.rollback()
        holder.close()
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "conflict"
    sessions.remove()
    short.dispose()
    db.rollback()
    assert db.execute(select(func.count()).select_from(Proposal)).scalar() == 0

"""Fixtures: an application on a real database, clean for every test.

The suite runs on SQLite by default and on PostgreSQL when
``TEIAN_TEST_DATABASE_URL`` names one (``postgresql+psycopg://…``; the
database is created if missing; under pytest-xdist each worker uses its own, the name with
``_gw0``, ``_gw1``… appended).  The schema is built once per run by the Alembic migrations
themselves; each test then starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from intake import create_app, migrate
from intake.cli import main
from intake.models import Base

from .factories import Factory
from .mail_support import smtp_server_running


def _per_worker(url: str) -> str:
    """Under pytest-xdist each worker empties its tables between tests, so each gets its
    own database: the named one with the worker's id appended (``teian_ci_gw0``)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(
        hide_password=False)


PG_URL = _per_worker(os.environ.get("TEIAN_TEST_DATABASE_URL", ""))


def _ensure_pg_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        ).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def schema_source(tmp_path_factory) -> str:
    """A migrated database: the PostgreSQL one, or a SQLite template file."""
    if PG_URL:
        _ensure_pg_database(PG_URL)
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        migrate.upgrade(engine)
        engine.dispose()
        return PG_URL
    template = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{template}")
    migrate.upgrade(engine)
    engine.dispose()
    return str(template)


@pytest.fixture
def database_url(schema_source: str, tmp_path) -> str:
    if PG_URL:
        engine = create_engine(PG_URL)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return PG_URL
    target = tmp_path / "teian.sqlite3"
    shutil.copyfile(schema_source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def is_postgresql() -> bool:
    return bool(PG_URL)


@pytest.fixture
def app(database_url: str, tmp_path) -> Iterator:
    instance = tmp_path / "instance"
    instance.mkdir()
    application = create_app(
        {
            "instance_path": instance,
            "database_url": database_url,
            "secret_key": "test-secret",
            "base_url": "http://teian.test",
            "smtp_url": "",
            "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False},
        }
    )
    with application.app_context():
        yield application
    application.extensions["teian.engine"].dispose()


@pytest.fixture
def db(app):
    """The application's session (tests commit, like a request does)."""
    return app.extensions["teian.session"]()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(db) -> Factory:
    return Factory(db)


@pytest.fixture
def city(factory) -> Factory:
    """A small city: the office, three departments with liaisons, themes,
    districts and routing rules (see Factory.small_city)."""
    factory.small_city()
    return factory


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) for the test: its inbox and ``smtp://`` URL."""
    with smtp_server_running() as running:
        yield running


@pytest.fixture
def run(database_url, tmp_path, monkeypatch):
    """Invoke `teian …` against the test database, as a shell would."""
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SECRET_KEY", "cli-test")

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke

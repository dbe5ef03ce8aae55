"""Database engine and session handling.

Teian uses plain SQLAlchemy 2.x (no Flask-SQLAlchemy): one engine per
application, one scoped session per request/thread.  Operations only
``flush``; the caller that owns the user action commits once, so a state
change, its audit event and its outbox messages land together or not at all.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from intake import writer_turns

# Every session keeps the dashboard's counts with the changes it flushes.
from intake.office import counts as _counts  # noqa: F401  (registers the kept counts)

# Seconds a SQLite writer waits for its turn before giving up (a 409 to the user).
BUSY_TIMEOUT = 15


def make_engine(url: str, *, busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys, a busy timeout and writers that
    take turns (:mod:`intake.writer_turns`)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout,
                                                  "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        if engine.url.database and engine.url.database != ":memory:":
            writer_turns.install(engine, engine.url.database, timeout=busy_timeout)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> scoped_session[Session]:
    """A thread-local session registry; ``expire_on_commit=False`` keeps
    objects readable after the single commit at the end of an action.  Its sessions keep
    the reference data's stamp (:func:`intake.reference.install`)."""
    from intake import reference

    factory = sessionmaker(bind=engine, expire_on_commit=False)
    reference.install(factory)  # the stamp that tells each process its cache is current
    return scoped_session(factory)


def session() -> Session:
    """The current application's session for this thread/request."""
    from flask import current_app

    return current_app.extensions["teian.session"]()

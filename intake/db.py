"""Database engine and session handling.

Teian uses plain SQLAlchemy 2.x (no Flask-SQLAlchemy): one engine per
application, one scoped session per request/thread.  Operations only
``flush``; the caller that owns the user action commits once, so a state
change, its audit event and its outbox messages land together or not at all.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker

# Every session keeps the per-department counts with the changes it flushes.
from intake.office import counts as _counts  # noqa: F401  (registers the flush hook)


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

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

"""Writers to one SQLite file take turns through an operating-system file lock.

SQLite lets one connection at a time write.  The others wait in its busy handler, which
sleeps 1, 2, 5, 10, 15, 20, 25 … ms between tries and keeps no queue: under load from
several processes (``gunicorn -w N``, ``teian worker``) a waiting writer sleeps on past the
moment the lock is freed, while the writer that has just committed often takes it again
first.  Throughput falls and the slowest requests wait hundreds of milliseconds.

So, before a connection's first write of a transaction (the first INSERT, UPDATE or DELETE,
where the SQLite driver begins the transaction), it takes an exclusive ``flock`` on a file
beside the database, and gives it back when the connection returns to the pool, after its
commit or rollback.  Readers never take it (WAL lets them read while one writer writes).
A process that dies holding it loses it with its file descriptors, so a killed worker
blocks no one.

A waiting writer tries again every half millisecond (a blocking ``flock`` would queue in
the kernel, but could not give up), and gives up after the busy timeout (the same 15 s as
SQLite's own) with the error SQLite would have raised, ``database is locked``, which the
operations turn into a 409 as before.  SQLite's own busy timeout stays as the second line,
for writers from outside Teian (the ``sqlite3`` shell).  PostgreSQL needs none of this:
it locks rows.
"""

from __future__ import annotations

import os
import sqlite3
import time

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

try:
    import fcntl
except ImportError:  # not POSIX (Windows): SQLite's own busy handler alone, as before
    fcntl = None

LOCK_SUFFIX = ".writers"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_KEY = "teian_writer_turn"


def install(engine: Engine, database_path: str, *, timeout: float = 15.0) -> None:
    """Make every connection of ``engine`` take its turn before writing (where the
    system has ``flock``)."""
    if fcntl is None:
        return
    lock_path = database_path + LOCK_SUFFIX

    @event.listens_for(engine, "before_cursor_execute")
    def _take_turn(conn, _cursor, statement, _parameters, _context, _executemany):
        info = conn.connection.info
        if info.get(_KEY) is not None or not _is_write(statement):
            return
        try:
            info[_KEY] = _acquire(lock_path, timeout)
        except TimeoutError:
            raise OperationalError(statement, _parameters,
                                   sqlite3.OperationalError("database is locked")) from None

    @event.listens_for(engine, "checkin")
    def _give_turn_back(_dbapi_connection, record):
        _release(record.info.pop(_KEY, None))

    @event.listens_for(engine, "close")
    @event.listens_for(engine, "detach")
    def _closed(_dbapi_connection, record):
        _release(record.info.pop(_KEY, None))


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITES)


def _acquire(lock_path: str, timeout: float) -> int:
    """An open descriptor holding the exclusive lock, or :class:`TimeoutError`."""
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return descriptor
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(lock_path) from None
                time.sleep(0.0005)
    except BaseException:
        os.close(descriptor)
        raise


def _release(descriptor: int | None) -> None:
    if descriptor is not None:
        os.close(descriptor)  # closing the descriptor releases its flock

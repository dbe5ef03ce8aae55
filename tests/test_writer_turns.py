"""SQLite writers take turns through a lock file beside the database (intake.writer_turns):
another process sees the turn taken from a connection's first write until its commit or
rollback, readers never take it, and a writer that cannot get it in time gets the error
the operations turn into a 409."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from intake.core.concurrency import is_concurrent_change
from intake.db import make_engine
from intake.writer_turns import LOCK_SUFFIX

# Asks, from another process, whether a writer's turn is free right now.
PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except BlockingIOError:
    print("taken")
"""


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "turns.sqlite3"
    engine = make_engine(f"sqlite:///{path}", busy_timeout=0.3)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    yield engine, str(path) + LOCK_SUFFIX
    engine.dispose()


def turn_seen_by_another_process(lock_path: str) -> str:
    return subprocess.run([sys.executable, "-c", PROBE, lock_path], capture_output=True,
                          text=True, check=True).stdout.strip()


def test_a_writer_holds_its_turn_from_its_first_write_until_commit(database):
    engine, lock_path = database
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM notes")).scalar()
        assert turn_seen_by_another_process(lock_path) == "free"  # reading takes no turn
        connection.execute(text("INSERT INTO notes VALUES ('a')"))
        assert turn_seen_by_another_process(lock_path) == "taken"
        connection.commit()
    assert turn_seen_by_another_process(lock_path) == "free"


def test_a_rolled_back_writer_gives_its_turn_back(database):
    engine, lock_path = database
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO notes VALUES ('a')"))
        connection.rollback()
    assert turn_seen_by_another_process(lock_path) == "free"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM notes")).scalar() == 0


def test_a_second_writer_waits_for_the_first_to_commit_then_writes(database):
    engine, _lock_path = database
    second_done = threading.Event()
    errors: list[Exception] = []

    def second_writer():
        try:
            with make_engine(str(engine.url), busy_timeout=10).begin() as connection:
                connection.execute(text("INSERT INTO notes VALUES ('second')"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        second_done.set()

    with engine.connect() as first:
        first.execute(text("INSERT INTO notes VALUES ('first')"))
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert not second_done.wait(0.5)  # it waits while the first holds its turn
        first.commit()
    thread.join(10)
    assert not errors
    with engine.connect() as connection:
        assert connection.execute(text("SELECT body FROM notes ORDER BY rowid")).scalars(
        ).all() == ["first", "second"]


def test_a_writer_that_never_gets_its_turn_fails_as_a_concurrent_change(database):
    engine, lock_path = database
    holder = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another process's writer, stuck
    try:
        with pytest.raises(OperationalError) as raised, engine.begin() as connection:
            connection.execute(text("INSERT INTO notes VALUES ('late')"))
        assert is_concurrent_change(raised.value)  # so the doors answer 409, not 500
    finally:
        os.close(holder)
    with engine.begin() as connection:  # and the next writer goes ahead
        connection.execute(text("INSERT INTO notes VALUES ('next')"))
        assert connection.execute(text("SELECT body FROM notes")).scalars().all() == ["next"]

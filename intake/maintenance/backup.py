"""``teian backup FILE`` / ``teian restore FILE`` (SPEC section 8).

A backup is one ``.tar.gz`` holding ``manifest.json`` (what it is, when, from which
schema revision), the database and the instance folder's files (the secret key, the
undelivered ``.eml`` files, and whatever later features keep there):

- SQLite: ``database.sqlite3``, a consistent copy taken *online* with SQLite's backup
  API, so the server keeps running and the copy is never half a transaction;
- PostgreSQL: ``database.pgdump``, written by ``pg_dump --format=custom`` (a consistent
  snapshot too); ``pg_dump``/``pg_restore`` of the server's major version must be
  installed (Debian: ``postgresql-client``).

Restore goes into an *empty* instance only: a database with no tables, an instance folder
without a database file.  It never merges into or overwrites a working installation.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from .instance_files import InstanceCopy

FORMAT = "teian-backup-1"
SQLITE_NAME = "database.sqlite3"
PGDUMP_NAME = "database.pgdump"
INSTANCE_DIR = "instance"
# Never copied: the database itself (copied consistently instead) and SQLite's side files.
SKIPPED = ("teian.sqlite3", "teian.sqlite3-wal", "teian.sqlite3-shm", "teian.sqlite3-journal")


class BackupError(Exception):
    """Said to the operator as is (exit 1)."""


@dataclass(frozen=True)
class Manifest:
    format: str
    created_at: str
    database: str  # "sqlite" or "postgresql"
    revision: str


def _pg_url(url: str) -> str:
    """The libpq URL pg_dump/pg_restore take (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() or ""
    finally:
        engine.dispose()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


def backup(database_url: str, instance_path: Path, target: Path, now: datetime) -> Manifest:
    # Where it is to go is checked first: a missing folder found after the copy is made
    # would cost the copy's time and end in a traceback.
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    url = make_url(database_url)
    kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    manifest = Manifest(FORMAT, now.isoformat(timespec="seconds"), kind, _revision(database_url))
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / (SQLITE_NAME if kind == "sqlite" else PGDUMP_NAME)
        if kind == "sqlite":
            source = sqlite3.connect(url.database)
            destination = sqlite3.connect(copy)
            try:
                source.backup(destination)  # online and consistent
            finally:
                destination.close()
                source.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(copy),
                  _pg_url(database_url)])
        partial = target.with_name(target.name + ".partial")
        try:
            _archive(partial, manifest, copy, instance_path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from exc
        partial.replace(target)  # a half-written backup never carries the final name
    return manifest


def _archive(partial: Path, manifest: Manifest, copy: Path, instance_path: Path) -> None:
    with tarfile.open(partial, "w:gz") as archive:
        _add_bytes(archive, "manifest.json", json.dumps(manifest.__dict__).encode())
        archive.add(copy, arcname=copy.name)
        for path in sorted(instance_path.rglob("*")):
            if path.is_file() and path.name not in SKIPPED:
                archive.add(path, arcname=f"{INSTANCE_DIR}/{path.relative_to(instance_path)}")


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install "
                          "postgresql-client)")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def _read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        data = json.loads(archive.extractfile("manifest.json").read())
        manifest = Manifest(**data)
    except (OSError, EOFError, tarfile.TarError) as exc:  # finding it reads the whole list
        raise BackupError(f"the archive is damaged: {exc}") from exc
    except (KeyError, AttributeError, TypeError, ValueError) as exc:
        raise BackupError("not a Teian backup (no readable manifest.json)") from exc
    if manifest.format != FORMAT:
        raise BackupError(f"unknown backup format {manifest.format!r}")
    return manifest


def _empty(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(source: Path, database_url: str, instance_path: Path) -> Manifest:
    """Unpack ``source`` into an empty instance: its files, then its database.

    All or nothing: the whole archive is unpacked and checked (a truncated file, a
    missing or unreadable database) before anything is written; the files go in first,
    undoably (:class:`~.instance_files.InstanceCopy`); then the database, in one
    transaction on PostgreSQL (``pg_restore --single-transaction``), as a file written
    beside SQLite's and renamed into place.  If the database fails the files are taken
    out again, so the instance folder is as it was and the next restore finds it empty."""
    url = make_url(database_url)
    kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    try:
        archive = tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {source}: {exc}") from exc
    with archive, tempfile.TemporaryDirectory() as scratch:
        manifest = _read_manifest(archive)
        if manifest.database != kind:
            raise BackupError(f"the backup holds a {manifest.database} database; "
                              f"TEIAN_DATABASE_URL names {kind}")
        if kind == "sqlite" and Path(url.database).exists() and not _empty(database_url):
            raise BackupError(f"{url.database} already holds a database: restore goes into "
                              "an empty instance only")
        if kind == "postgresql" and not _empty(database_url):
            raise BackupError("the PostgreSQL database is not empty: restore goes into an "
                              "empty database only")
        unpacked = Path(scratch) / "unpacked"
        _unpack(archive, source, unpacked)
        database = unpacked / (SQLITE_NAME if kind == "sqlite" else PGDUMP_NAME)
        if kind == "sqlite":
            _check_sqlite(database)
        elif not database.is_file():
            raise BackupError(f"{source} holds no {PGDUMP_NAME}: not a whole backup")
        files = InstanceCopy(unpacked / INSTANCE_DIR, instance_path, Path(scratch) / "saved")
        try:
            files.run()
            _restore_database(kind, database, database_url)
        except BaseException as exc:
            files.undo()
            if isinstance(exc, OSError):
                raise BackupError(f"cannot write the instance: {exc}") from exc
            raise
    return manifest


def _unpack(archive: tarfile.TarFile, source: Path, folder: Path) -> None:
    try:
        archive.extractall(folder, filter="data")  # no absolute paths, no links out
    except (OSError, EOFError, tarfile.TarError) as exc:  # truncated, corrupt, a bad member
        raise BackupError(f"cannot read {source}: {exc}") from exc


def _check_sqlite(database: Path) -> None:
    """The archive's SQLite file is there and is a database SQLite can read whole."""
    if not database.is_file():
        raise BackupError(f"the backup holds no {SQLITE_NAME}: not a whole backup")
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the backup's {SQLITE_NAME} is not a readable database: "
                          f"{exc}") from exc
    if verdict != "ok":
        raise BackupError(f"the backup's {SQLITE_NAME} is damaged: {verdict}")


def _restore_database(kind: str, database: Path, database_url: str) -> None:
    if kind == "postgresql":
        _run(["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
              "--dbname", _pg_url(database_url), str(database)])
        return
    target = Path(make_url(database_url).database)
    partial = target.with_name(target.name + ".restoring")
    try:
        shutil.copyfile(database, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)

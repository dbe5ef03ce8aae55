"""``teian backup`` and ``teian restore``: a copy taken while the database is in use,
restored into an empty instance, holds the same data and instance files and its audit
log verifies; a restore never lands on a database that holds data."""

from __future__ import annotations

import io
import tarfile
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from intake.cli import main
from intake.models import Event, Proposal
from tests import ops


def invoke(monkeypatch, database_url: str, instance, *args: str):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.delenv("TEIAN_SECRET_KEY", raising=False)
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def empty_target(database_url, tmp_path, is_postgresql):
    """An empty database of the same kind as the suite's, for the restore."""
    if not is_postgresql:
        yield f"sqlite:///{tmp_path / 'restored' / 'teian.sqlite3'}"
        return
    name = f"teian_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(database_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        result = (conn.execute(select(func.count()).select_from(Proposal)).scalar(),
                  conn.execute(select(func.count()).select_from(Event)).scalar())
    engine.dispose()
    return result


def test_backup_then_restore_into_an_empty_instance(city, database_url, empty_target,
                                                    tmp_path, monkeypatch):
    proposal, _ = city.submit(title="公園に花壇をつくる")
    ops.fire_trigger(city.session, proposal, "accept", ops.Actor.staff(city.parks_liaison))
    city.session.commit()
    source = tmp_path / "source"
    (source / "mail").mkdir(parents=True)
    (source / "mail" / "undelivered.eml").write_text("Subject: 受付\n\n本文")
    (source / "secret_key").write_text("the-city-secret")
    archive = tmp_path / "teian-backup.tar.gz"

    made = invoke(monkeypatch, database_url, source, "backup", str(archive))
    assert made.exit_code == 0, made.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "instance/mail/undelivered.eml" in names

    target = tmp_path / "restored"
    restored = invoke(monkeypatch, empty_target, target, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "audit log intact" in restored.output
    assert counts(empty_target) == counts(database_url)
    assert (target / "mail" / "undelivered.eml").read_text() == "Subject: 受付\n\n本文"
    assert (target / "secret_key").read_text() == "the-city-secret"

    again = invoke(monkeypatch, empty_target, target, "restore", str(archive))
    assert again.exit_code == 1 and "empty" in again.output
    assert counts(empty_target) == counts(database_url)  # nothing touched


def test_restore_refuses_a_file_that_is_not_a_backup(database_url, empty_target, tmp_path,
                                                    monkeypatch):
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"hello")
    result = invoke(monkeypatch, empty_target, tmp_path / "restored", "restore", str(bogus))
    assert result.exit_code == 1 and "cannot read" in result.output


def test_a_backup_or_an_export_into_a_missing_folder_says_so_without_a_traceback(
        city, database_url, tmp_path, monkeypatch):
    missing = tmp_path / "no-such-folder"
    result = invoke(monkeypatch, database_url, tmp_path / "instance", "backup",
                    str(missing / "teian.tar.gz"))
    assert result.exit_code == 1
    assert "backup failed" in result.output and "Traceback" not in result.output
    assert not missing.exists()
    result = invoke(monkeypatch, database_url, tmp_path / "instance", "export", "--format",
                    "csv", "--out", str(missing / "open.csv"))
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Traceback" not in result.output


def _rebuilt(good, target, database: bytes | None):
    """``good`` with its database replaced by ``database`` (None: left out)."""
    with tarfile.open(good) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            if member.name in ("database.sqlite3", "database.pgdump"):
                if database is None:
                    continue
                member.size = len(database)
                copy.addfile(member, io.BytesIO(database))
            else:
                copy.addfile(member, source.extractfile(member) if member.isfile() else None)
    return target


BAD_ARCHIVES = {
    "truncated": lambda good, bad: bad.write_bytes(good.read_bytes()[:-200]) and bad,
    "without its database": lambda good, bad: _rebuilt(good, bad, None),
    "with a damaged database": lambda good, bad: _rebuilt(good, bad, b"not a database" * 100),
}


@pytest.mark.parametrize("how", BAD_ARCHIVES)
@pytest.mark.parametrize("folder_existed", [True, False])
def test_a_failed_restore_leaves_the_instance_as_it_found_it(
        city, database_url, empty_target, tmp_path, monkeypatch, how, folder_existed):
    """No secret key made, no file of the archive left, no database: the next restore into
    the same folder (and database) succeeds."""
    city.submit(title="公園に花壇をつくる")
    source = tmp_path / "source"
    (source / "mail").mkdir(parents=True)
    (source / "mail" / "undelivered.eml").write_text("Subject: 受付\n\n本文")
    (source / "secret_key").write_text("the-city-secret")
    good = tmp_path / "teian-backup.tar.gz"
    assert invoke(monkeypatch, database_url, source, "backup", str(good)).exit_code == 0
    bad = BAD_ARCHIVES[how](good, tmp_path / "bad.tar.gz")
    target = tmp_path / "restored"
    if folder_existed:
        target.mkdir()
        (target / "notes.txt").write_text("the operator's own file")

    failed = invoke(monkeypatch, empty_target, target, "restore", str(bad))
    assert failed.exit_code == 1
    assert "restore failed" in failed.output and "Traceback" not in failed.output
    if folder_existed:
        assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
        assert (target / "notes.txt").read_text() == "the operator's own file"
    else:
        assert not target.exists()

    restored = invoke(monkeypatch, empty_target, target, "restore", str(good))
    assert restored.exit_code == 0, restored.output
    assert counts(empty_target) == counts(database_url)
    assert (target / "secret_key").read_text() == "the-city-secret"


def test_files_a_failed_restore_overwrote_come_back(city, database_url, empty_target,
                                                    tmp_path, monkeypatch):
    source = tmp_path / "source"
    source.mkdir()
    (source / "secret_key").write_text("the-city-secret")
    good = tmp_path / "teian-backup.tar.gz"
    assert invoke(monkeypatch, database_url, source, "backup", str(good)).exit_code == 0
    bad = _rebuilt(good, tmp_path / "bad.tar.gz", b"not a database" * 100)
    target = tmp_path / "restored"
    target.mkdir()
    (target / "secret_key").write_text("the key it had")
    assert invoke(monkeypatch, empty_target, target, "restore", str(bad)).exit_code == 1
    assert (target / "secret_key").read_text() == "the key it had"

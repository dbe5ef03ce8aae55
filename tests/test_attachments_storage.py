"""The storage contract (intake.attachments.storage.Storage), on the folder backend: what
any backend must do, so another (an S3-compatible store) can be tested the same way."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from intake.attachments.storage import FolderStorage, key_for
from intake.models import utcnow

from .attachment_support import age_files


@pytest.fixture
def storage(tmp_path) -> FolderStorage:
    return FolderStorage(tmp_path / "attachments")


def test_put_returns_a_content_address_and_get_gives_the_bytes_back(storage):
    key = storage.put(b"photo bytes", ".jpg")
    assert key == key_for(b"photo bytes", ".jpg") and key.endswith(".jpg")
    assert storage.get(key) == b"photo bytes" and storage.exists(key)


def test_the_same_bytes_are_kept_once(storage, tmp_path):
    assert storage.put(b"same", ".png") == storage.put(b"same", ".png")
    assert len([p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]) == 1


def test_delete_forgets_and_deleting_twice_is_harmless(storage):
    key = storage.put(b"to go", ".pdf")
    storage.delete(key)
    storage.delete(key)
    assert storage.get(key) is None and not storage.exists(key)


@pytest.mark.parametrize("key", ["../secret_key", "/etc/passwd", "ab/../../x.jpg",
                                 "0" * 64 + ".html", ""])
def test_keys_that_are_not_ours_never_reach_the_disk(storage, key):
    assert storage.get(key) is None and not storage.exists(key)
    storage.delete(key)  # nothing happens


def test_no_partial_file_is_left_behind(storage, tmp_path):
    storage.put(b"x" * 100_000, ".jpg")
    leftovers = [p for p in (tmp_path / "attachments").rglob(".part-*")]
    assert leftovers == []


def test_the_instance_backup_includes_the_files(app, tmp_path, database_url, monkeypatch):
    """``teian backup`` tars the instance folder: the attachments' folder is in it."""
    import tarfile

    from click.testing import CliRunner

    from intake.cli import main

    instance = tmp_path / "backup-instance"
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SECRET_KEY", "backup-test")
    instance.mkdir()
    key = FolderStorage(instance / "attachments").put(b"photo", ".jpg")
    target = tmp_path / "backup.tar.gz"
    result = CliRunner().invoke(main, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    with tarfile.open(target) as archive:
        names = archive.getnames()
    assert f"instance/attachments/{key[:2]}/{key}" in names


# --- what the sweep of unreferenced files needs (intake/attachments/sweep.py) -------------


def test_stored_walks_each_slice_of_keys_with_the_time_each_was_last_put(storage, tmp_path):
    keys = {storage.put(f"file {i}".encode(), ".jpg") for i in range(20)}
    (tmp_path / "attachments" / next(iter(keys))[:2] / ".part-dead").write_bytes(b"half")
    now = utcnow()
    walked = dict(storage.stored())
    assert set(walked) == keys  # a partial write is no key
    assert all(now - timedelta(minutes=1) < at <= now + timedelta(seconds=1)
               for at in walked.values())
    one = next(iter(keys))[:2]
    assert {key for key, _ in storage.stored(one)} == {k for k in keys if k.startswith(one)}
    assert list(FolderStorage(tmp_path / "nothing-yet").stored()) == []


def test_putting_a_kept_file_again_starts_its_age_again(storage, tmp_path):
    key = storage.put(b"the same photo", ".jpg")
    age_files(tmp_path / "attachments", timedelta(hours=3))
    assert dict(storage.stored())[key] < utcnow() - timedelta(hours=2)
    assert storage.put(b"the same photo", ".jpg") == key
    assert dict(storage.stored())[key] > utcnow() - timedelta(minutes=1)


def test_delete_if_older_spares_a_file_put_since(storage, tmp_path):
    key = storage.put(b"photo", ".jpg")
    an_hour_ago = utcnow() - timedelta(hours=1)
    assert storage.delete_if_older(key, an_hour_ago) is False and storage.exists(key)
    age_files(tmp_path / "attachments")
    assert storage.delete_if_older(key, an_hour_ago) is True and not storage.exists(key)
    assert storage.delete_if_older(key, an_hour_ago) is False  # gone already
    assert storage.delete_if_older("../secret_key", an_hour_ago) is False
    assert [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == []


def test_what_dead_writes_and_deletes_left_is_cleared_or_put_back(storage, tmp_path):
    """A put killed while writing leaves ``.part-…``: removed once old.  A sweep killed
    between setting a file aside and deciding leaves ``.gone-…-<key>``: put back, for the
    next sweep to decide again."""
    key = storage.put(b"photo", ".jpg")
    folder = tmp_path / "attachments" / key[:2]
    os.rename(folder / key, folder / f".gone-0123456789abcdef-{key}")
    (folder / ".part-old").write_bytes(b"half a photo")
    age_files(tmp_path / "attachments")
    (folder / ".part-writing").write_bytes(b"a put in progress")
    assert storage.discard_unfinished(key[:2], utcnow() - timedelta(hours=1)) == 1
    assert sorted(p.name for p in folder.iterdir()) == [".part-writing", key]
    assert storage.get(key) == b"photo"

"""The storage contract (intake.attachments.storage.Storage), on the folder backend: what
any backend must do, so another (an S3-compatible store) can be tested the same way."""

from __future__ import annotations

import pytest

from intake.attachments.storage import FolderStorage, key_for


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

"""Files no attachment refers to (intake/attachments/sweep.py): a submission whose
transaction rolled back after its files were written leaves them behind; the sweep deletes
them once they are past the grace period, and never a file a row still refers to (as its
file or its thumbnail), nor one a request in flight may be about to refer to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from intake.attachments import clean, folder_storage
from intake.attachments.sweep import GRACE, SLICE_EVERY, SLICES, sweep, sweep_next_slice
from intake.cli import main
from intake.models import Attachment, FileSweep, utcnow
from tests import attachment_files as files
from tests import ops

from .attachment_support import age_files


@pytest.fixture
def storage(app):
    return app.extensions["teian.attachments"]


def submit(city, storage, *photos):
    """A submission with ``photos`` through the real operation, not committed yet."""
    proposal, _ = ops.submit_proposal(
        city.session, city.submission(attachments=tuple(photos)), channel="test",
        storage=storage)
    return proposal


def rolled_back(city, storage, *photos) -> list[str]:
    """A submission whose transaction rolled back after its files were written (a lost
    race, a database error after the flush): the keys it left behind."""
    proposal = submit(city, storage, *photos)
    keys = [k for a in proposal.attachments for k in (a.storage_key, a.thumbnail_key) if k]
    city.session.rollback()
    assert keys and all(storage.exists(key) for key in keys)
    return keys


def kept(city, storage, *photos) -> list[str]:
    proposal = submit(city, storage, *photos)
    city.session.commit()
    return [k for a in proposal.attachments for k in (a.storage_key, a.thumbnail_key) if k]


def photo(n: int):
    """Photo ``n``: photos of different numbers are different files."""
    return clean(files.jpeg_with_gps(size=(320 + n, 240)), "IMG.jpg")


def test_a_file_left_by_a_rolled_back_submission_goes_once_past_the_grace_period(
        city, db, storage):
    referred = kept(city, storage, photo(1), clean(files.plain_pdf(), "map.pdf"))
    left = rolled_back(city, storage, photo(2))
    assert len(referred) == 3 and len(left) == 2  # each photo with its thumbnail
    assert db.scalar(select(Attachment.id).where(Attachment.storage_key.in_(left))) is None
    age_files(storage.root)

    swept = sweep(db, storage)

    assert (swept.checked, swept.deleted) == (5, 2)
    assert not any(storage.exists(key) for key in left)
    assert all(storage.exists(key) for key in referred)  # the files and the thumbnail


def test_a_file_younger_than_the_grace_period_stays(city, db, storage):
    """It may belong to a request still running, its row not committed yet."""
    kept(city, storage, photo(1))
    left = rolled_back(city, storage, photo(2))
    age_files(storage.root, GRACE - timedelta(minutes=5))

    assert sweep(db, storage).deleted == 0
    assert all(storage.exists(key) for key in left)
    assert sweep(db, storage, now=utcnow() + timedelta(minutes=10)).deleted == 2
    assert not any(storage.exists(key) for key in left)


def test_a_file_two_proposals_share_stays_while_any_row_refers_to_it(city, db, storage):
    """The same photo sent twice is one file: a rolled-back second sending, then an erased
    first one, take nothing while another row still refers to it."""
    first = kept(city, storage, photo(1))
    second = kept(city, storage, photo(1))
    assert first == second
    assert rolled_back(city, storage, photo(1)) == first
    age_files(storage.root)

    assert sweep(db, storage).deleted == 0
    rows = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    rows[0].purged_at = utcnow()  # erased with the first proposal's personal data
    db.commit()
    assert sweep(db, storage).deleted == 0 and all(storage.exists(k) for k in first)
    rows[1].purged_at = utcnow()  # and the second's: no row holds the file any more
    db.commit()
    assert sweep(db, storage).deleted == 2 and not any(storage.exists(k) for k in first)


def test_a_photo_sent_again_while_its_orphan_waits_is_not_taken_from_the_new_row(
        app, city, db, storage):
    """An old orphan, the same photo being submitted again: the put renews the file, so a
    sweep running before that submission commits leaves it to the new row."""
    kept(city, storage, photo(1))
    left = rolled_back(city, storage, photo(2))
    age_files(storage.root)
    in_flight = submit(city, storage, photo(2))  # put and flushed, not committed

    worker = sessionmaker(bind=app.extensions["teian.engine"])()
    try:
        assert sweep(worker, storage).deleted == 0
    finally:
        worker.close()
    db.commit()
    assert all(storage.exists(key) for key in left)
    assert {in_flight.attachments[0].storage_key, in_flight.attachments[0].thumbnail_key} \
        == set(left)


def test_a_database_without_any_attachment_sweeps_nothing(city, db, storage):
    """A worker pointed at the wrong (empty) database beside this instance folder would
    otherwise delete every file."""
    left = rolled_back(city, storage, photo(2))
    age_files(storage.root)
    swept = sweep(db, storage)
    assert swept.no_rows and swept.deleted == 0
    assert all(storage.exists(key) for key in left)


def test_the_background_passes_sweep_the_whole_storage_a_slice_at_a_time(city, db, storage):
    referred = kept(city, storage, photo(1))
    left = [k for i in range(12) for k in rolled_back(city, storage, photo(10 + i))]
    age_files(storage.root)
    start = utcnow()
    assert sweep_next_slice(db, storage, now=start) is not None
    assert sweep_next_slice(db, storage, now=start + SLICE_EVERY / 2) is None  # not yet
    for turn in range(1, len(SLICES)):
        assert sweep_next_slice(db, storage, now=start + turn * SLICE_EVERY) is not None
        assert all(storage.exists(k) for k in left if k[:2] > SLICES[turn])
    assert not any(storage.exists(key) for key in left)
    assert all(storage.exists(key) for key in referred)
    assert db.get(FileSweep, 1).next_slice == 0  # the next round begins


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    instance = tmp_path / "cli-instance"
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SECRET_KEY", "cli-test")
    return folder_storage(instance)


def test_teian_sweep_files_and_the_worker_delete_what_no_row_refers_to(city, db, cli):
    kept(city, cli, photo(1))
    left = rolled_back(city, cli, clean(files.plain_pdf(), "a.pdf"))
    other = rolled_back(city, cli, clean(files.png_photo(), "b.png"))
    age_files(cli.root)
    db.add(FileSweep(id=1, next_slice=SLICES.index(left[0][:2]),
                     taken_at=utcnow() - timedelta(hours=1)))
    db.commit()

    worker = CliRunner().invoke(main, ["worker", "--once"], catch_exceptions=False)
    assert "unreferenced files deleted 1," in worker.output, worker.output
    assert not cli.exists(left[0]) and all(cli.exists(k) for k in other)

    by_hand = CliRunner().invoke(main, ["sweep-files"], catch_exceptions=False)
    assert by_hand.exit_code == 0
    assert "4 files over an hour old checked: 2 no attachment referred to deleted" \
        in by_hand.output, by_hand.output
    assert not any(cli.exists(k) for k in other)

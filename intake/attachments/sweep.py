"""Files no attachment refers to, taken from the storage once they are old enough.

Why there are any: a request keeps its files (:func:`.operations.keep_files`) before its
transaction commits, and the storage is no part of that transaction.  When it rolls back
(a concurrent change, a database error after the flush, a process killed between the put
and the commit) the file stays with no row referring to it: a citizen's photo that
belongs to no proposal, which no purge, export or withholding ever reaches.  A purge
interrupted between its commit and its deletes leaves files only erased rows refer to;
those go the same way.

What is taken: a file that no attachment still holding its file (not erased) refers to,
as its file or as its thumbnail, last put more than :data:`GRACE` ago.  Why the grace
period: a file put a moment ago may belong to a request still running, whose row is not
committed yet; the database cannot tell it from an orphan.  A request lasts seconds; an
hour is far past any of them, and past any small difference between the clocks of the
web servers and of the storage.  The same photo sent again renews its time
(:meth:`.storage.Storage.put`), so a file an orphan shares with a submission in flight
stays, and a put racing the delete wins (:meth:`.storage.Storage.delete_if_older`).

How it scales: the storage is walked a slice at a time (the keys beginning with two hex
digits, a 256th of them), the keys old enough asked about :data:`BATCH` at a time in one
query on the two indexed key columns, each batch its own short read: memory and the
length of a transaction are the same at a million proposals as at ten.

Where it runs: every pass of the background work (``teian worker``, the embedded server's
thread) takes the next slice in turn (:func:`sweep_next_slice`), one every
:data:`SLICE_EVERY` at most whichever worker asks: a round of the whole storage in about
an hour, a small piece of work a pass (the mail never waits on it).  The turn is kept in
the database (:class:`~intake.models.FileSweep`), so workers share the round and a
restarted or ``--once`` worker goes on where the last one stopped.  ``teian sweep-files``
sweeps every slice at once.

What is recorded: the count, in the log and the worker's line.  No audit event: the files
belong to no proposal (the audit log's chains are proposals'), and nothing any record
refers to is deleted.

A database holding no attachment row at all sweeps nothing: a worker pointed at the wrong
(an empty) database beside the right instance folder would otherwise take every file.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import CompoundSelect, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake.models import Attachment, FileSweep, utcnow

from .storage import Storage

GRACE = timedelta(hours=1)
SLICE_EVERY = timedelta(seconds=15)  # 256 slices: a round in 64 minutes
SLICES = tuple(f"{i:02x}" for i in range(256))
BATCH = 400  # keys a query (twice as many parameters, under any SQLite's limit of 999)

log = logging.getLogger(__name__)


@dataclass
class Swept:
    checked: int = 0  # files older than the grace period, asked about
    deleted: int = 0  # of those, no attachment referred to
    unfinished: int = 0  # partial writes of puts that died
    no_rows: bool = False  # the database holds no attachment: nothing was swept


def referenced(session: Session, keys: Collection[str]) -> set[str]:
    """The keys among ``keys`` an attachment not erased refers to, as its file or its
    thumbnail (storage is content-addressed: one file may serve several rows): one query."""
    return set(session.scalars(references(keys)))


def references(keys: Collection[str]) -> CompoundSelect:
    """:func:`referenced`'s query: one index lookup a key on each key column."""
    holding = Attachment.purged_at.is_(None)
    return union(
        select(Attachment.storage_key).where(holding, Attachment.storage_key.in_(keys)),
        select(Attachment.thumbnail_key).where(holding, Attachment.thumbnail_key.in_(keys)))


def batches(items: Iterable[str], size: int = BATCH) -> Iterator[list[str]]:
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def sweep(session: Session, storage: Storage, prefixes: Sequence[str] = SLICES, *,
          now: datetime | None = None) -> Swept:
    """Delete the files under ``prefixes`` (all of them by default) that no attachment
    refers to and that were last put more than :data:`GRACE` before ``now``.  Reads
    only, each in a transaction of its own: begin it with nothing pending."""
    now = now or utcnow()
    before = now - GRACE
    swept = Swept()
    swept.no_rows = session.scalar(select(Attachment.id).limit(1)) is None
    session.rollback()
    if swept.no_rows:
        return swept
    for prefix in prefixes:
        swept.unfinished += storage.discard_unfinished(prefix, before)
        old = (key for key, put_at in storage.stored(prefix) if put_at < before)
        for batch in batches(old):
            used = referenced(session, batch)
            session.rollback()  # a short read each batch, never one over the walk
            swept.checked += len(batch)
            swept.deleted += sum(storage.delete_if_older(key, before)
                                 for key in batch if key not in used)
    if swept.deleted or swept.unfinished:
        log.info("deleted %d attachment files no attachment referred to and %d partial "
                 "writes (keys beginning %s)", swept.deleted, swept.unfinished,
                 prefixes[0] if len(prefixes) == 1 else "with any digits")
    return swept


def sweep_next_slice(session: Session, storage: Storage, *,
                     now: datetime | None = None) -> Swept | None:
    """The background pass's share: the next slice in turn, if :data:`SLICE_EVERY` has
    passed since any worker took one (None otherwise)."""
    now = now or utcnow()
    turn = _take_turn(session, now)
    return None if turn is None else sweep(session, storage, [SLICES[turn]], now=now)


def _take_turn(session: Session, now: datetime) -> int | None:
    """The slice this pass sweeps, the turn moved on and committed; None when the last
    was taken too recently or another worker took this one at the same moment."""
    row = session.execute(select(FileSweep.next_slice, FileSweep.taken_at)
                          .where(FileSweep.id == 1)).first()
    if row is None:
        session.add(FileSweep(id=1, next_slice=1, taken_at=now))
        turn = 0
    elif row.taken_at > now - SLICE_EVERY:
        session.rollback()
        return None
    else:
        # Compare and set: of two workers reading the same turn, one moves it on.
        moved = session.execute(
            update(FileSweep).where(FileSweep.id == 1, FileSweep.next_slice == row.next_slice)
            .values(next_slice=(row.next_slice + 1) % len(SLICES), taken_at=now))
        if moved.rowcount != 1:
            session.rollback()
            return None
        turn = row.next_slice
    try:
        session.commit()
    except IntegrityError:  # another worker wrote the first row
        session.rollback()
        return None
    return turn

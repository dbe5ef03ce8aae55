"""Where attachment files are kept, behind one small interface (:class:`Storage`).

The default, :class:`FolderStorage`, keeps them in the instance folder's ``attachments/``
(outside the static folder, so nothing is ever served without the access check of
:mod:`intake.web.attachments`), under content-addressed names: the SHA-256 of the clean
bytes, in a sub-folder named by its first two hex digits, so the same photo sent twice is
one file.  A file is written to a temporary name and renamed into place (atomic on one
file system), so a reader never sees half a file.  ``teian backup`` copies the instance
folder and so the files with it.

A file is written when the request that keeps it runs, before its transaction commits;
when that transaction rolls back the file is left with no row referring to it.
:mod:`.sweep` takes such files once they are older than its grace period, so the storage
also tells when each key was last put (:meth:`Storage.stored`) and deletes a key only if
it was not put again meanwhile (:meth:`Storage.delete_if_older`).

Another backend (an S3-compatible object store, say) implements the same seven methods.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

FOLDER_NAME = "attachments"
KEY = re.compile(r"^[0-9a-f]{64}\.(jpg|png|pdf)$")
PARTIAL = ".part-"  # a put still writing (or one that died writing)
ASIDE = ".gone-"  # a key a sweep is deleting: ``.gone-<random>-<key>``


class Storage(Protocol):
    def put(self, data: bytes, suffix: str) -> str:
        """Keep ``data``; return its key (the same data, the same key).  When the key is
        kept already, its time of last put becomes now (:meth:`stored`): the request
        putting it may be about to commit a row referring to a file that no row
        referred to until then, and the sweep must count its grace period from now."""

    def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or None when there are none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is not there)."""

    def stored(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        """Every key beginning with ``prefix`` and when it was last put (aware, UTC), in
        any order, produced as the backend walks them: never a list of them all, a
        storage may hold millions.  The sweep asks for a 256th at a time (``prefix`` two
        hex digits; keys are SHA-256 digests, so each such slice is about as large)."""

    def delete_if_older(self, key: str, before: datetime) -> bool:
        """Delete ``key`` unless it was put at ``before`` or later; True if it was
        deleted.  A :meth:`put` of the same key at the same moment must win: either the
        delete sees its new time and keeps the key, or the put finds the key gone and
        writes it again.  (The folder renames the file aside before it looks; an object
        store needs a delete conditional on the time of last put, or the nearest thing
        it offers.)"""

    def discard_unfinished(self, prefix: str, before: datetime) -> int:
        """Remove what was left under ``prefix`` by a process that died inside
        :meth:`put` (a partial write last touched before ``before``) or inside
        :meth:`delete_if_older` (a key set aside: it is put back, the next sweep decides
        again); returns how many partial writes were removed.  A backend whose writes
        and deletes are single atomic calls has nothing to do and returns 0."""


def key_for(data: bytes, suffix: str) -> str:
    return f"{hashlib.sha256(data).hexdigest()}{suffix}"


class FolderStorage:
    """Files in a folder (by default the instance folder's ``attachments/``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY.match(key):  # keys are ours; anything else never reaches the disk
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def put(self, data: bytes, suffix: str) -> str:
        key = key_for(data, suffix)
        path = self._path(key)
        try:
            os.utime(path)  # kept already: its age starts again (Storage.put)
            return key
        except (FileNotFoundError, PermissionError):
            pass  # not there, a sweep is deleting it (delete_if_older), or not ours: write it
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=PARTIAL)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except ValueError:
            return False

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except ValueError:
            return

    def _folders(self, prefix: str) -> Iterator[Path]:
        if len(prefix) >= 2:
            folder = self.root / prefix[:2]
            if folder.is_dir():
                yield folder
            return
        try:
            entries = list(os.scandir(self.root))  # at most 256 folders
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.is_dir() and entry.name.startswith(prefix):
                yield Path(entry.path)

    def stored(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        for folder in self._folders(prefix):
            with os.scandir(folder) as entries:
                for entry in entries:
                    if KEY.match(entry.name) and entry.name.startswith(prefix):
                        try:
                            yield entry.name, _put_at(entry.stat().st_mtime)
                        except FileNotFoundError:
                            continue  # deleted while we walked

    def delete_if_older(self, key: str, before: datetime) -> bool:
        try:
            path = self._path(key)
        except ValueError:
            return False
        aside = path.with_name(f"{ASIDE}{secrets.token_hex(8)}-{key}")
        try:
            # Renamed first: a put from now on finds no file and writes a new one; a put
            # that came just before has touched this one, and the look below sees it.
            os.rename(path, aside)
            if _put_at(aside.stat().st_mtime) < before:
                aside.unlink()
                return True
            os.replace(aside, path)  # put again meanwhile: it stays
        except FileNotFoundError:
            pass  # deleted by another sweep, or put back by discard_unfinished
        return False

    def discard_unfinished(self, prefix: str, before: datetime) -> int:
        removed = 0
        for folder in self._folders(prefix):
            with os.scandir(folder) as entries:
                leftovers = [(Path(e.path), e.name) for e in entries
                             if e.name.startswith((PARTIAL, ASIDE))]
            for path, name in leftovers:
                try:
                    if name.startswith(ASIDE):
                        _put_back(path, folder / name.split("-", 2)[2])
                    elif _put_at(path.stat().st_mtime) < before:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed


def _put_at(mtime: float) -> datetime:
    return datetime.fromtimestamp(mtime, UTC)


def _put_back(aside: Path, path: Path) -> None:
    """A key set aside by a sweep that died before deciding: back under its name unless
    a put wrote it anew (a hard link never replaces a file), then the aside name goes."""
    if KEY.match(path.name):
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
    aside.unlink()


def folder_storage(instance_path: Path) -> FolderStorage:
    return FolderStorage(Path(instance_path) / FOLDER_NAME)

"""Where attachment files are kept, behind one small interface (:class:`Storage`).

The default, :class:`FolderStorage`, keeps them in the instance folder's ``attachments/``
(outside the static folder, so nothing is ever served without the access check of
:mod:`intake.web.attachments`), under content-addressed names: the SHA-256 of the clean
bytes, in a sub-folder named by its first two hex digits, so the same photo sent twice is
one file.  A file is written to a temporary name and renamed into place (atomic on one
file system), so a reader never sees half a file.  ``teian backup`` copies the instance
folder and so the files with it.

Another backend (an S3-compatible object store, say) implements the same four methods.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

FOLDER_NAME = "attachments"
KEY = re.compile(r"^[0-9a-f]{64}\.(jpg|png|pdf)$")


class Storage(Protocol):
    def put(self, data: bytes, suffix: str) -> str:
        """Keep ``data``; return its key (the same data, the same key)."""

    def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or None when there are none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is not there)."""


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
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
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


def folder_storage(instance_path: Path) -> FolderStorage:
    return FolderStorage(Path(instance_path) / FOLDER_NAME)

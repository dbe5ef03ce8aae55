"""Copying a backup's files into an instance folder so that a restore which fails later
(its database refused, the disk full) can put the folder back as it found it: the files
and folders the copy created are removed, the files it overwrote come back, and a folder
that did not exist before is gone again.  Without this a failed ``teian restore`` left
half a restore behind, and the next attempt met a folder that was no longer empty.
"""

from __future__ import annotations

import shutil
from pathlib import Path


class InstanceCopy:
    """One copy of ``source`` (a folder) into ``target``; :meth:`undo` reverses it.
    ``saved`` is a scratch folder for the files the copy overwrites."""

    def __init__(self, source: Path, target: Path, saved: Path) -> None:
        self.source, self.target, self.saved = source, target, saved
        self.created: list[Path] = []  # in the order made: undone in reverse
        self.overwritten: list[Path] = []  # relative to target

    def run(self) -> None:
        self._make_dir(self.target)
        if not self.source.is_dir():
            return
        for path in sorted(self.source.rglob("*")):
            relative = path.relative_to(self.source)
            destination = self.target / relative
            if path.is_dir():
                self._make_dir(destination)
                continue
            if destination.exists():
                kept = self.saved / relative
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(destination, kept)
                self.overwritten.append(relative)
            else:
                self.created.append(destination)
            shutil.copy2(path, destination)

    def _make_dir(self, folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        for parent in reversed(missing):
            parent.mkdir()
            self.created.append(parent)

    def undo(self) -> None:
        """Put the target back as it was before :meth:`run` (also after a run that
        failed halfway)."""
        for relative in self.overwritten:
            shutil.copy2(self.saved / relative, self.target / relative)
        for path in reversed(self.created):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

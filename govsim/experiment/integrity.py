"""What a sweep wrote, verified: the size and SHA-256 of every committed file.

Layer: experiment. When a task's files are written (its kept tables, then its metrics), a line
``{"task": "p0003-r0007", "files": {"metrics/p0003-r0007.parquet": [size, sha256], ...}}`` is
appended to ``committed.jsonl`` and synced: that line is the task's commit mark. Whenever the
manifest is rewritten it takes every record (``"files"``, sorted) and the journal is emptied, so
a finished directory holds its records in ``manifest.json`` alone. Resuming and loading compare
each file with its record: a file that was truncated or changed after it was written is found
by name (and a resumed sweep sets it aside and runs its task again).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["JOURNAL", "digest", "Records"]

JOURNAL = "committed.jsonl"
_CHUNK = 1 << 20


def digest(path: Path) -> tuple[int, str]:
    """``(size, sha256 hex)`` of a file."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _entries(files: Mapping[str, Any]) -> dict[str, tuple[int, str]]:
    """``{path: [size, sha256]}`` read from JSON, checked for shape."""
    out = {}
    for k, v in files.items():
        size, sha = v
        if not isinstance(k, str) or not isinstance(sha, str) or isinstance(size, bool):
            raise ValueError(k)
        out[k] = (int(size), sha)
    return out


def task_of(relative: str) -> str:
    """The task stem of a result file's relative path (``metrics/p0003-r0007.parquet``)."""
    return relative.rsplit("/", 1)[-1].split(".", 1)[0]


class Records:
    """The records of one results directory: the manifest's ``files`` plus the journal."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: relative path -> (size, sha256)
        self.files: dict[str, tuple[int, str]] = {}
        #: the manifest was read whole and holds records: every commit is recorded there or in
        #: the journal, so a result file without a record was never committed
        self.authoritative = False
        #: the manifest exists but cannot be read (cut short, edited)
        self.manifest_damaged = False

    @classmethod
    def read(cls, root: Path, manifest: Mapping[str, Any] | None = None) -> Records:
        """The records of ``root`` (``manifest``: its manifest, if already read whole)."""
        rec = cls(root)
        path = root / "manifest.json"
        if manifest is None and path.exists():
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                rec.manifest_damaged = True
        if isinstance(manifest, Mapping) and "files" in manifest:
            try:
                rec.files.update(_entries(manifest["files"]))
                rec.authoritative = True
            except (AttributeError, TypeError, ValueError, IndexError):
                rec.files.clear()
                rec.manifest_damaged = True
        journal = root / JOURNAL
        if journal.exists():
            for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    rec.files.update(_entries(json.loads(line)["files"]))
                except (AttributeError, KeyError, TypeError, ValueError, IndexError):
                    continue  # a line cut short by a kill: that task never committed
        return rec

    def commit(self, task: str, paths: Iterable[Path]) -> None:
        """Record ``paths`` (already written) as task ``task``'s files: the commit mark."""
        files = {p.relative_to(self.root).as_posix(): list(digest(p)) for p in paths}
        line = json.dumps({"task": task, "files": files}, sort_keys=True) + "\n"
        with open(self.root / JOURNAL, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        self.files.update({k: (v[0], v[1]) for k, v in files.items()})

    def files_of(self, task: str) -> list[str]:
        """The recorded files of task ``task`` (relative paths, sorted)."""
        return sorted(k for k in self.files if task_of(k) == task)

    def forget(self, task: str) -> None:
        """Drop the records of task ``task`` (its files were set aside)."""
        for k in self.files_of(task):
            del self.files[k]

    def damaged(self, relative: str) -> bool:
        """Whether the file at ``relative`` is missing or differs from its record (a file
        without a record is not judged here)."""
        record = self.files.get(relative)
        if record is None:
            return False
        path = self.root / relative
        if not path.is_file():
            return True
        if path.stat().st_size != record[0]:
            return True  # sizes first: a truncated file is found without reading it
        return digest(path) != record

    def tasks(self) -> set[str]:
        """The tasks with a record of their metrics file."""
        return {task_of(k) for k in self.files if k.startswith("metrics/")}

    def as_manifest(self) -> dict[str, list[Any]]:
        """The records for ``manifest.json``, sorted."""
        return {k: [v[0], v[1]] for k, v in sorted(self.files.items())}

    def clear_journal(self) -> None:
        """Empty the journal once the manifest holds every record."""
        (self.root / JOURNAL).unlink(missing_ok=True)

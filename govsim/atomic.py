"""Atomic file writes: a file is either absent or complete, never half-written.

Layer: (all) -- a shared utility like :mod:`govsim.errors`. Each write goes to a temporary file in the same directory, is flushed to
disk, and is renamed over the target (``os.replace`` is atomic on POSIX and Windows), and the
directory is synced, so a crash, a ``kill -9`` or a power loss at any moment leaves the previous
file or the new one, and renames reach the disk in the order they were made.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["file_mode", "atomic_write_frame", "atomic_write_text"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# read once, at import: reading the umask means setting it, which would race with other threads
_MODE = 0o666 & ~_umask()


def file_mode() -> int:
    """The mode a new file gets under the umask (``mkstemp`` alone would give 0600)."""
    return _MODE


def _atomic(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, file_mode())
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(folder: Path) -> None:
    """Make a rename durable (POSIX: fsync the directory); a no-op where that is impossible."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_frame(frame: Any, path: Path, fmt: str = "parquet") -> None:
    """Write a DataFrame as Parquet (without its index) or CSV, atomically."""
    if fmt == "parquet":
        _atomic(path, lambda fh: frame.to_parquet(fh, index=False))
    else:
        _atomic(path, lambda fh: fh.write(frame.to_csv(index=False).encode()))


def atomic_write_text(text: str, path: Path) -> None:
    """Write UTF-8 text atomically."""
    _atomic(path, lambda fh: fh.write(text.encode()))

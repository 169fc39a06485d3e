"""File writes that lose nothing: complete or absent, checked before the work, saved elsewhere
when the disk fails.

Layer: (all) -- a shared utility like :mod:`govsim.errors`. Each write goes to a temporary file
in the same directory, is flushed to disk, and is renamed over the target (``os.replace`` is
atomic on POSIX and Windows), and the directory is synced, so a crash, a ``kill -9`` or a power
loss at any moment leaves the previous file or the new one, and renames reach the disk in the
order they were made. :func:`check_destination` tries a directory before a long run (created,
writable, enough free space); :func:`write_files` writes a set of result files and, if the disk
fails midway, says which are complete and saves them all to a temporary directory instead.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from govsim.errors import GovsimError

__all__ = ["file_mode", "atomic_write", "atomic_write_frame", "atomic_write_text",
           "frame_writer", "text_writer", "check_destination", "write_files", "Writer"]

#: writes one file's bytes to an open binary file
Writer = Callable[[IO[bytes]], Any]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# read once, at import: reading the umask means setting it, which would race with other threads
_MODE = 0o666 & ~_umask()


def file_mode() -> int:
    """The mode a new file gets under the umask (``mkstemp`` alone would give 0600)."""
    return _MODE


def atomic_write(path: Path, write: Writer) -> None:
    """Write ``path`` with ``write(fh)``, atomically."""
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


def frame_writer(frame: Any, fmt: str = "parquet") -> Writer:
    """A writer of a DataFrame as Parquet (without its index) or CSV."""
    if fmt == "parquet":
        return lambda fh: frame.to_parquet(fh, index=False)
    return lambda fh: fh.write(frame.to_csv(index=False).encode())


def text_writer(text: str) -> Writer:
    """A writer of UTF-8 text."""
    return lambda fh: fh.write(text.encode())


def atomic_write_frame(frame: Any, path: Path, fmt: str = "parquet") -> None:
    """Write a DataFrame as Parquet (without its index) or CSV, atomically."""
    atomic_write(path, frame_writer(frame, fmt))


def atomic_write_text(text: str, path: Path) -> None:
    """Write UTF-8 text atomically."""
    atomic_write(path, text_writer(text))


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB" if n >= 2**20 else f"{n / 2**10:,.0f} KiB"


def check_destination(directory: str | os.PathLike[str], where: str,
                      need_bytes: int = 0) -> Path:
    """Make sure result files can be written into ``directory`` before any work is done.

    The directory is created if it is missing; a file is created in it and removed again; and
    at least ``need_bytes`` (a rough estimate of what will be written) must be free. Anything
    else is a :class:`GovsimError` at ``where`` in one sentence (a directory this call created
    is removed again).
    """
    given = Path(directory)
    path = Path(os.path.abspath(given))  # so that ``..`` and links do not confuse the clean-up
    if path.exists() and not path.is_dir():
        raise GovsimError(f"{str(given)!r} exists and is not a directory", where)
    created: list[Path] = []
    try:
        for level in reversed([p for p in (path, *path.parents) if not p.exists()]):
            level.mkdir()  # one level at a time, remembering what this call made
            created.append(level)
        fd, probe = tempfile.mkstemp(prefix=".govsim-probe.", dir=path)
        os.close(fd)
        os.unlink(probe)
        free = shutil.disk_usage(path).free
    except OSError as exc:
        _remove(created)
        raise GovsimError(f"cannot write into {str(given)!r} ({exc.strerror or exc})",
                          where) from None
    if need_bytes > free:
        _remove(created)
        raise GovsimError(f"{str(given)!r} has {_mib(free)} free and the results need about "
                          f"{_mib(need_bytes)}; free some space or choose another directory",
                          where)
    return given


def _remove(created: list[Path]) -> None:
    """Remove the directories a failed check made, deepest first."""
    for level in reversed(created):
        try:
            level.rmdir()
        except OSError:
            return


def write_files(directory: Path, files: Sequence[tuple[str, Writer]], where: str) -> None:
    """Write each ``(name, writer)`` into ``directory``, atomically.

    If a write fails (a full disk, a directory that went away), no partial file is left; every
    file is then written to a new temporary directory instead, and a :class:`GovsimError` at
    ``where`` says which files in ``directory`` are complete and where all of them are now.
    """
    done: list[str] = []
    for name, write in files:
        try:
            atomic_write(directory / name, write)
        except OSError as exc:
            reason = exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))
            complete = ", ".join(done) if done else "none"
            saved = _save_elsewhere(files)
            where_now = (f"all of them were written to {saved} instead" if saved else
                         "they could not be saved elsewhere either")
            raise GovsimError(f"writing {name} into {str(directory)!r} failed ({reason}); "
                              f"complete there: {complete}; {where_now}", where) from None
        done.append(name)


def _save_elsewhere(files: Sequence[tuple[str, Writer]]) -> str | None:
    try:
        fallback = Path(tempfile.mkdtemp(prefix="govsim-results-"))
        for name, write in files:
            atomic_write(fallback / name, write)
    except OSError:
        return None
    return str(fallback)

"""File writes that lose nothing: complete or absent, checked before the work, saved elsewhere
when the disk fails.

Layer: (all) -- a shared utility like :mod:`govsim.errors`. Each write goes to a temporary file
in the same directory, is flushed to disk, and is renamed over the target (``os.replace`` is
atomic on POSIX and Windows), and the directory is synced, so a crash, a ``kill -9`` or a power
loss at any moment leaves the previous file or the new one, and renames reach the disk in the
order they were made. :func:`check_name` refuses a path the system cannot hold (not a path, a
NUL, a name longer than the file system's ``NAME_MAX`` -- the temporary name's included -- or a
whole path longer than ``PATH_MAX``) with one sentence, before any work and any system call that
would fail on it; :func:`check_destination` tries a directory before a long run (its name, then
created, writable, enough free space; :func:`destination` also removes, when the work fails,
the folders it made) and :func:`check_file` a file's path (its name, not a
directory, its folder as :func:`check_destination`); :func:`write_files` writes a set of result
files and, if the disk fails midway, says which are complete and saves them all to a temporary
directory instead; :func:`save_file` is one file checked first, then written as
:func:`write_files` writes.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from govsim.errors import GovsimError, shown

__all__ = ["file_mode", "atomic_write", "atomic_write_frame", "atomic_write_text",
           "frame_writer", "text_writer", "check_name", "check_file", "check_destination",
           "destination", "write_files", "save_file", "temp_prefix", "Writer"]

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


#: bytes of the target's name a temporary name keeps (``.NAME.XXXXXXXX.tmp``): a temporary
#: name is at most ``_KEEP + _TEMP_EXTRA`` bytes, so it never outgrows a name that fits
_KEEP = 32
#: the bytes a temporary name adds to the part of the name it keeps: the leading dot, the dot
#: after the name, ``mkstemp``'s eight random characters and ``.tmp``
_TEMP_EXTRA = 1 + 1 + 8 + 4


def temp_prefix(name: str) -> str:
    """The prefix of ``name``'s temporary file: ``.`` and at most :data:`_KEEP` bytes of
    ``name`` (cut between characters), then ``.``."""
    keep = name
    while len(os.fsencode(keep)) > _KEEP:
        keep = keep[:-1]
    return f".{keep}."


def atomic_write(path: Path, write: Writer) -> None:
    """Write ``path`` with ``write(fh)``, atomically (through a temporary file beside it whose
    name is never longer than ``path``'s plus 14 bytes, nor than 46)."""
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=path.parent)
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


#: the limits assumed where the system does not say (``os.pathconf`` missing or silent)
NAME_MAX, PATH_MAX = 255, 4096


def _limits(path: str) -> tuple[int, int]:
    """``NAME_MAX`` and ``PATH_MAX`` (bytes) of the file system that will hold ``path``: that
    of its nearest existing folder."""
    probe = os.path.abspath(path)
    while not os.path.isdir(probe):  # false, never an error, for a name too long to look up
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    found = []
    for key, default in (("PC_NAME_MAX", NAME_MAX), ("PC_PATH_MAX", PATH_MAX)):
        try:
            value = int(os.pathconf(probe, key))
        except (AttributeError, OSError, ValueError):  # no pathconf (Windows), or no answer
            value = default
        found.append(value if value > 0 else default)
    return found[0], found[1]


def check_name(path: object, where: str, *, kind: str = "file") -> Path:
    """``path`` as a :class:`~pathlib.Path` if the system can hold it, else a
    :class:`GovsimError` at ``where`` in one sentence; touches nothing.

    ``path`` must be a string or path-like (not bytes), not empty, free of NUL characters and
    encodable for the file system; each of its names at most ``NAME_MAX`` bytes (of the file
    system that will hold it; 255 where the system does not say) and, when ``kind`` is
    ``"file"``, its temporary file's name too (:func:`atomic_write`), and the whole absolute
    path shorter than ``PATH_MAX`` with room for that temporary name (a ``"directory"``: with
    room for a file of the longest temporary name in it). A file's path may not end with a
    separator, ``.`` or ``..`` (that names a directory).
    """
    if not isinstance(path, str | os.PathLike):
        raise GovsimError(f"must be the path of a {kind}, got {path!r}", where)
    text = os.fspath(path)
    if not isinstance(text, str):
        raise GovsimError(f"must be the path of a {kind} as text, got {path!r}", where)
    if not text:
        raise GovsimError(f"is empty: name the {kind} to write", where)
    if "\0" in text:
        raise GovsimError(f"{shown(text)} holds a NUL character, which no path can", where)
    try:
        os.fsencode(text)
    except UnicodeError:
        raise GovsimError(f"{shown(text)} has characters the file system cannot encode",
                          where) from None
    separators = tuple({"/", os.sep, os.altsep} - {None})
    last = text
    for sep in separators:
        last = last.rsplit(sep, 1)[-1]
    if kind == "file" and last in ("", ".", ".."):
        raise GovsimError(f"{shown(text)} names a directory: name the file to write", where)
    name_max, path_max = _limits(text)
    for part in Path(text).parts:
        size = len(os.fsencode(part))
        if size > name_max and part != Path(text).anchor:
            raise GovsimError(f"{shown(part)} is a name of {size} bytes and the file system "
                              f"takes at most {name_max}: choose a shorter one", where)
    size = len(os.fsencode(last))
    temp = len(os.fsencode(temp_prefix(last))) - 2 + _TEMP_EXTRA  # the prefix has both dots
    if kind == "file" and temp > name_max:
        raise GovsimError(f"the file system here takes names of at most {name_max} bytes, too "
                          f"few for the temporary name {shown(last)} is written under ({temp} "
                          "bytes)", where)
    room = max(temp - size, 0) if kind == "file" else 1 + _KEEP + _TEMP_EXTRA
    whole = len(os.fsencode(os.path.abspath(text))) + room
    if whole >= path_max:  # PATH_MAX counts the terminating NUL
        raise GovsimError(f"{shown(text)} is too long a path: {whole} bytes as an absolute "
                          f"path with room for a temporary name, and the system takes fewer "
                          f"than {path_max}", where)
    return Path(text)


def check_file(path: object, where: str, need_bytes: int = 0, *,
               try_folder: bool = True) -> Path:
    """Make sure a file can be written at ``path`` before any work is done, and return the
    absolute path to write (``..`` resolved as written, as :func:`check_destination` does).

    Its name is checked (:func:`check_name`); it may not be a directory; its folder is tried
    as :func:`check_destination` tries one (created if missing, writable, ``need_bytes``
    free) unless ``try_folder`` is false. Anything else is a :class:`GovsimError` at
    ``where`` in one sentence.
    """
    given = check_name(path, where)
    target = Path(os.path.abspath(given))
    if os.path.isdir(target):
        raise GovsimError(f"{shown(str(given))} is a directory: name the file to write", where)
    try:
        st = os.lstat(target)
    except OSError:  # nothing there yet (or nothing the system lets us see: tried below)
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        # an atomic write renames over the path: never over a device (/dev/null), a pipe or a
        # link, which it would replace with a plain file
        kind = ("a link" if stat.S_ISLNK(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a pipe" if stat.S_ISFIFO(st.st_mode) else "not a regular file")
        raise GovsimError(f"{shown(str(given))} is {kind}, not a file govsim may replace: "
                          "name a plain file", where)
    if try_folder:
        check_destination(target.parent, where, need_bytes)
    return target


def save_file(path: object, write: Writer, where: str, need_bytes: int = 0) -> Path:
    """Check ``path`` (:func:`check_file`), then write it with ``write(fh)`` as
    :func:`write_files` writes: atomically, and if the disk fails, saved in a temporary
    directory instead and said so in a :class:`GovsimError` at ``where`` (a folder made for
    the file is removed again). Returns the absolute path written."""
    target = check_file(path, where, try_folder=False)
    with destination(target.parent, where, need_bytes):
        write_files(target.parent, [(target.name, write)], where)
    return target


def check_destination(directory: str | os.PathLike[str], where: str,
                      need_bytes: int = 0) -> Path:
    """Make sure result files can be written into ``directory`` before any work is done.

    Its name is checked (:func:`check_name`); the directory is created if it is missing; a
    file is created in it and removed again; and at least ``need_bytes`` (a rough estimate of
    what will be written) must be free. Anything else is a :class:`GovsimError` at ``where``
    in one sentence (a directory this call created is removed again).
    """
    return _try_destination(directory, where, need_bytes)[0]


@contextmanager
def destination(directory: str | os.PathLike[str], where: str,
                need_bytes: int = 0) -> Iterator[Path]:
    """:func:`check_destination` for a block of work that fills ``directory``: if the block
    raises (a failed run, Ctrl-C), the directories the check made are removed again where
    they are still empty, so nothing is left behind but what was written."""
    given, created = _try_destination(directory, where, need_bytes)
    try:
        yield given
    except BaseException:
        _remove(created)
        raise


def _try_destination(directory: str | os.PathLike[str], where: str,
                     need_bytes: int) -> tuple[Path, list[Path]]:
    """:func:`check_destination`, and the directories it made, outermost first."""
    given = check_name(directory, where, kind="directory")
    path = Path(os.path.abspath(given))  # so that ``..`` and links do not confuse the clean-up
    created: list[Path] = []
    try:
        if path.exists() and not path.is_dir():
            raise GovsimError(f"{shown(str(given))} exists and is not a directory", where)
        for level in reversed([p for p in (path, *path.parents) if not p.exists()]):
            level.mkdir()  # one level at a time, remembering what this call made
            created.append(level)
        fd, probe = tempfile.mkstemp(prefix=".govsim-probe.", dir=path)
        os.close(fd)
        os.unlink(probe)
        free = shutil.disk_usage(path).free
    except OSError as exc:
        _remove(created)
        raise GovsimError(f"cannot write into {shown(str(given))} ({exc.strerror or exc})",
                          where) from None
    if need_bytes > free:
        _remove(created)
        raise GovsimError(f"{shown(str(given))} has {_mib(free)} free and the results need "
                          f"about {_mib(need_bytes)}; free some space or choose another "
                          "directory", where)
    return given, created


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
            saved = _save_elsewhere(files)
            if len(files) == 1:
                where_now = (f"it was written to {os.path.join(saved, name)} instead" if saved
                             else "it could not be saved elsewhere either")
                raise GovsimError(f"writing {shown(str(directory / name))} failed ({reason});"
                                  f" {where_now}", where) from None
            complete = ", ".join(done) if done else "none"
            where_now = (f"all of them were written to {saved} instead" if saved else
                         "they could not be saved elsewhere either")
            raise GovsimError(f"writing {name} into {shown(str(directory))} failed "
                              f"({reason}); complete there: {complete}; {where_now}",
                              where) from None
        done.append(name)


def _save_elsewhere(files: Sequence[tuple[str, Writer]]) -> str | None:
    try:
        fallback = Path(tempfile.mkdtemp(prefix="govsim-results-"))
    except OSError:
        return None
    try:
        for name, write in files:
            atomic_write(fallback / name, write)
    except OSError:
        shutil.rmtree(fallback, ignore_errors=True)  # an incomplete copy helps nobody
        return None
    return str(fallback)

"""One writer per results directory: an advisory lock that names its holder.

Layer: experiment. A sweep holds an exclusive ``flock`` on ``DIR/.lock`` while it writes, and
the file says who holds it (process, host, start time). The operating system releases the lock
when its process ends, however it ends, so a lock left by a killed sweep is taken over by the
next one without any guessing about staleness; on release the file is emptied (a finished
directory holds an empty ``.lock``). Where ``fcntl`` does not exist, no lock is taken.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from govsim.errors import GovsimError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK", "locked"]

LOCK = ".lock"


@contextmanager
def locked(root: Path, where: str = "out") -> Iterator[None]:
    """Hold the lock of directory ``root`` (created if need be) for the ``with`` block, or raise
    :class:`GovsimError` at ``where`` naming the process that holds it."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise GovsimError(f"cannot create {str(root)!r} ({exc.strerror})", where) from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                raise GovsimError(f"{str(root)!r} is being written by another sweep ({holder}); "
                                  "wait for it to finish or stop it first", where) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                  "since": time.strftime("%Y-%m-%dT%H:%M:%S")}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing releases the flock


def _holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        return f"process {data['pid']} on {data['host']}, since {data['since']}"
    except (ValueError, KeyError, OSError):
        return "a process that has not said who it is yet"

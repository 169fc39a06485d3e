"""Input files read without surprises: checked for kind and size before a byte is read.

Layer: (all) -- a shared utility like :mod:`govsim.errors` and :mod:`govsim.atomic`. Every file
govsim reads on a user's behalf (a scenario, an experiment, a targets file, a request log) comes
through :func:`check_input_file` or :func:`read_input_bytes`: a directory, a device
(``/dev/zero``), a pipe or a socket, a missing file, a name the system cannot look up and a file
larger than the reader's limit are each a :class:`~govsim.errors.GovsimError` at the reader's key
path in one sentence, never a traceback or an unbounded read. :func:`read_toml` adds the TOML
checks every TOML reader shares: UTF-8, a nesting scan that refuses anything deeper than
:data:`MAX_DEPTH` before the (recursive) parser sees it, and a parse error in one sentence.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsim.errors import GovsimError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["MAX_DEPTH", "MAX_TOML_BYTES", "check_input_file", "read_input_bytes", "read_toml",
           "data_depth", "bracket_depth"]

#: how deeply tables and arrays may nest (the shipped scenarios need 5); deeper input is refused
#: before any recursive step reads it
MAX_DEPTH = 32

#: the largest TOML file govsim reads (the largest shipped scenario is about 30 KiB)
MAX_TOML_BYTES = 16 * 2**20


def _size(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB" if n >= 2**20 else f"{n:,} bytes"


def check_input_file(path: object, what: str, where: str, max_bytes: int) -> Path:
    """The path of a regular, readable file of at most ``max_bytes``, or a
    :class:`GovsimError` at ``where`` saying what ``path`` is instead (``what`` names the kind of
    file in the sentence: ``"scenario file"``)."""
    if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):
        raise GovsimError(f"must be the path of a {what}, got {type(path).__name__} {path!r}",
                          where)
    if not os.fspath(path):
        raise GovsimError(f"the {what}'s path is empty", where)
    p = Path(path)
    shown = repr(str(p))
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise GovsimError(f"{what} {shown} does not exist", where) from None
    except NotADirectoryError:
        raise GovsimError(f"{what} {shown} does not exist (a part of its path is a file)",
                          where) from None
    except (OSError, ValueError) as exc:  # too long a name, no permission, a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise GovsimError(f"cannot read {what} {shown} ({reason})", where) from None
    if stat.S_ISDIR(st.st_mode):
        raise GovsimError(f"{what} path {shown} is a directory", where)
    if not stat.S_ISREG(st.st_mode):
        kind = ("a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a pipe" if stat.S_ISFIFO(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise GovsimError(f"{what} {shown} is {kind}, not a regular file", where)
    if st.st_size > max_bytes:
        raise GovsimError(f"{what} {shown} is {_size(st.st_size)}; govsim reads at most "
                          f"{_size(max_bytes)} from a {what}", where)
    if not os.access(p, os.R_OK):
        raise GovsimError(f"cannot read {what} {shown} (permission denied)", where)
    return p


def read_input_bytes(path: object, what: str, where: str,
                     max_bytes: int = MAX_TOML_BYTES) -> bytes:
    """The bytes of a file checked by :func:`check_input_file` (a file that grows past
    ``max_bytes`` while it is read, or a file whose size the system does not know, is still
    read no further than that)."""
    p = check_input_file(path, what, where, max_bytes)
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise GovsimError(f"cannot read {what} {str(p)!r} ({exc.strerror or exc})",
                          where) from None
    if len(data) > max_bytes:
        raise GovsimError(f"{what} {str(p)!r} is larger than {_size(max_bytes)}, the most "
                          f"govsim reads from a {what}", where)
    return data


def read_toml(path: str | os.PathLike[str] | Traversable, what: str, where: str,
              max_bytes: int = MAX_TOML_BYTES) -> dict[str, Any]:
    """A TOML file as a table: checked (:func:`read_input_bytes`), UTF-8, nested at most
    :data:`MAX_DEPTH` deep, valid TOML -- or a :class:`GovsimError` at ``where``. A shipped
    file (an ``importlib.resources`` traversable) is read as it is."""
    if isinstance(path, str | os.PathLike) or not hasattr(path, "read_bytes"):
        raw = read_input_bytes(path, what, where, max_bytes)
        name = Path(path).name if isinstance(path, str | os.PathLike) else str(path)
    else:
        raw, name = path.read_bytes(), path.name
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GovsimError(f"{name} is not valid TOML (not UTF-8 text: {exc.reason} at byte "
                          f"{exc.start})", where) from None
    if bracket_depth(text) > MAX_DEPTH:
        raise GovsimError(f"{name} nests arrays or inline tables more than {MAX_DEPTH} deep",
                          where)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GovsimError(f"{name} is not valid TOML ({exc})", where) from None
    except RecursionError:  # a nesting the scan above did not see
        raise GovsimError(f"{name} nests too deeply to be read", where) from None
    if data_depth(data) > MAX_DEPTH:  # dotted keys nest without brackets
        raise GovsimError(f"{name}: tables and arrays nest more than {MAX_DEPTH} deep", where)
    return data


def data_depth(data: Any) -> int:
    """How deeply mappings and lists nest in ``data`` (without recursion; counting stops a
    level past :data:`MAX_DEPTH`)."""
    worst, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children = list(node.values())
        elif isinstance(node, list | tuple):
            children = list(node)
        else:
            continue
        worst = max(worst, depth)
        if depth <= MAX_DEPTH:  # deeper is refused anyway: stop looking
            stack.extend((child, depth + 1) for child in children)
    return worst


def bracket_depth(text: str) -> int:
    """How deeply ``[`` and ``{`` nest in TOML text, outside strings and comments (a scan, so
    the parser, which recurses on them, is never asked to read something too deep)."""
    depth = worst = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            i = _string_end(text, i)
        else:
            if c in "[{":
                depth += 1
                worst = max(worst, depth)
            elif c in "]}":
                depth = max(0, depth - 1)
            i += 1
    return worst


def _string_end(text: str, i: int) -> int:
    """The position after the TOML string that starts at ``i`` (its end of line if unclosed)."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        j = i + 3
        while True:
            k = text.find(quote * 3, j)
            if k < 0:
                return len(text)
            if quote == '"' and _escaped(text, k):
                j = k + 1
                continue
            k += 3
            while k < len(text) and text[k] == quote:  # up to two quotes may end the content
                k += 1
            return k
    j = i + 1
    while j < len(text) and text[j] not in (quote, "\n"):
        j += 2 if quote == '"' and text[j] == "\\" else 1
    return j + 1


def _escaped(text: str, k: int) -> bool:
    """Whether the character at ``k`` follows an odd number of backslashes."""
    n = 0
    while k - n - 1 >= 0 and text[k - n - 1] == "\\":
        n += 1
    return n % 2 == 1

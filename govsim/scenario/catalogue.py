"""The scenarios shipped with govsim, found by name wherever govsim is installed.

Layer: scenario. The repository's ``scenarios/*.toml`` are the package data of
``govsim.shipped``: ``pyproject.toml`` maps that package onto the ``scenarios/`` directory, so a
wheel carries them (as ``govsim/shipped/*.toml``) and an editable install reads them where
they are (``scenarios/__init__.py`` is there for that: setuptools' editable finder imports only
a regular package from a mapped directory). Both are found with :mod:`importlib.resources`,
never through the working directory.

:func:`is_scenario_name` says whether an argument is written as a name (no path separator, no
``.toml`` suffix); :func:`~govsim.scenario.parse.load_scenario` then looks it up here when no
such file exists, so every command and ``govsim.load_scenario``/``run``/``compare`` take
``"district"`` as well as ``"scenarios/district.toml"``. :func:`copy_shipped` writes an
editable copy beside the user's own work.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from govsim.atomic import atomic_write, check_destination, check_name
from govsim.errors import GovsimError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["PACKAGE", "is_file", "is_dir", "is_scenario_name", "shipped_by_name", "shipped_names", "shipped_scenarios",
           "shipped_file", "copy_shipped"]

#: the package whose data files are the shipped scenarios
PACKAGE = "govsim.shipped"
SUFFIX = ".toml"


def _folder() -> Traversable:
    from importlib.resources import files  # loaded when a scenario is looked up by name

    try:
        return files(PACKAGE)
    except ModuleNotFoundError:  # an editable install made before the scenarios were shipped
        raise GovsimError(f"this installation of govsim has no shipped scenarios ({PACKAGE} is "
                          "missing): install govsim again (in a checkout: pip install -e .)"
                          ) from None


def is_scenario_name(arg: object) -> TypeGuard[str]:
    """Whether ``arg`` is written as a shipped scenario's name rather than a file's path: a
    non-empty string with no path separator and no ``.toml`` suffix (a :class:`~pathlib.Path`
    is always a path)."""
    if not isinstance(arg, str) or not arg:
        return False
    separators = {"/", os.sep, os.altsep} - {None}
    return not any(sep in arg for sep in separators) and not arg.lower().endswith(SUFFIX)


def shipped_by_name(arg: object, where: str = "scenario") -> Traversable | None:
    """The shipped file ``arg`` names, when it is written as a name (:func:`is_scenario_name`)
    and no file of that name exists; ``None`` when ``arg`` is to be read as a path. A name
    that is not shipped is a :class:`GovsimError` at ``where`` listing the shipped names."""
    if not is_scenario_name(arg) or is_file(Path(arg)):  # an existing file comes first
        return None
    if arg in shipped_names():
        return _folder().joinpath(arg + SUFFIX)
    if is_dir(Path(arg)):
        what = f"{arg!r} is a directory, not a scenario file, and no shipped scenario has that name"
    else:
        what = f"there is no scenario file {arg!r} and no shipped scenario of that name"
    if is_file(Path(arg + SUFFIX)):
        what += f" (the file {arg + SUFFIX!r} exists: give its suffix)"
    raise _unknown(arg, what, where)


def shipped_names() -> tuple[str, ...]:
    """The shipped scenarios' names (their files' stems), sorted."""
    return tuple(sorted(f.name[: -len(SUFFIX)] for f in _folder().iterdir()
                        if f.name.endswith(SUFFIX) and f.is_file()))


def shipped_scenarios() -> dict[str, str]:
    """Each shipped scenario's name → its ``description`` (read from the file, not validated)."""
    out = {}
    for name in shipped_names():
        data = tomllib.loads(_folder().joinpath(name + SUFFIX).read_text(encoding="utf-8"))
        description = data.get("description", "")
        out[name] = " ".join(description.split()) if isinstance(description, str) else ""
    return out


def shipped_file(name: object, where: str = "name") -> Traversable:
    """The file of shipped scenario ``name``, or a :class:`GovsimError` at ``where`` that lists
    the shipped names."""
    if isinstance(name, str) and name in shipped_names():
        return _folder().joinpath(name + SUFFIX)
    raise _unknown(name, f"no shipped scenario is named {name!r}", where)


def _unknown(name: object, what: str, where: str) -> GovsimError:
    """``what`` (the name is not shipped), a guess at what was meant, and the shipped names."""
    import difflib

    names = shipped_names()
    close = difflib.get_close_matches(name, names, n=1) if isinstance(name, str) else []
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    listing = ", ".join(names) if names else "none: the installation has lost them"
    return GovsimError(f"{what}{guess}; the shipped scenarios are {listing} (`govsim "
                       "scenarios` lists them)", where)


def copy_shipped(name: object, directory: str | os.PathLike[str]) -> Path:
    """Write shipped scenario ``name`` into ``directory`` (created if missing) as
    ``NAME.toml``, byte for byte and atomically, and return its path. An existing file is
    never overwritten: that is a :class:`GovsimError` at ``directory``; an unknown name one at
    ``name``."""
    data = shipped_file(name, "name").read_bytes()
    # names the system can hold, the folder's and the file's (with its temporary name)
    target = check_name(check_name(directory, "directory", kind="directory")
                        / f"{name}{SUFFIX}", "directory")
    if os.path.lexists(target):  # a dangling link too
        raise GovsimError(f"{str(target)!r} already exists and is not overwritten: move it away "
                          "or choose another directory", "directory")
    folder = check_destination(directory, "directory", len(data))
    try:
        atomic_write(Path(folder) / target.name, lambda fh: fh.write(data))
    except OSError as exc:
        raise GovsimError(f"writing {str(target)!r} failed ({exc.strerror or exc})",
                          "directory") from None
    return target


def is_file(p: Path) -> bool:
    """``p.is_file()``, false for a name the system cannot even look up (too long, ...)."""
    try:
        return p.is_file()
    except OSError:
        return False


def is_dir(p: Path) -> bool:
    """``p.is_dir()``, false for a name the system cannot even look up."""
    try:
        return p.is_dir()
    except OSError:
        return False

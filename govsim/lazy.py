"""Names a package offers but loads only when first asked for.

Layer: shared utilities. :func:`lazy` returns a package's ``__getattr__`` and ``__dir__`` for a
table of ``name -> module`` (the module that defines it): the module is imported the first time
the name is read, and the name is then kept in the package, so a package can list what it
offers without paying for imports (matplotlib, scipy, pyabc) nobody asked for. A name that is a
module of the package is imported when read (``govsim.scenario.edit`` after ``import govsim``),
as it would be had the package imported it itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy", "submodule"]


def submodule(package: str, name: str) -> Any:
    """``package.name`` when it is a module (a moved one's old name too: see
    :mod:`govsim.moved`), imported now; otherwise the ``AttributeError`` of a missing name."""
    if not name.startswith("__"):
        try:
            found = importlib.util.find_spec(f"{package}.{name}") is not None
        except (ImportError, ValueError):
            found = False
        if found:
            return importlib.import_module(f"{package}.{name}")
    raise AttributeError(f"module {package!r} has no attribute {name!r}")


def lazy(package: str, where: Mapping[str, str]
         ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, loading each name of ``where`` from its
    module when first read."""

    def __getattr__(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            setattr(sys.modules[package], name, value)
            return value
        return submodule(package, name)

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__

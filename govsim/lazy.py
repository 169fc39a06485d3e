"""Names a package offers but loads only when first asked for.

Layer: shared utilities. :func:`lazy` returns a package's ``__getattr__`` and ``__dir__`` for a
table of ``name -> module`` (the module that defines it): the module is imported the first time
the name is read, and the name is then kept in the package, so a package can list what it
offers without paying for imports (matplotlib, scipy, pyabc) nobody asked for.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy"]


def lazy(package: str, where: Mapping[str, str]
         ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, loading each name of ``where`` from its
    module when first read."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__

"""govsim's version: one place, read by the package, its results files and ``pyproject.toml``.

Layer: (all) -- like :mod:`govsim.errors`, importable from any layer.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"

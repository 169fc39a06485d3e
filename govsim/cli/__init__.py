"""The ``govsim`` command line: :func:`main` (in :mod:`govsim.cli.command`), and one module per
command (``validate``, ``run`` and ``compare``, ``journey``, ``sweep``, ``decompose``,
``calibrate``, ``scenarios``, ``report``, ``robustness``) with the flags they share in
:mod:`govsim.cli.flags`.

Layer: interfaces.
"""

from __future__ import annotations

from govsim.cli.command import main
from govsim.moved import renamed

__all__ = ["main"]

__getattr__ = renamed(__name__)  # the constants that moved with their commands, for one release

"""The ``govsim`` command line: :func:`main` (in :mod:`govsim.cli.main`), and one module per
command (``validate``, ``run`` and ``compare``, ``journey``, ``sweep``, ``decompose``,
``calibrate``, ``scenarios``, ``report``, ``robustness``) with the flags they share in
:mod:`govsim.cli.flags`.

Layer: interfaces.
"""

from __future__ import annotations

from govsim.cli.main import main

__all__ = ["main"]

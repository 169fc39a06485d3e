"""The ``govsim`` command line: :func:`main`, the parser in :mod:`govsim.cli.command`, and one
module per command (``validate``, ``run`` and ``compare``, ``journey``, ``sweep``,
``decompose``, ``calibrate``, ``scenarios``, ``report``, ``robustness``, ``classroom``) with
the flags they
share in :mod:`govsim.cli.flags`.

Layer: interfaces.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from govsim.errors import GovsimError
from govsim.moved import renamed

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govsim`` console script; returns the exit status.

    The commands are imported here, so that what fails while they load -- a rule plug-in
    that cannot be loaded -- is one sentence and exit status 2 like any other error."""
    try:
        from govsim.cli.command import main as command
    except GovsimError as exc:
        where = f"{exc.path}: " if exc.path else ""
        print(f"govsim: error: {where}{exc.message}", file=sys.stderr)
        return 2
    return command(argv)


__getattr__ = renamed(__name__)  # the constants that moved with their commands, for one release

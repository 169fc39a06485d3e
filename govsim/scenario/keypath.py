"""Key paths into a scenario's plain data: ``world.units.street_office.staff``,
``regimes.fragmented.channels[2].unit``.

Layer: scenario. :func:`segments` splits a path into its keys and list indices, the one parser
behind :mod:`govsim.scenario.edit` (values read and set by path) and
:mod:`govsim.scenario.assumptions` (the ``[assumptions]`` table's paths).
"""

from __future__ import annotations

import re

__all__ = ["segments"]

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def segments(path: str) -> list[str | int] | None:
    """``a.b[2].c`` → ``["a", "b", 2, "c"]`` (``*`` is a key like any other); ``None`` when
    ``path`` is not a key path: a key follows a dot or starts the path, an index follows a key
    or an index directly."""
    parts: list[str | int] = []
    pos = 0
    for m in _SEGMENT.finditer(path):
        sep = path[pos:m.start()]
        is_index = m.group(2) is not None
        ok = (sep == "" and (bool(parts) if is_index else not parts)) or (
            sep == "." and bool(parts) and not is_index)
        if not ok:
            return None
        parts.append(m.group(1) if not is_index else int(m.group(2)))
        pos = m.end()
    return parts if parts and pos == len(path) else None

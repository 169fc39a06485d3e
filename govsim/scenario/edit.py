"""Editing a scenario by key path: read a value, set values, get a new validated scenario.

Layer: scenario (no SimPy here). A *key path* names one value of a scenario the way its TOML
file is written: ``regimes.consolidated.accuracy``, ``world.units.street_office.staff``,
``regimes.fragmented.channels[2].weight`` or, by an item's name,
``regimes.fragmented.channels.mayor's hotline.weight``. :func:`with_values` sets values by path
and validates the result as a new scenario; :func:`with_overrides` is the common case of the
horizon. Sweeps (:mod:`govsim.experiment.design`) vary scenarios through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from govsim.errors import GovsimError
from govsim.scenario.keypath import segments
from govsim.scenario.parse import Scenario, parse_scenario

__all__ = ["scenario_data", "check_path", "get_path", "set_path", "with_values", "with_overrides", "plain"]

_NOT_A_PATH = "is not a key path (use dots between keys and [i] for list items)"


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain, mutable Python data (dicts and lists), as key paths see it."""
    return _thaw(scenario.model_dump())


def _thaw(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _thaw(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_thaw(v) for v in node]
    return node


def plain(value: Any) -> Any:
    """numpy scalars → Python scalars (the scenario's strict types want ``int``/``float``)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _segments(path: str, where: str) -> list[str | int]:
    """``a.b[2].c`` → ``["a", "b", 2, "c"]`` (:func:`govsim.scenario.keypath.segments`);
    anything else is refused at ``where``."""
    parts = segments(path)
    if parts is None:
        raise GovsimError(_NOT_A_PATH, where)
    return parts


def _step(node: Any, seg: str | int, done: str, where: str) -> tuple[Any, str | int]:
    """The child of ``node`` named ``seg`` and the key to set it by."""
    if isinstance(node, dict):
        if seg not in node:
            keys = ", ".join(map(str, node)) or "none"
            raise GovsimError(f"the scenario has no key {seg!r} under {done or 'the top level'!r} "
                              f"(keys there: {keys})", where)
        return node[seg], seg
    if isinstance(node, list):
        named = [i for i, item in enumerate(node) if isinstance(item, dict) and item.get("name") == seg]
        if not named and isinstance(seg, str) and seg.isdecimal() and seg.isascii():
            seg = int(seg)  # a plain number is an index unless an item has that name
        if isinstance(seg, int):
            if seg >= len(node):
                raise GovsimError(f"{done} has {len(node)} items; index {seg} is out of range", where)
            return node[seg], seg
        if not named:
            names = [item.get("name") for item in node if isinstance(item, dict) and "name" in item]
            hint = f" (names there: {', '.join(map(str, names))})" if names else ""
            raise GovsimError(f"{done} has no item named {seg!r}{hint}", where)
        return node[named[0]], named[0]
    if node is None:
        raise GovsimError(f"{done} is not set in the scenario, so it has no keys to vary", where)
    raise GovsimError(f"{done} is a value, not a table", where)


def _locate(data: Any, path: str, where: str) -> tuple[Any, str | int, str]:
    """The node holding the value ``path`` names, its key there, and the canonical path; a
    :class:`GovsimError` at ``where`` unless ``path`` names one value (not a whole table)."""
    node: Any = data
    parent: Any = None
    key: str | int = ""
    done = ""
    for seg in _segments(path, where):
        parent = node
        node, key = _step(node, seg, done, where)
        done = f"{done}[{key}]" if isinstance(key, int) else (f"{done}.{key}" if done else str(key))
    if isinstance(node, dict | list):
        raise GovsimError(f"names a whole table ({done}); name one value inside it", where)
    return parent, key, done


def check_path(data: Mapping[str, Any], path: str, where: str | None = None) -> str:
    """Raise :class:`GovsimError` (at ``where``, default ``path``) unless ``path`` names one
    value in the scenario mapping ``data`` (as :func:`scenario_data` gives it); return its
    canonical spelling (``[i]`` for list items, so two spellings of one key compare equal)."""
    return _locate(data, path, path if where is None else where)[2]


def get_path(data: Mapping[str, Any], path: str, where: str | None = None) -> Any:
    """The value at ``path`` in the plain scenario data ``data``."""
    parent, key, _ = _locate(data, path, path if where is None else where)
    return parent[key]


def set_path(data: dict[str, Any], path: str, value: Any, where: str | None = None) -> None:
    """Set the value at ``path`` in the plain scenario data ``data`` (in place)."""
    parent, key, _ = _locate(data, path, path if where is None else where)
    parent[key] = plain(value)


def with_values(scenario: Scenario, values: Mapping[str, Any],
                source: str = "<scenario with values set by key path>",
                prefix: str = "") -> Scenario:
    """A copy of ``scenario`` with each ``path -> value`` set, validated again (every problem
    reported with its key path). No values: the scenario itself. A path that names nothing is
    reported at ``prefix + path`` (a sweep says ``factors.``)."""
    if not values:
        return scenario
    data = scenario_data(scenario)
    for path, value in values.items():
        set_path(data, path, value, where=f"{prefix}{path}")
    return parse_scenario(data, source=source)


def with_overrides(scenario: Scenario, *, horizon_days: int | None = None) -> Scenario:
    """A copy of ``scenario`` with selected world settings replaced (validated again)."""
    values = {} if horizon_days is None else {"world.horizon_days": horizon_days}
    return with_values(scenario, values, source="<scenario with overrides>")

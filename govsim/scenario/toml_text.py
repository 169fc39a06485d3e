"""Writing a scenario (or any table of plain values) as TOML text.

Layer: scenario. The standard library reads TOML but does not write it. :func:`to_toml` writes
the plain data a scenario is made of (tables, arrays, strings, numbers, booleans, dates), so a
scenario changed in code -- fitted by a calibration, learnt from a request log -- can be saved
as a file that :func:`govsim.scenario.load_scenario` reads back to the same scenario. ``None``
is left out (TOML has no null; a key left out takes its default, which is what ``None`` means
in a scenario).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["to_toml", "scenario_toml"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    # other control characters (and DEL) are not allowed raw in a TOML string
    out = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in out)
    return f'"{out}"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(float(value))  # a numpy float is a float whose repr is not TOML
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items()
                          if v is not None)
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(v) for v in value if v is not None) + "]"
    if hasattr(value, "item"):  # a numpy scalar
        return _value(value.item())
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table_array(value: Any) -> bool:
    return (isinstance(value, Sequence) and not isinstance(value, str) and len(value) > 0
            and all(isinstance(v, Mapping) for v in value))


def _emit(table: Mapping[str, Any], path: list[str], lines: list[str], header: str | None) -> None:
    scalars = [(k, v) for k, v in table.items()
               if v is not None and not isinstance(v, Mapping) and not _is_table_array(v)]
    tables = [(k, v) for k, v in table.items() if isinstance(v, Mapping)]
    arrays = [(k, v) for k, v in table.items() if _is_table_array(v)]
    if header is not None and (scalars or not (tables or arrays)):
        lines.extend(["", header])
    lines.extend(f"{_key(str(k))} = {_value(v)}" for k, v in scalars)
    for k, v in tables:
        sub = [*path, _key(str(k))]
        _emit(v, sub, lines, f"[{'.'.join(sub)}]")
    for k, items in arrays:
        sub = [*path, _key(str(k))]
        for item in items:
            lines.extend(["", f"[[{'.'.join(sub)}]]"])
            _emit(item, sub, lines, None)


def to_toml(data: Mapping[str, Any]) -> str:
    """TOML text for ``data`` (nested mappings become tables, lists of mappings arrays of
    tables); ``tomllib.loads`` gives ``data`` back, ``None`` values left out."""
    lines: list[str] = []
    _emit(data, [], lines, None)
    return "\n".join(lines).lstrip("\n") + "\n"


def scenario_toml(scenario: Any, header: str = "") -> str:
    """A scenario as the text of a scenario file (``header`` lines become comments first).
    Every key is written, defaults included, so the file does not depend on future defaults."""
    from govsim.scenario.edit import scenario_data

    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comment + ("\n" if comment else "") + to_toml(scenario_data(scenario))

"""Parameters of a study: scenario key paths with bounds, such as a calibration fits and a
robustness study varies.

Layer: experiment. ``PATH=LOW:HIGH`` (or ``{PATH: (LOW, HIGH)}``); a ``*`` segment sets every key
of a table at once (``world.categories.*.trend_per_year``). Each path is checked against the
scenario, and both ends of the box must give a valid scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

from govsim.errors import GovsimError, shown
from govsim.scenario import Scenario, scenario_data, with_values
from govsim.scenario.edit import check_path

__all__ = ["Parameter", "parse_parameters", "MAX_PARAMETERS"]

#: the most parameters one study fits (a Latin hypercube and a simplex in more dimensions
#: than this learn nothing within :data:`MAX_BUDGET` points)
MAX_PARAMETERS = 64

@dataclass(frozen=True)
class Parameter:
    """A parameter to fit: a key path (``*`` segments allowed), its bounds, and the concrete
    paths it sets."""

    path: str
    low: float
    high: float
    paths: tuple[str, ...]

    def values(self, x: float) -> dict[str, float]:
        return {p: float(x) for p in self.paths}


def parse_parameters(specs: Sequence[str] | Mapping[str, tuple[float, float]],
                     scenario: Scenario, where: str = "params", *,
                     regime: str | None = None) -> list[Parameter]:
    """Parameters from ``["PATH=LOW:HIGH", ...]`` or ``{PATH: (LOW, HIGH)}``, each path
    checked against ``scenario`` (a ``*`` segment expands to every key of that table). With
    ``regime``, a key the run of that regime never reads (another regime's, the scenario's name
    or description) is refused: fitting it would change nothing."""
    if isinstance(specs, Mapping):
        items = [(str(k), v) for k, v in specs.items()]
    elif isinstance(specs, str) or not isinstance(specs, Sequence):
        raise GovsimError(f"must be a list of PATH=LOW:HIGH, got {shown(specs)}", where)
    else:
        items = []
        for spec in specs:
            path, sep, bounds = str(spec).partition("=") if isinstance(spec, str) else ("", "", "")
            low, sep2, high = bounds.partition(":")
            try:
                items.append((path.strip(), (float(low), float(high))))
            except ValueError:
                sep = ""
            if not (sep and sep2):
                raise GovsimError(f"must be PATH=LOW:HIGH, got {shown(spec)}", where) from None
    if not items:
        raise GovsimError("name at least one parameter to fit (PATH=LOW:HIGH)", where)
    if len(items) > MAX_PARAMETERS:
        raise GovsimError(f"{len(items):,} parameters are named; a calibration fits at most "
                          f"{MAX_PARAMETERS}", where)
    data = scenario_data(scenario)
    out: list[Parameter] = []
    for path, bounds in items:
        low, high = _bounds(path, bounds, where)
        try:
            paths = tuple(check_path(data, p) for p in _expand(data, path, where))
            par = Parameter(path, low, high, paths)
            if regime is not None:
                _check_read(par, regime)
            for bound in (low, high):  # both ends of the box must make a valid scenario
                with_values(scenario, par.values(bound))
        except GovsimError as exc:
            raise GovsimError(f"{path}={low:g}:{high:g}: {exc.message}", where) from None
        out.append(par)
    claimed = [p for par in out for p in par.paths]
    if len(set(claimed)) != len(claimed):
        raise GovsimError("two parameters set the same key", where)
    return out


def _bounds(path: str, bounds: Any, where: str) -> tuple[float, float]:
    """``(low, high)``: two finite numbers with low < high, or a :class:`GovsimError`."""
    if isinstance(bounds, str | bytes) or not (isinstance(bounds, Sequence) and len(bounds) == 2):
        raise GovsimError(f"{path}: bounds must be (low, high), got {shown(bounds)}", where)
    if not all(isinstance(b, Real) and not isinstance(b, bool) for b in bounds):
        raise GovsimError(f"{path}: bounds must be two numbers (low, high), got "
                          f"{shown(tuple(bounds))}", where)
    low, high = (float(b) for b in bounds)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise GovsimError(f"{path}: bounds must be finite with low < high, got "
                          f"{low:g}:{high:g}", where)
    return low, high


def _check_read(par: Parameter, regime: str) -> None:
    """Refuse a parameter with a key outside what a run of ``regime`` reads: the world and that
    regime's rules."""
    for p in par.paths:
        head, _, rest = p.partition(".")
        if head == "world" or (head == "regimes" and rest.split(".")[0] == regime):
            continue
        other = rest.split(".")[0] if head == "regimes" else ""
        why = (f"it belongs to regime {other!r}" if other else
               "only the world and the regime's rules are simulated")
        raise GovsimError(f"a run of regime {regime!r} never reads {p} ({why}): fit a key of "
                          f"the world or of regimes.{regime}")


def _expand(data: Mapping[str, Any], path: str, where: str) -> list[str]:
    """``a.*.b`` → ``a.x.b``, ``a.y.b`` for every key ``x``, ``y`` of table ``a``."""
    head, star, tail = path.partition("*")
    if not star:
        return [path]
    if not head.endswith(".") or (tail and not tail.startswith(".")):
        raise GovsimError(f"{path}: '*' stands for a whole key between dots", where)
    table = data
    for seg in head[:-1].split("."):
        if not isinstance(table, Mapping) or seg not in table:
            raise GovsimError(f"{path}: the scenario has no table {head[:-1]!r}", where)
        table = table[seg]
    if not isinstance(table, Mapping) or not table:
        raise GovsimError(f"{path}: {head[:-1]!r} is not a table of keys", where)
    return [p for key in table for p in _expand(data, f"{head}{key}{tail}", where)]

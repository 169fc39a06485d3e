"""Argument checks shared by every study: scenarios given three ways, counts, seeds, warm-up.

Layer: experiment. Errors are :class:`~govsim.errors.GovsimError` at the parameter's own name
(``replications``, ``warmup_days``, ...); the command line maps those names to its flags.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from govsim.errors import GovsimError
from govsim.scenario import Scenario, load_scenario, parse_scenario, with_overrides

__all__ = ["whole", "check_warmup", "resolve_scenario"]


def whole(value: Any, minimum: int, where: str) -> int:
    """``value`` if it is a whole number >= ``minimum`` (``bool`` is not one), else a
    :class:`GovsimError` at ``where``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GovsimError(f"must be a whole number >= {minimum}, got {value!r}", where)
    return value


def check_warmup(warmup_days: Any, scenario: Scenario, where: str = "warmup_days") -> float:
    """``warmup_days`` as a float, or a :class:`GovsimError` unless 0 <= it < the horizon."""
    if isinstance(warmup_days, bool) or not isinstance(warmup_days, int | float) or not (
            0.0 <= warmup_days < scenario.world.horizon_days):
        raise GovsimError(f"must be a number of days from 0 to below the horizon "
                          f"({scenario.world.horizon_days}), got {warmup_days!r}", where)
    return float(warmup_days)


def resolve_scenario(scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
                     horizon_days: int | None = None, where: str = "scenario") -> Scenario:
    """A :class:`Scenario` from a scenario, a plain mapping (validated like a file) or the
    path of a TOML file, with the horizon replaced when ``horizon_days`` is given."""
    if isinstance(scenario, Scenario):
        s = scenario
    elif isinstance(scenario, Mapping):
        s = parse_scenario(scenario)
    elif isinstance(scenario, str | os.PathLike):
        s = load_scenario(scenario)
    else:
        raise GovsimError("must be a Scenario, a mapping or the path of a scenario file, got "
                          f"{type(scenario).__name__}", where)
    if horizon_days is not None:
        whole(horizon_days, 1, "horizon_days")
        if horizon_days != s.world.horizon_days:
            s = with_overrides(s, horizon_days=horizon_days)
    return s

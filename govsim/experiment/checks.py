"""Argument checks shared by every study: scenarios given three ways, counts, seeds, warm-up,
metrics, and the memory and time a study may be expected to take.

Layer: experiment. Errors are :class:`~govsim.errors.GovsimError` at the parameter's own name
(``replications``, ``warmup_days``, ...); the command line maps those names to its flags.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

from govsim.errors import GovsimError, shown
from govsim.measure.metrics import METRICS
from govsim.scenario import Scenario, load_scenario, parse_scenario, with_overrides

__all__ = ["whole", "check_work", "MAX_REPLICATIONS", "MAX_CORE_HOURS", "check_warmup",
           "resolve_scenario", "check_memory", "DEFAULT_MEMORY_BUDGET", "output_bytes",
           "metric_names"]

#: the most replications any study runs (more is a typo, not a study)
MAX_REPLICATIONS = 100_000
#: a speed no run beats, in cases a second on one core (the district runs at about a fifth of
#: it: benchmarks/bench_district_year.py), so a work estimate from it is a lower bound
CASES_PER_SECOND = 100_000
#: the most work a study may be expected to take, in core-hours (a week of one core); a larger
#: request is refused before anything runs (:func:`check_work`)
MAX_CORE_HOURS = 168

#: the memory one process may be expected to use, in GiB, unless ``memory_budget`` says more
DEFAULT_MEMORY_BUDGET = 8.0
# Rough memory per case, measured on the district scenario (benchmarks/bench_district_year.py):
# about 1.0-1.4 KiB while one regime runs (kept at 4 KiB: scenarios with more cases in flight
# hold more), about 0.4 KiB of tables per regime kept (0.2 without events).
_RUN_BYTES_PER_CASE = 4 * 1024
_TABLE_BYTES_PER_CASE = {True: 512, False: 256}


def whole(value: Any, minimum: int, where: str, maximum: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number (a numpy integer too; ``bool`` is not
    one) >= ``minimum`` and <= ``maximum`` when given, else a :class:`GovsimError` at
    ``where``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise GovsimError(f"must be a whole number >= {minimum}, got {shown(value)}", where)
    value = int(value)  # a numpy integer too
    if maximum is not None and value > maximum:
        raise GovsimError(f"must be a whole number from {minimum} to {maximum:,}, got "
                          f"{value:,}", where)
    return value


def check_work(scenario: Scenario, runs: int, where: str, what: str = "") -> float:
    """Refuse a study of ``runs`` simulation runs (a regime or variant over one replication
    each) expected to take more than :data:`MAX_CORE_HOURS` of one core even at
    :data:`CASES_PER_SECOND`, an optimistic speed; returns that estimate in core-hours.
    ``what`` says what the runs are, for the sentence (``"10 replications x 2 regimes"``)."""
    cases = scenario.expected_cases() * runs
    hours = cases / CASES_PER_SECOND / 3600
    if hours > MAX_CORE_HOURS:
        raise GovsimError(
            f"{what or f'{runs:,} runs'} of scenario {scenario.name!r} would simulate about "
            f"{cases:,.0f} cases, at least {hours:,.0f} core-hours (at {CASES_PER_SECOND:,} "
            f"cases a second), over the {MAX_CORE_HOURS:,} govsim starts at once: ask for "
            "fewer, or split the study into several runs", where)
    return hours


def check_warmup(warmup_days: Any, scenario: Scenario, where: str = "warmup_days") -> float:
    """``warmup_days`` as a float, or a :class:`GovsimError` unless 0 <= it < the horizon."""
    if isinstance(warmup_days, bool) or not isinstance(warmup_days, int | float) or not (
            0.0 <= warmup_days < scenario.world.horizon_days):
        raise GovsimError(f"must be a number of days from 0 to below the horizon "
                          f"({scenario.world.horizon_days}), got {shown(warmup_days)}", where)
    return float(warmup_days)


def check_memory(scenario: Scenario, regimes: int, replications_held: int, record_events: bool,
                 budget: Any = None, where: str = "memory_budget", *,
                 running: bool = True) -> float:
    """Refuse a run expected to need more than ``budget`` GiB in one process (default
    :data:`DEFAULT_MEMORY_BUDGET`): its expected cases per replication
    (:meth:`~govsim.scenario.Scenario.expected_cases`) times the memory of one regime's run
    (unless ``running`` is false: a process that only collects results) and of the tables of
    ``regimes`` regimes × ``replications_held`` replications held at once. Returns the
    estimate in bytes."""
    if budget is None:
        budget = DEFAULT_MEMORY_BUDGET
    if isinstance(budget, bool) or not isinstance(budget, int | float) \
            or not math.isfinite(budget) or budget <= 0:
        raise GovsimError(f"must be a positive number of GiB, got {shown(budget)}", where)
    cases = scenario.expected_cases()
    need = cases * (_RUN_BYTES_PER_CASE * running
                    + _TABLE_BYTES_PER_CASE[record_events] * regimes * replications_held)
    if need > budget * 2**30:
        raise GovsimError(
            f"scenario {scenario.name!r} is expected to bring about {cases:,.0f} cases per "
            f"replication and to need about {need / 2**30:,.1f} GiB of memory, over the budget "
            f"of {budget:g} GiB: shorten the horizon, lower the rates, keep fewer tables, or "
            "raise the budget", where)
    return need


#: rough bytes on disk per case and regime and replication (measured on the shipped scenarios:
#: about 90 in Parquet and 800 in CSV with the event log), rounded up
_DISK_BYTES_PER_CASE = {("parquet", True): 128, ("parquet", False): 64,
                        ("csv", True): 1024, ("csv", False): 384,
                        # tables as CSV, the event log as XES (about 1.6 KB a case measured)
                        ("xes", True): 2560, ("xes", False): 384}


def output_bytes(scenario: Scenario, regimes: int, replications: int, record_events: bool,
                 fmt: str = "parquet") -> int:
    """A rough estimate of the bytes the tables of a run take on disk."""
    per_case = _DISK_BYTES_PER_CASE[(fmt, record_events)]
    return int(scenario.expected_cases() * regimes * replications * per_case) + 2**16


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


def metric_names(metrics: Sequence[str] | None,
                  default: Sequence[str] | None = None) -> list[str]:
    """The metrics asked for (``None``: ``default``, or all), each checked by name, or a
    :class:`GovsimError` at ``metrics``."""
    if metrics is None:
        return list(METRICS if default is None else default)
    if isinstance(metrics, str) or not isinstance(metrics, Sequence) or not metrics:
        raise GovsimError(f"must be a non-empty list of metric names, got {shown(metrics)}",
                          "metrics")
    for m in metrics:
        if not isinstance(m, str) or m not in METRICS:
            raise GovsimError(f"unknown metric {shown(m)} (the metrics are "
                              f"{', '.join(METRICS)})", "metrics")
    if len(set(metrics)) < len(metrics):
        twice = next(m for m in metrics if list(metrics).count(m) > 1)
        raise GovsimError(f"names {twice!r} twice", "metrics")
    return list(metrics)

"""Calibration: scenario parameters chosen so that a regime reproduces the case study's figures.

Layer: calibration. A calibration holds one scenario and one regime, a list of targets
(:mod:`govsim.measure.targets`) and a few parameters, each a key path with bounds (a ``*``
segment sets every key of a table at once: ``world.categories.*.trend_per_year``). A point is
one value per parameter; it is *evaluated* by running ``replications`` replications of the
regime on the scenario with those values set, under seeds that are the same for every point
(common random numbers: two points differ only by their parameters), and measuring every
target in every replication. Replications run on any executor.

The distance of a point is the sum over the targets that count (emergent and fitted ones) of a
squared standardised miss: ``(mean - value) / tolerance`` for a ``mean`` target, and for a
``rank`` target the distance of the figure's rank among the replications from the middle of
its band, over the band's half-width. A target is met when its miss is at most 1 (the mean
within tolerance; the rank inside the band).

The checks of a calibration's inputs are here too (:func:`check_targets`, :func:`check_work`:
the limits on points, replications, simulations, cases and memory, refused before any work).
The search itself is in :mod:`govsim.calibration.search`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError, shown
from govsim.experiment.checks import (
    CASES_PER_SECOND,
    DEFAULT_MEMORY_BUDGET,
    check_memory,
    whole,
)
from govsim.experiment.executors import Executor, run_all
from govsim.experiment.parameters import Parameter
from govsim.experiment.replication import run_replication
from govsim.measure.targets import Target, check_against, load_targets, observe, rank_of
from govsim.scenario import Scenario, with_values
from govsim.stats.intervals import mean_ci

__all__ = ["check_targets", "check_work", "Evaluator",
           "distance", "target_table", "needs_events", "MAX_BUDGET",
           "MAX_REPLICATIONS_PER_POINT", "MAX_RUNS", "MAX_CASES"]

_EVENT_KINDS = {"contacts_per_day", "contacts_within_years", "years_to_first"}

#: the most points one calibration evaluates (``budget``)
MAX_BUDGET = 10_000
#: the most replications per point
MAX_REPLICATIONS_PER_POINT = 1_000
#: the most simulations one calibration runs: the budget's points and the two checks under fresh
#: seeds (the best point and the scenario as it was, each with twice the replications)
MAX_RUNS = 1_000_000
#: the most cases one calibration simulates in all: at least a day of one core at the speed no
#: run beats (:data:`govsim.experiment.checks.CASES_PER_SECOND`), four at the district's
MAX_CASES = 10**10
#: memory held per simulation until the calibration ends: its targets' values as they come
#: back from the workers (a small array each) and its share of the trace
_HELD_BYTES_PER_RUN = 512


def check_targets(targets: Any, where: str = "targets") -> list[Target]:
    """``targets`` as a list: a targets file read (:func:`~govsim.measure.targets.load_targets`)
    or a list of :class:`~govsim.measure.targets.Target`; anything else is a
    :class:`GovsimError` at ``where``."""
    if isinstance(targets, str | os.PathLike):
        return load_targets(targets)
    if isinstance(targets, str | bytes | Mapping) or not isinstance(targets, Sequence):
        raise GovsimError("must be a targets file or a list of targets (parse_targets), got "
                          f"{type(targets).__name__} {shown(targets)}", where)
    if not targets:
        raise GovsimError("name at least one target", where)
    for i, t in enumerate(targets):
        if not isinstance(t, Target):
            raise GovsimError(f"item {i} is {type(t).__name__} {shown(t)}, not a Target "
                              "(read targets with load_targets or parse_targets)", where)
    return list(targets)


def _count(n: int | float) -> str:
    """A count in words a reader takes in at a glance: 1,234 or 5e+12."""
    if n < 10**9:
        return f"{n:,.0f}"
    return f"{float(n):.3g}" if n < 10**300 else f"about 10^{int(math.log10(n))}"


def check_work(budget: int, replications: int, cases: float, targets: int,
               memory_budget: float | None = None) -> int:
    """Refuse a calibration larger than the limits (:data:`MAX_BUDGET` points,
    :data:`MAX_REPLICATIONS_PER_POINT` replications a point, :data:`MAX_RUNS` simulations,
    :data:`MAX_CASES` cases in all) or than the memory budget, with a sentence saying how large
    it is; ``cases`` is the most cases one run is expected to bring. Returns the simulations."""
    runs = (budget + 4) * replications  # the points, then two checks of 2 x replications
    what = (f"a budget of {_count(budget)} points x {_count(replications)} replications is "
            f"{_count(runs)} runs of about {_count(cases)} cases each")
    if budget > MAX_BUDGET:
        raise GovsimError(f"{what}; a calibration evaluates at most {MAX_BUDGET:,} points",
                          "budget")
    if replications > MAX_REPLICATIONS_PER_POINT:
        raise GovsimError(f"{what}; a calibration runs at most {MAX_REPLICATIONS_PER_POINT:,} "
                          "replications per point", "replications")
    if runs > MAX_RUNS:
        raise GovsimError(f"{what}; a calibration runs at most {MAX_RUNS:,} simulations: lower "
                          "the budget or the replications", "budget")
    total = runs * cases
    if total > MAX_CASES:
        days = total / CASES_PER_SECOND / 86_400
        raise GovsimError(f"{what}, {_count(total)} cases in all (at least {days:,.0f} days of one "
                          f"core); a calibration simulates at most {MAX_CASES:.0e} cases: lower "
                          "the budget, the replications or the horizon", "budget")
    if memory_budget is None:
        memory_budget = DEFAULT_MEMORY_BUDGET
    held = runs * (_HELD_BYTES_PER_RUN + 8 * targets)
    if held > memory_budget * 2**30:
        raise GovsimError(f"{what}, whose results take about {held / 2**30:,.1f} GiB of memory, "
                          f"over the budget of {memory_budget:g} GiB: lower the budget or the "
                          "replications, or raise the memory budget", "memory_budget")
    return runs


def needs_events(targets: Sequence[Target]) -> bool:
    """Whether any target's observation reads the event log."""
    return any(t.observe["kind"] in _EVENT_KINDS for t in targets)


# ------------------------------------------------------------------------------ evaluation
def _observe_task(args: tuple[Scenario, str, int, int, bool, tuple[Target, ...]]) -> np.ndarray:
    """One replication of one point: every target's quantity (run in a worker)."""
    scenario, regime, seed, replication, events, targets = args
    # targets that are all metrics need no table: the run keeps only its metrics
    only_metrics = all(t.observe["kind"] == "metric" for t in targets)
    out = run_replication(scenario, (regime,), seed, replication, record_events=events,
                          recording="metrics" if only_metrics else "tables")
    metrics = pd.DataFrame(out.metrics)
    cases = pd.DataFrame() if only_metrics else out.cases[0]
    ev = pd.DataFrame() if only_metrics else out.events[0]
    return np.array([observe(t, scenario, cases, ev, metrics)[0] for t in targets])


class Evaluator:
    """Evaluates points (arrays of parameter values) on one scenario and regime, every point
    under the same seeds, and keeps every evaluation in ``trace``."""

    def __init__(self, scenario: Scenario, regime: str, targets: Sequence[Target],
                 parameters: Sequence[Parameter], *, replications: int = 5, seed: int = 0,
                 executor: str | Executor | None = None, jobs: int | None = None,
                 scheduler: str | None = None, memory_budget: float | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        scenario.check_regime(regime)
        whole(replications, 1, "replications")
        whole(seed, 0, "seed")
        mine = [t for t in targets if t.scenario == scenario.name and t.regime == regime]
        if not mine:
            raise GovsimError(f"no target is a figure of scenario {scenario.name!r} under "
                              f"regime {regime!r} (targets name the scenario they belong to)",
                              "targets")
        check_against(mine, scenario)
        # the whole box must fit in memory, not only the starting point: every corner is checked
        # (up to 8 parameters; beyond, each parameter's ends with the others as they are)
        corners = _corners(parameters) if len(parameters) <= 8 else [
            p.values(b) for p in parameters for b in (p.low, p.high)]
        #: the most cases one run is expected to bring, over the box's corners
        self.cases = 0.0
        for values in corners or [{}]:
            corner = with_values(scenario, values)
            check_memory(corner, 1, 0, needs_events(mine), memory_budget)
            self.cases = max(self.cases, corner.expected_cases())
        self.scenario, self.regime, self.targets = scenario, regime, tuple(mine)
        self.parameters = list(parameters)
        self.replications, self.seed = replications, seed
        self.executor = executor if executor is not None else (
            "serial" if jobs == 1 else "local")
        self.jobs, self.scheduler, self.progress = jobs, scheduler, progress
        self.events = needs_events(mine)
        self.trace: list[dict[str, Any]] = []
        #: simulations run so far, and how many the caller expects in all (for progress)
        self.runs_done = 0
        self.runs_expected = 0

    def scenario_at(self, x: Sequence[float]) -> Scenario:
        values: dict[str, float] = {}
        for par, v in zip(self.parameters, x, strict=True):
            values.update(par.values(v))
        return with_values(self.scenario, values, source="<calibration point>")

    def evaluate(self, points: np.ndarray, *, seed: int | None = None, stage: str = "search",
                 replications: int | None = None, as_is: bool = False) -> np.ndarray:
        """Observations of ``points`` (k × parameters): an array k × replications × targets.
        Each point's distance and per-target means are added to ``trace``. ``as_is``:
        run the scenario unchanged (``points`` only label the trace)."""
        points = np.atleast_2d(np.asarray(points, dtype=float))
        seed = self.seed if seed is None else seed
        reps = self.replications if replications is None else replications
        scenarios = [self.scenario if as_is else self.scenario_at(x) for x in points]
        tasks = ((k * reps + r, (scenarios[k], self.regime, seed, r, self.events, self.targets))
                 for k in range(len(points)) for r in range(reps))
        n = len(points) * reps
        progress = self.progress
        report = None if progress is None else (
            lambda done, _total: progress(self.runs_done + done,
                                          max(self.runs_expected, self.runs_done + n)))
        flat = run_all(_observe_task, tasks, n, executor=self.executor, jobs=self.jobs,
                       scheduler=self.scheduler, progress=report)
        self.runs_done += n
        obs = np.asarray(flat, dtype=float).reshape(len(points), reps, len(self.targets))
        for x, o in zip(points, obs, strict=True):
            row: dict[str, Any] = {"evaluation": len(self.trace), "stage": stage, "seed": seed}
            row.update({par.path: float(v) for par, v in zip(self.parameters, x, strict=True)})
            row["distance"] = distance(self.targets, o)
            row.update({f"mean:{t.name}": _finite_mean(o[:, j])
                        for j, t in enumerate(self.targets)})
            self.trace.append(row)
        return obs


def _corners(parameters: Sequence[Parameter]) -> list[dict[str, float]]:
    out: list[dict[str, float]] = [{}]
    for p in parameters:
        out = [{**c, **p.values(b)} for c in out for b in (p.low, p.high)]
    return out if parameters else []


def _finite_mean(values: np.ndarray) -> float:
    kept = values[~np.isnan(values)]
    return float(np.mean(kept)) if len(kept) else math.nan


def _miss(target: Target, values: np.ndarray) -> float:
    """The target's standardised miss: |miss| <= 1 means met."""
    if target.statistic == "rank":
        below, at_or_below = rank_of(target.value, values)
        if math.isnan(below):
            return math.inf
        low, high = target.rank_band
        mid, half = (low + high) / 2.0, (high - low) / 2.0
        return (0.5 * (below + at_or_below) - mid) / half
    mean = _finite_mean(values)
    if math.isnan(mean):
        return math.inf
    if target.tolerance == 0.0:
        return 0.0 if mean == target.value else math.inf
    return (mean - target.value) / target.tolerance


def distance(targets: Sequence[Target], obs: np.ndarray) -> float:
    """Sum of squared standardised misses of the targets that count (replications × targets)."""
    return float(sum(_miss(t, obs[:, j]) ** 2 for j, t in enumerate(targets) if t.counts))


def target_table(targets: Sequence[Target], obs: np.ndarray) -> pd.DataFrame:
    """One row per target: the figure, what the simulation gives (mean with its 95% CI, or the
    figure's rank among the replications with the median and 10th/90th percentiles), and
    whether it is met."""
    rows = []
    for j, t in enumerate(targets):
        v = obs[:, j]
        kept = v[~np.isnan(v)]
        finite = kept[np.isfinite(kept)]
        # an infinite value (an event that never happened) has no mean: only ranks then
        mean, lo, hi, n = mean_ci(kept, bounds=t.bounds) if len(kept) and len(finite) == len(
            kept) else (
            math.inf if len(kept) else math.nan, math.nan, math.nan, len(kept))
        below, at_or_below = rank_of(t.value, v)
        p10, p50, p90 = (np.quantile(kept, [0.1, 0.5, 0.9], method="inverted_cdf")
                         if len(kept) else (math.nan,) * 3)
        miss = _miss(t, v)
        rows.append({
            "target": t.name, "role": t.role, "statistic": t.statistic, "value": t.value,
            "simulated_mean": mean,
            "ci_low": lo, "ci_high": hi, "rank_low": below, "rank_high": at_or_below,
            "p10": p10, "median": p50, "p90": p90,
            "tolerance": t.tolerance, "band_low": t.rank_band[0], "band_high": t.rank_band[1],
            "met": bool(abs(miss) <= 1.0), "miss": miss, "counts": t.counts, "n": int(n),
            "source": t.source,
        })
    return pd.DataFrame(rows)

"""Replications and paired regime comparisons with common random numbers.

Layer: experiment. One *task* is one replication: the world is drawn once from the
replication's seed and every requested regime runs on those same draws (common random
numbers by construction: the same citizens, the same problems, the same work content). Tasks
are independent, so they run in any order on any number of processes and the result is the
same, byte for byte, as a serial run.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from govsim.analysis.metrics import HEADLINE, METRICS, replication_metrics
from govsim.analysis.stats import paired_differences, summarise
from govsim.errors import GovsimError
from govsim.model import build_calendar, draw_world, simulate
from govsim.recording import tables
from govsim.scenario import ConsolidatedRegime, Scenario, load_scenario, with_overrides

__all__ = ["Results", "Comparison", "run", "compare", "run_replication"]

Progress = Callable[[int, int], None]


@dataclass
class _RepOutput:
    replication: int
    cases: list[pd.DataFrame]
    events: list[pd.DataFrame]
    units: list[pd.DataFrame]
    ledger: list[pd.DataFrame]
    lights: list[pd.DataFrame]
    metrics: list[dict[str, float]]


def run_replication(scenario: Scenario, regimes: Sequence[str], seed: int, replication: int,
                    record_events: bool = True, warmup_days: float = 0.0) -> _RepOutput:
    """Run every regime in ``regimes`` on one replication's world (common random numbers).

    Cases arriving in the first ``warmup_days`` are left out of the tables and metrics."""
    calendar = build_calendar(scenario)
    draws = draw_world(scenario, seed, replication)
    out = _RepOutput(replication, [], [], [], [], [], [])
    for name in regimes:
        raw = simulate(scenario, name, seed, replication, record_events=record_events,
                       calendar=calendar, draws=draws, warmup_h=warmup_days * 24.0)
        t = tables(raw)
        has_limits = isinstance(scenario.regimes[name], ConsolidatedRegime)
        m = replication_metrics(t.cases, t.units, has_limits)
        m = {"regime": name, "replication": replication, **m}
        out.cases.append(t.cases)
        out.events.append(t.events)
        out.units.append(t.units)
        out.ledger.append(t.ledger)
        out.lights.append(t.lights)
        out.metrics.append(m)
    return out


def _task(args: tuple[Scenario, tuple[str, ...], int, int, bool, float]) -> _RepOutput:
    return run_replication(*args)


@dataclass
class Results:
    """The output of :func:`run` or :func:`compare`.

    Attributes
    ----------
    cases, events, units, ledger, lights:
        Tidy DataFrames over all regimes and replications (columns ``regime`` and
        ``replication`` first); ``lights`` has one row per monitoring light (yellow or red). ``events`` uses process-mining column names; it is empty when
        the run was made with ``record_events=False``.
    metrics:
        One row per regime and replication, one column per metric (see
        :data:`govsim.analysis.metrics.METRICS`).
    """

    scenario: Scenario
    regimes: list[str]
    seed: int
    replications: int
    cases: pd.DataFrame
    events: pd.DataFrame
    units: pd.DataFrame
    ledger: pd.DataFrame
    lights: pd.DataFrame
    metrics: pd.DataFrame
    confidence: float = 0.95
    warmup_days: float = 0.0

    def summary(self, metrics: Sequence[str] | None = None, confidence: float | None = None) -> pd.DataFrame:
        """Mean and confidence interval over replications, per regime and metric.

        Columns: ``regime, metric, mean, ci_low, ci_high, half_width, n`` (``n`` counts the
        replications with a defined value).
        """
        names = list(metrics) if metrics is not None else list(METRICS)
        return summarise(self.metrics, "regime", names, confidence or self.confidence)


@dataclass
class Comparison(Results):
    """A :class:`Results` over two or more regimes, with paired differences to a baseline."""

    baseline: str = ""

    def differences(self, metrics: Sequence[str] | None = None,
                    confidence: float | None = None) -> pd.DataFrame:
        """Paired differences (regime − baseline) per replication, mean and CI.

        Replications are paired because both regimes ran on the same world draws; the interval
        is the Student t interval of the per-replication differences.
        """
        names = list(metrics) if metrics is not None else list(METRICS)
        return paired_differences(self.metrics, "regime", "replication", names, self.baseline,
                                  confidence or self.confidence)

    def table(self, metrics: Sequence[str] | None = None) -> str:
        """A plain-text comparison table: each regime's mean [CI] and the paired difference."""
        from govsim.report import comparison_table

        return comparison_table(self, list(metrics) if metrics is not None else HEADLINE)


def _resolve(scenario: Scenario | str | os.PathLike[str], horizon_days: int | None) -> Scenario:
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if horizon_days is not None:
        s = with_overrides(s, horizon_days=horizon_days)
    return s


def check_warmup(warmup_days: float, scenario: Scenario, where: str = "warmup_days") -> float:
    """``warmup_days`` as a float, or a :class:`GovsimError` unless 0 <= it < the horizon."""
    if isinstance(warmup_days, bool) or not isinstance(warmup_days, int | float) or not (
            0.0 <= warmup_days < scenario.world.horizon_days):
        raise GovsimError(f"must be a number of days from 0 to below the horizon "
                          f"({scenario.world.horizon_days}), got {warmup_days!r}", where)
    return float(warmup_days)


def _execute(scenario: Scenario, regimes: tuple[str, ...], seed: int, replications: int,
             record_events: bool, jobs: int | None, progress: Progress | None,
             executor: Executor | None, warmup_days: float) -> list[_RepOutput]:
    if replications < 1:
        raise GovsimError("must be at least 1", "replications")
    if seed < 0:
        raise GovsimError("must be a non-negative integer", "seed")
    # fail early (in this process) on a bad calendar rather than in every worker
    build_calendar(scenario)
    tasks = [(scenario, regimes, seed, r, record_events, warmup_days) for r in range(replications)]
    done: list[_RepOutput] = []
    if executor is None and (jobs == 1 or replications == 1):
        for k, t in enumerate(tasks):
            done.append(_task(t))
            if progress:
                progress(k + 1, replications)
    else:
        own = executor is None
        if executor is None:
            workers = jobs or min(os.cpu_count() or 1, replications)
            # forkserver: safe with threads and in Jupyter, and leaves global state alone
            executor = ProcessPoolExecutor(max_workers=workers,
                                           mp_context=multiprocessing.get_context("forkserver"))
        try:
            futures = [executor.submit(_task, t) for t in tasks]
            for k, f in enumerate(futures):
                done.append(f.result())
                if progress:
                    progress(k + 1, replications)
        finally:
            if own:
                executor.shutdown()
    done.sort(key=lambda o: o.replication)
    return done


def _assemble(cls: type[Results], scenario: Scenario, regimes: list[str], seed: int,
              replications: int, outs: list[_RepOutput], **extra: object) -> Results:
    def cat(attr: str) -> pd.DataFrame:
        frames = [f for o in outs for f in getattr(o, attr)]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if "regime" in frame:
            frame["regime"] = pd.Categorical(frame["regime"].astype(str), categories=regimes)
        return frame

    metrics = pd.DataFrame([m for o in outs for m in o.metrics])
    metrics["regime"] = pd.Categorical(metrics["regime"], categories=regimes)
    metrics = metrics.sort_values(["regime", "replication"], kind="stable").reset_index(drop=True)
    return cls(scenario=scenario, regimes=regimes, seed=seed, replications=replications,
               cases=cat("cases"), events=cat("events"), units=cat("units"),
               ledger=cat("ledger"), lights=cat("lights"), metrics=metrics, **extra)


def run(scenario: Scenario | str | Path, regime: str | None = None, *, replications: int = 10,
        seed: int = 0, horizon_days: int | None = None, record_events: bool = True,
        jobs: int | None = None, progress: Progress | None = None,
        executor: Executor | None = None, warmup_days: float = 0.0) -> Results:
    """Run one regime of a scenario for several replications.

    Parameters
    ----------
    scenario:
        A :class:`~govsim.scenario.Scenario` or the path of a scenario TOML file.
    regime:
        The regime to run; defaults to the scenario's first regime.
    replications, seed:
        Replication ``r`` draws its world from ``(seed, r)`` only, so results do not depend on
        ``jobs`` or on which other regimes run.
    horizon_days:
        Override the scenario's horizon.
    record_events:
        Keep the per-event log (memory grows with it: about 8 events per case).
    jobs:
        Worker processes (default: one per core, at most one per replication; 1 = in-process).
    progress:
        Called as ``progress(done, total)`` after each replication.
    executor:
        Any :class:`concurrent.futures.Executor` to run replications on instead.
    warmup_days:
        Leave the cases that arrive in the first ``warmup_days`` days (and the work and money
        spent on them) out of every table and metric; salaried capacity is costed from then on.
        :func:`govsim.analysis.warmup.welch` helps choose it.
    """
    s = _resolve(scenario, horizon_days)
    name = regime if regime is not None else s.regime_names[0]
    if name not in s.regimes:
        raise GovsimError(f"unknown regime {name!r}; the scenario has {', '.join(s.regime_names)}", "regime")
    warm = check_warmup(warmup_days, s)
    outs = _execute(s, (name,), seed, replications, record_events, jobs, progress, executor, warm)
    return _assemble(Results, s, [name], seed, replications, outs, warmup_days=warm)


def compare(scenario: Scenario | str | Path, regimes: Sequence[str] | None = None, *,
            baseline: str | None = None, replications: int = 10, seed: int = 0,
            horizon_days: int | None = None, record_events: bool = True, jobs: int | None = None,
            progress: Progress | None = None, executor: Executor | None = None,
            warmup_days: float = 0.0) -> Comparison:
    """Run several regimes on the same world with common random numbers.

    Every replication draws one world and runs each regime on it, so differences between
    regimes are paired. ``baseline`` (default: the first regime) is what
    :meth:`Comparison.differences` subtracts. Other parameters as in :func:`run`.
    """
    s = _resolve(scenario, horizon_days)
    names = list(regimes) if regimes is not None else s.regime_names
    for n in names:
        if n not in s.regimes:
            raise GovsimError(f"unknown regime {n!r}; the scenario has {', '.join(s.regime_names)}", "regimes")
    if len(names) < 2:
        raise GovsimError("a comparison needs at least two regimes", "regimes")
    base = baseline if baseline is not None else names[0]
    if base not in names:
        raise GovsimError(f"baseline {base!r} is not among the compared regimes", "baseline")
    warm = check_warmup(warmup_days, s)
    outs = _execute(s, tuple(names), seed, replications, record_events, jobs, progress, executor, warm)
    return _assemble(Comparison, s, names, seed, replications, outs,  # type: ignore[return-value]
                     baseline=base, warmup_days=warm)

"""Replications and paired regime comparisons with common random numbers.

Layer: experiment. :func:`run` runs one regime, :func:`compare` several on the same worlds; one
task is one replication (:func:`~govsim.experiment.replication.run_replication`: the world drawn
once, every regime run on it), so the result is the same, byte for byte, whatever the executor
(:mod:`govsim.experiment.executors`) and however many processes run it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from govsim.errors import GovsimError, shown
from govsim.experiment.checks import (
    MAX_REPLICATIONS,
    check_memory,
    check_warmup,
    check_work,
    metric_names,
    resolve_scenario,
    whole,
)
from govsim.experiment.executors import run_all
from govsim.experiment.replication import TABLES, ReplicationOutput, run_replication
from govsim.experiment.result_figures import ResultFigures
from govsim.experiment.result_views import ResultViews
from govsim.lang import check_lang
from govsim.measure import over_time as ot
from govsim.measure.metrics import FEASIBLE, HEADLINE
from govsim.model.engine import RECORDINGS
from govsim.progress import Progress
from govsim.scenario import Names, Scenario, check_baseline, display_names
from govsim.stats.summary import paired_differences, summarise

__all__ = ["Results", "Comparison", "run", "compare"]

ScenarioLike = Scenario | Mapping[str, Any] | str | os.PathLike[str]


@dataclass(repr=False)
class Results(ResultViews, ResultFigures):
    """The output of :func:`run` or :func:`compare`.

    Attributes
    ----------
    cases, events, units, ledger, lights:
        Tidy DataFrames over all regimes and replications (columns ``regime`` and
        ``replication`` first); ``lights`` has one row per monitoring light (yellow or red).
        ``events`` uses process-mining column names; it is empty when the run was made with
        ``record_events=False``.
    metrics:
        One row per regime and replication, one column per metric (see
        :data:`govsim.measure.metrics.METRICS`).
    daily:
        One row per regime, replication and day of the horizon: the street office's burden
        spent that day by component (yuan; the metrics of the same names) and the cases
        filed, resolved and abandoned that day. Kept however the run was made (also with
        ``record_events=False``); :meth:`over_time` builds on it.
    cohorts:
        Per regime, replication, frequency (``W``, ``M``, ``Q``) and period: the
        Kaplan–Meier median days to true resolution of the cases first filed in it.

    Examples
    --------
    >>> import govsim
    >>> res = govsim.run("shanghai_leak", replications=1, seed=3, jobs=1)  # one roof leak
    >>> res.cases[["regime", "case", "category", "contacts"]]
           regime  case   category  contacts
    0  fragmented     0  roof_leak       552
    >>> list(res.events.columns)
    ['regime', 'replication', 'case:concept:name', 'concept:name', 'time:timestamp', 'org:resource']
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
    daily: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohorts: pd.DataFrame = field(default_factory=pd.DataFrame)

    def over_time(self, freq: str = "M") -> pd.DataFrame:
        """Results over time: per regime, replication and period (``freq``: ``"W"`` weeks,
        ``"M"`` or ``"ME"`` months, ``"Q"`` quarters of the calendar from ``world.start``;
        column ``period`` is the period's first day, ``period_end`` its last), the street
        office's cumulative burden by component in yuan at the period's end, the cases filed
        to then and in the period, the resolved share and the open cases at its end, and the
        Kaplan–Meier median days to resolution of the cases filed in it (censored at the
        horizon). The burden at the last period is the run's metric, exactly; with a warm-up
        the days before it hold only what was spent outside any case. See
        :func:`govsim.measure.over_time.over_time`; :meth:`over_time_summary` for means
        and intervals, :meth:`Comparison.over_time_differences` for paired differences."""
        freq = ot.check_freq(freq)
        if not len(self.daily):
            raise GovsimError("these results carry no daily table (they were not made by "
                              "govsim.run or govsim.compare): run them again", "daily")
        return ot.over_time(self.daily, self.cohorts, self.metrics, self.scenario.world.start,
                            freq)

    def over_time_summary(self, freq: str = "M", metrics: Sequence[str] | None = None,
                          confidence: float | None = None) -> pd.DataFrame:
        """Mean and t interval over replications of :meth:`over_time`'s values, per regime
        and period (columns ``regime, period, period_end, metric, mean, ci_low, ci_high,
        half_width, n``; ``metrics``: which values, default all), each interval clipped to
        what the value can be."""
        return ot.over_time_summary(self.over_time(freq), metrics,
                                    _level(confidence, self.confidence))

    def summary(self, metrics: Sequence[str] | None = None,
                confidence: float | None = None) -> pd.DataFrame:
        """Mean and confidence interval over replications, per regime and metric.

        Columns: ``regime, metric, mean, ci_low, ci_high, half_width, n`` (``n`` counts the
        replications with a defined value; with one there is no interval). Intervals are
        Student t intervals clipped to each metric's feasible range
        (:data:`govsim.measure.metrics.FEASIBLE`), which keeps their coverage. ``regime`` is
        categorical in the order of :attr:`regimes` (the scenario file's), so a pivot or a
        sort keeps that order; it is written to CSV as the same words.
        """
        names = metric_names(metrics)
        return _in_order(summarise(self.metrics, "regime", names,
                                   _level(confidence, self.confidence), FEASIBLE), self.regimes)

    def names(self, lang: str = "en") -> Names:
        """What the scenario's regimes, units and categories are called in ``lang``, for the
        figures' ``names=`` (Chinese: each thing's ``label_zh``)."""
        return display_names(self.scenario, lang)

    def to_xes(self, path: str | os.PathLike[str]) -> int:
        """Write the event log as IEEE XES (one trace per case of each regime and
        replication, the standard concept, time, org and lifecycle extensions) for
        process-mining tools; returns the number of traces (0, and a log with no traces, when
        no case arose). ``path`` is checked first and the file written atomically; any
        failure is a :class:`~govsim.errors.GovsimError` at ``path``, a run made with
        ``record_events=False`` one at ``events``. See :mod:`govsim.report.xes`."""
        from govsim.report.xes import write_xes

        return write_xes(self.events, self.cases, path, name=f"govsim {self.scenario.name}")


@dataclass(repr=False)
class Comparison(Results):
    """A :class:`Results` over two or more regimes, with paired differences to a baseline.

    Examples
    --------
    >>> import govsim
    >>> cmp = govsim.compare("district", ["fragmented", "consolidated"], replications=2,
    ...                      horizon_days=10, seed=1, jobs=1)
    >>> cmp.baseline, cmp.regimes
    ('fragmented', ['fragmented', 'consolidated'])
    >>> diff = cmp.differences(["resolved_share", "units_per_case"])
    >>> diff[["regime", "baseline", "metric", "mean_diff", "ci_low", "ci_high"]].round(2)
             regime    baseline          metric  mean_diff  ci_low  ci_high
    0  consolidated  fragmented  resolved_share       0.40    0.29     0.52
    1  consolidated  fragmented  units_per_case       0.37    0.30     0.45
    """

    baseline: str = ""

    def differences(self, metrics: Sequence[str] | None = None,
                    confidence: float | None = None) -> pd.DataFrame:
        """Paired differences (regime − baseline) per replication, mean and CI.

        Replications are paired because both regimes ran on the same world draws; the interval
        is the Student t interval of the per-replication differences, clipped to the feasible
        range of a difference (a share difference lies in [-1, 1]). ``regime`` is categorical
        in the order of ``regimes`` (the baseline left out), as in :meth:`summary`.
        """
        return _in_order(paired_differences(
            self.metrics, "regime", "replication", metric_names(metrics), self.baseline,
            _level(confidence, self.confidence), FEASIBLE),
            [r for r in self.regimes if r != self.baseline])

    def over_time_differences(self, freq: str = "M", metrics: Sequence[str] | None = None,
                              confidence: float | None = None) -> pd.DataFrame:
        """Paired differences (regime − baseline) of :meth:`Results.over_time`'s values,
        per period: mean, t interval and paired t-test over replications (columns
        ``period, period_end, regime, baseline, metric, mean_diff, ci_low, ci_high, n,
        p_value``). Where the street office's burden changes sign:
        :func:`govsim.measure.over_time.crossings` of it."""
        return ot.over_time_differences(self.over_time(freq), self.baseline, metrics,
                                        _level(confidence, self.confidence))

    def table(self, metrics: Sequence[str] | None = None, lang: str = "en") -> str:
        """A plain-text comparison table: each regime's mean [CI] and the paired difference;
        things named in words (``lang="zh"``: in Chinese, with the scenario's Chinese labels;
        ``lang="keys"``: by their keys)."""
        from govsim.report.text import comparison_table

        return comparison_table(self, metric_names(metrics, HEADLINE), check_lang(lang))


def _in_order(frame: pd.DataFrame, regimes: Sequence[str]) -> pd.DataFrame:
    """``frame`` with its ``regime`` column categorical in the order of ``regimes`` (any other
    value after them, never lost)."""
    values = frame["regime"].astype(str)
    order = list(regimes) + [v for v in dict.fromkeys(values) if v not in regimes]
    frame["regime"] = pd.Categorical(values, categories=order)
    return frame


def _level(confidence: Any, default: float) -> float:
    """A confidence level strictly between 0 and 1 (``None``: the results' own)."""
    if confidence is None:
        return default
    if isinstance(confidence, bool) or not isinstance(confidence, float | int) \
            or not 0.0 < confidence < 1.0:
        raise GovsimError(f"must be a number between 0 and 1, got {shown(confidence)}", "confidence")
    return float(confidence)


def _task(args: tuple[Scenario, tuple[str, ...], int, int, bool, float, str]
          ) -> ReplicationOutput:
    scenario, regimes, seed, replication, record_events, warmup_days, recording = args
    return run_replication(scenario, regimes, seed, replication, record_events, warmup_days,
                           recording=recording)


def _execute(scenario: Scenario, regimes: tuple[str, ...], seed: int, replications: int,
             record_events: bool, jobs: int | None, progress: Progress | None,
             executor: str | Executor | None, scheduler: str | None,
             warmup_days: float, memory_budget: float | None,
             recording: str = "tables") -> list[ReplicationOutput]:
    whole(replications, 1, "replications", MAX_REPLICATIONS)
    whole(seed, 0, "seed")
    if not isinstance(record_events, bool):
        raise GovsimError(f"must be true or false, got {shown(record_events)}", "record_events")
    if recording not in RECORDINGS:
        raise GovsimError(f"must be one of {', '.join(map(repr, RECORDINGS))}, got "
                          f"{shown(recording)}", "recording")
    if progress is not None and not callable(progress):
        raise GovsimError(f"must be a function (done, total) or None, got {shown(progress)}",
                          "progress")
    # every replication's tables come back to this process, and are copied once when joined
    check_memory(scenario, len(regimes), 2 * replications if recording == "tables" else 0,
                 record_events, memory_budget)
    check_work(scenario, len(regimes) * replications, "replications",
               f"{replications:,} replications of {len(regimes)} regime(s)")
    if executor is None:
        executor = "serial" if jobs == 1 or replications == 1 else "local"
    tasks = ((r, (scenario, regimes, seed, r, record_events, warmup_days, recording))
             for r in range(replications))
    return run_all(_task, tasks, replications, executor=executor, jobs=jobs,
                   scheduler=scheduler, progress=progress)


def _assemble(cls: type[Results], scenario: Scenario, regimes: list[str], seed: int,
              replications: int, outs: list[ReplicationOutput], **extra: object) -> Results:
    def cat(attr: str) -> pd.DataFrame:
        frames = [f for o in outs for f in getattr(o, attr)]
        for f in frames:
            # one set of categories for every frame, so they join as a categorical column
            # (codes remapped; no column of strings is ever made)
            if isinstance(f.get("regime", None), pd.Series) \
                    and isinstance(f["regime"].dtype, pd.CategoricalDtype):
                f["regime"] = f["regime"].cat.set_categories(regimes)
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if "regime" in frame and not isinstance(frame["regime"].dtype, pd.CategoricalDtype):
            frame["regime"] = pd.Categorical(frame["regime"].astype(str), categories=regimes)
        return frame

    metrics = pd.DataFrame([m for o in outs for m in o.metrics])
    metrics["regime"] = pd.Categorical(metrics["regime"], categories=regimes)
    metrics = metrics.sort_values(["regime", "replication"], kind="stable").reset_index(drop=True)
    tables = {name: cat(name) for name in (*TABLES, "daily", "cohorts")}
    return cls(scenario=scenario, regimes=regimes, seed=seed, replications=replications,
               metrics=metrics, **tables, **extra)


def run(scenario: ScenarioLike, regime: str | None = None, *, replications: int = 10,
        seed: int = 0, horizon_days: int | None = None, record_events: bool = True,
        jobs: int | None = None, progress: Progress | None = None,
        executor: str | Executor | None = None, scheduler: str | None = None,
        warmup_days: float = 0.0, memory_budget: float | None = None,
        recording: str = "tables") -> Results:
    """Run one regime of a scenario for several replications.

    Parameters
    ----------
    scenario:
        A :class:`~govsim.scenario.Scenario`, a plain mapping (validated like a file) or the
        path of a scenario TOML file.
    regime:
        The regime to run; defaults to the scenario's first regime.
    replications, seed:
        Replication ``r`` draws its world from ``(seed, r)`` only, so results do not depend on
        the executor, ``jobs`` or on which other regimes run.
    horizon_days:
        Override the scenario's horizon.
    record_events:
        Keep the per-event log (memory grows with it: about 8 events per case).
    jobs:
        Worker processes for ``"local"`` or a Dask ``LocalCluster`` (default: one per core, at
        most one per replication).
    progress:
        Called as ``progress(done, total)`` after each replication.
    executor, scheduler:
        Where replications run: ``"serial"`` (in this process; the default when ``jobs=1`` or
        one replication), ``"local"`` (a process pool; the default otherwise), ``"dask"`` (the
        cluster at ``scheduler``, or a ``LocalCluster`` on 127.0.0.1), or any
        :class:`concurrent.futures.Executor`. See :func:`~govsim.experiment.open_executor`.
        Ctrl-C stops local workers at once; dead workers raise
        :class:`~govsim.experiment.executors.WorkersDied`.
    warmup_days:
        Leave the cases that arrive in the first ``warmup_days`` days (and the work and money
        spent on them) out of every table and metric; salaried capacity is costed from then on.
        :func:`govsim.stats.warmup.welch` helps choose it.
    memory_budget:
        GiB one process may be expected to use (default 8): a run whose estimate, from the
        scenario's rates and horizon, is larger is refused before it starts.
    recording:
        ``"tables"`` (default) keeps every table; ``"metrics"`` keeps only the metrics and the
        tables over time (``daily``, ``cohorts``: :meth:`Results.over_time` works), the same
        to the last bit, with no event log or per-case table held at any time: a year of a
        large city in a fraction of the memory and time. The other tables are then empty.

    Examples
    --------
    >>> import govsim
    >>> res = govsim.run("district", "consolidated", replications=2, horizon_days=10, seed=1,
    ...                  jobs=1)
    >>> res
    <Results of 'district': consolidated; 2 replications, seed 1, 10 days; ...>
    >>> res.metrics[["replication", "cases", "resolved_share"]].round(2)
       replication   cases  resolved_share
    0            0  4177.0            0.89
    1            1  4195.0            0.90
    """
    s = resolve_scenario(scenario, horizon_days)
    name = s.check_regime(regime)
    warm = check_warmup(warmup_days, s)
    outs = _execute(s, (name,), seed, replications, record_events, jobs, progress, executor,
                    scheduler, warm, memory_budget, recording)
    return _assemble(Results, s, [name], seed, replications, outs, warmup_days=warm)


def compare(scenario: ScenarioLike, regimes: Sequence[str] | None = None, *,
            baseline: str | None = None, replications: int = 10, seed: int = 0,
            horizon_days: int | None = None, record_events: bool = True, jobs: int | None = None,
            progress: Progress | None = None, executor: str | Executor | None = None,
            scheduler: str | None = None, warmup_days: float = 0.0,
            memory_budget: float | None = None, recording: str = "tables") -> Comparison:
    """Run several regimes on the same world with common random numbers.

    Every replication draws one world and runs each regime on it, so differences between
    regimes are paired. ``baseline`` (default: the first regime) is what
    :meth:`Comparison.differences` subtracts. Other parameters as in :func:`run`.

    Examples
    --------
    >>> import govsim
    >>> cmp = govsim.compare("district", ["fragmented", "consolidated"], replications=2,
    ...                      horizon_days=10, seed=1, jobs=1)
    >>> print(cmp.table())  # doctest: +ELLIPSIS
    scenario 'district': 2 replications, seed 1, horizon 10 days from 2025-01-01; ...
    >>> diff = cmp.differences(["contacts_per_case"])  # consolidated - fragmented, paired
    >>> diff[["regime", "metric", "mean_diff"]].round(2)
             regime             metric  mean_diff
    0  consolidated  contacts_per_case      -0.31
    """
    s = resolve_scenario(scenario, horizon_days)
    names = s.check_regimes(regimes, minimum=2)
    base = check_baseline(names, baseline)
    warm = check_warmup(warmup_days, s)
    outs = _execute(s, names, seed, replications, record_events, jobs, progress, executor,
                    scheduler, warm, memory_budget, recording)
    return _assemble(Comparison, s, list(names), seed, replications, outs,  # type: ignore[return-value]
                     baseline=base, warmup_days=warm)

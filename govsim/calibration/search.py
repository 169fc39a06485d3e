"""The search of a calibration, and what it hands back.

Layer: calibration. :func:`calibrate` builds an
:class:`~govsim.calibration.evaluate.Evaluator` and searches the parameters' box:

``method = "crn"`` (the default; scipy only)
    a Latin hypercube of points (plus the scenario's own values, when they lie in the box),
    all evaluated in one batch under the same seeds, then a Nelder–Mead search from the best of
    them, still under those seeds (common random numbers make the distance a smooth enough
    function of the parameters for a simplex). ``budget`` is the number of points evaluated.

``method = "abc"`` (the optional extra ``govsim[abc]``)
    pyabc's ABC-SMC: a posterior over the parameters (:mod:`~govsim.calibration.abc`);
    the best point is the posterior median, ``budget`` the number of particles simulated.

Whatever the method, the best point is then run again under *fresh* seeds, with twice the
replications: the table reports that run, not the one the search was tuned on, so a fit that
only matched its own seeds shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.calibration.evaluate import (
    Evaluator,
    check_targets,
    check_work,
    target_table,
)
from govsim.errors import GovsimError
from govsim.experiment.checks import resolve_scenario, whole
from govsim.experiment.executors import check_executor
from govsim.experiment.parameters import Parameter, parse_parameters
from govsim.measure.targets import Target
from govsim.scenario import Scenario, scenario_data, scenario_toml
from govsim.scenario.edit import get_path

__all__ = ["Calibration", "calibrate", "METHODS"]

METHODS = ("crn", "abc")
#: fresh seeds for the check of the best point: far from any seed a user is likely to pass
_CHECK_SEED_OFFSET = 1_000_003


@dataclass
class Calibration:
    """What a calibration found.

    Attributes
    ----------
    scenario, regime, parameters, targets:
        What was fitted, to what.
    method, budget, replications, seed:
        How.
    best:
        The best point's value of each parameter (by its path as given).
    start:
        The scenario's own values of the parameters (NaN where a ``*`` path holds several).
    trace:
        Every point evaluated: parameters, distance, each target's mean.
    table:
        The best point under fresh seeds: target | role | value | simulated mean | 95% CI |
        rank | met (see :func:`~govsim.calibration.evaluate.target_table`).
    start_table:
        The same for the scenario as it was, under the same fresh seeds.
    fitted:
        The scenario with the best values set.
    """

    scenario: Scenario
    regime: str
    parameters: list[Parameter]
    targets: list[Target]
    method: str
    budget: int
    replications: int
    seed: int
    best: dict[str, float]
    start: dict[str, float]
    trace: pd.DataFrame
    table: pd.DataFrame
    start_table: pd.DataFrame
    fitted: Scenario
    notes: list[str] = field(default_factory=list)
    #: method "abc": the last population (parameters, weight, distance) and, per parameter,
    #: the weighted median and 5%/95% quantiles
    posterior: pd.DataFrame | None = None
    posterior_summary: pd.DataFrame | None = None

    def summary(self) -> str:
        """A plain-text report: the parameters and the targets, before and after."""
        searched = int((~self.trace["stage"].isin(["check", "start"])).sum())
        if self.posterior_summary is not None:
            searched = int(self.posterior_summary["simulations"].iloc[0])
        lines = [f"calibration of {self.scenario.name!r}, regime {self.regime!r}: method "
                 f"{self.method}, {searched} points x {self.replications} replications; "
                 f"the table is the best point under fresh seeds, "
                 f"{2 * self.replications} replications"]
        lines.append("parameter                                   start        fitted   bounds")
        for p in self.parameters:
            lines.append(f"{p.path:40s} {self.start[p.path]:>9.4g} {self.best[p.path]:>13.4g}   "
                         f"[{p.low:g}, {p.high:g}]")
        if self.posterior_summary is not None:
            lines.append("")
            lines.append("posterior (ABC-SMC, last population): median [5%, 95%]")
            for r in self.posterior_summary.itertuples():
                lines.append(f"{r.parameter:40s} {r.median:>9.4g} [{r.q05:.4g}, {r.q95:.4g}]"
                             f"   {r.particles} particles, {r.populations} populations, "
                             f"{r.simulations} simulated points")
        lines.append("")
        lines.append(_table_text(self.table, self.start_table))
        lines.extend(self.notes)
        return "\n".join(lines)

    def write(self, out: str | Path) -> Path:
        """Write ``targets.csv`` (the table, before and after), ``trace.csv`` (every point),
        ``fitted.toml`` (the scenario with the best values, its header saying what was
        fitted), ``calibration.json`` and ``trace.png`` (the distance by evaluation, and each
        parameter against the distance). Each file is complete or absent."""
        import json

        from govsim.atomic import check_destination, text_writer, write_files
        from govsim.figures.calibration import plot_posterior, plot_trace, png_bytes

        # all drawn and serialised before the folder is touched: nothing is left half-written
        both = self.table.merge(self.start_table[["target", "simulated_mean", "rank_low", "met"]],
                                on="target", suffixes=("", "_before"))
        header = (f"{self.scenario.name}, calibrated by govsim calibrate ({self.method}, seed "
                  f"{self.seed}) for regime {self.regime!r}:\n"
                  + "\n".join(f"  {p.path} = {self.best[p.path]:.6g} (was {self.start[p.path]:.6g};"
                              f" bounds {p.low:g} to {p.high:g})" for p in self.parameters))
        meta = {"scenario": self.scenario.name, "regime": self.regime, "method": self.method,
                "budget": self.budget, "replications": self.replications, "seed": self.seed,
                "best": self.best, "start": self.start,
                "met": {r.target: bool(r.met) for r in self.table.itertuples()}}
        names = [p.path for p in self.parameters]
        files = [
            ("targets.csv", text_writer(both.to_csv(index=False))),
            ("trace.csv", text_writer(self.trace.to_csv(index=False))),
            ("fitted.toml", text_writer(scenario_toml(self.fitted, header=header))),
            ("calibration.json", text_writer(json.dumps(plain_json(meta), indent=2,
                                                        allow_nan=False))),
            ("trace.png", _bytes_writer(png_bytes(plot_trace(self.trace, names)))),
        ]
        if self.posterior is not None and self.posterior_summary is not None:
            post = png_bytes(plot_posterior(self.posterior, self.posterior_summary))
            files += [("posterior.csv", text_writer(self.posterior.to_csv(index=False))),
                      ("posterior_summary.csv",
                       text_writer(self.posterior_summary.to_csv(index=False))),
                      ("posterior.png", _bytes_writer(post))]
        root = Path(out)
        check_destination(root, "out")
        write_files(root, files, "out")
        return root


def _bytes_writer(data: bytes) -> Callable[[Any], Any]:
    return lambda fh: fh.write(data)


def plain_json(value: Any) -> Any:
    """``value`` with every number that is not finite as ``None`` (standard JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def _table_text(table: pd.DataFrame, before: pd.DataFrame) -> str:
    rows = ["target                        role      figure      before  ->  fitted [95% CI] / rank   met"]
    prior = before.set_index("target")
    for r in table.itertuples():
        b = prior.loc[r.target]
        if r.n == 0:  # no replication observed it (a meeting that never happened)
            now = "never observed"
        elif r.statistic == "rank":
            now = f"rank {r.rank_low:.0%}-{r.rank_high:.0%} (median {r.median:,.4g})"
        else:
            now = f"{r.simulated_mean:,.4g} [{r.ci_low:,.4g}, {r.ci_high:,.4g}]"
        was = ("never" if b.n == 0 else f"rank {b.rank_low:.0%}" if r.statistic == "rank"
               else f"{b.simulated_mean:,.4g}")
        met = ("yes" if r.met else "NO") if r.counts else f"({r.role})"
        rows.append(f"{r.target:29s} {r.role:9s} {r.value:>9,.4g} {was:>11s}  ->  {now:32s} {met}")
    return "\n".join(rows)


def _start_values(scenario: Scenario, parameters: Sequence[Parameter]) -> dict[str, float]:
    data = scenario_data(scenario)
    out = {}
    for p in parameters:
        values = {_value(data, path) for path in p.paths}
        out[p.path] = values.pop() if len(values) == 1 else math.nan
    return out


def _value(data: dict[str, Any], path: str) -> float:
    v = get_path(data, path)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else math.nan


def _search_crn(ev: Evaluator, budget: int, seed: int, start: np.ndarray) -> None:
    from scipy.optimize import minimize
    from scipy.stats import qmc

    low = np.array([p.low for p in ev.parameters])
    high = np.array([p.high for p in ev.parameters])
    d = len(low)
    inside = bool(np.all(np.isfinite(start)) and np.all((start >= low) & (start <= high)))
    n_design = max(min(budget, 2 * d + 2), (budget + 1) // 2) - int(inside)
    unit = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(max(n_design, 1))
    points = low + unit * (high - low)
    if inside:
        points = np.vstack([start[None, :], points])
    ev.evaluate(points, stage="design")
    left = budget - len(points)
    if left <= 0:
        return
    best = ev.trace[int(np.argmin([r["distance"] for r in ev.trace]))]
    x0 = (np.array([best[p.path] for p in ev.parameters]) - low) / (high - low)

    seen = {tuple(np.round([r[p.path] for p in ev.parameters], 12)): r["distance"]
            for r in ev.trace}

    def objective(u: np.ndarray) -> float:
        x = low + np.clip(u, 0.0, 1.0) * (high - low)
        key = tuple(np.round(x, 12))
        if key not in seen:  # the simplex starts at a point already run: not twice
            ev.evaluate(x, stage="simplex")
            seen[key] = float(ev.trace[-1]["distance"])
        return seen[key]

    simplex = [x0] + [np.clip(x0 + 0.15 * np.eye(d)[i] * (1 if x0[i] < 0.5 else -1), 0, 1)
                      for i in range(d)]
    minimize(objective, x0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * d,
             options={"maxfev": left, "initial_simplex": np.array(simplex),
                      "xatol": 1e-3, "fatol": 1e-3})


def _informed(targets: Sequence[Target], scenario: str, regime: str) -> list[str]:
    specs = [p for t in targets if t.scenario == scenario and t.regime == regime
             and t.role == "fitted" for p in t.informs]
    if not specs:
        raise GovsimError("name the parameters to fit (PATH=LOW:HIGH): no target of this "
                          "scenario and regime says which parameters it informs", "parameters")
    return list(dict.fromkeys(specs))


def calibrate(targets: str | Path | Sequence[Target], scenario: str | Path | Scenario,
              regime: str,
              parameters: Sequence[str] | Mapping[str, tuple[float, float]] | None = None, *,
              method: str = "crn", budget: int = 20, replications: int = 5, seed: int = 0,
              horizon_days: int | None = None,
              executor: str | Executor | None = None, jobs: int | None = None,
              scheduler: str | None = None, memory_budget: float | None = None,
              progress: Callable[[int, int], None] | None = None,
              ready: Callable[[], None] | None = None) -> Calibration:
    """Fit ``parameters`` of ``scenario`` so that ``regime`` reproduces ``targets``.

    Parameters
    ----------
    targets:
        A targets file (``calibration/targets.toml``) or parsed targets; only those of
        ``regime`` are used, and of those only emergent and fitted ones enter the distance.
    scenario, regime:
        The scenario (a file or a :class:`Scenario`) and the regime to fit.
    parameters:
        ``["PATH=LOW:HIGH", ...]`` or ``{PATH: (LOW, HIGH)}``; ``*`` in a path sets every key
        of that table to the same value. Default: the parameters the targets say they inform
        (``informs = ["PATH=LOW:HIGH"]``).
    method, budget:
        The search (:data:`METHODS`) and how many points it evaluates.
    replications, seed:
        Replications per point, under seeds shared by every point.
    horizon_days:
        Run every point over this horizon instead of the scenario's (the fitted scenario keeps
        it).
    executor, jobs, scheduler, memory_budget, progress:
        As for :func:`govsim.run`.
    ready:
        Called once every input has been checked, before the first simulation (the command
        line tries its output directory then).
    """
    if not isinstance(method, str) or method not in METHODS:
        raise GovsimError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}",
                          "method")
    whole(budget, 2, "budget")
    whole(replications, 1, "replications")
    whole(seed, 0, "seed")
    if method == "abc":
        from govsim.calibration.abc import MIN_BUDGET

        if budget < MIN_BUDGET:
            raise GovsimError(f"method 'abc' needs a budget of at least {MIN_BUDGET} simulated "
                              "points (pyabc's initial sample and one population of 10 "
                              f"particles already take about 50), got {budget}", "budget")
    check_executor("local" if executor is None else executor, scheduler)
    if jobs is not None:
        whole(jobs, 1, "jobs")
    if not isinstance(regime, str) or not regime:
        raise GovsimError(f"must be the name of one of the scenario's regimes, got {regime!r}",
                          "regime")
    s = resolve_scenario(scenario, horizon_days)
    ts = check_targets(targets)
    check_work(budget, replications, 0.0, len(ts))  # the counts, before the box is built
    s.check_regime(regime)
    if parameters is None:
        parameters = _informed(ts, s.name, regime)
    pars = parse_parameters(parameters, s, "parameters", regime=regime)
    ev = Evaluator(s, regime, ts, pars, replications=replications, seed=seed,
                   executor=executor, jobs=jobs, scheduler=scheduler,
                   memory_budget=memory_budget, progress=progress)
    if not any(t.counts for t in ev.targets):
        raise GovsimError(f"none of regime {regime!r}'s targets is emergent or fitted: "
                          "nothing to fit to", "targets")
    # how much work, before any: the search, then the best point and the scenario as it was,
    # each under fresh seeds with twice the replications
    ev.runs_expected = check_work(budget, replications, ev.cases, len(ev.targets),
                                  memory_budget)
    start = _start_values(s, pars)
    if ready is not None:
        ready()
    posterior = posterior_summary = None
    if method == "crn":
        _search_crn(ev, budget, seed, np.array([start[p.path] for p in pars]))
        trace = pd.DataFrame(ev.trace)
        best_row = trace.loc[trace["distance"].idxmin()]
        best = {p.path: float(best_row[p.path]) for p in pars}
        searched = float(best_row["distance"])
    else:
        from govsim.calibration.abc import search_abc

        posterior, posterior_summary = search_abc(ev, budget, seed)
        best = dict(zip(posterior_summary["parameter"], posterior_summary["median"],
                        strict=True))
        searched = math.nan
    fitted = ev.scenario_at([best[p.path] for p in pars])
    check_seed = seed + _CHECK_SEED_OFFSET
    reps = 2 * replications
    after = ev.evaluate(np.array([[best[p.path] for p in pars]]), seed=check_seed,
                        stage="check", replications=reps)[0]
    before = ev.evaluate(np.array([[start[p.path] if math.isfinite(start[p.path]) else
                                    np.nan for p in pars]]), seed=check_seed, stage="start",
                         replications=reps, as_is=True)[0]
    notes = _never_observed(ev, method)
    checked = next(r for r in ev.trace if r["stage"] == "check")
    if checked["distance"] > searched * 1.5 + 1.0:
        notes.append("note: under fresh seeds the best point is much further from the targets "
                     "than during the search (more replications per point would help)")
    return Calibration(scenario=s, regime=regime, parameters=pars, targets=list(ev.targets),
                       method=method, budget=budget, replications=replications, seed=seed,
                       best=best, start=start, trace=_trace(ev, posterior),
                       table=target_table(ev.targets, after),
                       start_table=target_table(ev.targets, before), fitted=fitted, notes=notes,
                       posterior=posterior, posterior_summary=posterior_summary)


def _never_observed(ev: Evaluator, method: str) -> list[str]:
    """Notes on targets that no run observed (a meeting that never happens has no size), and on
    a search that could therefore rank no point."""
    trace = pd.DataFrame(ev.trace)
    notes = [f"note: target {t.name!r} was never observed (no run had what it measures)"
             for t in ev.targets if trace[f"mean:{t.name}"].isna().all()]
    searched = trace.loc[~trace["stage"].isin(["check", "start"]), "distance"]
    if method == "crn" and len(searched) and not np.isfinite(searched).any():
        notes.append("note: no point's distance is finite (a target never observed or never "
                     "reached), so the search could not rank the points: the fitted values "
                     "are not a fit")
    return notes


def _trace(ev: Evaluator, posterior: pd.DataFrame | None) -> pd.DataFrame:
    """Every point evaluated; under ABC, the last population's particles first (stage
    ``posterior``, with their weights)."""
    evaluated = pd.DataFrame(ev.trace)
    if posterior is None:
        return evaluated
    particles = posterior.drop(columns=["population"]).assign(stage="posterior", seed=ev.seed)
    both = pd.concat([particles, evaluated], ignore_index=True)
    both["evaluation"] = np.arange(len(both))
    return both

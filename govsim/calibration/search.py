"""The search of a calibration: :func:`plan` checks everything and counts the work before
anything runs, :func:`execute` runs it, :func:`calibrate` does both.

Layer: calibration. :func:`plan` builds an :class:`~govsim.calibration.evaluate.Evaluator`;
:func:`execute` searches the parameters' box:

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
from dataclasses import dataclass
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
from govsim.calibration.result import Calibration, plain_json
from govsim.errors import GovsimError
from govsim.experiment.checks import resolve_scenario, whole
from govsim.experiment.executors import check_executor
from govsim.experiment.parameters import Parameter, parse_parameters
from govsim.measure.targets import Target
from govsim.scenario import Scenario, scenario_data
from govsim.scenario.edit import get_path

__all__ = ["Calibration", "calibrate", "plan", "execute", "Plan", "METHODS", "plain_json"]

METHODS = ("crn", "abc")
#: fresh seeds for the check of the best point: far from any seed a user is likely to pass
_CHECK_SEED_OFFSET = 1_000_003


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


@dataclass(frozen=True)
class Plan:
    """A calibration checked and ready to run: its scenario, regime, parameters, method,
    budget, seed and replications, the :class:`~govsim.calibration.evaluate.Evaluator` that
    will run its points (the work it will do counted: ``evaluator.runs_expected``), and the
    scenario's own values of the parameters."""

    scenario: Scenario
    regime: str
    parameters: list[Parameter]
    method: str
    budget: int
    replications: int
    seed: int
    evaluator: Evaluator
    start: dict[str, float]


def calibrate(targets: str | Path | Sequence[Target], scenario: str | Path | Scenario,
              regime: str,
              parameters: Sequence[str] | Mapping[str, tuple[float, float]] | None = None, *,
              method: str = "crn", budget: int = 20, replications: int = 5, seed: int = 0,
              horizon_days: int | None = None,
              executor: str | Executor | None = None, jobs: int | None = None,
              scheduler: str | None = None, memory_budget: float | None = None,
              progress: Callable[[int, int], None] | None = None,
              ready: Callable[[], None] | None = None) -> Calibration:
    """Fit ``parameters`` of ``scenario`` so that ``regime`` reproduces ``targets``:
    :func:`plan`, then :func:`execute`.

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

    Examples
    --------
    >>> import govsim
    >>> from govsim.measure.targets import parse_targets
    >>> figure = {"name": "satisfied", "scenario": "shishi_12345", "regime": "consolidated",
    ...           "value": 0.945, "tolerance": 0.02, "role": "fitted", "statistic": "mean",
    ...           "source": "Case B: 94.5% satisfied at the follow-up call",
    ...           "observe": {"kind": "metric", "metric": "callback_satisfaction"}}
    >>> cal = govsim.calibrate(parse_targets({"target": [figure]}), "shishi_12345", "consolidated",
    ...                        {"world.citizens.satisfied_within_days": (5, 120)}, budget=2,
    ...                        replications=1, horizon_days=30, executor="serial")
    >>> cal.best
    {'world.citizens.satisfied_within_days': 38.0}
    >>> cal.table[["target", "value", "met"]]
          target  value   met
    0  satisfied  0.945  True
    """
    return execute(plan(targets, scenario, regime, parameters, method=method, budget=budget,
                        replications=replications, seed=seed, horizon_days=horizon_days,
                        executor=executor, jobs=jobs, scheduler=scheduler,
                        memory_budget=memory_budget, progress=progress), ready=ready)


def plan(targets: str | Path | Sequence[Target], scenario: str | Path | Scenario, regime: str,
         parameters: Sequence[str] | Mapping[str, tuple[float, float]] | None = None, *,
         method: str = "crn", budget: int = 20, replications: int = 5, seed: int = 0,
         horizon_days: int | None = None, executor: str | Executor | None = None,
         jobs: int | None = None, scheduler: str | None = None,
         memory_budget: float | None = None,
         progress: Callable[[int, int], None] | None = None) -> Plan:
    """Every check of :func:`calibrate`, and the work counted, before anything runs."""
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
    # the counts, before the box is built (the scenario as written says how large a run is)
    check_work(budget, replications, s.expected_cases(), len(ts))
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
    return Plan(s, regime, pars, method, budget, replications, seed, ev, _start_values(s, pars))


def execute(p: Plan, *, ready: Callable[[], None] | None = None) -> Calibration:
    """Run a :func:`plan`: the search, then the best point and the scenario as it was, each
    under fresh seeds with twice the replications. ``ready`` is called before the first run."""
    ev, pars, start, seed = p.evaluator, p.parameters, p.start, p.seed
    if ready is not None:
        ready()
    posterior = posterior_summary = None
    if p.method == "crn":
        _search_crn(ev, p.budget, seed, np.array([start[q.path] for q in pars]))
        trace = pd.DataFrame(ev.trace)
        best_row = trace.loc[trace["distance"].idxmin()]
        best = {q.path: float(best_row[q.path]) for q in pars}
        searched = float(best_row["distance"])
    else:
        from govsim.calibration.abc import search_abc

        posterior, posterior_summary = search_abc(ev, p.budget, seed)
        best = dict(zip(posterior_summary["parameter"], posterior_summary["median"],
                        strict=True))
        searched = math.nan
    fitted = ev.scenario_at([best[q.path] for q in pars])
    check_seed = seed + _CHECK_SEED_OFFSET
    reps = 2 * p.replications
    after = ev.evaluate(np.array([[best[q.path] for q in pars]]), seed=check_seed,
                        stage="check", replications=reps)[0]
    before = ev.evaluate(np.array([[start[q.path] if math.isfinite(start[q.path]) else
                                    np.nan for q in pars]]), seed=check_seed, stage="start",
                         replications=reps, as_is=True)[0]
    notes = _never_observed(ev, p.method)
    checked = next(r for r in ev.trace if r["stage"] == "check")
    if checked["distance"] > searched * 1.5 + 1.0:
        notes.append("note: under fresh seeds the best point is much further from the targets "
                     "than during the search (more replications per point would help)")
    return Calibration(scenario=p.scenario, regime=p.regime, parameters=pars,
                       targets=list(ev.targets), method=p.method, budget=p.budget,
                       replications=p.replications, seed=seed, best=best, start=start,
                       trace=_trace(ev, posterior), table=target_table(ev.targets, after),
                       start_table=target_table(ev.targets, before), fitted=fitted,
                       notes=notes, posterior=posterior, posterior_summary=posterior_summary)


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

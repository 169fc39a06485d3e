"""ABC-SMC for a calibration: a posterior over the parameters (optional extra ``govsim[abc]``).

Layer: calibration. ``method = "abc"`` of :func:`~govsim.calibration.search.calibrate`
hands the search to pyabc's sequential Monte Carlo approximate Bayesian computation: uniform
priors over the parameters' boxes; a particle is a point run for ``replications``
replications under seeds of its own (drawn from the root seed and the particle's values, so
particles differ in their noise as ABC needs, and the same particle gives the same numbers);
its summary statistics are the means of the targets that count (a target whose event never
happened counts the horizon, in years); the distance is pyabc's adaptive p-norm, which scales
each target by its spread in the population. The particles run on the calibration's executor
(``ConcurrentFutureSampler``), in this process for ``executor = "serial"``.

The posterior is the last population: its particles and weights, and each parameter's
weighted median and 5%/95% quantiles; the calibration's best point is the posterior median.
With a serial executor the run is reproducible from its seed; with parallel workers pyabc
accepts particles in the order they finish, so the posterior is a different (equally valid)
sample from run to run.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.calibration.evaluate import Evaluator, _observe_task
from govsim.errors import GovsimError
from govsim.experiment.executors import open_executor
from govsim.experiment.parameters import Parameter
from govsim.measure.targets import Target
from govsim.scenario import Scenario, with_values

__all__ = ["search_abc", "weighted_quantile", "MIN_BUDGET"]

#: the fewest simulated points an ABC-SMC run can take (initial sample and one population)
MIN_BUDGET = 50

_YEAR_DAYS = 365.25


class _Model:
    """One particle: the point's targets, as means over its replications (picklable)."""

    def __init__(self, scenario: Scenario, regime: str, targets: Sequence[Target],
                 parameters: Sequence[Parameter], replications: int, seed: int,
                 events: bool) -> None:
        self.scenario, self.regime = scenario, regime
        self.targets = tuple(targets)
        self.parameters = list(parameters)
        self.replications, self.seed, self.events = replications, seed, events
        self.cap = scenario.world.horizon_days / _YEAR_DAYS

    def __call__(self, par: dict[str, float]) -> dict[str, float]:
        x = np.array([float(par[f"p{i}"]) for i in range(len(self.parameters))])
        values: dict[str, float] = {}
        for p, v in zip(self.parameters, x, strict=True):
            values.update(p.values(v))
        scenario = with_values(self.scenario, values, source="<calibration particle>")
        digest = hashlib.blake2b(x.tobytes(), digest_size=6).digest()
        seed = self.seed + int.from_bytes(digest, "big")
        obs = np.array([_observe_task((scenario, self.regime, seed, r, self.events,
                                       self.targets)) for r in range(self.replications)])
        # an event that never happened (years_to_first) counts the horizon; any other value
        # that is not a number stays missing and the particle is not accepted on it
        obs = np.where(np.isposinf(obs), self.cap, obs)
        with np.errstate(all="ignore"):
            means = np.nanmean(obs, axis=0) if len(obs) else np.full(len(self.targets), np.nan)
        return {f"s{j}": float(means[j]) for j in range(len(self.targets))}


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under ``weights`` (inverted weighted CDF)."""
    order = np.argsort(values)
    v, w = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cdf = np.cumsum(w) / w.sum()
    return float(v[min(int(np.searchsorted(cdf, q)), len(v) - 1)])


def search_abc(ev: Evaluator, budget: int, seed: int,
               db_dir: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ABC-SMC within ``budget`` simulations of a point; return the last population
    (parameters by path, ``weight``, ``distance``) and one row per parameter (weighted
    median, 5% and 95% quantiles)."""
    try:
        import pyabc
        from pyabc.sampler import ConcurrentFutureSampler, SingleCoreSampler
    except ImportError:
        raise GovsimError("method 'abc' needs pyabc: pip install 'govsim[abc]'",
                          "method") from None
    if budget < MIN_BUDGET:
        raise GovsimError(f"method 'abc' needs a budget of at least {MIN_BUDGET} simulated "
                          "points (pyabc's initial sample and one population of 10 particles "
                          f"already take about 50), got {budget}", "budget")
    counted = [t for t in ev.targets if t.counts]
    prior = pyabc.Distribution(**{f"p{i}": pyabc.RV("uniform", p.low, p.high - p.low)
                                  for i, p in enumerate(ev.parameters)})
    model = _Model(ev.scenario, ev.regime, counted, ev.parameters, ev.replications, seed,
                   ev.events)
    observed = {f"s{j}": float(t.value) for j, t in enumerate(counted)}
    population = max(10, min(100, budget // 4))
    np.random.seed(seed % 2**32)  # pyabc draws from numpy's global generator
    quiet = logging.getLogger("ABC")  # pyabc reports every population at INFO level
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        return _run(pyabc, SingleCoreSampler, ConcurrentFutureSampler, ev, model, prior,
                    observed, population, budget, db_dir)
    finally:
        quiet.setLevel(level)


def _run(pyabc: Any, single: Any, concurrent: Any, ev: Evaluator, model: _Model, prior: Any,
         observed: dict[str, float], population: int, budget: int,
         db_dir: str | Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    with tempfile.TemporaryDirectory(prefix="govsim-abc-") as tmp:
        db = Path(db_dir if db_dir is not None else tmp) / "abc.db"
        with open_executor(ev.executor, jobs=ev.jobs, scheduler=ev.scheduler) as pool:
            sampler = (single() if pool.slots == 1 and ev.executor == "serial"
                       else concurrent(cfuture_executor=pool.executor,
                                       client_max_jobs=pool.slots))
            abc = pyabc.ABCSMC(model, prior, pyabc.distance.AdaptivePNormDistance(p=2),
                               population_size=population, sampler=sampler)
            abc.new(f"sqlite:///{db}", observed)
            history = abc.run(max_total_nr_simulations=budget, max_nr_populations=8)
        last = int(history.max_t)
        frame, weights = history.get_distribution(m=0, t=last)
        distances = history.get_weighted_distances(t=last)
        simulations = int(history.total_nr_simulations)
    posterior = pd.DataFrame({p.path: frame[f"p{i}"].to_numpy(dtype=float)
                              for i, p in enumerate(ev.parameters)})
    posterior["weight"] = np.asarray(weights, dtype=float)
    posterior["distance"] = distances["distance"].to_numpy(dtype=float)[:len(posterior)]
    posterior["population"] = last
    summary = pd.DataFrame([{
        "parameter": p.path, "low": p.low, "high": p.high,
        "median": weighted_quantile(posterior[p.path].to_numpy(), posterior["weight"].to_numpy(), 0.5),
        "q05": weighted_quantile(posterior[p.path].to_numpy(), posterior["weight"].to_numpy(), 0.05),
        "q95": weighted_quantile(posterior[p.path].to_numpy(), posterior["weight"].to_numpy(), 0.95),
        "particles": len(posterior), "populations": last + 1, "simulations": simulations,
    } for p in ev.parameters])
    ev.runs_done += simulations * ev.replications
    return posterior, summary


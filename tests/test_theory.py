"""The engine against queueing theory: an M/M/c queue written as a govsim scenario."""

from __future__ import annotations

import math

import numpy as np
import pytest

import govsim
from govsim.analysis.stats import mean_ci
from govsim.analysis.theory import erlang_c, mmc_mean_wait
from govsim.scenario import mmc_scenario


def _erlang_c_direct(lam: float, mu: float, c: int) -> float:
    """Textbook form, for cross-checking the recursion."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize(("lam", "mu", "c"), [(0.5, 1.0, 1), (2.4, 1.0, 3), (9.0, 1.0, 10), (40.0, 2.0, 25)])
def test_erlang_c_formula(lam, mu, c):
    assert erlang_c(lam, mu, c) == pytest.approx(_erlang_c_direct(lam, mu, c), rel=1e-12)


def test_erlang_c_refuses_unstable_queue():
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(3.0, 1.0, 3)


def _waits(res) -> np.ndarray:
    """Per replication: mean time from filing to the start of work."""
    ev = res.events
    key = ["replication", "case:concept:name"]
    filed = ev[ev["concept:name"] == "file"].set_index(key)["time:timestamp"]
    started = ev[ev["concept:name"] == "work_start"].set_index(key)["time:timestamp"]
    wait_h = (started - filed.reindex(started.index)).dt.total_seconds() / 3600.0
    return wait_h.groupby(level="replication").mean().to_numpy()


@pytest.mark.parametrize(("lam", "c"), [(0.6, 1), (2.4, 3)])
def test_mmc_mean_wait_matches_erlang_c(lam, c):
    s = mmc_scenario(lam, c, 1.0, horizon_days=120)
    res = govsim.run(s, replications=12, seed=2024, jobs=1)
    mean, low, high, n = mean_ci(_waits(res))
    theory = mmc_mean_wait(lam, 1.0, c)
    assert n == 12
    assert low <= theory <= high, (mean, low, high, theory)
    # and the interval is informative, not just wide
    assert high - low < 0.25 * theory


def test_mmc_utilisation_matches_offered_load():
    s = mmc_scenario(2.4, 3, 1.0, horizon_days=120)
    res = govsim.run(s, replications=6, seed=7, jobs=1, record_events=False)
    util = res.units["utilisation"].to_numpy()
    mean, low, high, _ = mean_ci(util)
    assert low - 0.01 <= 0.8 <= high + 0.01

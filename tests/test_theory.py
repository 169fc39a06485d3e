"""The engine against queueing theory: an M/M/c queue written as a govsim scenario."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.scenario import mmc_scenario
from govsim.stats.intervals import mean_ci
from govsim.stats.theory import (
    erlang_a,
    erlang_c,
    mmc_mean_wait,
    mmc_wait_quantile,
    mmc_wait_tail,
)


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


@pytest.mark.parametrize(("lam", "mu", "c"), [(0.5, 1.0, 1), (2.4, 1.0, 3), (40.0, 2.0, 25)])
def test_mmc_wait_tail_is_the_erlang_c_distribution(lam, mu, c):
    """P(W > 0) is Erlang C, the tail integrates to the mean wait, and the quantile inverts it."""
    from scipy.integrate import quad

    assert mmc_wait_tail(lam, mu, c, 0.0) == pytest.approx(erlang_c(lam, mu, c), rel=1e-15)
    area, _ = quad(lambda t: mmc_wait_tail(lam, mu, c, t), 0.0, math.inf)
    assert area == pytest.approx(mmc_mean_wait(lam, mu, c), rel=1e-9)
    for p in (0.5, 0.9, 0.99):
        t = mmc_wait_quantile(lam, mu, c, p)
        if t > 0.0:
            assert 1.0 - mmc_wait_tail(lam, mu, c, t) == pytest.approx(p, rel=1e-12)
        else:  # at least p of arrivals are served at once
            assert 1.0 - erlang_c(lam, mu, c) >= p


def test_mm1_wait_tail_closed_form():
    # M/M/1: P(W > t) = rho exp(-mu (1 - rho) t)
    lam, mu = 0.6, 1.0
    for t in (0.0, 0.5, 3.0):
        assert mmc_wait_tail(lam, mu, 1, t) == pytest.approx(0.6 * math.exp(-0.4 * t), rel=1e-12)
    assert mmc_wait_quantile(lam, mu, 1, 0.3) == 0.0  # 40% are served at once
    assert mmc_wait_quantile(lam, mu, 1, 0.9) == pytest.approx(math.log(6.0) / 0.4, rel=1e-12)


def test_wait_tail_refuses_bad_arguments():
    with pytest.raises(ValueError, match="t must be"):
        mmc_wait_tail(0.5, 1.0, 1, -1.0)
    with pytest.raises(ValueError, match="quantile"):
        mmc_wait_quantile(0.5, 1.0, 1, 1.0)
    with pytest.raises(ValueError, match="unstable"):
        mmc_wait_tail(3.0, 1.0, 3, 1.0)


def _waits(res) -> np.ndarray:
    """Per replication: mean time from filing to the start of work."""
    ev = res.events
    key = ["replication", "case:concept:name"]
    filed = ev[ev["concept:name"] == "file"].set_index(key)["time:timestamp"]
    started = ev[ev["concept:name"] == "work_start"].set_index(key)["time:timestamp"]
    wait_h = (started - filed.reindex(started.index)).dt.total_seconds() / 3600.0
    return wait_h.groupby(level="replication").mean().to_numpy()


def mmc_mean_waits(lam: float, c: int, horizon_days: int = 120, replications: int = 12,
                   seed: int = 2024) -> np.ndarray:
    """Per replication, the mean wait for a staff member of an M/M/c queue with mu = 1 per
    hour: the runs of ``test_mmc_mean_wait_matches_erlang_c`` (docs/validation.md quotes them)."""
    s = mmc_scenario(lam, c, 1.0, horizon_days=horizon_days)
    return _waits(govsim.run(s, replications=replications, seed=seed, jobs=1))


def mmc_utilisations(lam: float = 2.4, c: int = 3, horizon_days: int = 120,
                     replications: int = 6, seed: int = 7) -> np.ndarray:
    """The staff's utilisation of an M/M/c queue (mu = 1 per hour), one per replication: the
    runs of ``test_mmc_utilisation_matches_offered_load``."""
    s = mmc_scenario(lam, c, 1.0, horizon_days=horizon_days)
    res = govsim.run(s, replications=replications, seed=seed, jobs=1, record_events=False)
    return res.units["utilisation"].to_numpy()


@pytest.mark.parametrize(("lam", "c"), [(0.6, 1), (2.4, 3)])
def test_mmc_mean_wait_matches_erlang_c(lam, c):
    mean, low, high, n = mean_ci(mmc_mean_waits(lam, c))
    theory = mmc_mean_wait(lam, 1.0, c)
    assert n == 12
    assert low <= theory <= high, (mean, low, high, theory)
    # and the interval is informative, not just wide
    assert high - low < 0.25 * theory


def test_mmc_utilisation_matches_offered_load():
    mean, low, high, _ = mean_ci(mmc_utilisations())
    assert low - 0.01 <= 0.8 <= high + 0.01


def referral_network_scenario(lam: float, mu: float, c_a: int, c_b: int, horizon_days: int):
    """Desk A (c_a staff) refers every case to owner B (c_b staff), who takes it in and then
    fixes it; intake and work exponential with mean 1 / mu (rates per hour), all open 24 h."""
    from _factory import category, fragmented, scenario

    units = {"a": {"kind": "bureau", "staff": c_a, "hours": "24h"},
             "b": {"kind": "bureau", "staff": c_b, "hours": "24h"}}
    return scenario(
        {"net": fragmented(intake_hours=1.0 / mu, intake_cv=1.0,
                           channels=[{"name": "desk a", "unit": "a"}],
                           deflection={"refer_prob": 1.0, "referral_lost_prob": 0.0})},
        units=units,
        categories={"job": category(rate_per_day=lam * 24, owners=["b"], work_hours=1.0 / mu)},
        horizon_days=horizon_days,
    )


def product_form(lam: float, mu: float, c_a: int, c_b: int) -> float:
    """Mean hours from filing to resolution in the referral network, in product form."""
    return (mmc_mean_wait(lam, mu, c_a) + 1 / mu) + 2 * (mmc_mean_wait(2 * lam, mu, c_b) + 1 / mu)


def referral_network_cases(lam: float = 1.2, mu: float = 1.0, c_a: int = 2, c_b: int = 4,
                           horizon_days: int = 90, replications: int = 10,
                           seed: int = 31) -> pd.DataFrame:
    """The resolved cases of the referral network: the runs of
    ``test_referral_network_matches_kelly_product_form``."""
    s = referral_network_scenario(lam, mu, c_a, c_b, horizon_days)
    res = govsim.run(s, replications=replications, seed=seed, jobs=1, record_events=False)
    return res.cases[res.cases["resolved"]]


def sojourn_hours(resolved: pd.DataFrame) -> np.ndarray:
    """Per replication, the mean hours from filing to resolution of the resolved cases."""
    per_rep = (resolved["resolution_days"] * 24).groupby(resolved["replication"]).mean()
    return per_rep.to_numpy(dtype=float)


def test_referral_network_matches_kelly_product_form():
    """A two-station network: every case is filed at a non-owner desk A (exponential intake),
    referred to the owner B, where it queues for intake and then again for the fix (both
    exponential with the same mean). FIFO stations whose service rate does not depend on the
    visit, with fixed routes, have product form (Kelly's generalisation of Jackson networks):
    each station behaves as an M/M/c queue fed by its total arrival rate, so the mean time from
    filing to resolution is Wq_A(lambda) + 1/mu + 2 (Wq_B(2 lambda) + 1/mu)."""
    resolved = referral_network_cases()
    assert resolved["contacts"].eq(1).all() and resolved["units_touched"].eq(2).all()
    mean, low, high, n = mean_ci(sojourn_hours(resolved))
    theory = product_form(1.2, 1.0, 2, 4)
    assert n == 10
    assert low <= theory <= high, (mean, low, high, theory)
    assert high - low < 0.1 * theory


def test_erlang_a_reduces_to_erlang_c_as_patience_grows():
    share, wait = erlang_a(1.5, 1.0, 1e-9, 2)
    assert share < 1e-8
    assert wait == pytest.approx(mmc_mean_wait(1.5, 1.0, 2), rel=1e-6)


def call_centre_cases(lam: float = 15.0, mu: float = 10.0, theta: float = 15.0, c: int = 2,
                      horizon_days: int = 30, replications: int = 6, seed: int = 5) -> pd.DataFrame:
    """The cases of an M/M/c+M call centre (rates per hour; by default 15 calls, 6-minute calls,
    4-minute patience): the runs of ``test_call_centre_matches_erlang_a``."""
    from _factory import category, fragmented, scenario

    centre = {"call_takers": c, "hours": "24h", "call_minutes": 60.0 / mu,
              "caller_patience_minutes": 60.0 / theta, "redial_prob": 0.0}
    s = scenario(
        {"line": fragmented(intake_hours=0.0, channels=[{"name": "line", "unit": "owner",
                                                         "call_centre": centre}])},
        categories={"job": category(rate_per_day=lam * 24, owners=["owner"], work_hours=0.01)},
        citizens={"give_up_prob": 1.0},  # a caller who hangs up gives up: one call per case
        horizon_days=horizon_days,
    )
    return govsim.run(s, replications=replications, seed=seed, jobs=1, record_events=False).cases


def test_call_centre_matches_erlang_a():
    """A call centre with Poisson calls, exponential talk and exponential patience, and callers
    who never redial, is an M/M/c+M queue: the share of callers who hang up and the mean wait
    on the line match the birth-death chain (Erlang A)."""
    lam, mu, theta, c = 15.0, 10.0, 15.0, 2  # per hour: 15 calls, 6-minute calls, 4-minute patience
    cases = call_centre_cases(lam, mu, theta, c)
    assert cases["calls_abandoned"].le(1).all()
    by_rep = cases.groupby("replication")
    share = by_rep["calls_abandoned"].mean().to_numpy(dtype=float)
    wait = by_rep["call_wait_hours"].mean().to_numpy(dtype=float)
    theory_share, theory_wait = erlang_a(lam, mu, theta, c)
    for values, theory in ((share, theory_share), (wait, theory_wait)):
        mean, low, high, n = mean_ci(values)
        assert n == 6
        assert low <= theory <= high, (mean, low, high, theory)
        assert high - low < 0.1 * theory

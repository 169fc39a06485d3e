"""Tests for govsim.data.durations and govsim.data.restricted: the restricted mean and cv of the
time to close, ``E[min(T, tau)]``, against Monte-Carlo draws, numerical integration, the
unrestricted moments, Kaplan-Meier and censored samples; heavy tails stay finite."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim.data.durations import EXTRAPOLATED, _summary, fit_durations
from govsim.data.restricted import partial_moments, restricted_mean_cv
from govsim.errors import GovsimError

LN = math.log


def _dist(family: str, p: tuple[float, float]):
    """The scipy.stats distribution of a parameter vector of govsim.data.durations."""
    from scipy import stats

    a, b = p
    if family == "gamma":  # (log shape, log mean)
        k = math.exp(a)
        return stats.gamma(k, scale=math.exp(b) / k)
    if family == "lognormal":  # (mu, log sigma)
        return stats.lognorm(math.exp(b), scale=math.exp(a))
    return stats.weibull_min(math.exp(a), scale=math.exp(b))  # (log shape, log scale)


#: (family, parameters, tau): tau below, near and above the median, light and heavy tails
CASES = [
    ("gamma", (LN(0.7), LN(10.0)), 15.0),
    ("gamma", (LN(3.0), LN(2.0)), 1.5),
    ("gamma", (LN(0.05), LN(100.0)), 15.0),
    ("lognormal", (1.0, LN(1.5)), 30.0),
    ("lognormal", (0.0, LN(4.0)), 91.0),
    ("lognormal", (1.0, LN(0.3)), 2.0),
    ("weibull", (LN(0.6), LN(5.0)), 40.0),
    ("weibull", (LN(0.2), LN(3.0)), 50.0),
    ("weibull", (LN(3.0), LN(3.0)), 2.5),
]
IDS = [f"{f}-{i}" for i, (f, _, _) in enumerate(CASES)]


@pytest.mark.parametrize(("family", "p", "tau"), CASES, ids=IDS)
def test_restricted_mean_and_cv_match_monte_carlo(family, p, tau) -> None:
    rng = np.random.default_rng(CASES.index((family, p, tau)))
    batches = _dist(family, p).rvs(size=(100, 4000), random_state=rng)
    x = np.minimum(batches, tau)
    mean, cv = restricted_mean_cv(family, np.array(p), tau)
    se_mean = x.std() / math.sqrt(x.size)
    assert abs(x.mean() - mean) < 4.0 * se_mean + 1e-12, (x.mean(), mean, se_mean)
    cvs = x.std(axis=1) / x.mean(axis=1)  # batch means give the Monte-Carlo SE of the cv
    se_cv = cvs.std(ddof=1) / math.sqrt(cvs.size)
    assert abs(x.std() / x.mean() - cv) < 4.0 * se_cv + 1e-12, (x.std() / x.mean(), cv, se_cv)


@pytest.mark.parametrize(("family", "p", "tau"), CASES, ids=IDS)
def test_restricted_moments_are_the_area_under_the_survival_curve(family, p, tau) -> None:
    from scipy import integrate

    d = _dist(family, p)
    knots = [q for q in d.ppf([0.1, 0.5, 0.9]) if q < tau]
    m1 = integrate.quad(d.sf, 0.0, tau, points=knots or None, limit=500, epsabs=0)[0]
    m2 = integrate.quad(lambda t: 2.0 * t * d.sf(t), 0.0, tau, points=knots or None,
                        limit=500, epsabs=0)[0]
    mean, cv = restricted_mean_cv(family, np.array(p), tau)
    assert mean == pytest.approx(m1, rel=1e-8)
    assert cv == pytest.approx(math.sqrt(m2 - m1 * m1) / m1, rel=1e-7)


@pytest.mark.parametrize(("family", "p"), [
    ("gamma", (LN(2.0), LN(5.0))), ("gamma", (LN(0.3), LN(5.0))),
    ("lognormal", (1.0, LN(0.5))), ("lognormal", (1.0, LN(2.0))),
    ("weibull", (LN(1.5), LN(5.0))), ("weibull", (LN(0.5), LN(5.0)))])
def test_a_huge_tau_gives_the_unrestricted_moments(family, p) -> None:
    d = _dist(family, p)
    mean, cv = restricted_mean_cv(family, np.array(p), 1e30)
    assert mean == pytest.approx(d.mean(), rel=1e-9)
    assert cv == pytest.approx(d.std() / d.mean(), rel=1e-8)
    log_mean, log_cv = _summary(family, np.array(p))[:2]  # the fit's unrestricted moments
    assert mean == pytest.approx(math.exp(log_mean), rel=1e-9)
    assert cv == pytest.approx(math.exp(log_cv), rel=1e-8)


@pytest.mark.parametrize(("family", "p"), [
    ("lognormal", (0.0, LN(4.0))), ("lognormal", (8.0, LN(4.0))), ("weibull", (LN(0.2), 0.0)),
    ("weibull", (LN(0.2), 10.0)), ("gamma", (LN(0.05), 0.0)), ("gamma", (LN(0.05), 12.0)),
    ("gamma", (-50.0, 50.0)), ("gamma", (50.0, -50.0)), ("lognormal", (50.0, 50.0)),
    ("lognormal", (-50.0, -50.0)), ("weibull", (-50.0, 50.0)), ("weibull", (50.0, -50.0)),
    ("weibull", (-1e9, 1e9))])
def test_heavy_tails_and_absurd_parameters_stay_finite_and_within_tau(family, p) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for tau in (1e-6, 0.04, 1.0, 91.0, 1e4, 1e9):
            mean, cv = restricted_mean_cv(family, np.array(p), tau)
            assert 0.0 < mean <= tau and math.isfinite(cv) and cv >= 0.0, (tau, mean, cv)
            a1, a2, f, s = partial_moments(family, np.array(p), tau)
            assert 0.0 <= a2 <= a1 <= f <= 1.0 and 0.0 <= s <= 1.0


def test_heavy_tails_named_in_the_brief_have_huge_means_but_bounded_restricted_ones() -> None:
    for family, p in (("lognormal", (0.0, LN(4.0))), ("weibull", (LN(0.2), 2.0)),
                      ("gamma", (LN(0.05), LN(1e4)))):
        full = math.exp(_summary(family, np.array(p))[0])
        mean, _ = restricted_mean_cv(family, np.array(p), 91.0)
        assert full > EXTRAPOLATED * 91.0 and mean < 91.0


@settings(max_examples=200, deadline=None)
@given(family=st.sampled_from(["gamma", "lognormal", "weibull"]),
       a=st.floats(-3.0, 3.0), b=st.floats(-4.0, 8.0),
       tau=st.floats(1e-3, 1e5), factor=st.floats(1.0, 1e3))
def test_restricted_mean_is_below_mean_and_tau_and_grows_with_tau(family, a, b, tau,
                                                                  factor) -> None:
    p = np.array([a, b if family != "lognormal" else min(b, 1.6)])  # sigma up to ~5
    full = math.exp(min(_summary(family, p)[0], 700.0))
    low, cv_low = restricted_mean_cv(family, p, tau)
    high, cv_high = restricted_mean_cv(family, p, tau * factor)
    assert 0.0 < low <= min(full * (1 + 1e-9), tau)
    assert low <= high * (1 + 1e-12) and high <= tau * factor
    assert math.isfinite(cv_low) and math.isfinite(cv_high)


# ------------------------------------------------------------------ the fit
def test_the_fit_reports_restricted_moments_in_fields_rows_and_families() -> None:
    rng = np.random.default_rng(3)
    t = rng.gamma(1.5, 4.0 / 1.5, size=2000)
    fit = fit_durations(t, np.ones(t.size, dtype=bool))
    assert fit.tau_days == t.max() and not fit.extrapolated
    assert 0.0 < fit.rmean_days <= fit.mean_days and fit.se_rmean > 0 and fit.se_rcv > 0
    rows = {r["quantity"]: r for r in fit.rows}
    rmean, rcv = rows["duration_rmean_days"], rows["duration_rcv"]
    assert rmean["level"] == f"{fit.family}, up to {t.max():.1f} days"
    assert rmean["estimate"] == fit.rmean_days and rmean["se"] == fit.se_rmean
    assert rcv["estimate"] == fit.rcv and rmean["n"] == 2000
    assert rmean["ci_low"] < fit.rmean_days < rmean["ci_high"]
    for entry in fit.families:
        assert entry["tau_days"] == fit.tau_days and entry["km_rmean_days"] == fit.km_rmean_days
        assert 0.0 < entry["rmean_days"] <= fit.tau_days and entry["extrapolated"] is False
    chosen = next(e for e in fit.families if e["chosen"])
    assert chosen["rmean_days"] == pytest.approx(fit.rmean_days, rel=1e-12)
    # the restriction can be given; the family AIC picks does not depend on it
    given_tau = fit_durations(t, np.ones(t.size, dtype=bool), horizon_days=5.0)
    assert given_tau.tau_days == 5.0 and given_tau.family == fit.family
    assert given_tau.rmean_days < fit.rmean_days
    assert next(r for r in given_tau.rows if r["quantity"] == "duration_rcv")["level"] \
        == f"{fit.family}, up to 5.0 days"


def test_weights_give_the_fit_of_the_repeated_durations() -> None:
    rng = np.random.default_rng(4)
    t = np.round(rng.gamma(0.8, 6.0, size=400), 1) + 0.1
    closed = rng.uniform(size=t.size) < 0.9
    counts = rng.integers(0, 4, size=t.size)
    a = fit_durations(t, closed, weights=counts)
    b = fit_durations(np.repeat(t, counts), np.repeat(closed, counts))
    assert a.km_rmean_days == pytest.approx(b.km_rmean_days, rel=1e-12)
    assert a.censored == b.censored and a.tau_days == b.tau_days
    assert a.rmean_days == pytest.approx(b.rmean_days, rel=1e-6)


@pytest.mark.parametrize("family", ["gamma", "lognormal", "weibull"])
def test_the_fitted_restricted_mean_agrees_with_kaplan_meier(family) -> None:
    rng = np.random.default_rng(5)
    p = {"gamma": (LN(0.8), LN(5.0)), "lognormal": (0.5, LN(1.2)),
         "weibull": (LN(0.7), LN(4.0))}[family]
    t = _dist(family, p).rvs(size=20_000, random_state=rng)
    fit = fit_durations(t, np.ones(t.size, dtype=bool), families=(family,))
    assert abs(fit.rmean_days - fit.km_rmean_days) < 3.0 * fit.se_rmean, \
        (fit.rmean_days, fit.km_rmean_days, fit.se_rmean)
    assert fit.km_rmean_days == pytest.approx(np.minimum(t, fit.tau_days).mean(), rel=1e-9)


def _exponential_log(seed: int, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """Exponential times to close (mean 10 days) of requests created over a year, the log
    taken at the year's end: the open ones are censored at their age."""
    rng = np.random.default_rng(seed)
    t = rng.exponential(10.0, size=n)
    age = rng.uniform(0.0, 365.0, size=n)
    return np.minimum(t, age), t <= age


def test_censored_exponential_recovers_the_true_restricted_mean() -> None:
    truth = 10.0 * -math.expm1(-2.0)  # E[min(T, 20)]
    days, closed = _exponential_log(6)
    assert (~closed).sum() > 50
    fit = fit_durations(days, closed, horizon_days=20.0)
    assert abs(fit.rmean_days - truth) < 3.0 * fit.se_rmean, (fit.rmean_days, fit.se_rmean)
    assert abs(fit.km_rmean_days - truth) < 3.0 * fit.se_rmean * 1.5
    covered = []
    for seed in range(20):
        days, closed = _exponential_log(100 + seed, n=1000)
        fit = fit_durations(days, closed, families=("weibull",), horizon_days=20.0)
        row = next(r for r in fit.rows if r["quantity"] == "duration_rmean_days")
        covered.append(row["ci_low"] <= truth <= row["ci_high"])
    assert np.mean(covered) >= 0.8, np.mean(covered)


def test_a_tau_beyond_follow_up_leaves_kaplan_meier_undefined() -> None:
    days = np.array([1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0])
    closed = np.array([True] * 6 + [False])  # the longest still open: no curve beyond it
    fit = fit_durations(days, closed, horizon_days=30.0)
    assert math.isnan(fit.km_rmean_days) and 0.0 < fit.rmean_days <= min(fit.mean_days, 30.0)
    default = fit_durations(days, closed)  # tau: the longest duration, 21 days
    assert default.tau_days == 21.0 and default.km_rmean_days == pytest.approx(53.0 / 7.0)


def test_a_heavy_tail_is_flagged_extrapolated_without_changing_the_family() -> None:
    rng = np.random.default_rng(8)
    t = rng.lognormal(1.0, 3.5, size=3000)  # mean e^7.1 ~ 1200 days, median 2.7
    closed = t <= 91.0  # nothing closes after 91 days
    days = np.minimum(t, 91.0)
    fit = fit_durations(days, closed)
    plain = fit_durations(days, closed, horizon_days=1e6)
    assert fit.family == plain.family
    assert fit.tau_days == 91.0 and fit.extrapolated and fit.mean_days > EXTRAPOLATED * 91.0
    assert 0.0 < fit.rmean_days <= 91.0 and math.isfinite(fit.rcv) and math.isfinite(fit.se_rmean)
    assert abs(fit.rmean_days - fit.km_rmean_days) < 3.0 * fit.se_rmean
    assert not plain.extrapolated or plain.mean_days > EXTRAPOLATED * 1e6


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, "10", True, [5.0]])
def test_a_bad_horizon_is_refused_at_its_name(bad) -> None:
    with pytest.raises(GovsimError) as err:
        fit_durations(np.arange(1.0, 10.0), np.ones(9, dtype=bool), horizon_days=bad)
    assert err.value.path == "horizon_days"

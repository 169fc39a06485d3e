"""Tests for govsim.stats.intervals: t intervals clipped to the feasible range, with their
coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from govsim.stats.intervals import difference_bounds, mean_ci


def test_mean_ci_matches_hand_computation() -> None:
    values = np.array([2.0, 4.0, 4.0, 5.0, 7.0, 9.0])
    # mean = 31 / 6; s^2 = sum((x - mean)^2) / 5
    mean = 31.0 / 6.0
    s = math.sqrt(sum((v - mean) ** 2 for v in values) / 5.0)
    half = stats.t.ppf(0.975, 5) * s / math.sqrt(6.0)

    got_mean, low, high, n = mean_ci(values)

    assert n == 6
    assert got_mean == pytest.approx(mean, rel=1e-12)
    assert low == pytest.approx(mean - half, rel=1e-12)
    assert high == pytest.approx(mean + half, rel=1e-12)


def test_mean_ci_other_confidence_level() -> None:
    values = [1.0, 3.0, 8.0]
    s = float(np.std(values, ddof=1))
    half = stats.t.ppf(0.95, 2) * s / math.sqrt(3.0)
    mean, low, high, n = mean_ci(values, confidence=0.90)
    assert n == 3
    assert mean == pytest.approx(4.0)
    assert (low, high) == pytest.approx((4.0 - half, 4.0 + half))


def test_mean_ci_drops_nan() -> None:
    with_nan = mean_ci([1.0, np.nan, 2.0, 3.0, np.nan])
    without = mean_ci([1.0, 2.0, 3.0])
    assert with_nan[3] == 3
    assert with_nan == pytest.approx(without)


def test_mean_ci_single_value_has_nan_bounds() -> None:
    mean, low, high, n = mean_ci([4.5, np.nan])
    assert (mean, n) == (4.5, 1)
    assert math.isnan(low) and math.isnan(high)


@pytest.mark.parametrize("values", [[], [np.nan, np.nan]])
def test_mean_ci_empty_is_all_nan(values: list[float]) -> None:
    mean, low, high, n = mean_ci(values)
    assert n == 0
    assert math.isnan(mean) and math.isnan(low) and math.isnan(high)


def test_mean_ci_zero_variance_collapses() -> None:
    # 0.1 is not exactly representable: a naive mean/std could leave a
    # rounding-sized spread, but the bounds must equal the mean exactly.
    mean, low, high, n = mean_ci([0.1, 0.1, 0.1])
    assert n == 3
    assert mean == 0.1
    assert low == mean == high


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.2])
def test_mean_ci_rejects_bad_confidence(confidence: float) -> None:
    with pytest.raises(ValueError):
        mean_ci([1.0, 2.0], confidence=confidence)


def test_mean_ci_rejects_two_dimensional_input() -> None:
    with pytest.raises(ValueError):
        mean_ci(np.ones((2, 3)))


def test_mean_ci_coverage_is_nominal() -> None:
    rng = np.random.default_rng(12345)
    true_mean = 3.0
    samples = rng.normal(loc=true_mean, scale=2.0, size=(2000, 10))
    covered = 0
    for row in samples:
        _, low, high, _ = mean_ci(row, confidence=0.95)
        covered += low <= true_mean <= high
    coverage = covered / len(samples)
    assert 0.935 <= coverage <= 0.965


def test_intervals_are_clipped_to_the_feasible_range() -> None:
    mean, low, high, n = mean_ci([0.99, 0.93], 0.95, (0.0, 1.0))
    assert n == 2 and low >= 0.0 and high == 1.0
    _, unclipped_low, unclipped_high, _ = mean_ci([0.99, 0.93], 0.95)
    assert unclipped_high > 1.0 and low == unclipped_low  # only the impossible end moves
    assert mean_ci([5.0, 0.0], 0.95, (0.0, math.inf))[1] == 0.0
    assert difference_bounds((0.0, 1.0)) == (-1.0, 1.0)
    assert difference_bounds((0.0, math.inf)) == (-math.inf, math.inf)


@pytest.mark.parametrize("name, draw, truth, n, bounds", [
    # a share near its bound, as in a replication of 200 cases resolved with probability 0.97
    ("share near 1", lambda rng, n: rng.binomial(200, 0.97, n) / 200, 0.97, 3, (0.0, 1.0)),
    ("share", lambda rng, n: rng.binomial(50, 0.9, n) / 50, 0.9, 5, (0.0, 1.0)),
    # a cost near 0 relative to its spread (a sum of skewed amounts, so somewhat skewed itself;
    # on strongly skewed values, gamma shape 2, the t interval covers 92% at n = 3 -- the
    # reason intervals from fewer than 5 replications are flagged)
    ("cost", lambda rng, n: rng.gamma(10.0, 100.0, n), 1000.0, 3, (0.0, math.inf)),
])
def test_clipped_intervals_keep_their_coverage(name: str, draw, truth: float, n: int,
                                                bounds: tuple[float, float]) -> None:
    """On known distributions, 4,000 samples each: every clipped interval lies in the feasible
    range, covers the true mean exactly when the t interval does, and the coverage is within
    0.02 of the nominal 95% (about six standard errors of the estimate)."""
    rng = np.random.default_rng(2026)
    covered = covered_t = left_range = 0
    reps = 4000
    for _ in range(reps):
        x = draw(rng, n)
        _, low, high, _ = mean_ci(x, 0.95, bounds)
        _, t_low, t_high, _ = mean_ci(x, 0.95)
        assert bounds[0] <= low <= high <= bounds[1]
        covered += low <= truth <= high
        covered_t += t_low <= truth <= t_high
        left_range += t_low < bounds[0] or t_high > bounds[1]
    assert covered == covered_t
    assert abs(covered / reps - 0.95) < 0.02, (name, covered / reps)
    if name != "share":
        assert left_range / reps > 0.03  # the unclipped interval often claimed the impossible

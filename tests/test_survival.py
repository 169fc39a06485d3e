"""Tests for govsim.stats.survival: Kaplan-Meier quantiles of censored durations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim.stats.survival import km_median, km_quantile


def test_km_median_without_censoring_is_lower_median() -> None:
    assert km_median([5.0, 1.0, 4.0, 2.0, 3.0], [True] * 5) == 3.0
    # Even size: S(2) = 0.5 exactly, so the lower middle value is returned.
    assert km_median([4.0, 1.0, 3.0, 2.0], np.ones(4, dtype=bool)) == 2.0


def test_km_median_without_censoring_matches_sorted_sample() -> None:
    rng = np.random.default_rng(7)
    x = rng.gamma(2.0, size=1001)
    assert km_median(x, np.ones(x.size, dtype=bool)) == np.sort(x)[500]


def test_km_hand_worked_censored_example() -> None:
    # durations 1..6, censored at 2 and 5 (product-limit estimate by hand):
    #   t=1: at risk 6, 1 event -> S = 5/6             = 0.8333
    #   t=2: censored, no change; risk set drops to 4
    #   t=3: at risk 4, 1 event -> S = 5/6 * 3/4       = 0.6250
    #   t=4: at risk 3, 1 event -> S = 0.625 * 2/3     = 0.4167
    #   t=5: censored, no change; risk set drops to 1
    #   t=6: at risk 1, 1 event -> S = 0
    # Median: first t with S(t) <= 0.5 -> 4. (The naive median of the
    # uncensored values 1, 3, 4, 6 would be 3.5.)
    durations = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    observed = np.array([True, False, True, True, False, True])
    assert km_median(durations, observed) == 4.0
    assert km_quantile(durations, observed, 0.25) == 3.0  # S <= 0.75 first at t=3
    assert km_quantile(durations, observed, 0.9) == 6.0  # S <= 0.1 first at t=6
    assert km_quantile(durations, observed, 0.1) == 1.0  # S <= 0.9 first at t=1


def test_km_input_order_does_not_matter() -> None:
    durations = np.array([6.0, 2.0, 4.0, 1.0, 5.0, 3.0])
    observed = np.array([True, False, True, True, False, True])
    assert km_median(durations, observed) == 4.0


def test_km_median_not_reached_is_nan() -> None:
    # S drops to 0.8 at t=1 and then only censoring happens.
    durations = [1.0, 2.0, 3.0, 4.0, 5.0]
    observed = [True, False, False, False, False]
    assert math.isnan(km_median(durations, observed))
    # 80 % resolved by t=1 is reached, 90 % never is.
    assert km_quantile(durations, observed, 0.2) == 1.0
    assert math.isnan(km_quantile(durations, observed, 0.9))


def test_km_median_all_censored_or_empty_is_nan() -> None:
    assert math.isnan(km_median([1.0, 2.0], [False, False]))
    assert math.isnan(km_median([], []))


def test_km_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        km_median([1.0, 2.0], [True])
    with pytest.raises(ValueError):
        km_median([1.0, -2.0], [True, True])
    with pytest.raises(ValueError):
        km_median([1.0, np.nan], [True, True])
    with pytest.raises(ValueError):
        km_quantile([1.0, 2.0], [True, True], 0.0)


def test_km_median_corrects_censoring_bias() -> None:
    rng = np.random.default_rng(2024)
    n = 20_000
    event_times = rng.exponential(scale=1.0, size=n)  # rate 1, median ln 2
    censor_times = rng.uniform(0.0, 3.0, size=n)
    durations = np.minimum(event_times, censor_times)
    observed = event_times <= censor_times

    estimate = km_median(durations, observed)
    assert abs(estimate - math.log(2.0)) < 0.03

    # Ignoring the censored items over-represents short durations.
    naive = float(np.median(durations[observed]))
    assert naive < math.log(2.0) - 0.05

    # The 90 % resolution time of Exp(1) is ln 10 ~ 2.30, still inside
    # the follow-up window.
    assert abs(km_quantile(durations, observed, 0.9) - math.log(10.0)) < 0.15


# -- the restricted mean (resolution_days_rmst30) ---------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.floats(min_value=0.0, max_value=100.0, allow_nan=False), min_size=1,
                max_size=40),
       st.floats(min_value=0.5, max_value=120.0))
def test_rmst_without_censoring_is_the_mean_of_times_cut_at_tau(times, tau) -> None:
    from govsim.stats.survival import km_rmst

    t = np.asarray(times)
    expected = float(np.minimum(t, tau).mean())
    assert km_rmst(t, np.ones(t.size, dtype=bool), tau) == pytest.approx(expected, abs=1e-9)


def test_rmst_with_censoring_is_the_area_under_the_km_curve() -> None:
    from govsim.stats.survival import km_rmst

    # S = 1 on [0,1), 0.75 on [1,3), 0.375 on [3,5), 0 after: area to 10 = 1 + 1.5 + 0.75
    assert km_rmst([1, 2, 5, 3], [1, 0, 1, 1], 10) == pytest.approx(3.25)
    # a case censored past tau counts as tau
    assert km_rmst([1, 2, 3, 40], [1, 1, 1, 0], 10) == pytest.approx(4.0)
    # nobody followed to tau, someone still waiting: the curve is unknown there
    assert np.isnan(km_rmst([1, 2, 3, 5], [1, 1, 1, 0], 10))
    assert np.isnan(km_rmst([], [], 10))
    with pytest.raises(ValueError):
        km_rmst([1.0], [True], 0.0)

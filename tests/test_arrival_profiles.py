"""Volume that moves: weekday profiles and a yearly trend in the arrival rates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from govsim.errors import GovsimError
from govsim.model import draw_world
from tests._factory import category, fragmented, scenario

WEEKDAY = (1.0, 1.2, 1.0, 1.0, 0.8, 0.3, 0.2)


def _counts_by_day(s, seed: int) -> np.ndarray:
    d = draw_world(s, seed, 0)
    return np.bincount((d.arrival_h // 24.0).astype(np.int64), minlength=s.world.horizon_days)


def test_neutral_profiles_draw_the_same_world() -> None:
    plain = scenario({"f": fragmented()}, categories={"a": category(rate_per_day=20.0)})
    neutral = scenario({"f": fragmented()}, categories={
        "a": category(rate_per_day=20.0, weekday=[1.0] * 7, trend_per_year=0.0)})
    a, b = draw_world(plain, 3, 1), draw_world(neutral, 3, 1)
    np.testing.assert_array_equal(a.arrival_h, b.arrival_h)
    np.testing.assert_array_equal(a.work_hours, b.work_hours)


def test_weekday_factors_shape_the_week() -> None:
    s = scenario({"f": fragmented()}, horizon_days=7 * 40,
                 categories={"a": category(rate_per_day=50.0, weekday=list(WEEKDAY))})
    counts = _counts_by_day(s, 0)
    start = s.world.start
    weekday = np.array([(start + dt.timedelta(days=d)).weekday() for d in range(len(counts))])
    per_weekday = np.array([counts[weekday == k].sum() for k in range(7)])
    expected = 50.0 * 40 * np.asarray(WEEKDAY)
    # each weekday's total is Poisson: within 4 standard deviations of its mean
    assert (np.abs(per_weekday - expected) < 4.0 * np.sqrt(expected)).all(), (per_weekday, expected)
    assert s.expected_cases() == pytest.approx(expected.sum())


def test_a_trend_compounds_year_on_year() -> None:
    g = 0.18
    s = scenario({"f": fragmented()}, horizon_days=3 * 365,
                 categories={"a": category(rate_per_day=40.0, trend_per_year=g)})
    counts = _counts_by_day(s, 1)
    years = [counts[365 * k:365 * (k + 1)].sum() for k in range(3)]
    # the rate at year k's middle day is 40 (1 + g)^(k + 1/2); each year's count is Poisson
    for k, n in enumerate(years):
        mean = sum(40.0 * (1.0 + g) ** ((365 * k + d + 0.5) / 365.25) for d in range(365))
        assert abs(n - mean) < 4.0 * np.sqrt(mean), (k, n, mean)
    ratio = years[2] / years[0]
    assert (1.0 + g) ** 2 * 0.95 < ratio < (1.0 + g) ** 2 * 1.05
    rates = s.world.categories["a"].daily_rates(s.world.start, s.world.horizon_days)
    assert rates[0] == pytest.approx(40.0 * (1.0 + g) ** (0.5 / 365.25))
    assert s.expected_cases() == pytest.approx(rates.sum())


def test_a_declining_trend_and_seasons_combine() -> None:
    seasonal = [2.0] + [1.0] * 11
    s = scenario({"f": fragmented()}, horizon_days=400, categories={
        "a": category(rate_per_day=10.0, trend_per_year=-0.5, seasonal=seasonal,
                      weekday=list(WEEKDAY))})
    rates = s.world.categories["a"].daily_rates(s.world.start, 400)
    days = [s.world.start + dt.timedelta(days=d) for d in range(400)]
    by_hand = [10.0 * seasonal[day.month - 1] * WEEKDAY[day.weekday()] * 0.5 ** ((d + 0.5) / 365.25)
               for d, day in enumerate(days)]
    np.testing.assert_allclose(rates, by_hand, rtol=1e-12)


@pytest.mark.parametrize(("fields", "path"), [
    ({"weekday": [1.0] * 6}, "world.categories.a.weekday"),
    ({"weekday": [1.0] * 6 + [-1.0]}, "world.categories.a.weekday[6]"),
    ({"trend_per_year": -1.0}, "world.categories.a.trend_per_year"),
    ({"trend_per_year": 9.0}, "world.categories.a.trend_per_year"),
])
def test_bad_profiles_name_their_key(fields, path) -> None:
    with pytest.raises(GovsimError) as err:
        scenario({"f": fragmented()}, horizon_days=3 * 365, categories={"a": category(**fields)})
    assert err.value.path == path, err.value.path

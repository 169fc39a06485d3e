"""Arrival rates from a request log (govsim.data.window, govsim.data.rates): the creation window
a log's rates are counted over, trends only where the data support them, types that start late
or end early as steps, caps instead of errors at the scenario's bounds, and the schema's
``first_day`` / ``last_day`` of a category."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from govsim.data.rates import check_category, fit_rates
from govsim.data.window import creation_window
from govsim.errors import GovsimError
from govsim.scenario.base import LIMITS
from govsim.scenario.world import Category

DAY = np.timedelta64(1, "D")


def _stamps(days: np.ndarray, origin: str, rng: np.random.Generator) -> np.ndarray:
    """Creation times on the given day offsets from ``origin``, at random times of day."""
    base = np.datetime64(origin, "s") + (np.asarray(days, dtype=np.int64) * 86400).astype(
        "timedelta64[s]")
    return base + rng.integers(0, 86400, size=base.size).astype("timedelta64[s]")


def _poisson_log(rates: np.ndarray, origin: str, rng: np.random.Generator) -> np.ndarray:
    return _stamps(np.repeat(np.arange(rates.size), rng.poisson(rates)), origin, rng)


def _observed(created: np.ndarray, first: np.datetime64, end: np.datetime64) -> int:
    day = created.astype("datetime64[D]")
    return int(((day >= first) & (day < end)).sum())


def _category(fit, **extra) -> Category:
    keys = {"rate_per_day": fit.rate_per_day, "seasonal": fit.seasonal, "weekday": fit.weekday,
            "trend_per_year": fit.trend_per_year, "owners": ("u",), **extra}
    for key, value in (("first_day", fit.first_day), ("last_day", fit.last_day)):
        if value is not None:
            keys[key] = value.astype(object)
    return Category(**keys)


# ------------------------------------------------------------------ the creation window
def test_a_one_day_log_closed_months_later_is_counted_over_one_day() -> None:
    rng = np.random.default_rng(1)
    created = _stamps(np.zeros(2386), "2013-12-25", rng)  # NYC's Christmas-day export
    window = creation_window(created, np.datetime64("2014-04-30T16:12:00"))
    assert window.first_day == np.datetime64("2013-12-25") and window.n_days == 1
    assert window.end_day == np.datetime64("2013-12-26")
    assert window.detected and window.outside == 0
    assert "2013-12-25 to 2013-12-25 (1 day)" in window.warning
    assert "as_of (2014-04-30)" in window.warning and "window=" in window.warning
    # 2,386 requests a day, not 2,386 spread over four months
    fit = fit_rates("x", created, window.first_day, window.n_days)
    assert fit.rate_per_day == pytest.approx(2386.0)


def test_a_partial_last_day_is_left_out_and_no_warning_when_as_of_is_near() -> None:
    rng = np.random.default_rng(2)
    created = _stamps(np.repeat(np.arange(10), 20), "2024-03-01", rng)
    as_of = created.max()  # the default: the latest stamp, within the last creation day
    window = creation_window(created, as_of)
    assert window.n_days == 9 and window.end_day == np.datetime64("2024-03-10")
    assert window.outside == 20 and window.warning is None
    assert any("left out" in n for n in window.notes)
    midnight = creation_window(created, np.datetime64("2024-03-11T00:00:00"))
    assert midnight.n_days == 10 and midnight.warning is None and midnight.outside == 0


def test_a_given_window_is_honoured_and_checked() -> None:
    rng = np.random.default_rng(3)
    created = _stamps(np.arange(365), "2020-01-01", rng)
    as_of = np.datetime64("2021-06-01T00:00:00")
    window = creation_window(created, as_of, ("2020-02-01", dt.date(2020, 3, 1)))
    assert (window.first_day, window.end_day, window.n_days) == (
        np.datetime64("2020-02-01"), np.datetime64("2020-03-01"), 29)
    assert not window.detected and window.warning is None and window.outside == 365 - 29
    assert any("outside it" in n for n in window.notes)
    for bad, words in [
        ("2020-02-01", "pair of dates"),
        (("2020-02-01",), "1 value(s)"),
        (("2020-02-01", "2020-03-01", "2020-04-01"), "3 value(s)"),
        (("2020-03-01", "2020-02-01"), "must come before"),
        (("2020-02-01", "2020-02-01"), "must come before"),
        ((5, "2020-02-01"), "date or time"),
        (("1800-01-01", "1950-01-01"), "at most 36,525"),
        (("2021-05-01", "2021-07-01"), "after the log's end"),
    ]:
        with pytest.raises(GovsimError) as err:
            creation_window(created, as_of, bad)
        assert err.value.path == "window" and words in err.value.message, (bad, str(err.value))


def test_stray_outliers_are_trimmed_and_a_million_requests_are_quick() -> None:
    rng = np.random.default_rng(4)
    body = _stamps(rng.integers(0, 3 * 365, size=1_000_000), "2015-01-01", rng)
    strays = np.array(["1990-01-01T00:00:00", "1990-01-01T00:00:00", "2014-06-30T12:00:00"],
                      dtype="datetime64[s]")
    late = np.array(["2030-01-01T00:00:00"], dtype="datetime64[s]")
    created = np.concatenate([strays, body, late])
    begun = time.perf_counter()
    window = creation_window(created, np.datetime64("2030-01-02T00:00:00"))
    assert time.perf_counter() - begun < 5.0
    assert window.first_day == np.datetime64("2015-01-01")
    assert window.end_day == np.datetime64("2015-01-01") + 3 * 365
    assert window.outside == 4 and len(window.notes) == 2
    assert "3 requests created before 2015-01-01" in window.notes[0]
    assert window.warning is not None  # as_of is years after the window
    # more than 1% of the requests are not outliers: nothing is trimmed
    few = np.concatenate([np.repeat(strays[:1], 20), body[:1000]])
    assert creation_window(few, body.max()).first_day == np.datetime64("1990-01-01")
    # a log followed for more than 100 years is refused at as_of
    with pytest.raises(GovsimError) as err:
        creation_window(body[:10], np.datetime64("2250-01-01T00:00:00"))
    assert err.value.path == "as_of" and "at most 36,525 days" in err.value.message


# ------------------------------------------------------------------ steps and supported trends
def test_a_type_that_starts_late_is_a_step_without_a_trend() -> None:
    rng = np.random.default_rng(5)
    first, n_days = np.datetime64("2014-07-01"), 1827  # five years, Baltimore-like
    created = _stamps(rng.integers(n_days - 150, n_days, size=71), "2014-07-01", rng)
    fit = fit_rates("late", created, first, n_days)  # was trend 100.6 a year, then an error
    assert fit.trend_per_year == 0.0 and fit.last_day is None
    start = created.astype("datetime64[D]").min()
    assert fit.first_day == start
    assert any("starts late" in n and "first_day" in n for n in fit.notes)
    assert any("trend not fitted" in n for n in fit.notes)
    active = int((first + n_days - start).astype(np.int64))
    assert fit.rate_per_day == pytest.approx(71 / active)
    expected = _category(fit).daily_rates(first.astype(object), n_days).sum()
    assert expected == pytest.approx(71.0, rel=1e-9)
    check_category("late", {"rate_per_day": fit.rate_per_day, "owners": ["u"],
                            "first_day": fit.first_day})


def test_a_type_with_one_request_gets_no_trend_and_no_step() -> None:
    created = np.array(["2019-12-30T10:00:00"], dtype="datetime64[s]")
    fit = fit_rates("one", created, np.datetime64("2014-01-01"), 2191)
    assert fit.trend_per_year == 0.0 and fit.first_day is None and fit.last_day is None
    assert fit.rate_per_day == pytest.approx(1 / 2191)
    assert any("trend not fitted" in n for n in fit.notes)
    with pytest.raises(GovsimError) as err:
        fit_rates("one", created, np.datetime64("2014-01-01"), 2191, trend=True)
    assert err.value.path == "trend" and "all fall on one day" in err.value.message


def test_too_few_requests_or_an_insignificant_trend_is_left_out_with_the_reason() -> None:
    rng = np.random.default_rng(6)
    flat = _poisson_log(np.full(3 * 365, 2.0), "2020-01-01", rng)
    fit = fit_rates("flat", flat, np.datetime64("2020-01-01"), 3 * 365)
    assert fit.trend_per_year == 0.0
    (note,) = [n for n in fit.notes if "trend not fitted" in n]
    assert "not significant" in note and "p = " in note
    sparse = _poisson_log(np.full(3 * 365, 0.1), "2020-01-01", rng)
    fit = fit_rates("sparse", sparse, np.datetime64("2020-01-01"), 3 * 365)
    assert any("too few requests" in n for n in fit.notes) and fit.trend_per_year == 0.0
    forced = fit_rates("flat", flat, np.datetime64("2020-01-01"), 3 * 365, trend=True)
    (row,) = [r for r in forced.rows if r["quantity"] == "trend_per_year"]
    assert row["p_value"] > 0.01 and row["lr"] >= 0.0


def test_a_strong_true_trend_is_found_and_recovered() -> None:
    rng = np.random.default_rng(7)
    n_days = 3 * 365
    years = (np.arange(n_days) + 0.5) / 365.25
    created = _poisson_log(5.0 * 1.3**years, "2021-01-01", rng)
    fit = fit_rates("growing", created, np.datetime64("2021-01-01"), n_days)
    (row,) = [r for r in fit.rows if r["quantity"] == "trend_per_year"]
    assert abs(row["estimate"] - 0.3) < 3.0 * row["se"], row
    assert row["p_value"] < 1e-6 and row["lr"] > 20.0
    assert fit.first_day is None and fit.last_day is None


def test_a_late_type_with_profiles_and_a_trend_matches_its_count_from_any_start() -> None:
    rng = np.random.default_rng(8)
    n_days, begins = 6 * 365, 2 * 365  # six years; the type appears in the third
    years = (np.arange(n_days) + 0.5) / 365.25
    month = (np.datetime64("2015-01-01") + np.arange(n_days)).astype("datetime64[M]").astype(
        int) % 12
    rates = 6.0 * 1.15**years * (1.0 + 0.4 * np.cos(2 * np.pi * month / 12.0))
    rates[:begins] = 0.0
    created = _poisson_log(rates, "2015-01-01", rng)
    first = np.datetime64("2015-01-01")
    fit = fit_rates("late", created, first, n_days)
    assert fit.first_day is not None and fit.trend_per_year > 0.0 and fit.seasonal
    reference = _category(fit).daily_rates(first.astype(object), n_days)
    # the expected count over the window is the count observed in the type's active span
    assert reference.sum() == pytest.approx(_observed(created, first, first + n_days), rel=1e-9)
    assert (reference[: int((fit.first_day - first).astype(int))] == 0.0).all()
    # rate_per_day at another start is the same rate carried along the trend: the same days
    for anchor, horizon in ((first - 400, n_days + 800), (first + 1000, n_days - 1000)):
        moved = fit_rates("late", created, first, n_days, anchor=anchor)
        assert moved.first_day == fit.first_day
        assert moved.trend_per_year == pytest.approx(fit.trend_per_year, rel=1e-9)
        daily = _category(moved).daily_rates(anchor.astype(object), horizon)
        days = anchor + np.arange(horizon)
        inside = (days >= first) & (days < first + n_days)
        np.testing.assert_allclose(daily[inside], reference[(days[inside] - first).astype(int)],
                                   rtol=1e-9)


# ------------------------------------------------------------------ caps, never raised
def test_a_start_far_in_the_future_is_capped_with_a_note() -> None:
    rng = np.random.default_rng(9)
    n_days = 3 * 365
    years = (np.arange(n_days) + 0.5) / 365.25
    created = _poisson_log(5.0 * 1.3**years, "2021-01-01", rng)
    first = np.datetime64("2021-01-01")
    anchor = np.datetime64("2199-01-01")
    fit = fit_rates("far", created, first, n_days, anchor=anchor, horizon_days=30,
                    trend=True)  # was GovsimError at `start`
    assert any("trend capped" in n and "10,000,000 a day" in n for n in fit.notes)
    end_rate = fit.rate_per_day * (1.0 + fit.trend_per_year) ** (30 / 365.25)
    assert fit.rate_per_day <= LIMITS["rate per day"] and end_rate <= LIMITS["rate per day"]
    assert end_rate > 0.99 * LIMITS["rate per day"]  # the largest trend that keeps within it
    (row,) = [r for r in fit.rows if r["quantity"] == "trend_per_year"]
    assert row["estimate"] == pytest.approx(fit.trend_per_year) and np.isnan(row["se"])
    check_category("far", {"rate_per_day": fit.rate_per_day, "owners": ["u"],
                           "trend_per_year": fit.trend_per_year})
    # a long horizon caps the growth over it at the scenario's 100-fold
    long = fit_rates("long", created, first, n_days, horizon_days=36_000)
    assert (1.0 + long.trend_per_year) ** (36_000 / 365.25) <= LIMITS["factor"]
    assert any("100-fold over the horizon" in n for n in long.notes)
    # a trend beyond 100 a year is capped at it
    burst = _stamps(np.r_[0, np.repeat(np.arange(350, 365), 3)], "2023-01-01", rng)
    wild = fit_rates("wild", burst, np.datetime64("2023-01-01"), 366, trend=True)
    assert 99.0 < wild.trend_per_year <= LIMITS["factor"]
    assert any("exceed 100 a year" in n for n in wild.notes)
    # a falling trend carried far back is capped too
    falling = _poisson_log(50.0 * 0.5**years, "2021-01-01", rng)
    back = fit_rates("back", falling, first, n_days, anchor=np.datetime64("1900-01-01"))
    assert -1.0 < back.trend_per_year < 0.0 and back.rate_per_day <= LIMITS["rate per day"]
    assert any("trend capped" in n for n in back.notes)


def test_a_category_the_schema_refuses_names_its_key() -> None:
    with pytest.raises(GovsimError) as err:
        check_category("Noise", {"rate_per_day": 2e7, "owners": ["u"]})
    assert err.value.path == "categories.Noise.rate_per_day"
    assert "'Noise'" in err.value.message and "rate_per_day" in err.value.message
    with pytest.raises(GovsimError) as err:
        check_category("Noise", {"rate_per_day": 1.0, "owners": ["u"],
                                 "first_day": dt.date(2020, 2, 1),
                                 "last_day": np.datetime64("2020-01-01")})
    assert err.value.path == "categories.Noise.last_day" and "first_day" in err.value.message
    with pytest.raises(GovsimError) as err:
        check_category("Noise", {"rate_per_day": 1.0, "owners": ["u"], "seasonal": [1.0] * 11})
    assert err.value.path == "categories.Noise.seasonal" and "12" in err.value.message
    check_category("Noise", {"rate_per_day": 1.0, "owners": ["u"], "weekday": [1.0] * 7})


# ------------------------------------------------------------------ Category.first_day/last_day
def test_first_and_last_day_zero_the_rate_outside_and_change_nothing_unset() -> None:
    start = dt.date(2024, 1, 1)
    keys = {"rate_per_day": 3.0, "owners": ("u",), "seasonal": tuple(np.linspace(0.5, 1.5, 12)),
            "weekday": (1.2, 1.1, 1.0, 1.0, 1.0, 0.9, 0.8), "trend_per_year": 0.2}
    plain = Category(**keys).daily_rates(start, 400)
    assert plain.shape == (400,) and (plain > 0).all()
    stepped = Category(**keys, first_day=dt.date(2024, 2, 10),
                       last_day=dt.date(2024, 11, 30)).daily_rates(start, 400)
    days = np.datetime64(start) + np.arange(400)
    inside = (days >= np.datetime64("2024-02-10")) & (days <= np.datetime64("2024-11-30"))
    assert (stepped[~inside] == 0.0).all()
    assert stepped[inside].tobytes() == plain[inside].tobytes()
    # unset: the very same bytes as before the keys existed (no multiplication at all)
    again = Category(**keys, first_day=None, last_day=None).daily_rates(start, 400)
    assert again.tobytes() == plain.tobytes()
    with pytest.raises(ValidationError):
        Category(**keys, first_day=dt.date(2024, 3, 1), last_day=dt.date(2024, 2, 1))
    Category(**keys, first_day=dt.date(2024, 3, 1), last_day=dt.date(2024, 3, 1))


@settings(max_examples=200, deadline=None)
@given(offset=st.integers(-400, 400), length=st.integers(0, 400),
       n_days=st.integers(1, 500), rate=st.floats(0.0, 1e4, allow_nan=False),
       first=st.booleans(), last=st.booleans())
def test_a_step_keeps_rate_times_active_days(offset: int, length: int, n_days: int, rate: float,
                                            first: bool, last: bool) -> None:
    start = dt.date(2030, 6, 15)
    lo = start + dt.timedelta(days=offset)
    hi = lo + dt.timedelta(days=length)
    cat = Category(rate_per_day=rate, owners=("u",), first_day=lo if first else None,
                   last_day=hi if last else None)
    begin = max(offset, 0) if first else 0
    end = min(offset + length + 1, n_days) if last else n_days
    active = max(end - begin, 0)
    assert cat.daily_rates(start, n_days).sum() == pytest.approx(rate * active, rel=1e-12,
                                                                 abs=1e-9)

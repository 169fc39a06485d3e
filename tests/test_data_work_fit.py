"""The work per case fitted to a log's times to close (govsim/data/work_fit.py), on the synthetic
two-year log of tests/data/make_requests.py: a year of it, so that the search is quick."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from govsim.data import RequestLogWarning, world_from_requests
from govsim.data.simulated import observed_world
from govsim.data.work_fit import STATUSES, WORK_FIT_COLUMNS
from govsim.errors import GovsimError
from tests.data.make_requests import CSV


@pytest.fixture(scope="module")
def fit():
    log = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    year = log[log["Created Date"].str[6:10] == "2024"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RequestLogWarning)
        return world_from_requests(year, as_of="2025-01-01")


@pytest.fixture(scope="module")
def fitted(fit):
    return fit.fit_work(replications=1, seed=3)


def test_the_table_reports_every_agency_that_leads_a_type(fit, fitted) -> None:
    table = fitted.diagnostics["work_fit"]
    assert list(table.columns) == WORK_FIT_COLUMNS
    leads = {e.get("lead") or e["owners"][0] for e in fit.world["categories"].values()}
    assert set(table["agency"]) == leads
    assert set(table["status"]) <= set(STATUSES)
    for row in table.itertuples():
        if row.status == "fitted":
            assert abs(math.log(row.simulated_median_days / row.km_median_days)) <= math.log(1.05)
        assert row.work_share == pytest.approx(0.05 * row.multiplier)


def test_the_fit_moves_the_medians_towards_the_log(fitted) -> None:
    table = fitted.diagnostics["work_fit"].dropna(subset=["km_median_days"])
    before = np.abs(np.log(table.assumed_median_days / table.km_median_days))
    after = np.abs(np.log(table.simulated_median_days / table.km_median_days))
    assert after.median() < before.median() / 3


def test_the_fitted_world_keeps_given_staff_and_says_fitted(fit) -> None:
    log = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RequestLogWarning)
        given = world_from_requests(log[log["Created Date"].str[6:10] == "2024"],
                                    as_of="2025-01-01", staff={"DOT": 7})
    out = given.fit_work(replications=1, seed=3, max_iterations=2)
    assert out.world["units"]["DOT"]["staff"] == 7
    rows = out.estimates[out.estimates.quantity == "work_hours"]
    assert rows["level"].str.startswith("fitted").all()
    assert out.diagnostics["assumptions"]["work"]["fitted"] is True
    assert given.diagnostics["assumptions"]["work"]["fitted"] is False  # the original untouched


def test_the_same_seed_gives_the_same_fit(fit, fitted) -> None:
    again = fit.fit_work(replications=1, seed=3)
    pd.testing.assert_frame_equal(again.diagnostics["work_fit"], fitted.diagnostics["work_fit"])
    assert again.world == fitted.world


def test_a_regime_table_or_a_default_name_may_be_given(fit) -> None:
    out = fit.fit_work(regime={"preset": "consolidated", "centre": "centre"}, replications=1,
                       max_iterations=1)
    assert out.diagnostics["assumptions"]["work"]["regime"]["preset"] == "consolidated"
    with pytest.raises(GovsimError) as refused:
        fit.fit_work(regime="nonsense")
    assert refused.value.path == "regime"


@pytest.mark.parametrize("option, value", [
    ("replications", 0), ("replications", 2.5), ("replications", True), ("seed", -1),
    ("min_closed", 1), ("tolerance", 0.0), ("tolerance", float("nan")), ("max_iterations", 0),
])
def test_bad_options_name_themselves(fit, option, value) -> None:
    with pytest.raises(GovsimError) as refused:
        fit.fit_work(**{option: value})
    assert refused.value.path == option


def test_the_observed_world_draws_arrivals_only_in_the_window(fit) -> None:
    data = fit.scenario()
    observed = observed_world(data, "2024-01-01", "2024-02-01", "2024-12-31 12:00")
    assert observed["world"]["horizon_days"] == 366
    for entry in observed["world"]["categories"].values():
        assert str(entry["last_day"]) == "2024-01-31"


def test_numpy_numbers_are_numbers(fit) -> None:
    out = fit.fit_work(replications=np.int64(1), seed=np.int64(3), max_iterations=np.int32(1))
    assert out.diagnostics["assumptions"]["work"]["replications"] == 1


def test_a_fit_with_no_agency_to_fit_is_refused_at_min_closed(fit) -> None:
    with pytest.raises(GovsimError) as refused:
        fit.fit_work(min_closed=10**8)
    assert refused.value.path == "min_closed"


def test_a_projected_world_is_fitted_on_the_logs_own_window() -> None:
    """With start= years after the log, the work is still fitted on the log's window at the
    log's rates (the world is carried back along its trend), and the staff are then sized for
    the projected world."""
    log = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RequestLogWarning)
        here = world_from_requests(log, as_of="2025-01-01")
        later = world_from_requests(log, as_of="2025-01-01", start="2030-01-01")
    a = here.fit_work(replications=1, seed=3).diagnostics["work_fit"].set_index("agency")
    b = later.fit_work(replications=1, seed=3).diagnostics["work_fit"].set_index("agency")
    pd.testing.assert_series_equal(a["simulated_median_days"], b["simulated_median_days"],
                                   rtol=1e-3)
    pd.testing.assert_series_equal(a["multiplier"], b["multiplier"], rtol=1e-3)
    assert b.loc["DOT", "staff"] > a.loc["DOT", "staff"]  # street conditions grow 18 % a year


def test_a_given_window_without_a_request_is_refused() -> None:
    log = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    with pytest.raises(GovsimError) as refused:
        world_from_requests(log, as_of="2025-01-01", window=("2022-05-01", "2022-05-10"))
    assert refused.value.path == "window" and "no request" in refused.value.message


def test_a_regime_table_may_be_written_like_a_default_one(fit) -> None:
    out = fit.fit_work(regime={"like": "as_logged", "callback": False}, replications=1,
                       max_iterations=1)
    assert out.diagnostics["assumptions"]["work"]["regime"] == {"like": "as_logged",
                                                                "callback": False}
    with pytest.raises(GovsimError) as refused:
        fit.fit_work(regime={"like": "nonsense"}, replications=1, max_iterations=1)
    assert "nonsense" in refused.value.message and refused.value.path == "regime.like"

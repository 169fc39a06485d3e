"""A real log: every New York 311 request created on 25 December 2013 (tests/data/README.md).

The day's 2,386 requests were closed until April 2014, so the log's latest time stamp is four
months after its one day of creation: the rates must come from the creation window and the
durations be censored at the export. The work per case is fitted so that the simulated median
time to close of every agency with at least 50 closed requests is within a factor 1.5 of the
log's Kaplan-Meier median (issue 21's criterion).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim.data import RequestLogWarning, world_from_requests

DAY = Path(__file__).parent / "data" / "nyc311_2013-12-25.csv"


@pytest.fixture(scope="module")
def day() -> pd.DataFrame:
    return pd.read_csv(DAY, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def fit(day: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RequestLogWarning)
        return world_from_requests(day, country="US")


@pytest.fixture(scope="module")
def fitted(fit):
    return fit.fit_work(replications=2, seed=7)


def test_the_rates_come_from_the_day_it_was_created(day: pd.DataFrame) -> None:
    with pytest.warns(RequestLogWarning, match="creation window"):
        fit = world_from_requests(day, country="US")
    w = fit.diagnostics["window"]
    assert (str(w["first_day"]), str(w["end_day"]), w["n_days"]) == ("2013-12-25", "2013-12-26", 1)
    total = sum(c["rate_per_day"] for c in fit.world["categories"].values())
    assert total == pytest.approx(len(day), rel=1e-4)
    assert fit.world["horizon_days"] == 1
    # the durations are censored at the export, four months later, not at the day's end
    assert fit.diagnostics["as_of"] == pd.Timestamp("2014-04-24 17:54:27")
    assert fit.diagnostics["censored_share"] < 0.05


def test_statuses_and_hours_are_read_from_the_log(fit) -> None:
    statuses = fit.diagnostics["statuses"]
    closed = {s for s, v in statuses.items() if v["closed"]}
    assert "Closed" in closed and "Open" not in closed
    units = fit.world["units"]
    assert units["NYPD"].get("hours") == "24h"           # closes at night and at weekends
    assert units["HPD"].get("hours", "08:30-17:30") != "24h"   # date-only close times


def test_every_mean_is_finite_and_within_what_the_log_observed(fit) -> None:
    tau = fit.diagnostics["observed_days"]
    est = fit.estimates
    rmean = est[est.quantity == "duration_rmean_days"]
    assert len(rmean) > 0 and np.isfinite(rmean.estimate).all()
    assert (rmean.estimate <= tau + 1e-9).all()
    per_day = 45.0 / 7.0
    for entry in fit.world["categories"].values():
        assert entry["work_hours"] <= 0.05 * tau * per_day * 1.0001


def test_the_work_fit_matches_every_large_agencys_median(fitted) -> None:
    table = fitted.diagnostics["work_fit"].set_index("agency")
    large = table[table.closed >= 50]
    assert set(large.index) >= {"HPD", "NYPD", "DOT", "DEP", "DSNY"}
    for agency, row in large.iterrows():
        assert math.isfinite(row.simulated_median_days), agency
        ratio = row.simulated_median_days / row.km_median_days
        assert 1 / 1.5 <= ratio <= 1.5, (agency, row.simulated_median_days, row.km_median_days)
    assert fitted.diagnostics["assumptions"]["work"]["fitted"]
    assert "FITTED work_hours" in fitted.provenance()


def test_the_fitted_scenario_validates_and_runs(fitted) -> None:
    import govsim

    scenario = govsim.parse_scenario(fitted.scenario(name="nyc-day"))
    assert list(scenario.regimes) == ["fragmented", "consolidated", "as_logged"]
    result = govsim.run(scenario, "as_logged", replications=1, seed=1)
    assert len(result.cases) > 1000
    text = fitted.toml(name="nyc-day")
    assert govsim.parse_scenario(__import__("tomllib").loads(text)).world.horizon_days == 1

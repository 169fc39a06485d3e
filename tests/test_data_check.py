"""Checking a learnt world against a later period (govsim.data.check): on the synthetic log of
tests/data/make_requests.py, fitted on 2023 and checked on 2024, the volume intervals hold the
observed counts (the synthetic world is the true model), the observed time-to-close intervals
hold the true quantiles, the figure draws both panels, and every bad argument or foreign log is
a GovsimError at its name."""

from __future__ import annotations

import datetime as dt
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from govsim.data import world_from_requests
from govsim.data.check import RequestCheck, check_fit, expected_counts, later_world
from govsim.data.check_result import TIMES_COLUMNS, VOLUME_COLUMNS
from govsim.errors import GovsimError
from govsim.stats.survival import km_quantile_ci
from tests.data.make_requests import CSV, DURATIONS

matplotlib.use("Agg")

FORMAT = "%m/%d/%Y %I:%M:%S %p"
REPLICATIONS = 3


@pytest.fixture(scope="module")
def halves() -> tuple[pd.DataFrame, pd.DataFrame]:
    log = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    year = pd.to_datetime(log["Created Date"], format=FORMAT).dt.year
    return log[year == 2023].reset_index(drop=True), log[year == 2024].reset_index(drop=True)


@pytest.fixture(scope="module")
def fit(halves):
    return world_from_requests(halves[0], as_of="2024-01-01", families=("gamma", "lognormal"))


@pytest.fixture(scope="module")
def check(fit, halves) -> RequestCheck:
    return fit.check(halves[1], as_of="2025-01-01", replications=REPLICATIONS, seed=7)


# ------------------------------------------------------------------ what the check reports
def test_the_check_reports_the_later_period(check: RequestCheck) -> None:
    assert list(check.volume.columns) == VOLUME_COLUMNS
    assert list(check.times.columns) == TIMES_COLUMNS
    assert check.window == {"first_day": dt.date(2024, 1, 1), "end_day": dt.date(2025, 1, 1),
                            "n_days": 366}
    assert check.as_of == pd.Timestamp("2025-01-01")
    assert (check.regime, check.replications, check.seed) == ("as_logged", REPLICATIONS, 7)
    assert set(check.volume["category"]) == {"Street Condition", "Illegal Dumping", "Sewer"}
    assert (check.volume["flag"] == "").all()
    assert {"DOT", "DSNY", "DEP"} <= set(check.times["agency"])
    assert (check.times.groupby("agency").size() == 4).all()
    t = check.times
    assert (t["observed_ci_low"] <= t["observed"]).all()
    assert (t["observed"] <= t["observed_ci_high"].fillna(np.inf)).all()
    assert (t["closed"] >= 20).all()
    assert any("fit_work" in n for n in check.notes)  # the work of this fit is assumed
    text = check.table()
    assert "Street Condition" in text and "Time to close by agency" in text and "2024-01-01" in text


def test_volume_intervals_hold_the_observed_counts(fit, check: RequestCheck) -> None:
    v = check.volume.set_index("category")
    assert v["inside"].sum() >= 2, v  # the synthetic world is the true model
    assert check.summary["types_inside"] == int(v["inside"].sum())
    assert ((v["pi_low"] < v["expected"]) & (v["expected"] < v["pi_high"])).all()
    # the interval is wider than Poisson noise alone: the rate's estimation error is in it
    assert ((v["pi_high"] - v["pi_low"]) > 2 * 1.96 * np.sqrt(v["expected"])).all()
    # the simulation draws what the world expects
    assert np.allclose(v["simulated_mean"], v["expected"], rtol=0.1)
    # street conditions grow 18 % a year: 2024 expects more than 2023 saw
    seen_2023 = int((fit.estimates.query("quantity == 'rate_per_day'")
                     .set_index("category")["n"]).loc["Street Condition"])
    assert v.loc["Street Condition", "expected"] > seen_2023


def test_the_world_moves_along_its_trend(fit) -> None:
    world = later_world(fit, "2024-01-01")
    assert world["start"] == dt.date(2024, 1, 1)
    years = (dt.date(2024, 1, 1) - fit.world["start"]).days / 365.25
    for name, entry in world["categories"].items():
        old = fit.world["categories"][name]
        trend = old.get("trend_per_year", 0.0)
        assert entry["rate_per_day"] == pytest.approx(old["rate_per_day"] * (1 + trend) ** years)
    # the counts expected in 2024 continue the fitted world's own daily rates
    entry = fit.world["categories"]["Street Condition"]
    both = expected_counts(entry, fit.world["start"], 731)
    later = expected_counts(world["categories"]["Street Condition"], dt.date(2024, 1, 1), 366)
    assert np.allclose(both[365:], later)


def test_observed_intervals_hold_the_true_quantiles(check: RequestCheck) -> None:
    from scipy import stats

    hits = []
    for row in check.times.itertuples():
        if row.agency not in DURATIONS:
            continue
        mean, cv = DURATIONS[row.agency]
        shape = 1.0 / cv**2
        truth = stats.gamma.ppf(row.quantile, shape, scale=mean / shape)
        hits.append(row.observed_ci_low <= truth <= (row.observed_ci_high
                                                     if math.isfinite(row.observed_ci_high)
                                                     else np.inf))
    assert len(hits) >= 12 and np.mean(hits) >= 0.75


def test_simulated_times_have_intervals_over_replications(check: RequestCheck) -> None:
    t = check.times.dropna(subset=["simulated"])
    assert len(t) >= 8
    ok = t.dropna(subset=["simulated_ci_low"])
    assert ((ok["simulated_ci_low"] <= ok["simulated"]) &
            (ok["simulated"] <= ok["simulated_ci_high"])).all()
    assert np.allclose(t["ratio"], t["simulated"] / t["observed"])
    s = check.summary
    assert s["median_abs_log_ratio"] >= 0 and 0 <= s["within_factor_1_5_share"] <= 1


def test_brookmeyer_crowley_intervals_cover() -> None:
    rng = np.random.default_rng(3)
    truth = math.log(2.0) * 4.0  # the median of an exponential of mean 4
    hits = 0
    for _ in range(300):
        days = rng.exponential(4.0, 120)
        follow = rng.uniform(2.0, 20.0, 120)  # censored where follow-up ends first
        point, lo, hi = km_quantile_ci(np.minimum(days, follow), days <= follow, 0.5, 0.95)
        assert lo <= point <= hi
        hits += lo <= truth <= hi
    assert 0.90 <= hits / 300 <= 0.99
    assert all(math.isnan(x) for x in km_quantile_ci(np.array([1.0, 2.0]),
                                                     np.array([False, False]), 0.5, 0.95))


def test_a_fitted_work_matches_the_later_medians(fit, halves) -> None:
    """Agencies whose work fit matched 2023's median keep matching 2024's (the synthetic times
    to close do not change), within the figure's factor 1.5."""
    fitted = fit.fit_work(replications=2)
    table = fitted.diagnostics["work_fit"]
    matched = set(table.loc[np.abs(np.log(table["ratio"])) < math.log(1.15), "agency"])
    assert matched, table  # the work fit matches some agency on this log
    c = fitted.check(halves[1], as_of="2025-01-01", replications=REPLICATIONS, quantiles=[0.5])
    medians = c.times.set_index("agency").loc[sorted(matched)]
    assert (np.abs(np.log(medians["ratio"])) < math.log(1.5)).all(), medians
    assert medians["inside"].all()
    assert not any("fit_work" in n for n in c.notes)


def test_a_csv_path_is_read_like_its_table(fit, halves, tmp_path) -> None:
    path = tmp_path / "later.csv"
    halves[1].to_csv(path, index=False)
    c = check_fit(fit, path, as_of="2025-01-01", replications=1, quantiles=[0.5])
    table = check_fit(fit, halves[1], as_of="2025-01-01", replications=1, quantiles=[0.5])
    pd.testing.assert_frame_equal(c.volume, table.volume)
    pd.testing.assert_frame_equal(c.times, table.times)


# ------------------------------------------------------------------ the figure
def test_the_figure_has_both_panels_and_names_the_window(check: RequestCheck) -> None:
    fig = check.plot()
    axes = fig.get_axes()
    assert len(axes) == 2
    for ax in axes:
        assert ax.lines or ax.collections
    assert axes[1].get_xscale() == "log" and axes[1].get_yscale() == "log"
    title = fig._suptitle.get_text()
    assert "2024-01-01" in title and "2024-12-31" in title and "as_logged" in title
    assert f"{REPLICATIONS} replications" in title
    fig.draw_without_rendering()


def test_the_figure_says_when_there_is_nothing_to_draw() -> None:
    from govsim.figures.request_check import plot_request_check

    fig = plot_request_check(pd.DataFrame(columns=VOLUME_COLUMNS),
                             pd.DataFrame(columns=TIMES_COLUMNS))
    assert len(fig.get_axes()) == 2
    with pytest.raises(GovsimError) as err:
        plot_request_check(pd.DataFrame({"category": []}), pd.DataFrame(columns=TIMES_COLUMNS))
    assert err.value.path == "volume"


def test_counts_that_span_decades_are_drawn_on_log_axes(check: RequestCheck) -> None:
    from govsim.figures.request_check import plot_request_check

    volume = pd.DataFrame({"category": ["big", "small"], "observed": [1000, 6],
                           "expected": [980.0, 5.0], "pi_low": [900.0, 1.0],
                           "pi_high": [1060.0, 10.0], "inside": [True, True]})
    left = plot_request_check(volume, check.times).get_axes()[0]
    assert left.get_xscale() == "log" and left.get_yscale() == "log"
    assert check.plot().get_axes()[0].get_xscale() == "linear"  # 367 to 1073: one decade


# ------------------------------------------------------------------ new and gone types
def test_new_and_absent_types_are_rows_and_one_replication_has_no_interval(fit, halves) -> None:
    later = halves[1]
    later = later[later["Complaint Type"] != "Sewer"].copy()
    later.loc[later.index[:30], "Complaint Type"] = "Noise"
    c = check_fit(fit, later, as_of="2025-01-01", replications=1, quantiles=[0.5])
    v = c.volume.set_index("category")
    assert v.loc["Noise", "flag"] == "not in the fit" and not v.loc["Noise", "inside"]
    assert v.loc["Noise", "observed"] == 30
    assert v.loc["Sewer", "flag"] == "not in the later log" and v.loc["Sewer", "observed"] == 0
    assert not v.loc["Sewer", "inside"]
    assert c.summary["types_new"] == ["Noise"] and c.summary["types_absent"] == ["Sewer"]
    assert c.times["simulated_ci_low"].isna().all() and set(c.times["quantile"]) == {0.5}


# ------------------------------------------------------------------ refused
@pytest.mark.parametrize(("options", "path"), [
    ({"replications": 0}, "replications"), ({"replications": 1001}, "replications"),
    ({"replications": 2.5}, "replications"), ({"replications": True}, "replications"),
    ({"seed": -1}, "seed"), ({"quantiles": (0.5, 1.0)}, "quantiles"),
    ({"quantiles": ()}, "quantiles"), ({"quantiles": "0.5"}, "quantiles"),
    ({"quantiles": [0.0]}, "quantiles"), ({"confidence": 1.0}, "confidence"),
    ({"confidence": "high"}, "confidence"), ({"confidence": math.nan}, "confidence"),
    ({"min_closed": 0}, "min_closed"), ({"regime": "nope"}, "regime"), ({"regime": 3}, "regime"),
    ({"bogus": 1}, "bogus"), ({"as_of": "2023-06-01"}, "as_of"),
])
def test_bad_arguments_name_themselves(fit, halves, options, path) -> None:
    with pytest.raises(GovsimError) as err:
        check_fit(fit, halves[1], **options)
    assert err.value.path == path


@pytest.mark.parametrize(("later", "words"), [(5, "DataFrame"), ("/no/such/log.csv", "exist")])
def test_an_unreadable_later_log_is_refused_at_later(fit, later, words) -> None:
    with pytest.raises(GovsimError) as err:
        check_fit(fit, later)
    assert err.value.path == "later" and words in str(err.value)


def test_a_fit_must_be_a_fit(halves) -> None:
    with pytest.raises(GovsimError) as err:
        check_fit("fit", halves[1])
    assert err.value.path == "fit"


@pytest.mark.filterwarnings("ignore:rates are counted over the creation window")
def test_another_citys_log_is_refused_at_later(fit) -> None:
    other = pd.DataFrame({  # Open311 columns, other agencies, other types
        "requested_datetime": ["2024-02-01T08:00:00", "2024-02-02T09:00:00",
                               "2024-03-01T10:00:00"],
        "updated_datetime": ["2024-02-03T08:00:00", "2024-02-02T12:00:00", ""],
        "agency_responsible": ["Public Works", "Parks", "Public Works"],
        "service_name": ["Pothole", "Graffiti", "Pothole"],
        "status": ["closed", "closed", "open"]})
    with pytest.raises(GovsimError) as err:
        check_fit(fit, other, as_of="2024-04-01")
    assert err.value.path == "later" and "no complaint type" in str(err.value)
    with pytest.raises(GovsimError) as err:  # columns it cannot read name themselves
        check_fit(fit, other.rename(columns={"requested_datetime": "when"}),
                  columns="open311")
    assert err.value.path == "requested_datetime"


def test_the_prediction_interval_does_not_depend_on_where_the_world_starts(halves) -> None:
    """The rate's uncertainty carried to the checked window uses the covariance of the rate at
    the start and the trend, so moving the world's start (which moves the rate along the
    trend) leaves the interval where it was; a trend checked on its own log is as precise as
    its count."""
    log = pd.concat(halves, ignore_index=True)
    rel = []
    for start in (None, "2010-01-01", "1990-01-01"):
        fit = world_from_requests(log, as_of="2025-01-01", trend=True, start=start,
                                  families=("gamma",))
        vol = fit.check(log, as_of="2025-01-01", replications=1, seed=1).volume
        rel.append(vol.set_index("category")["rate_rel_se"])
    for other in rel[1:]:
        pd.testing.assert_series_equal(rel[0], other, rtol=1e-3)
    counts = log["Complaint Type"].value_counts()
    for name, value in rel[0].items():  # about 1/sqrt(n): the count itself, over the log
        assert value < 2.0 / math.sqrt(counts[name]), (name, value)

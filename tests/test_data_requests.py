"""Learning a world from a request log (govsim.data): the fit recovers the KNOWN world that
tests/data/make_requests.py drew tests/data/requests_nyc311.csv from, within its stated errors;
its standard errors are calibrated; the learnt scenario parses, matches the log's volume day by
day and runs; bad tables are refused at their column."""

from __future__ import annotations

import datetime as dt
import io
import math
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.data import OPEN311, scenario_from_fit, world_from_requests
from govsim.data.durations import fit_durations
from govsim.data.rates import MONTHS, WEEKDAYS, fit_rates
from govsim.data.restricted import restricted_mean_cv
from govsim.errors import GovsimError
from tests.data.make_requests import CSV, DURATIONS, TRUTH, make_log, mixture, true_category

AS_OF = "2025-01-01"


def _read() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return _read()


@pytest.fixture(scope="module")
def fit(log: pd.DataFrame):
    # every true trend is fitted (by default, only those a likelihood-ratio test supports:
    # test_only_supported_trends_are_fitted_by_default)
    return world_from_requests(log, as_of=AS_OF, trend=True)


def _row(est: pd.DataFrame, quantity: str, *, category: str | None = None,
         agency: str | None = None, level: str | None = None) -> pd.Series:
    m = est["quantity"] == quantity
    if category is not None:
        m &= est["category"] == category
    if agency is not None:
        m &= est["agency"] == agency
    if level is not None:
        m &= est["level"] == level
    (k,) = np.flatnonzero(m)
    return est.iloc[k]


def _z(row: pd.Series, truth: float) -> float:
    return (float(row["estimate"]) - truth) / float(row["se"])


# ------------------------------------------------------------------ the test file itself
def test_the_file_is_what_the_script_makes() -> None:
    text = io.StringIO()
    make_log().to_csv(text, index=False)
    assert CSV.read_text(encoding="utf-8") == text.getvalue()
    assert CSV.stat().st_size < 400 * 1024


# ------------------------------------------------------------------ recovery
def test_rates_profiles_and_trends_are_recovered(fit) -> None:
    zs = []
    for name, t in TRUTH.items():
        pairs = [("rate_per_day", "", t["rate_per_day"]), ("trend_per_year", "", t["trend_per_year"])]
        pairs += [("seasonal", m, v) for m, v in zip(MONTHS, t["seasonal"], strict=True)]
        pairs += [("weekday", d, v) for d, v in zip(WEEKDAYS, t["weekday"], strict=True)]
        for quantity, level, truth in pairs:
            row = _row(fit.estimates, quantity, category=name, level=level)
            z = _z(row, truth)
            assert abs(z) < 3.0, (name, quantity, level, row["estimate"], truth, row["se"])
            assert row["ci_low"] < row["estimate"] < row["ci_high"]
            zs.append(z)
    zs = np.array(zs)
    # the errors are the size the standard errors say: neither hidden by wide ones nor biased
    assert len(zs) == 3 * 21
    assert 0.7 < zs.std() < 1.3, zs.std()
    assert abs(zs.mean()) < 0.4, zs.mean()
    assert np.mean(np.abs(zs) < 1.96) > 0.85
    # the trend is found: +18 %/yr is far from none
    trend = _row(fit.estimates, "trend_per_year", category="Street Condition")
    assert trend["ci_low"] > 0.05


def test_only_supported_trends_are_fitted_by_default(log: pd.DataFrame) -> None:
    auto = world_from_requests(log, as_of=AS_OF)
    cats = auto.world["categories"]
    assert cats["Street Condition"]["trend_per_year"] > 0.05  # +18 %/yr: p about 1e-4
    for name in ("Illegal Dumping", "Sewer"):  # +5 %/yr and -10 %/yr: not told from none
        assert "trend_per_year" not in cats[name]
        assert any(f"{name}: trend not fitted (not significant" in n for n in auto.notes)


def test_owners_follow_the_shares(fit) -> None:
    cats = fit.world["categories"]
    assert cats["Street Condition"]["owners"] == ["DOT"]
    assert cats["Illegal Dumping"]["owners"] == ["DSNY"]  # NYPD's 5% is under owner_share
    assert cats["Sewer"]["owners"] == ["DEP", "DOT"]      # lead first
    assert fit.diagnostics["agencies_not_owners"] == ["NYPD"]
    for name, t in TRUTH.items():
        for agency, share in t["shares"].items():
            if share < 1.0:
                row = _row(fit.estimates, "owner_share", category=name, agency=agency)
                assert abs(_z(row, share)) < 3.0, (name, agency, row["estimate"])
                assert row["ci_low"] < share < row["ci_high"]


def test_time_to_close_is_recovered(log: pd.DataFrame, fit) -> None:
    for agency, (mean, cv) in DURATIONS.items():
        for quantity, truth in (("duration_mean_days", mean), ("duration_cv", cv)):
            row = _row(fit.estimates, quantity, agency=agency)
            assert abs(_z(row, truth)) < 3.0, (agency, quantity, row["estimate"], truth)
    for name, t in TRUTH.items():
        mean, cv = mixture(t["shares"])
        row = _row(fit.estimates, "duration_mean_days", category=name)
        assert abs(_z(row, mean)) < 3.0, (name, row["estimate"], mean)
    # with the true family imposed, its own parameters are recovered too
    gamma = world_from_requests(log, as_of=AS_OF, families=("gamma",), seasonal=False,
                                weekday=False, trend=False)
    for agency, (mean, cv) in DURATIONS.items():
        shape = 1.0 / cv**2
        for quantity, truth in (("gamma_shape", shape), ("gamma_scale_days", mean / shape)):
            row = _row(gamma.estimates, quantity, agency=agency)
            assert abs(_z(row, truth)) < 3.0, (agency, quantity, row["estimate"], truth)
    # the world's work is the documented mapping of the category's time to close
    street = fit.world["categories"]["Street Condition"]
    close = _row(fit.estimates, "duration_mean_days", category="Street Condition")["estimate"]
    assert street["work_hours"] == pytest.approx(0.05 * close * 45.0 / 7.0, rel=1e-5)
    assert street["work_cv"] == pytest.approx(
        _row(fit.estimates, "duration_cv", category="Street Condition")["estimate"], rel=1e-5)
    fits = fit.duration_fits
    assert set(fits["family"]) == {"gamma", "lognormal", "weibull"}
    assert (fits.groupby(["group", "name"])["chosen"].sum() == 1).all()
    assert (fits.loc[fits["chosen"], "delta_aic"] == 0.0).all()
    assert 0.0 < fit.diagnostics["censored_share"] < 0.05


def _censored_log(seed: int, n_days: int = 365, mean: float = 60.0, cv: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    created = np.sort(rng.uniform(0.0, n_days, size=1500))
    shape = 1.0 / cv**2
    close = created + rng.gamma(shape, mean / shape, size=created.size)
    origin = pd.Timestamp("2024-01-01")
    open_ = close > n_days
    return pd.DataFrame({
        "Created Date": origin + pd.to_timedelta(created, unit="D"),
        "Closed Date": (origin + pd.to_timedelta(close, unit="D")).where(~open_),
        "Agency": "HPD", "Complaint Type": "Heat", "Status": np.where(open_, "Open", "Closed"),
    })


def test_open_requests_are_censored_not_dropped() -> None:
    df = _censored_log(3)
    end = pd.Timestamp("2024-01-01") + pd.Timedelta(days=365)
    fit = world_from_requests(df, as_of=end, families=("gamma",))
    assert fit.diagnostics["censored_share"] > 0.1
    row = _row(fit.estimates, "duration_mean_days", agency="HPD")
    assert abs(_z(row, 60.0)) < 3.0, row["estimate"]
    # leaving the open requests out shortens the time to close: the test can tell
    naive = world_from_requests(df[df["Status"] == "Closed"], as_of=end, families=("gamma",))
    biased = _row(naive.estimates, "duration_mean_days", agency="HPD")
    assert _z(biased, 60.0) < -5.0, biased["estimate"]


def test_requests_closed_at_once_are_interval_censored() -> None:
    df = _censored_log(4, mean=5.0)
    df.loc[df.index[::10], "Closed Date"] = df.loc[df.index[::10], "Created Date"]
    df.loc[df.index[::10], "Status"] = "Closed"
    fit = world_from_requests(df, as_of="2024-12-31")
    assert fit.diagnostics["closed_at_once"] == len(df.index[::10])
    row = _row(fit.estimates, "duration_mean_days", agency="HPD")
    assert math.isfinite(row["se"]) and 3.0 < row["estimate"] < 6.0


# ------------------------------------------------------------------ calibration of the errors
def test_rate_standard_errors_are_calibrated() -> None:
    cat = true_category("Street Condition")
    start = dt.date(2023, 1, 1)
    rates = cat.daily_rates(start, 731)
    truth = {("rate_per_day", ""): cat.rate_per_day, ("trend_per_year", ""): cat.trend_per_year}
    truth |= {("seasonal", m): v for m, v in zip(MONTHS, cat.seasonal, strict=True)}
    truth |= {("weekday", d): v for d, v in zip(WEEKDAYS, cat.weekday, strict=True)}
    rng = np.random.default_rng(11)
    covered = []
    for _ in range(60):
        days = np.repeat(np.arange(731), rng.poisson(rates * 2.0))
        created = np.datetime64(start) + days.astype("timedelta64[D]")
        rows = fit_rates("x", created, np.datetime64(start), 731).rows
        for r in rows:
            t = truth[(r["quantity"], r["level"])] * (2.0 if r["quantity"] == "rate_per_day" else 1)
            covered.append(r["ci_low"] <= t <= r["ci_high"])
    assert 0.92 < np.mean(covered) < 0.98, np.mean(covered)


def test_duration_standard_errors_are_calibrated() -> None:
    rng = np.random.default_rng(12)
    covered = []
    for _ in range(40):
        t = rng.gamma(1.5, 4.0 / 1.5, size=300)
        follow = rng.uniform(0.0, 20.0, size=300)  # each request watched for a while
        fit = fit_durations(np.minimum(t, follow), t <= follow, families=("gamma",))
        true_rmean, true_rcv = restricted_mean_cv("gamma", np.log([1.5, 4.0]), fit.tau_days)
        for r in fit.rows:
            truth = {"duration_mean_days": 4.0, "duration_cv": 1.5**-0.5, "gamma_shape": 1.5,
                     "gamma_scale_days": 4.0 / 1.5, "duration_rmean_days": true_rmean,
                     "duration_rcv": true_rcv}[r["quantity"]]
            covered.append(r["ci_low"] <= truth <= r["ci_high"])
    assert 0.9 < np.mean(covered) < 0.99, np.mean(covered)


# ------------------------------------------------------------------ the learnt scenario
def test_the_scenario_matches_the_log_day_by_day_and_runs(log: pd.DataFrame, fit) -> None:
    text = fit.toml(name="synthetic")
    assert text.startswith("# Learnt by govsim.data") and "ASSUMPTION work_hours" in text
    s = govsim.parse_scenario(tomllib.loads(text))
    full = govsim.parse_scenario(tomllib.loads(fit.toml(name="synthetic", full=True)))
    assert govsim.scenario.scenario_data(full) == govsim.scenario.scenario_data(s)
    assert set(s.regimes) == {"fragmented", "consolidated", "as_logged"}
    assert s.world.units["centre"].kind == "centre"
    assert s.expected_cases() == pytest.approx(len(log), rel=1e-5)
    # the fit's score equations: the model's expected count per month, per weekday and
    # trend-weighted equals the log's, so govsim's calendar convention is the fit's
    days = pd.date_range(s.world.start, periods=s.world.horizon_days, freq="D")
    created = pd.to_datetime(log["Created Date"], format="%m/%d/%Y %I:%M:%S %p")
    years = (np.arange(days.size) + 0.5) / 365.25
    for name, cat in s.world.categories.items():
        expected = cat.daily_rates(s.world.start, s.world.horizon_days)
        seen = created[log["Complaint Type"] == name].dt.normalize().value_counts()
        counts = seen.reindex(days, fill_value=0).to_numpy()
        for key in (days.month, days.day_of_week):
            np.testing.assert_allclose(np.bincount(key, weights=expected),
                                       np.bincount(key, weights=counts), rtol=1e-4)
        assert expected @ years == pytest.approx(counts @ years, rel=1e-4)
    cmp = govsim.compare(s, replications=2, horizon_days=28, seed=5, jobs=1, executor="serial")
    mean = float(sum(c.daily_rates(s.world.start, 28).sum() for c in s.world.categories.values()))
    per_rep = cmp.cases.groupby(["regime", "replication"]).size()
    assert ((per_rep - mean).abs() < 4.0 * math.sqrt(mean)).all(), (per_rep, mean)


def test_start_carries_the_rate_along_the_trend(log: pd.DataFrame, fit) -> None:
    later = world_from_requests(log, as_of=AS_OF, start="2025-01-01", horizon_days=365)
    a = fit.world["categories"]["Street Condition"]
    b = later.world["categories"]["Street Condition"]
    assert b["rate_per_day"] == pytest.approx(
        a["rate_per_day"] * (1.0 + a["trend_per_year"]) ** (731 / 365.25), rel=1e-5)
    assert later.world["start"] == dt.date(2025, 1, 1) and later.world["horizon_days"] == 365


def test_open311_columns_are_read(log: pd.DataFrame, fit) -> None:
    stamp = "%Y-%m-%dT%H:%M:%S-05:00"
    fmt = "%m/%d/%Y %I:%M:%S %p"
    created = pd.to_datetime(log["Created Date"], format=fmt)
    closed = pd.to_datetime(log["Closed Date"], format=fmt)
    is_open = log["Status"] != "Closed"
    updated = closed.where(~is_open, created + pd.Timedelta(hours=3))  # an open one's last change
    df = pd.DataFrame({"service_request_id": log["Unique Key"],
                       "requested_datetime": created.dt.strftime(stamp),
                       "updated_datetime": updated.dt.strftime(stamp),
                       "agency_responsible": log["Agency"], "service_name": log["Complaint Type"],
                       "status": np.where(is_open, "open", "closed")})
    other = world_from_requests(df, as_of="2025-01-01T00:00:00-05:00", families=("gamma",),
                                seasonal=False)
    assert other.diagnostics["columns"] == OPEN311
    assert other.diagnostics["censored_share"] == pytest.approx(fit.diagnostics["censored_share"])
    a = _row(fit.estimates, "duration_mean_days", agency="DSNY")
    b = _row(other.estimates, "duration_mean_days", agency="DSNY")
    assert a["estimate"] == pytest.approx(b["estimate"], rel=1e-4)


# ------------------------------------------------------------------ profiles the log supports
def test_a_short_log_fits_no_seasons_and_no_trend(log: pd.DataFrame) -> None:
    half = log[log["Created Date"].str[6:10] == "2023"].head(900)
    short = world_from_requests(half)
    cat = short.world["categories"]["Street Condition"]
    assert "seasonal" not in cat and "trend_per_year" not in cat and "weekday" in cat
    assert any("seasonal not fitted" in n for n in short.notes)
    with pytest.raises(GovsimError) as err:
        world_from_requests(half, seasonal=True)
    assert err.value.path == "seasonal"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("change, path, words", [
    (lambda d: d.drop(columns="Closed Date"), "Closed Date", "no column 'Closed Date'"),
    (lambda d: d.drop(columns="Complaint Type"), "Complaint Type", "no column"),
    (lambda d: d.assign(**{"Created Date": d["Created Date"].where(d.index != 7, "13/45/2023 x")}),
     "Created Date", "'13/45/2023 x' in row 7"),
    (lambda d: d.assign(**{"Closed Date": d["Closed Date"].where(d.index != 3,
                                                                 "12/31/2022 11:00:00 PM")}),
     "Closed Date", "closed before they were created"),
    (lambda d: d.iloc[:0], "df", "empty"),
])
def test_bad_tables_are_refused_at_their_column(log: pd.DataFrame, change, path, words) -> None:
    with pytest.raises(GovsimError) as err:
        world_from_requests(change(log.head(200).copy()))
    assert err.value.path == path
    assert words in str(err.value)


def test_bad_rows_can_be_left_out(log: pd.DataFrame) -> None:
    d = log.head(300).copy()
    d.loc[3, "Closed Date"] = "12/31/2022 11:00:00 PM"
    d.loc[5, "Agency"] = ""
    out = world_from_requests(d, drop_invalid=True, families=("gamma",))
    assert out.diagnostics["dropped"] == {"no agency": 1, "closed before created": 1}
    assert out.diagnostics["requests_used"] == 298


def test_a_rare_type_takes_the_whole_logs_time_to_close(log: pd.DataFrame) -> None:
    d = log.head(400).copy()
    d.loc[[10, 20, 30], "Complaint Type"] = "Rare"
    out = world_from_requests(d, families=("gamma",))
    rare = out.world["categories"]["Rare"]
    assert "seasonal" not in rare and "weekday" not in rare
    assert any("'Rare': work from the whole log" in n for n in out.notes)
    assert any("'Rare': time to close not fitted" in n for n in out.notes)
    assert govsim.parse_scenario(out.scenario()).world.categories["Rare"].rate_per_day > 0


def test_bad_parameters_name_themselves(log: pd.DataFrame) -> None:
    d = log.head(300)
    for kw, path in (({"kinds": {"DOT": "ministry"}}, "kinds.DOT"), ({"work_share": 0.0}, "work_share"),
                     ({"as_of": "2023-01-02"}, "as_of"), ({"columns": {"created": "x", "y": 1}},
                                                          "columns.y")):
        with pytest.raises(GovsimError) as err:
            world_from_requests(d, **kw)
        assert err.value.path == path, kw
    offsets = pd.DataFrame({"Created Date": ["2024-01-05T08:00:00-05:00", "2024-07-05T08:00:00-04:00"],
                            "Closed Date": ["", ""], "Agency": "A", "Complaint Type": "T",
                            "Status": "Open"})
    with pytest.raises(GovsimError) as err:
        world_from_requests(offsets)
    assert err.value.path == "Created Date" and "tz" in str(err.value)


def test_kinds_staff_and_regimes_can_be_given(fit) -> None:
    own = scenario_from_fit(fit, regimes={"as logged": {"preset": "fragmented", "channels": [
        {"name": "311", "unit": "DOT"}]}})
    assert list(own["regimes"]) == ["as logged"] and "centre" not in own["world"]["units"]


def test_importing_govsim_data_loads_no_scipy() -> None:
    code = "import sys, govsim.data\nprint('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"

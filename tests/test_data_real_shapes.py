"""Logs shaped like the real exports issue 21 met, end to end: each fits from its columns alone
(or a one-field mapping), and the scenario learnt from it validates and runs.

The two generators below copy what made the real samples hard, not their values:

- Baltimore (10,000 requests over 2014-2019): CamelCase columns, "Closed (Duplicate)" and
  "Closed (Transferred)" statuses, a type with 71 requests all in the log's last five months,
  a type with a single request, a fire department whose times to close are so heavy-tailed
  that a lognormal's mean is tens of thousands of days although its median is an hour, and
  a few rows closed before they were created;
- San Francisco (10,000 requests over 2008-2019, BigQuery's columns): stamps ending in " UTC",
  both ``category`` and the finer ``complaint_type``, a type that starts in 2018, and a tree
  queue with a median of six days and an enormous tail.
"""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govsim
from govsim.data import RequestLogWarning, world_from_requests
from govsim.errors import GovsimError

NYC_FORMAT = "%m/%d/%Y %I:%M:%S %p"


def _log(rng: np.random.Generator, first: str, last: str, types: dict[str, tuple]) -> pd.DataFrame:
    """Requests of each type ``name: (count, agency, median_days, sigma, start, end)``: created
    uniformly between ``start`` and ``end`` (default the log's span), closed a lognormal time
    later; requests not closed by the export (``last``) are open."""
    rows = []
    for name, (count, agency, median, sigma, start, end) in types.items():
        lo = pd.Timestamp(start or first).value // 10**9
        hi = pd.Timestamp(end or last).value // 10**9
        created = rng.integers(lo, hi, count)
        took = np.exp(np.log(median) + sigma * rng.standard_normal(count)) * 86400
        rows.append(pd.DataFrame({"created": created, "closed": created + took.astype(np.int64),
                                  "agency": agency, "type": name}))
    log = pd.concat(rows, ignore_index=True).sort_values("created", kind="stable")
    log["open"] = log["closed"] > pd.Timestamp(last).value // 10**9
    return log.reset_index(drop=True)


def baltimore(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    types = {"SW-Dirty Alley": (4200, "Solid Waste", 3.0, 1.0, None, None),
             "HCD-Rodents": (3000, "Housing", 8.0, 1.2, None, None),
             "TRS-Parking": (2000, "Transportation", 0.5, 1.5, None, None),
             "FCE-Fire Hazard": (728, "Fire", 0.04, 3.6, None, None),
             "BCLB-Liquor License": (71, "Liquor Board", 5.0, 0.8, "2019-08-01", "2019-12-31"),
             "ECC-Lost Pet": (1, "Animal Control", 1.0, 0.5, "2016-03-01", "2016-03-02")}
    log = _log(rng, "2014-01-01", "2019-12-31", types)
    n = len(log)
    closed_status = rng.choice(["Closed", "Closed (Duplicate)", "Closed (Transferred)"], n,
                               p=[0.8, 0.15, 0.05])
    status = np.where(log["open"], rng.choice(["Open", "New"], n), closed_status)
    created = pd.to_datetime(log["created"], unit="s")
    closed = pd.to_datetime(log["closed"], unit="s")
    close = np.where(log["open"], "", closed.dt.strftime(NYC_FORMAT))
    bad = rng.choice(n, 3, replace=False)  # closed before created, as real exports have
    close[bad] = (created.iloc[bad] - pd.Timedelta(days=2)).dt.strftime(NYC_FORMAT)
    return pd.DataFrame({"ServiceRequestNum": [f"14-{k:08d}" for k in range(n)],
                         "SRType": log["type"], "MethodReceived": "Phone",
                         "CreatedDate": created.dt.strftime(NYC_FORMAT), "SRStatus": status,
                         "DueDate": "", "CloseDate": close, "Agency": log["agency"]})


def san_francisco(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    types = {"Bulky Items": (4000, "Recology_Abandoned", 1.5, 1.0, None, None),
             "Pothole": (2500, "DPW Ops Queue", 6.0, 1.3, None, None),
             "Tree Maintenance": (2300, "DPW BUF Queue", 5.9, 4.0, None, None),
             "Encampment": (1200, "HSOC Queue", 2.0, 1.2, "2018-02-01", None)}
    log = _log(rng, "2008-07-01", "2019-06-30", types)

    def utc(seconds: pd.Series) -> pd.Series:
        return pd.to_datetime(seconds, unit="s").dt.strftime("%Y-%m-%d %H:%M:%S") + " UTC"

    category = log["type"].map({"Bulky Items": "Street and Sidewalk Cleaning",
                                "Pothole": "Street Defects", "Tree Maintenance": "Trees",
                                "Encampment": "Encampments"})
    return pd.DataFrame({"unique_key": np.arange(len(log)) + 10_000_000,
                         "created_date": utc(log["created"]),
                         "closed_date": np.where(log["open"], "", utc(log["closed"])),
                         "status": np.where(log["open"], "Open", "Closed"),
                         "agency_name": log["agency"], "category": category,
                         "complaint_type": log["type"]})


def _fit(table: pd.DataFrame, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RequestLogWarning)
        return world_from_requests(table, **options)


def _runs(fit) -> None:
    """The learnt scenario validates, survives its own TOML and runs every default regime."""
    scenario = govsim.parse_scenario(fit.scenario(name="learnt"))
    again = govsim.parse_scenario(tomllib.loads(fit.toml(name="learnt")))
    assert again.world.categories.keys() == scenario.world.categories.keys()
    result = govsim.compare(scenario, replications=1, horizon_days=30, seed=3,
                            record_events=False)
    assert set(result.metrics["regime"]) == {"fragmented", "consolidated", "as_logged"}


def test_a_baltimore_shaped_log_needs_only_drop_invalid() -> None:
    table = baltimore()
    with pytest.raises(GovsimError) as refused:
        _fit(table)
    assert refused.value.path == "CloseDate" and "closed before" in refused.value.message
    fit = _fit(table, drop_invalid=True)
    d = fit.diagnostics
    assert d["dropped"]["closed before created"] == 3
    assert {d["columns_found"][f]["column"] for f in ("created", "category", "status")} == {
        "CreatedDate", "SRType", "SRStatus"}
    assert d["statuses"]["Closed (Duplicate)"]["closed"]
    cats = fit.world["categories"]
    late = cats["BCLB-Liquor License"]
    assert str(late["first_day"]) >= "2019-07-01" and "trend_per_year" not in late
    assert "trend_per_year" not in cats["ECC-Lost Pet"]
    for name, entry in cats.items():  # every trend within the schema, every work finite
        assert -1 < entry.get("trend_per_year", 0.0) <= 1.0, name
        assert 0 < entry["work_hours"] <= 0.05 * d["observed_days"] * 45 / 7 * 1.0001, name
    fire = fit.duration_fits.query("group == 'agency' and name == 'Fire' and chosen").iloc[0]
    assert fire.rmean_days < fire.mean_days and fire.rmean_days <= d["observed_days"]
    _runs(fit)


def test_a_san_francisco_shaped_log_reads_utc_and_a_late_type() -> None:
    fit = _fit(san_francisco(), tz="America/Los_Angeles")
    d = fit.diagnostics
    assert d["columns_found"]["category"]["column"] == "complaint_type"
    assert str(d["window"]["first_day"]) == "2008-06-30"  # 2008-07-01 00:00 UTC, in Los Angeles
    late = fit.world["categories"]["Encampment"]
    assert "2018-01-25" <= str(late["first_day"]) <= "2018-02-10"
    assert "trend_per_year" not in late
    trees = fit.duration_fits.query("group == 'category' and name == 'Tree Maintenance' "
                                    "and chosen").iloc[0]
    assert trees.mean_days > 1000 and trees.rmean_days < 1000  # the tail the log cannot show
    assert fit.world["categories"]["Tree Maintenance"]["work_hours"] < 400
    _runs(fit)


def test_without_tz_utc_stamps_count_utc_days_and_say_so() -> None:
    fit = _fit(san_francisco())
    assert any("UTC" in note for note in fit.notes)


# ------------------------------------------------------------------ fuzzing the input path
_DAY = pd.read_csv(Path(__file__).parent / "data" / "nyc311_2013-12-25.csv", dtype=str,
                   keep_default_na=False).iloc[::12].reset_index(drop=True)
_JUNK = st.one_of(st.just(""), st.just("N/A"), st.just("13/45/2013 25:61:00 PM"),
                  st.just("2013-12-25 10:00:00 UTC"), st.just("12/24/2013 11:00:00 PM"),
                  st.just("01/01/1850 12:00:00 AM"), st.just("Closed (Duplicate)"),
                  st.text(max_size=12))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_DAY) - 1),
                          st.sampled_from(["Created Date", "Closed Date", "Agency",
                                           "Complaint Type", "Status"]), _JUNK),
                min_size=1, max_size=6),
       st.booleans())
def test_a_damaged_log_fits_or_is_refused_in_one_sentence(damage, drop_invalid) -> None:
    table = _DAY.copy()
    for row, column, value in damage:
        table.at[row, column] = value
    try:
        fit = _fit(table, drop_invalid=drop_invalid, families=("gamma",))
    except GovsimError as exc:
        assert exc.path and "\n" not in exc.message
        return
    govsim.parse_scenario(fit.scenario(name="damaged"))

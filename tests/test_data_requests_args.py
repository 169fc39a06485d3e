"""govsim.data.world_from_requests refuses bad input in one sentence (issue 19, probes 7 and
10): every hostile table and argument is a GovsimError whose path names the argument or the
column, never a raw TypeError, AttributeError, LinAlgError or MemoryError; the durations are
fitted on their distinct values with weights, exactly as on every request; and random small
tables (hypothesis) either fit or are refused as GovsimError."""

from __future__ import annotations

import datetime as dt
import math
import os
import stat
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsim.data import RequestFit, world_from_requests
from govsim.data import arguments as arguments_module
from govsim.data.arguments import MAX_LOG_BYTES
from govsim.data.durations import Sample, _loglik, fit_durations
from govsim.errors import GovsimError
from tests.data.make_requests import CSV
from tests.test_data_requests import AS_OF, _read

NYC = ("Created Date", "Closed Date", "Agency", "Complaint Type", "Status")


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return _read().head(300)


def _refused(df, path: str, *words: str, **kwargs) -> GovsimError:
    with pytest.raises(GovsimError) as err:
        world_from_requests(df, **kwargs)
    assert err.value.path == path, (kwargs, str(err.value))
    text = str(err.value)
    assert "\n" not in text and text.count(". ") == 0, text  # one plain sentence
    for word in words:
        assert word in text, text
    return err.value


# ------------------------------------------------------------------ probe 1: the table or a path
@pytest.mark.parametrize("df", [None, [1, 2], 5, {"Created Date": ["x"]}, b"log.csv",
                                np.zeros((3, 5))])
def test_anything_but_a_table_or_a_path_is_refused(df) -> None:
    _refused(df, "df", "DataFrame or the path of a CSV file")


def test_a_csv_path_is_read_like_its_table() -> None:
    by_table = world_from_requests(_read(), as_of=AS_OF, families=("gamma",))
    for path in (str(CSV), CSV):
        by_path = world_from_requests(path, as_of=AS_OF, families=("gamma",))
        assert by_path.world == by_table.world
        pd.testing.assert_frame_equal(by_path.estimates, by_table.estimates)


def test_bad_paths_are_refused(tmp_path: Path, monkeypatch) -> None:
    _refused(str(tmp_path), "df", "is a directory")
    _refused(tmp_path / "missing.csv", "df", "does not exist")
    if os.path.exists("/dev/zero") and stat.S_ISCHR(os.stat("/dev/zero").st_mode):
        _refused("/dev/zero", "df", "a device")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    _refused(fifo, "df", "a pipe")
    big = tmp_path / "big.csv"
    big.write_text(",".join(NYC) + "\n" + "x,y,z,w,v\n" * 10)
    monkeypatch.setattr(arguments_module, "MAX_LOG_BYTES", 64)
    _refused(big, "df", "govsim reads at most")
    assert MAX_LOG_BYTES == 2 * 2**30  # the documented limit


@pytest.mark.parametrize("content, words", [
    (b"", "cannot read request log"),
    (b"Created Date,Agency\n1,2\n1,2,3\n", "Expected 2 fields in line 3"),
    (b"Created Date,Agency\n\xff\xfe\x00\x81,1\n", "cannot read request log"),
])
def test_a_file_that_is_not_csv_is_refused(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(content)
    _refused(path, "df", words)


# ------------------------------------------------------------------ probe 2: duplicate columns
def test_duplicate_column_names_are_refused(small: pd.DataFrame) -> None:
    twice = small.copy()
    twice.insert(1, "Created Date", small["Created Date"], allow_duplicates=True)
    _refused(twice, "Created Date", "2 columns named 'Created Date'")
    agency = small.copy()
    agency.insert(0, "Agency", "DOT", allow_duplicates=True)
    _refused(agency, "Agency", "columns named 'Agency'")
    _refused(small, "columns.created", "must name a column", columns={"created": 5})


# ------------------------------------------------------------------ probe 3: rates not identified
def test_epoch_integers_are_refused_as_numbers() -> None:
    epoch = pd.DataFrame({"Created Date": np.arange(100) * 1000 + 1_700_000_000,
                          "Closed Date": "", "Agency": "A", "Complaint Type": "T",
                          "Status": "Open"})
    _refused(epoch, "Created Date", "not time stamps", "1700000000", as_of="2025-01-01")
    mixed = epoch.astype(object)
    mixed.loc[:50, "Created Date"] = "2023-11-14 22:13:20"
    _refused(mixed, "Created Date", "not time stamps", as_of="2025-01-01")
    _refused(epoch.astype({"Created Date": float}), "Created Date", "not time stamps")
    _refused(_read().head(50), "as_of", "must be a date or time", as_of=1_735_689_600)
    _refused(_read().head(50), "start", "must be a date or time", start=5)


def _one_moment(durations_days) -> pd.DataFrame:
    created = pd.Timestamp("2023-01-01 10:00:00")
    closed = created + pd.to_timedelta(np.asarray(durations_days, dtype=float), unit="D")
    n = len(closed)
    return pd.DataFrame({"Created Date": [str(created)] * n, "Closed Date": closed.astype(str),
                         "Agency": "A", "Complaint Type": "T", "Status": "Closed"})


def test_one_moment_and_a_later_as_of_fits_what_it_can() -> None:
    same = _one_moment([1.0] * 50)  # every request created, and closed, at one moment
    _refused(same, "df", "same time", as_of="2025-01-01")
    spread = _one_moment(np.linspace(0.5, 20.0, 50))
    fit = world_from_requests(spread, as_of="2025-01-01")  # was LinAlgError: Singular matrix
    assert isinstance(fit, RequestFit)
    assert "trend_per_year" not in fit.world["categories"]["T"]
    assert any("trend not fitted (its requests all fall on one day)" in n for n in fit.notes)
    rate = fit.world["categories"]["T"]["rate_per_day"]
    assert rate == pytest.approx(50 / fit.diagnostics["window_days"], rel=1e-5)
    _refused(spread, "trend", "all fall on one day", as_of="2025-01-01", trend=True)


def test_a_trend_beyond_the_schema_or_a_far_start_is_not_a_crash(small: pd.DataFrame) -> None:
    # all but one request in the last fortnight of a year: the trend would be astronomical
    late = _one_moment(np.linspace(0.5, 5.0, 40))
    late["Created Date"] = [str(pd.Timestamp("2023-12-20") + pd.Timedelta(hours=k))
                            for k in range(40)]
    late.loc[0, "Created Date"] = "2023-01-01 08:00:00"
    late["Closed Date"] = (pd.to_datetime(late["Created Date"])
                           + pd.to_timedelta(np.linspace(0.5, 5.0, 40), unit="D")).astype(str)
    fit = world_from_requests(late, as_of="2024-01-02")
    assert "trend_per_year" not in fit.world["categories"]["T"]
    fit.scenario()  # the world is a valid scenario
    _refused(late, "trend", "cannot identify the arrival rates", as_of="2024-01-02",
             trend=True)
    # a forced trend carried to a far start is capped with a note
    far = world_from_requests(_read(), as_of=AS_OF, start="2199-01-01", horizon_days=30,
                              trend=True)  # was refused at `start`
    assert all(c["rate_per_day"] <= 1e7 for c in far.world["categories"].values())
    assert any("trend capped" in n and "10,000,000 a day" in n for n in far.notes)
    far.scenario()


# ------------------------------------------------------------------ probe 4: the horizon bound
def test_a_horizon_beyond_the_schema_is_refused_before_anything_is_allocated(small) -> None:
    t = time.perf_counter()
    _refused(small, "horizon_days", "36,525", horizon_days=10**12)  # was MemoryError
    assert time.perf_counter() - t < 5.0
    _refused(small, "horizon_days", "36,525", horizon_days=36_526)
    _refused(small, "horizon_days", "whole number", horizon_days=True)
    _refused(small, "horizon_days", "would end after 2199-12-31", start="2199-06-01",
             horizon_days=365)
    _refused(small, "start", "outside 1900-01-01 to 2199-12-31", start="1850-01-01")
    _refused(small, "as_of", "at most 36,525 days", as_of="2250-01-01")


# ------------------------------------------------------------------ probes 5-7: the arguments
@pytest.mark.parametrize("kwargs, path, words", [
    ({"date_format": 5}, "date_format", "strftime format"),
    ({"date_format": ""}, "date_format", "strftime format"),
    ({"closed_statuses": b"closed"}, "closed_statuses", "status or a list of statuses"),
    ({"closed_statuses": 5}, "closed_statuses", "status or a list of statuses"),
    ({"closed_statuses": [1, "closed"]}, "closed_statuses", "as text"),
    ({"closed_statuses": []}, "closed_statuses", "at least one status"),
    ({"kinds": {"NYPD": ["bureau"]}}, "kinds.NYPD", "unknown unit kind"),
    ({"kinds": ["bureau"]}, "kinds", "mapping of agency to unit kind"),
    ({"kinds": {1: "bureau"}}, "kinds", "agencies as text"),
    ({"default_kind": None}, "default_kind", "unknown unit kind"),
    ({"staff": {"NYPD": "x"}}, "staff.NYPD", "whole number"),
    ({"staff": [1]}, "staff", "mapping of agency to number of staff"),
    ({"staff": {"DOT": 2.7}}, "staff.DOT", "whole number"),
    ({"staff": {"DOT": True}}, "staff.DOT", "whole number"),
    ({"staff": {"DOT": 0}}, "staff.DOT", "from 1 to 100,000"),
    ({"min_profile_requests": "x"}, "min_profile_requests", "whole number >= 0"),
    ({"min_profile_requests": -1}, "min_profile_requests", "whole number >= 0"),
    ({"min_profile_requests": 2.5}, "min_profile_requests", "whole number >= 0"),
    ({"office_hours_per_week": True}, "office_hours_per_week", "(0, 168]"),
    ({"office_hours_per_week": math.nan}, "office_hours_per_week", "(0, 168]"),
    ({"office_hours_per_week": "45"}, "office_hours_per_week", "(0, 168]"),
    ({"work_share": True}, "work_share", "(0, 1]"),
    ({"owner_share": "0.2"}, "owner_share", "(0, 1]"),
    ({"confidence": 1.0}, "confidence", "(0, 1)"),
    ({"utilisation": math.inf}, "utilisation", "(0, 1]"),
    ({"families": None}, "families", "duration families"),
    ({"families": ["gamma", 3]}, "families", "unknown families"),
    ({"families": ()}, "families", "at least one family"),
    ({"seasonal": "yes"}, "seasonal", "True or False or None"),
    ({"drop_invalid": None}, "drop_invalid", "True or False"),
    ({"overdispersed": 1}, "overdispersed", "True or False"),
    ({"tz": 5}, "tz", "time zone name"),
    ({"tz": "Nowhere/Zone"}, "tz", "unknown time zone 'Nowhere/Zone'"),
    ({"country": 5}, "country", "country code"),
    ({"as_of": [2025]}, "as_of", "date or time"),
    ({"as_of": "not a date"}, "as_of", "date or time"),
    ({"start": "2023-13-45"}, "start", "date or time"),
    ({"columns": 5}, "columns", "Columns, a mapping"),
])
def test_bad_arguments_name_themselves_in_one_sentence(small, kwargs, path, words) -> None:
    _refused(small, path, words, **kwargs)


def test_an_unknown_zone_with_an_offset_carrying_as_of_is_refused_by_name(small) -> None:
    # was ZoneInfoNotFoundError: the log's stamps are naive, as_of carries an offset
    _refused(small, "tz", "unknown time zone 'Nowhere/Zone'", tz="Nowhere/Zone",
             as_of="2025-01-01T00:00:00+00:00")
    offsets = small.assign(**{"Created Date": "2024-01-05T08:00:00-05:00", "Closed Date": ""})
    _refused(offsets, "tz", "unknown time zone", tz="Nowhere/Zone",
             as_of="2025-01-01T00:00:00+00:00")


def test_whole_staff_and_numbers_of_any_kind_are_taken(small: pd.DataFrame) -> None:
    fit = world_from_requests(small, staff={"DOT": np.int64(3), "DSNY": 4.0},
                              office_hours_per_week=np.float32(40.0), min_profile_requests=50.0,
                              horizon_days=np.int32(60), closed_statuses={"Closed"},
                              families="gamma")
    assert fit.world["units"]["DOT"]["staff"] == 3 and fit.world["units"]["DSNY"]["staff"] == 4
    assert type(fit.world["units"]["DSNY"]["staff"]) is int
    assert fit.world["horizon_days"] == 60 and type(fit.world["horizon_days"]) is int
    assert set(fit.duration_fits["family"]) == {"gamma"}
    fit.scenario()


# ------------------------------------------------------------------ probe 8: weighted durations
def test_durations_fit_on_distinct_values_equals_the_fit_on_every_request() -> None:
    rng = np.random.default_rng(7)
    days = np.round(rng.gamma(1.5, 4.0, size=300), 1)  # to a tenth of a day: many repeats
    closed = days < 9.0
    days = np.where(closed, days, 9.0)
    days[:12] = 0.0  # closed at once
    closed[:12] = True
    weights = rng.integers(0, 5, size=days.size)
    weighted = fit_durations(days, closed, weights=weights)
    expanded = fit_durations(np.repeat(days, weights), np.repeat(closed, weights))
    assert weighted is not None and expanded is not None
    assert (weighted.requests, weighted.closed, weighted.censored, weighted.at_once) == (
        expanded.requests, expanded.closed, expanded.censored, expanded.at_once)
    assert weighted.family == expanded.family
    assert weighted.km_median_days == expanded.km_median_days
    for a, b in zip(weighted.rows, expanded.rows, strict=True):
        assert a["quantity"] == b["quantity"]
        for key in ("estimate", "se", "ci_low", "ci_high"):
            assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-12), (a, b)
    for a, b in zip(weighted.families, expanded.families, strict=True):
        assert a["loglik"] == pytest.approx(b["loglik"], rel=1e-12)
    with pytest.raises(GovsimError) as err:
        fit_durations(days, closed, weights=np.full(days.size, 0.5))
    assert err.value.path == "weights"


@pytest.mark.parametrize("family, p", [("gamma", (0.3, 1.2)), ("lognormal", (1.0, -0.2)),
                                       ("weibull", (-0.1, 1.5))])
def test_the_compressed_loglik_is_the_sum_over_every_request(family, p) -> None:
    from scipy import stats

    rng = np.random.default_rng(11)
    exact = np.round(rng.gamma(2.0, 2.0, size=400), 2) + 0.01
    censored = np.round(rng.uniform(1.0, 10.0, size=60))
    res = 1.0 / 1440.0
    ux, wx = np.unique(exact, return_counts=True)
    uc, wc = np.unique(censored, return_counts=True)
    sample = Sample(ux, wx.astype(float), uc, wc.astype(float), 7.0, res)
    a, b = p
    if family == "gamma":
        dist = stats.gamma(math.exp(a), scale=math.exp(b) / math.exp(a))
    elif family == "lognormal":
        dist = stats.lognorm(math.exp(b), scale=math.exp(a))
    else:
        dist = stats.weibull_min(math.exp(a), scale=math.exp(b))
    naive = dist.logpdf(exact).sum() + dist.logsf(censored).sum() + 7.0 * dist.logcdf(res)
    assert _loglik(family, np.array(p), sample) == pytest.approx(naive, rel=1e-10)


# ------------------------------------------------------------------ fuzzing
_ODD = st.one_of(
    st.sampled_from(["", "0001-01-01", "9999-12-31 23:59:59", "1677-09-21", "2262-04-12",
                     "2024-02-30", "2024-01-05T08:00:00-05:00", "2024-07-05T08:00:00-04:00",
                     "24:00", "NaT", "now", "13/45/2023 x", "DOT", "Closed"]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(), st.none(),
    st.booleans(), st.text(max_size=6))
_LABEL = {"Agency": ["DOT", "DSNY", "NYPD"], "Complaint Type": ["Street Condition", "Sewer"],
          "Status": ["Closed", "closed", "Open", "In Progress"], "Other": ["x"]}
_FORMATS = ["%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S-05:00"]


@st.composite
def _tables(draw) -> pd.DataFrame:
    """A small request table: mostly well formed (so that some fit), with odd cells (numbers,
    NaN, out-of-range and unreadable stamps, other text), missing or duplicated columns."""
    names = list(NYC) if draw(st.integers(0, 3)) else draw(st.lists(st.sampled_from(NYC),
                                                                     max_size=5))
    names += draw(st.lists(st.sampled_from([*NYC, "Other"]), max_size=2 if draw(
        st.integers(0, 3)) == 0 else 0))  # duplicated names, an extra column
    fmt = draw(st.sampled_from(_FORMATS))
    odd_share = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3]))
    rows = []
    for _ in range(draw(st.integers(0, 25))):
        created = draw(st.datetimes(min_value=dt.datetime(2024, 1, 1),
                                    max_value=dt.datetime(2024, 3, 31)))
        closed = created + dt.timedelta(hours=draw(st.integers(-2, 300)))
        row = []
        for name in names:
            if draw(st.floats(0.0, 1.0)) < odd_share:
                row.append(draw(_ODD))
            elif name == "Created Date":
                row.append(created.strftime(fmt))
            elif name == "Closed Date":
                row.append(closed.strftime(fmt) if draw(st.integers(0, 4)) else "")
            else:
                row.append(draw(st.sampled_from(_LABEL[name])))
        rows.append(row)
    return pd.DataFrame(rows, columns=names) if names else pd.DataFrame(index=range(len(rows)))


_OPTIONS = {
    "as_of": st.sampled_from([None, None, "2024-06-01", "2024-06-01T00:00:00+00:00",
                              "1990-01-01", "2300-01-01", 5]),
    "tz": st.sampled_from([None, "America/New_York", "UTC", "Nowhere/Zone"]),
    "drop_invalid": st.booleans(),
    "closed_statuses": st.sampled_from([("closed",), "Closed", ["closed", "open"], None]),
    "date_format": st.sampled_from([None, "mixed", "ISO8601", "%d.%m.%Y"]),
    "seasonal": st.sampled_from([None, True, False]),
    "trend": st.sampled_from([None, True, False]),
    "min_profile_requests": st.sampled_from([0, 1, 100]),
    "horizon_days": st.sampled_from([None, 1, 30, 36_525]),
    "families": st.sampled_from([("gamma",), ("lognormal", "weibull")]),
}


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(table=_tables(), kwargs=st.fixed_dictionaries({}, optional=_OPTIONS))
def test_fuzzed_tables_fit_or_are_refused_as_govsim_errors(table, kwargs) -> None:
    try:
        fit = world_from_requests(table, **kwargs)
    except GovsimError as err:
        assert isinstance(err.path, str) and err.path
        assert "\n" not in str(err)
        return
    assert isinstance(fit, RequestFit)
    assert fit.world["categories"] and fit.world["units"]
    fit.scenario()  # what is learnt is a valid scenario

"""Request logs in other cities' shapes (govsim.data.shapes, statuses, stamps): Baltimore's
CamelCase columns and ``Closed (Duplicate)`` statuses, San Francisco's BigQuery table with
``" UTC"`` stamps and both ``category`` and ``complaint_type``, Open311 and plain names are each
detected and read without a column mapping; statuses are read from their words unless listed;
UTC stamps stay in UTC with a note, or are converted with ``tz``; a table without a recognisable
agency is refused at ``columns.agency``. Every table is drawn here, seeded."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsim.data import world_from_requests
from govsim.data.columns import (
    GENERIC,
    NYC311,
    OPEN311,
    UTC_NOTE,
    Columns,
    find_columns,
    guess_format,
    parse_times,
    read_log,
    resolve_columns,
)
from govsim.data.stamps import _padded
from govsim.data.statuses import closed_by_status, read_status
from govsim.errors import GovsimError

NYC_NAMES = ("Created Date", "Closed Date", "Agency", "Complaint Type", "Status")
FIELDS = ("created", "closed", "agency", "category", "status")
BALTIMORE_STATUSES = ("Closed", "Closed (Duplicate)", "Closed (Transferred)", "Open", "New")


def _times(seed: int, n: int, first: str = "2016-01-01", days: int = 730):
    """Creation times over ``days`` days from ``first``, and close times a gamma time later."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp(first) + pd.to_timedelta(
        np.sort(rng.integers(0, days * 86400, n)), unit="s")
    closed = created + pd.to_timedelta(np.round(rng.gamma(0.8, 5.0, n) * 86400), unit="s")
    return rng, pd.DatetimeIndex(created), pd.DatetimeIndex(closed)


def _baltimore(n: int = 400, seed: int = 1, fmt: str = "%m/%d/%Y %I:%M:%S %p") -> pd.DataFrame:
    rng, created, closed = _times(seed, n, "2014-06-01")
    status = rng.choice(BALTIMORE_STATUSES, n, p=[0.55, 0.15, 0.1, 0.12, 0.08])
    done = np.char.startswith(status.astype(str), "Closed")
    close = np.where(done, closed.strftime(fmt), "")
    return pd.DataFrame({
        "ServiceRequestNum": [f"17-{k:08d}" for k in range(n)],
        "SRType": rng.choice(["SW-Dirty Alley", "HCD-Rodents", "TRS-Parking"], n),
        "MethodReceived": rng.choice(["Phone", "Web", "App"], n),
        "CreatedDate": created.strftime(fmt), "SRStatus": status,
        "StatusDate": np.where(done, close, created.strftime(fmt)),
        "DueDate": (created + pd.Timedelta(days=10)).strftime(fmt), "CloseDate": close,
        "Agency": rng.choice(["Solid Waste", "Housing", "Transportation"], n),
        "Outcome": rng.choice(["", "Completed", "Duplicate"], n)})


def _san_francisco(n: int = 400, seed: int = 2) -> pd.DataFrame:
    rng, created, closed = _times(seed, n, "2016-01-01")
    fraction = rng.random(n) < 0.3  # some stamps carry ".000000", as BigQuery writes them

    def utc(times: pd.DatetimeIndex) -> np.ndarray:
        return np.where(fraction, times.strftime("%Y-%m-%d %H:%M:%S.%f"),
                        times.strftime("%Y-%m-%d %H:%M:%S")) + " UTC"

    done = rng.random(n) < 0.85
    complaint = rng.choice(["Bulky Items", "General Cleaning", "Pothole", "Graffiti"], n)
    category = np.where(np.isin(complaint, ["Bulky Items", "General Cleaning"]),
                        "Street and Sidewalk Cleaning", "Street Defects")
    return pd.DataFrame({
        "unique_key": np.arange(n) + 5_000_000, "created_date": utc(created),
        "closed_date": np.where(done, utc(closed), ""),
        "resolution_action_updated_date": utc(closed), "status": np.where(done, "Closed", "Open"),
        "status_notes": "", "agency_name": rng.choice(["DPW Ops Queue", "Recology_Abandoned"], n),
        "category": category, "complaint_type": complaint, "descriptor": "x"})


def _open311(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng, created, closed = _times(seed, n, "2023-01-10", days=60)  # winter: one offset
    done = rng.random(n) < 0.8
    stamp = "%Y-%m-%dT%H:%M:%S-05:00"
    updated = np.where(done, closed.strftime(stamp),
                       (created + pd.Timedelta(hours=3)).strftime(stamp))
    return pd.DataFrame({"service_request_id": np.arange(n), "requested_datetime":
                         created.strftime(stamp), "updated_datetime": updated,
                         "agency_responsible": rng.choice(["DPW", "DOT"], n),
                         "service_name": rng.choice(["Pothole", "Streetlight"], n),
                         "status": np.where(done, "closed", "open")})


def _generic(n: int = 300, seed: int = 4) -> pd.DataFrame:
    rng, created, closed = _times(seed, n)
    done = rng.random(n) < 0.8
    return pd.DataFrame({"id": np.arange(n), "created": created.strftime("%Y-%m-%d %H:%M:%S"),
                         "closed": np.where(done, closed.strftime("%Y-%m-%d %H:%M:%S"), ""),
                         "agency": rng.choice(["A", "B"], n),
                         "category": rng.choice(["T1", "T2"], n),
                         "status": np.where(done, "Resolved", "In Progress")})


# ------------------------------------------------------------------ detection
@pytest.mark.parametrize("make, expected, how", [
    (_baltimore, Columns("CreatedDate", "CloseDate", "Agency", "SRType", "SRStatus"),
     "synonym 'createddate'"),
    (_san_francisco, Columns("created_date", "closed_date", "agency_name", "complaint_type",
                             "status"), "synonym 'createddate'"),
    (_open311, OPEN311, "preset open311"),
    (_generic, GENERIC, "preset generic"),
])
def test_each_shape_is_detected_without_a_mapping(make, expected, how) -> None:
    table = make()
    columns, found = find_columns(table, None)
    assert columns == expected == resolve_columns(table, None)
    assert found["created"]["how"] == how
    assert {f: found[f]["column"] for f in FIELDS} == dataclasses.asdict(expected)
    log = read_log(table, columns)
    assert log.created.size == len(table) and not log.dropped


def test_san_franciscos_finer_complaint_type_wins_and_a_mapping_may_name_one_field() -> None:
    table = _san_francisco()
    columns, found = find_columns(table, {"category": "category"})
    assert columns.category == "category" and found["category"]["how"] == "given"
    assert columns.created == "created_date" and columns.agency == "agency_name"
    assert find_columns(table, None)[1]["category"]["how"] == "synonym 'complainttype'"
    assert resolve_columns(table, {"status": None}).status is None
    nyc = table.rename(columns={"created_date": "Created Date", "agency_name": "Agency"})
    assert resolve_columns(nyc, {"category": "descriptor"}) == Columns(
        "Created Date", "closed_date", "Agency", "descriptor", "status")


def test_a_table_without_an_agency_is_refused_at_columns_agency() -> None:
    table = _baltimore().drop(columns="Agency")
    with pytest.raises(GovsimError) as err:
        resolve_columns(table, None)
    assert err.value.path == "columns.agency"
    assert "CreatedDate" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(GovsimError) as err:
        world_from_requests(table)
    assert err.value.path == "columns.agency"
    with pytest.raises(GovsimError) as err:
        resolve_columns(table, {"agency": 5})
    assert err.value.path == "columns.agency"


def test_an_nyc_table_missing_a_column_is_refused_at_that_name() -> None:
    table = _generic().rename(columns=dict(zip(FIELDS, NYC_NAMES, strict=True)))
    assert resolve_columns(table, None) == NYC311
    with pytest.raises(GovsimError) as err:
        read_log(table.drop(columns="Closed Date"), resolve_columns(table.drop(
            columns="Closed Date"), None))
    assert err.value.path == "Closed Date" and "or None" in str(err.value)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_nyc_names_in_any_case_and_spacing_are_detected(data) -> None:
    names = {}
    for field, name in zip(FIELDS, NYC_NAMES, strict=True):
        sep = data.draw(st.sampled_from(["", " ", "_", "-", ".", "  "]))
        text = sep.join(name.split())
        text = "".join(c.upper() if data.draw(st.booleans()) else c.lower() for c in text)
        names[field] = data.draw(st.sampled_from(["", " "])) + text
    base = _generic(n=30).rename(columns=dict(zip(FIELDS, names.values(), strict=True)))
    columns = resolve_columns(base, None)
    assert dataclasses.asdict(columns) == names
    assert read_log(base, columns).created.size == 30


# ------------------------------------------------------------------ statuses
@pytest.mark.parametrize("text, verdict", [
    ("Closed", "closed"), ("closed", "closed"), ("Closed (Duplicate)", "closed"),
    ("Closed (Transferred)", "closed"), ("CLOSED - Referred", "closed"), ("Resolved", "closed"),
    ("Duplicate", "closed"), ("Cancelled", "closed"), ("canceled", "closed"),
    ("Completed", "closed"), ("Open", "open"), ("open", "open"), ("New", "open"),
    ("Pending", "open"), ("Assigned", "open"), ("Started", "open"), ("Email Sent", "open"),
    ("Unassigned", "open"), ("In Progress", "open"), ("in-progress", "open"),
    ("On Hold - parts", "open"), ("Re-opened", "open"), ("Transferred", None), ("", None),
    ("Referred", None), ("Not Closed", "open"),
])
def test_a_status_is_read_from_its_words(text, verdict) -> None:
    assert read_status(text) == verdict


def test_baltimores_duplicates_count_as_closed_unless_statuses_are_listed() -> None:
    table = _baltimore()
    status = table["SRStatus"].to_numpy()
    log = read_log(table, resolve_columns(table, None))
    closing = np.char.startswith(status.astype(str), "Closed")
    assert log.is_closed.sum() == closing.sum() and log.closed_without_time == 0
    assert (log.is_closed == closing).all()  # the rows are kept in order
    assert log.statuses["Closed (Duplicate)"] == {
        "requests": int((status == "Closed (Duplicate)").sum()), "closed": True,
        "why": "reads as closed"}
    assert log.statuses["New"]["why"] == "reads as open" and not log.statuses["New"]["closed"]
    assert list(log.statuses)[0] == "Closed"  # the commonest first
    exact = read_log(table, resolve_columns(table, None), closed_statuses=("closed",))
    assert (exact.is_closed == (status == "Closed")).all()
    assert exact.statuses["Closed (Duplicate)"]["why"] == "not listed"
    assert exact.statuses["Closed"]["why"] == "listed"
    assert (read_log(table, resolve_columns(table, None), closed_statuses="CLOSED ").is_closed
            == exact.is_closed).all()


def test_a_status_that_reads_as_neither_counts_by_its_close_time() -> None:
    status = pd.Series(["Transferred", "Transferred", "Referred", " ", None, "Open", "Closed"])
    has_close = np.array([True, False, True, True, False, True, False])
    mask, summary = closed_by_status(status, has_close)
    assert mask.tolist() == [True, False, True, True, False, False, True]
    assert summary["Transferred"] == {"requests": 2, "closed": True,
                                      "why": "closed when it has a close time (1 of 2)"}
    assert summary["Referred"]["why"] == "has a close time"
    assert summary[""]["requests"] == 2  # blank and missing alike
    assert summary["Open"]["why"] == "reads as open"


def test_a_log_with_many_statuses_sums_up_the_rare_ones() -> None:
    status = pd.Series([f"code {k % 80}" for k in range(400)])
    mask, summary = closed_by_status(status, np.ones(400, dtype=bool))
    assert mask.all() and len(summary) == 51 and summary["(30 other statuses)"]["requests"] == 150


# ------------------------------------------------------------------ time stamps
def test_both_baltimore_date_formats_read_alike() -> None:
    a = _baltimore(fmt="%m/%d/%Y %I:%M:%S %p")
    b = _baltimore(fmt="%Y/%m/%d %I:%M:%S %p")
    for table in (a, b):
        assert _padded(table["CreatedDate"], guess_format(table["CreatedDate"])) is not None
    la, lb = read_log(a, resolve_columns(a, None)), read_log(b, resolve_columns(b, None))
    assert (la.created == lb.created).all() and (la.is_closed == lb.is_closed).all()
    assert (la.closed[la.is_closed] == lb.closed[lb.is_closed]).all()
    assert not la.notes
    assert parse_times(pd.Series(["2017/01/03 10:22:00 AM", "01/03/2017 10:22:00 PM"][:1]),
                       "c")[0] == np.datetime64("2017-01-03T10:22:00")


def test_utc_stamps_stay_in_utc_with_a_note_or_are_converted() -> None:
    table = _san_francisco()
    table.loc[0, "created_date"] = "2016-03-14 13:44:00 UTC"  # after DST began (UTC-7)
    table.loc[1, "created_date"] = "2016-01-14 13:44:00.000000 UTC"  # winter (UTC-8)
    table.loc[[0, 1], "closed_date"] = ""
    columns = resolve_columns(table, None)
    log = read_log(table, columns)
    assert log.created[0] == np.datetime64("2016-03-14T13:44:00")
    assert log.created[1] == np.datetime64("2016-01-14T13:44:00")
    assert log.notes == [UTC_NOTE]
    local = read_log(table, columns, tz="America/Los_Angeles")
    assert local.created[0] == np.datetime64("2016-03-14T06:44:00")
    assert local.created[1] == np.datetime64("2016-01-14T05:44:00")
    assert local.notes == []
    assert ((log.created - local.created).astype(int) // 3600 >= 7).all()
    end = read_log(table, columns, as_of="2018-01-01T00:00:00-08:00")
    assert end.as_of == np.datetime64("2018-01-01T08:00:00")  # the log's UTC clock
    iso_z = parse_times(pd.Series(["2016-03-14T13:44:00Z"]), "c", notes=(notes := []))
    assert iso_z[0] == np.datetime64("2016-03-14T13:44:00") and notes == [UTC_NOTE]


def test_a_stamp_without_the_utc_ending_the_others_carry_is_refused() -> None:
    table = _san_francisco()
    table.loc[50, "created_date"] = "2016-05-01 10:00:00"
    with pytest.raises(GovsimError) as err:
        read_log(table, resolve_columns(table, None))
    assert err.value.path == "created_date" and "'UTC' ending" in str(err.value)
    assert "'2016-05-01 10:00:00' in row 50" in str(err.value)


@pytest.mark.parametrize("fmt", ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y",
                                 "%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"])
def test_the_fast_path_reads_what_pandas_reads(fmt) -> None:
    rng = np.random.default_rng(9)
    times = pd.Timestamp("1995-01-01") + pd.to_timedelta(rng.integers(0, 30 * 365 * 86400, 5000),
                                                         unit="s")
    times = times.append(pd.DatetimeIndex(["2020-02-29 00:00:00", "2020-02-29 12:00:00",
                                           "2020-02-29 12:59:59", "2020-02-29 23:59:59"]))
    text = pd.Series(times.strftime(fmt), dtype=object)
    text[::11] = np.nan
    fast = _padded(text, fmt)
    assert fast is not None
    pd.testing.assert_series_equal(fast.astype("datetime64[s]"),
                                   pd.to_datetime(text, format=fmt).astype("datetime64[s]"))
    assert _padded(pd.Series(["1/3/2017 10:22:00 am"]), fmt) is None  # pandas reads that


def test_a_bad_stamp_among_good_ones_is_named_not_guessed_at() -> None:
    text = pd.Series(["02/30/2024 10:00:00 AM"] + ["02/28/2024 12:00:00 AM"] * 30)
    assert guess_format(text) == "%m/%d/%Y %I:%M:%S %p"
    with pytest.raises(GovsimError) as err:
        parse_times(text, "Created Date")
    assert "'02/30/2024 10:00:00 AM' in row 0" in str(err.value)


# ------------------------------------------------------------------ whole fits
def test_a_world_is_learnt_from_baltimore_and_san_francisco_shapes() -> None:
    baltimore = world_from_requests(_baltimore(), families=("gamma",))
    assert set(baltimore.world["categories"]) == {"SW-Dirty Alley", "HCD-Rodents",
                                                  "TRS-Parking"}
    sf = world_from_requests(_san_francisco(), {"agency": "agency_name"},
                             tz="America/Los_Angeles", families=("gamma",))
    assert set(sf.world["categories"]) == {"Bulky Items", "General Cleaning", "Pothole",
                                           "Graffiti"}
    assert set(sf.world["units"]) <= {"DPW Ops Queue", "Recology_Abandoned"}

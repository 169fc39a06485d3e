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


# ------------------------------------------------------------------ review: clocks, dates, labels
PLAIN = dataclasses.replace(GENERIC, status=None)


def _log(created, closed, agency=("A",), category=("T",)) -> pd.DataFrame:
    n = len(created)
    return pd.DataFrame({"created": created, "closed": closed, "agency": list(agency) * n
                         if len(agency) == 1 else agency, "category": list(category) * n
                         if len(category) == 1 else category})


def test_close_times_in_another_utc_offset_are_read_on_the_creation_clock() -> None:
    created = pd.date_range("2023-01-05 10:00", periods=4, freq="7h", tz="-05:00")
    closed = created + pd.Timedelta(hours=2)
    table = _log(created.strftime("%Y-%m-%dT%H:%M:%S-05:00"),
                 closed.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"))
    log = read_log(table, PLAIN, as_of="2023-02-01T12:00:00Z")
    assert log.created[0] == np.datetime64("2023-01-05T10:00:00")  # its own -05:00 clock
    assert ((log.closed - log.created) == np.timedelta64(2, "h")).all()  # was 7 h
    assert log.as_of == np.datetime64("2023-02-01T07:00:00") and UTC_NOTE not in log.notes
    assert len(log.notes) == 1 and "'closed' time stamps carry a different UTC offset (UTC)" \
        in log.notes[0]
    local = read_log(table, PLAIN, tz="America/New_York")
    assert (local.closed == log.closed).all() and not local.notes
    utc = read_log(_log(created.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
                        closed.strftime("%Y-%m-%dT%H:%M:%S-05:00")), PLAIN)
    assert utc.created[0] == np.datetime64("2023-01-05T15:00:00")
    assert ((utc.closed - utc.created) == np.timedelta64(2, "h")).all()
    assert utc.notes[0] == UTC_NOTE and len(utc.notes) == 2  # created in UTC: closed to UTC
    mixed = _log(["2023-01-05T10:00:00-05:00", "2023-01-05T11:00:00"], ["", ""])
    for tz in (None, "America/New_York"):  # with tz the second was silently taken as UTC
        with pytest.raises(GovsimError) as err:
            read_log(mixed, PLAIN, tz=tz)
        assert err.value.path == "created" and "1 of its time stamps carry a UTC offset and 1 " \
            "do not, the first without one '2023-01-05T11:00:00' in row 1" in str(err.value)


def test_a_date_only_close_on_the_day_of_creation_is_a_same_day_closure() -> None:
    table = _log(["12/26/2013 09:00:00 AM", "12/26/2013 11:00:00 PM", "12/26/2013 12:00:00 AM"],
                 ["12/26/2013 12:00:00 AM", "12/27/2013 12:00:00 AM", "12/26/2013 12:00:00 AM"])
    log = read_log(table, PLAIN)  # the first was "closed before created"
    assert log.closed.tolist() == list(np.array(
        ["2013-12-26T16:30", "2013-12-27T00:00", "2013-12-26T00:00"], dtype="datetime64[s]"))
    assert log.same_day_dates == 1 and log.is_closed.all() and not log.dropped
    assert any(n.startswith("1 close time(s) were a date without a time") for n in log.notes)
    earlier = table.assign(closed=["12/25/2013 12:00:00 AM"] + list(table.closed[1:]))
    with pytest.raises(GovsimError, match="1 request.s. closed before they were created"):
        read_log(earlier, PLAIN)
    dropped = read_log(earlier, PLAIN, drop_invalid=True)
    assert dropped.dropped == {"closed before created": 1} and dropped.same_day_dates == 0


def test_a_column_named_for_two_fields_is_refused() -> None:
    nyc = _generic(n=40).rename(columns=dict(zip(FIELDS, NYC_NAMES, strict=True)))
    for columns, path, text in (
            ({"category": "Agency"}, "columns.category", "'Agency' is already the agency column"),
            ({"agency": "Status", "category": "Status"}, "columns.category",
             "'Status' is already the agency column"),
            (dataclasses.replace(NYC311, closed="Created Date"), "columns.closed",
             "'Created Date' is already the created column")):
        with pytest.raises(GovsimError) as err:
            find_columns(nyc, columns)
        assert err.value.path == path and text in str(err.value), str(err.value)
    with pytest.raises(GovsimError) as err:
        read_log(nyc, dataclasses.replace(NYC311, agency="Complaint Type"))
    assert err.value.path == "columns.category"
    named = find_columns(nyc.assign(**{"Agency Name": "x"}), {"category": "Agency"})[1]
    assert named["agency"] == {"column": "Agency Name", "how": "synonym 'agencyname'"}


def test_labels_are_read_with_single_spaces_and_those_equal_without_case_are_named() -> None:
    agency = ["DOT", "dot", " DOT ", "DEP", "DEP"] * 4
    category = ["Heating", "HEATING ", "HEATING", "Heat  /\tHot Water", "Heat / Hot Water"] * 4
    log = read_log(_log(["2023-01-05 10:00:00"] * 20, [""] * 20, agency, category), PLAIN)
    assert set(log.agency) == {"DOT", "dot", "DEP"}
    assert set(log.category) == {"Heating", "HEATING", "Heat / Hot Water"}
    assert log.notes == [
        "agencies that differ only in case: 'DOT' / 'dot' (8 / 4 requests); merge them first if "
        "they are one", "complaint types that differ only in case: 'HEATING' / 'Heating' (8 / 4 "
        "requests); merge them first if they are one"]
    many = [f"{c}{k}" for k in range(7) for c in "aA"]  # 7 groups: 5 shown
    log = read_log(_log(["2023-01-05 10:00:00"] * 14, [""] * 14, category=many), PLAIN)
    assert log.notes[0].endswith("(1 / 1 requests) and 2 more group(s); merge them first if "
                                 "they are one") and log.notes[0].count(" / ") == 10

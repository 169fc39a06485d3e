"""A request log's columns, read into clean arrays.

Layer: data. A request log in the common open-data shape has one row per service request with
when it was created, when it was closed (if it was), the agency that handled it, its complaint
type and its status. :class:`Columns` names those columns (:data:`NYC311` for New York's 311
exports, :data:`OPEN311` for Open311 GeoReport v2 service requests); :func:`read_log` checks the
table and returns a :class:`Log` of numpy arrays. Every problem with the table is a
:class:`~govsim.errors.GovsimError` whose path is the offending column's name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govsim.data.arguments import check_moment, check_statuses, check_tz
from govsim.errors import GovsimError

__all__ = ["Columns", "NYC311", "OPEN311", "Log", "FORMATS", "resolve_columns", "read_log",
           "parse_times", "guess_format"]


@dataclass(frozen=True)
class Columns:
    """The names of a request log's columns.

    ``closed`` may be ``None`` (no close time: every request counts as open) and ``status``
    may be ``None`` (a request is closed when it has a close time).
    """

    created: str = "Created Date"
    closed: str | None = "Closed Date"
    agency: str = "Agency"
    category: str = "Complaint Type"
    status: str | None = "Status"


#: New York City 311 Service Requests (NYC Open Data export)
NYC311 = Columns()
#: Open311 GeoReport v2 service requests: ``updated_datetime`` is the close time of a request
#: whose ``status`` is ``closed`` (for an open one it is only its last change)
OPEN311 = Columns(created="requested_datetime", closed="updated_datetime",
                  agency="agency_responsible", category="service_name", status="status")
PRESETS = {"nyc311": NYC311, "open311": OPEN311}
#: the columns a log may go without
OPTIONAL = ("closed", "status")


@dataclass(frozen=True)
class Log:
    """A checked request log: one entry per usable request, in the table's row order.

    ``created`` and ``closed`` are ``datetime64[s]`` local wall-clock times (``closed`` is NaT
    for a request that is not closed); ``is_closed`` says whether the close time counts;
    ``timed`` is false for a request whose status says closed but has no close time (its
    duration is unknown); ``dropped`` counts the rows left out, by reason.
    """

    created: np.ndarray
    closed: np.ndarray
    is_closed: np.ndarray
    timed: np.ndarray
    agency: np.ndarray
    category: np.ndarray
    as_of: np.datetime64
    columns: Columns
    dropped: dict[str, int]
    closed_without_time: int


def resolve_columns(df: pd.DataFrame, columns: Columns | Mapping[str, Any] | str | None) -> Columns:
    """The :class:`Columns` to read ``df`` with.

    Parameters
    ----------
    df : pandas.DataFrame
        The request table.
    columns : Columns, mapping, str or None
        ``None`` picks :data:`NYC311` or :data:`OPEN311`, whichever's creation column the table
        has; a string names one of them (``"nyc311"``, ``"open311"``); a mapping replaces some
        of :data:`NYC311`'s names (``{"category": "Descriptor"}``).

    Returns
    -------
    Columns

    Raises
    ------
    GovsimError
        An unknown preset or key, or a name that is not text (path ``columns`` or
        ``columns.KEY``).
    """
    if columns is None:
        for preset in (NYC311, OPEN311):
            if preset.created in df.columns:
                return preset
        return NYC311  # read_log names the missing column
    if isinstance(columns, Columns):
        return _named(columns)
    if isinstance(columns, str):
        if columns.lower() not in PRESETS:
            raise GovsimError(f"unknown column preset {columns!r}; expected one of "
                              f"{', '.join(PRESETS)}", "columns")
        return PRESETS[columns.lower()]
    if isinstance(columns, Mapping):
        fields = {f.name for f in dataclasses.fields(Columns)}
        for key in columns:
            if key not in fields:
                raise GovsimError(f"unknown key {key!r}; expected some of {', '.join(sorted(fields))}",
                                  f"columns.{key}")
        return _named(dataclasses.replace(NYC311, **dict(columns)))
    raise GovsimError(f"must be a Columns, a mapping, 'nyc311' or 'open311', got {columns!r}",
                      "columns")


def _named(columns: Columns) -> Columns:
    """``columns`` if every name is non-empty text (``closed`` and ``status`` may be None)."""
    for f in dataclasses.fields(Columns):
        name = getattr(columns, f.name)
        if not (isinstance(name, str) and name) and not (name is None and f.name in OPTIONAL):
            raise GovsimError(f"must name a column (text{' or None' if f.name in OPTIONAL else ''}"
                              f"), got {name!r}", f"columns.{f.name}")
    return columns


def _empty(values: pd.Series) -> np.ndarray:
    missing = values.isna().to_numpy(dtype=bool, copy=True)
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        missing |= (text == "").fillna(True).to_numpy(dtype=bool)
    return missing


def _first(values: pd.Series, mask: np.ndarray) -> str:
    k = int(np.flatnonzero(mask)[0])
    value = values.iloc[k]
    value = value.item() if isinstance(value, np.generic) else value
    return f"{value!r} in row {values.index[k]!r}"


#: formats tried, in order, when none is given: NYC 311's exports, then ISO 8601 (Open311)
FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "ISO8601")


def guess_format(values: pd.Series) -> str | None:
    """The time format of a column of time stamps.

    pandas' own guess fails on NYC's ``12:00:00 AM`` and then parses each value separately,
    slowly and ambiguously, so the usual formats are tried first.

    Parameters
    ----------
    values : pandas.Series
        Time stamps as text (empty values as missing).

    Returns
    -------
    str or None
        The first of :data:`FORMATS` that reads the first 500 non-empty values, or ``None``
        (pandas then infers one).
    """
    sample = values.dropna().astype(str).head(500)
    for fmt in FORMATS:
        try:
            pd.to_datetime(sample, format=fmt)
        except ValueError as exc:
            if "timezone" in str(exc).lower():  # readable, with several UTC offsets
                return fmt
            continue
        return fmt
    return None


def _text_or_times(values: pd.Series, empty: np.ndarray, column: str) -> None:
    """Refuse stamps that are neither text nor times: numbers (epoch counts in seconds,
    milliseconds or nanoseconds are indistinguishable) and other objects."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty", "datetime",
                                                         "datetime64", "date"):
        return
    bad = ~empty & np.fromiter((not isinstance(v, str | dt.date | np.datetime64)
                                for v in values.array), dtype=bool, count=len(values))
    if bad.any():
        raise GovsimError(f"{int(bad.sum())} value(s) are numbers or other objects, not time "
                          f"stamps, the first {_first(values, bad)}; epoch counts are not read, "
                          "so convert them first (pandas.to_datetime(..., unit='s'))", column)


def parse_times(values: pd.Series, column: str, *, date_format: str | None = None,
                tz: str | None = None) -> np.ndarray:
    """Time stamps as naive local times.

    Parameters
    ----------
    values : pandas.Series
        Text or datetimes; empty values become NaT.
    column : str
        The column's name, the path of any error.
    date_format : str, optional
        A ``strftime`` format, ``"ISO8601"`` or ``"mixed"``; default :func:`guess_format`.
    tz : str, optional
        Time-zone-aware stamps are converted to this zone. Without it, stamps that all carry
        one UTC offset keep their wall-clock time, and stamps with several offsets (daylight
        saving) are refused.

    Returns
    -------
    numpy.ndarray
        ``datetime64[s]`` values, NaT where empty.

    Raises
    ------
    GovsimError
        A value that is not a time stamp (a number or another object is not one), or several
        UTC offsets without ``tz``.
    """
    empty = _empty(values)
    kept = values.where(~empty)
    if pd.api.types.is_datetime64_any_dtype(kept):
        parsed = kept
    else:
        _text_or_times(kept, empty, column)
        options: dict[str, Any] = {"errors": "coerce"}
        fmt = date_format or guess_format(kept)
        if fmt is not None:
            options["format"] = fmt
        try:
            parsed = pd.to_datetime(kept, **options)
        except ValueError as exc:
            if "timezone" not in str(exc).lower():
                raise GovsimError(f"cannot read its time stamps ({exc})", column) from None
            if tz is None:
                raise GovsimError("its time stamps carry different UTC offsets (daylight saving "
                                  "time?); pass tz (e.g. 'America/New_York') to count days in "
                                  "that zone's local time", column) from None
            parsed = pd.to_datetime(kept, utc=True, **options)
    bad = parsed.isna().to_numpy() & ~empty
    if bad.any():
        raise GovsimError(f"{int(bad.sum())} value(s) are not dates, the first {_first(values, bad)}"
                          + ("" if date_format else "; pass date_format if the format varies"),
                          column)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        if tz is not None:
            try:
                parsed = parsed.dt.tz_convert(tz)
            except Exception as exc:  # noqa: BLE001 - an unknown zone name is the user's error
                raise GovsimError(f"unknown time zone {tz!r} ({exc})", "tz") from None
        parsed = parsed.dt.tz_localize(None)
    return parsed.to_numpy(dtype="datetime64[s]")


def _labels(values: pd.Series) -> np.ndarray:
    """Labels as stripped strings; empty ones as ``None``."""
    text = values.astype("string").str.strip()
    return text.where(text != "").to_numpy(dtype=object, na_value=None)


def read_log(df: pd.DataFrame, columns: Columns, *, closed_statuses: Iterable[str] = ("closed",),
             as_of: Any = None, tz: str | None = None, date_format: str | None = None,
             drop_invalid: bool = False) -> Log:
    """Check a request table and read it into a :class:`Log`.

    A request counts as closed when it has a close time no later than ``as_of`` and, if there
    is a status column, its status is one of ``closed_statuses`` (compared without case); any
    other request is still open at ``as_of``. A request with a closing status but no close time
    is kept for the arrival rates and left out of the durations. Rows with no creation time,
    agency or complaint type are left out and counted in ``Log.dropped``.

    Parameters
    ----------
    df : pandas.DataFrame
        The request table.
    columns : Columns
        Its column names (:func:`resolve_columns`).
    closed_statuses : iterable of str
        Statuses that mean closed.
    as_of : date or time, optional
        The log's end; default its latest time stamp. No request may be created after it.
    tz, date_format : str, optional
        See :func:`parse_times`.
    drop_invalid : bool
        Leave out requests closed before they were created instead of raising.

    Returns
    -------
    Log

    Raises
    ------
    GovsimError
        An empty table (path ``df``); a missing column, two columns of the name used, a value
        that is not a time stamp (numbers included: epoch counts are not read), a close before
        creation (path: the column's name); a bad ``as_of``, ``tz`` or ``closed_statuses``.
    """
    if not isinstance(df, pd.DataFrame):
        raise GovsimError(f"must be a pandas DataFrame, got {type(df).__name__}", "df")
    tz = check_tz(tz)
    if len(df) == 0:
        raise GovsimError("the request log is empty", "df")
    for field in ("created", "closed", "agency", "category", "status"):
        name = getattr(columns, field)
        if name is not None and name not in df.columns:
            raise GovsimError(f"the table has no column {name!r} (the {field} column; pass "
                              f"columns= to name it); its columns are "
                              f"{', '.join(map(str, df.columns[:12]))}"
                              + (", ..." if len(df.columns) > 12 else ""), name)
        if name is not None and int((df.columns == name).sum()) > 1:
            raise GovsimError(f"the table has {int((df.columns == name).sum())} columns named "
                              f"{name!r} (the {field} column); keep one of them", name)
    created = parse_times(df[columns.created], columns.created, date_format=date_format, tz=tz)
    n_rows = created.size
    if columns.closed is not None:
        closed = parse_times(df[columns.closed], columns.closed, date_format=date_format, tz=tz)
    else:
        closed = np.full(n_rows, np.datetime64("NaT"), dtype="datetime64[s]")
    agency = _labels(df[columns.agency])
    category = _labels(df[columns.category])
    if columns.status is not None:
        done = check_statuses(closed_statuses)
        status = df[columns.status].astype("string").str.strip().str.lower()
        says_closed = status.isin(done).fillna(False).to_numpy(dtype=bool)
    else:
        says_closed = np.ones(n_rows, dtype=bool)

    dropped: dict[str, int] = {}
    keep = np.ones(n_rows, dtype=bool)
    for reason, missing in (("no creation time", np.isnat(created)),
                            ("no agency", np.array([a is None for a in agency], dtype=bool)),
                            ("no complaint type", np.array([c is None for c in category],
                                                           dtype=bool))):
        fresh = missing & keep
        if fresh.any():
            dropped[reason] = int(fresh.sum())
            keep &= ~missing
    has_close = ~np.isnat(closed)
    is_closed = says_closed & has_close
    before = keep & is_closed & (closed < created)
    if before.any():
        if not drop_invalid:
            raise GovsimError(f"{int(before.sum())} request(s) closed before they were created, "
                              f"the first {_first(df[columns.closed], before)}; pass "
                              "drop_invalid=True to leave them out", columns.closed or "")
        dropped["closed before created"] = int(before.sum())
        keep &= ~before
    if not keep.any():
        raise GovsimError("no row has a creation time, an agency and a complaint type", "df")
    untimed = says_closed & ~has_close if columns.status is not None and columns.closed \
        is not None else np.zeros(n_rows, dtype=bool)

    stamps = np.concatenate([created[keep], closed[keep & is_closed]])
    last = stamps.max()
    if as_of is None:
        end = last
    else:
        moment = check_moment(as_of, "as_of")
        if moment.tzinfo is not None:  # to the log's local wall-clock time
            moment = (moment.tz_convert(tz) if tz is not None else moment).tz_localize(None)
        try:
            end = moment.to_datetime64().astype("datetime64[s]")
        except (TypeError, ValueError, OverflowError) as exc:
            raise GovsimError(f"must be a date or time, got {as_of!r} ({exc})", "as_of") from None
        late = created[keep].max()
        if late > end:
            raise GovsimError(f"requests were created after it (the last at {late}); cut the "
                              "table first, or pass a later time", "as_of")
    # a close after the log's end is not yet known at the end: the request is still open then
    is_closed = is_closed & (closed <= end)
    return Log(created=created[keep], closed=np.where(is_closed, closed, np.datetime64("NaT"))[keep],
               is_closed=is_closed[keep], timed=~untimed[keep], agency=agency[keep],
               category=category[keep], as_of=end, columns=columns, dropped=dropped,
               closed_without_time=int(untimed[keep].sum()))

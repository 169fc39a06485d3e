"""The arguments of :func:`~govsim.data.requests.world_from_requests`, checked before any work.

Layer: data. Each argument of the wrong type or out of range is a
:class:`~govsim.errors.GovsimError` whose path is the argument's name (``kinds``, ``staff.DOT``,
``date_format``) in one sentence saying what it must be; :func:`read_table` accepts the request
table itself as a DataFrame or as the path of a CSV file, read through
:func:`govsim.inputs.check_input_file` (at most :data:`MAX_LOG_BYTES`). A bool is not a number
here, and counts (``staff``, ``horizon_days``, ``min_profile_requests``) are whole numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govsim.calendar import FIRST_DAY, LAST_DAY, working_day_table
from govsim.data.durations import DISTRIBUTION_FAMILIES
from govsim.errors import GovsimError, shown
from govsim.inputs import check_input_file
from govsim.scenario.base import LIMITS
from govsim.scenario.world import UnitKind

__all__ = ["MAX_LOG_BYTES", "MAX_DAYS", "Arguments", "check_arguments", "read_table",
           "check_statuses", "check_tz", "check_date_format", "check_moment", "check_span",
           "check_window", "check_number"]

#: the largest CSV file :func:`read_table` reads (2 GiB, about 8 million rows of NYC 311's 41
#: columns; cut a larger export to the five columns used, or read it yourself in pieces)
MAX_LOG_BYTES = 2 * 2**30
#: the longest log, and the longest horizon, in days: the scenario schema's limit (100 years)
MAX_DAYS = int(LIMITS["days"])
KINDS = frozenset(typing.get_args(UnitKind))


def read_table(df: Any, max_bytes: int | None = None) -> pd.DataFrame:
    """The request table: ``df`` itself if it is a DataFrame, else the CSV file at the path
    ``df`` read as text (``dtype=str``; empty cells stay empty strings).

    Raises
    ------
    GovsimError
        (path ``df``) Anything but a DataFrame or a path; a path that is not a regular readable
        file of at most ``max_bytes`` (default :data:`MAX_LOG_BYTES`: a directory, a device, a
        pipe, a missing file and a larger file are refused); a file that is not CSV text; a
        table whose column names have several levels.
    """
    if isinstance(df, str | os.PathLike) and not isinstance(df, bytes):
        limit = MAX_LOG_BYTES if max_bytes is None else max_bytes
        path = check_input_file(df, "request log", "df", limit)
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            text = str(exc).strip()
            reason = text.splitlines()[0].rstrip(".").replace(". ", ": ") if text \
                else type(exc).__name__
            raise GovsimError(f"cannot read request log {str(path)!r} as CSV ({reason})",
                              "df") from None
    if not isinstance(df, pd.DataFrame):
        raise GovsimError(f"must be a pandas DataFrame or the path of a CSV file, got "
                          f"{type(df).__name__}", "df")
    if isinstance(df.columns, pd.MultiIndex):
        raise GovsimError("its column names have several levels; flatten them to one name a "
                          "column", "df")
    return df


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _whole(value: Any, name: str, low: int, high: int | None = None) -> int:
    whole = not isinstance(value, bool | np.bool_) and (
        isinstance(value, numbers.Integral)
        or (isinstance(value, float) and math.isfinite(value) and value.is_integer()))
    if not whole or not low <= int(value) <= (int(value) if high is None else high):
        span = f">= {low:,}" if high is None else f"from {low:,} to {high:,}"
        raise GovsimError(f"must be a whole number {span}, got {shown(value)}", name)
    return int(value)


def check_number(value: Any, name: str, low: float, high: float, *, whole: bool = False,
                 open_interval: bool = False) -> Any:
    """``value`` as an ``int`` (``whole``: a whole number in ``[low, high]``) or a ``float`` (in
    ``[low, high]``, or ``(low, high)`` with ``open_interval``); numpy numbers are numbers, a
    bool is not, and anything else is refused at ``name`` in one sentence."""
    ok = _is_number(value) and math.isfinite(value) and (
        low <= value <= high and float(value).is_integer() if whole
        else (low < value < high if open_interval else low <= value <= high))
    if not ok:
        kind = (f"a whole number from {low:,} to {high:,}" if whole else
                f"a number strictly between {low:g} and {high:g}" if open_interval else
                f"a number from {low:g} to {high:g}")
        raise GovsimError(f"must be {kind}, got {shown(value)}", name)
    return int(value) if whole else float(value)


def _share(value: Any, name: str, *, below_one: bool = False) -> float:
    if not (_is_number(value) and math.isfinite(value) and 0.0 < value <= 1.0) \
            or (below_one and value >= 1.0):
        raise GovsimError(f"must be a number in (0, 1{')' if below_one else ']'}, got {shown(value)}",
                          name)
    return float(value)


def _flag(value: Any, name: str, *, optional: bool = False) -> bool | None:
    if optional and value is None:
        return None
    if not isinstance(value, bool | np.bool_):
        raise GovsimError(f"must be True or False{' or None' if optional else ''}, got "
                          f"{shown(value)}", name)
    return bool(value)


def check_statuses(closed_statuses: Any) -> frozenset[str] | None:
    """The statuses that mean closed, stripped and in lower case, from a string or an iterable of
    strings; ``None`` (each status read from its words, :mod:`govsim.data.statuses`) stays
    ``None``; anything else, or no status at all, is refused (path ``closed_statuses``)."""
    if closed_statuses is None:
        return None
    if isinstance(closed_statuses, str):
        closed_statuses = (closed_statuses,)
    if not isinstance(closed_statuses, Iterable) or isinstance(closed_statuses, bytes | Mapping):
        raise GovsimError(f"must be a status or a list of statuses (text), got "
                          f"{shown(closed_statuses)}", "closed_statuses")
    values = list(closed_statuses)
    for value in values:
        if not isinstance(value, str):
            raise GovsimError(f"must list statuses as text, got {shown(value)} among them",
                              "closed_statuses")
    out = frozenset(s.strip().lower() for s in values) - {""}
    if not out:
        raise GovsimError("name at least one status that means closed (not blank)",
                          "closed_statuses")
    return out


def check_tz(tz: Any) -> str | dt.tzinfo | None:
    """``tz`` if it is ``None``, a time-zone name pandas knows or a ``tzinfo``; else refused
    (path ``tz``)."""
    if tz is None:
        return None
    if not isinstance(tz, str | dt.tzinfo):
        raise GovsimError(f"must be a time zone name such as 'America/New_York', got {shown(tz)}",
                          "tz")
    try:
        pd.Timestamp("2000-01-01", tz=tz)
    except Exception:  # noqa: BLE001 - zoneinfo, pytz and dateutil each raise their own
        raise GovsimError(f"unknown time zone {shown(tz)}; pass a name such as 'America/New_York'",
                          "tz") from None
    return tz


def check_date_format(date_format: Any) -> str | None:
    """``date_format`` if it is ``None`` or non-empty text; else refused (path
    ``date_format``)."""
    if date_format is None:
        return None
    if not isinstance(date_format, str) or not date_format.strip():
        raise GovsimError(f"must be a strftime format such as '%m/%d/%Y %I:%M:%S %p', "
                          f"'ISO8601' or 'mixed', got {shown(date_format)}", "date_format")
    return date_format


def check_moment(value: Any, name: str) -> pd.Timestamp:
    """A date or time (text, ``datetime``, ``date``, ``Timestamp`` or ``datetime64``) as a
    Timestamp; numbers (epoch counts are ambiguous) and anything unreadable are refused."""
    if not isinstance(value, str | dt.date | np.datetime64 | pd.Timestamp):
        raise GovsimError(f"must be a date or time (text such as '2025-01-01', a datetime or a "
                          f"Timestamp), got {type(value).__name__} {shown(value)}", name)
    try:
        moment = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise GovsimError(f"must be a date or time, got {shown(value)} ({exc})", name) from None
    if moment is pd.NaT or pd.isna(moment):
        raise GovsimError(f"must be a date or time, got {shown(value)}", name)
    return moment


def check_span(start: np.datetime64, horizon_days: int) -> None:
    """Refuse a world whose ``start`` (path ``start``) or last day (path ``horizon_days``) lies
    outside the days the calendar covers, before anything of that length is allocated."""
    first, last = np.datetime64(FIRST_DAY, "D"), np.datetime64(LAST_DAY, "D")
    if not first <= start <= last:
        raise GovsimError(f"the world's start {start} lies outside {FIRST_DAY} to {LAST_DAY}, the "
                          "days the calendar covers; pass start= a day inside them", "start")
    room = int((last - start).astype(np.int64)) + 1
    if horizon_days > room:
        raise GovsimError(f"{horizon_days:,} days from {start} would end after {LAST_DAY}, the "
                          f"last day the calendar covers (at most {room:,})", "horizon_days")


def _kind(value: Any, name: str) -> str:
    if not isinstance(value, str) or value not in KINDS:
        raise GovsimError(f"unknown unit kind {shown(value)}; expected one of "
                          f"{', '.join(sorted(KINDS))}", name)
    return value


def _by_agency(value: Any, name: str, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise GovsimError(f"must be a mapping of agency to {what} (such as {{'DOT': ...}}), "
                          f"got {type(value).__name__} {shown(value)}", name)
    for key in value:
        if not isinstance(key, str):
            raise GovsimError(f"must name agencies as text, got {shown(key)}", name)
    return dict(value)


@dataclass(frozen=True)
class Arguments:
    """The checked arguments of :func:`~govsim.data.requests.world_from_requests` other than the
    table and its columns (numbers as ``float``/``int``, ``start`` as a day)."""

    closed_statuses: frozenset[str] | None
    as_of: pd.Timestamp | None
    tz: str | dt.tzinfo | None
    date_format: str | None
    drop_invalid: bool
    start: np.datetime64 | None
    horizon_days: int | None
    seasonal: bool | None
    weekday: bool | None
    trend: bool | None
    min_profile_requests: int
    overdispersed: bool
    owner_share: float
    families: tuple[str, ...]
    work_share: float
    office_hours_per_week: float
    kinds: dict[str, str]
    default_kind: str
    staff: dict[str, int]
    utilisation: float
    country: str
    confidence: float
    window: tuple[Any, Any] | None = None
    hours: dict[str, str] | None = None
    min_trend_requests: int = 200
    trend_alpha: float = 0.01


def check_arguments(**values: Any) -> Arguments:
    """Check every field of :class:`Arguments` (passed by name) and return them normalised.

    Refused, each at its own name: ``closed_statuses`` that are not text
    (:func:`check_statuses`); ``as_of`` and ``start`` that are not dates or times (numbers
    included, :func:`check_moment`); an unknown ``tz``; a ``date_format`` that is not text;
    ``drop_invalid``, ``overdispersed`` that are not bools, and ``seasonal``, ``weekday``,
    ``trend`` that are not bools or ``None``; ``horizon_days`` outside 1 to :data:`MAX_DAYS`;
    ``min_profile_requests`` that is not a whole number >= 0; shares (``owner_share``,
    ``work_share``, ``utilisation``, ``confidence``) outside (0, 1]; ``families`` that are not
    among gamma, lognormal, weibull; ``office_hours_per_week`` outside (0, 168]; ``kinds``
    that is not a mapping of agency to a unit kind; ``staff`` that is not a mapping of agency to
    a whole number of staff from 1 to 100,000 (2.7 is refused, not truncated); a ``country``
    that is not text; a ``window`` that is not a pair of dates in order; ``hours`` that is not
    a mapping of agency to office hours; ``min_trend_requests`` below 2; ``trend_alpha``
    outside (0, 1).
    """
    v = {"window": None, "hours": None, "min_trend_requests": 200, "trend_alpha": 0.01, **values}
    as_of = None if v["as_of"] is None else check_moment(v["as_of"], "as_of")
    start = None if v["start"] is None else check_moment(v["start"], "start")
    horizon = None if v["horizon_days"] is None else _whole(v["horizon_days"], "horizon_days",
                                                           1, MAX_DAYS)
    families = v["families"]
    if isinstance(families, str):
        families = (families,)
    if not isinstance(families, Iterable) or isinstance(families, bytes | Mapping):
        raise GovsimError(f"must be a list of duration families among "
                          f"{', '.join(DISTRIBUTION_FAMILIES)}, got {shown(families)}", "families")
    families = tuple(families)
    unknown = [f for f in families if not isinstance(f, str) or f not in DISTRIBUTION_FAMILIES]
    if unknown or not families:
        raise GovsimError(f"unknown families {unknown}; choose among {', '.join(DISTRIBUTION_FAMILIES)}"
                          if unknown else "name at least one family", "families")
    hours = v["office_hours_per_week"]
    if not (_is_number(hours) and math.isfinite(hours) and 0 < hours <= 168):
        raise GovsimError(f"must be a number of hours in (0, 168], got {shown(hours)}",
                          "office_hours_per_week")
    kinds = {a: _kind(k, f"kinds.{a}")
             for a, k in _by_agency(v["kinds"], "kinds", "unit kind").items()}
    staff = {a: _whole(n, f"staff.{a}", 1, int(LIMITS["headcount"]))
             for a, n in _by_agency(v["staff"], "staff", "number of staff").items()}
    if not isinstance(v["country"], str):
        raise GovsimError(f"must be a country code such as 'US', or 'none', got "
                          f"{shown(v['country'])}", "country")
    # a country the holidays package does not know is refused here, not in the scenario later
    working_day_table(dt.date(2024, 1, 1), 1, v["country"], path="country")
    return Arguments(
        closed_statuses=check_statuses(v["closed_statuses"]), as_of=as_of, tz=check_tz(v["tz"]),
        date_format=check_date_format(v["date_format"]),
        drop_invalid=bool(_flag(v["drop_invalid"], "drop_invalid")),
        start=None if start is None else start.to_datetime64().astype("datetime64[D]"),
        horizon_days=horizon,
        seasonal=_flag(v["seasonal"], "seasonal", optional=True),
        weekday=_flag(v["weekday"], "weekday", optional=True),
        trend=_flag(v["trend"], "trend", optional=True),
        min_profile_requests=_whole(v["min_profile_requests"], "min_profile_requests", 0),
        overdispersed=bool(_flag(v["overdispersed"], "overdispersed")),
        owner_share=_share(v["owner_share"], "owner_share"), families=families,
        work_share=_share(v["work_share"], "work_share"), office_hours_per_week=float(hours),
        kinds=kinds, default_kind=_kind(v["default_kind"], "default_kind"), staff=staff,
        utilisation=_share(v["utilisation"], "utilisation"), country=v["country"],
        confidence=_share(v["confidence"], "confidence", below_one=True),
        window=check_window(v["window"]), hours=_hours(v["hours"]),
        min_trend_requests=_whole(v["min_trend_requests"], "min_trend_requests", 2),
        trend_alpha=_share(v["trend_alpha"], "trend_alpha", below_one=True))


def check_window(value: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``window``: ``None`` (detected) or a pair of dates (text, ``date``, ``Timestamp``,
    ``datetime64``; no time zone), the first day and the day after the last, in order and at
    most :data:`MAX_DAYS` apart, as midnight Timestamps; anything else is refused at
    ``window``."""
    if value is None:
        return None
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise GovsimError(f"must be a pair of dates (first day, day after the last), got "
                          f"{shown(value)}", "window")
    pair = list(value)
    if len(pair) != 2:
        raise GovsimError(f"must be a pair of dates (first day, day after the last), got "
                          f"{len(pair)} value(s)", "window")
    first, end = (check_moment(x, "window").normalize() for x in pair)
    if first.tzinfo is not None or end.tzinfo is not None:
        raise GovsimError("must be dates without a time zone (local days)", "window")
    if not first < end:
        raise GovsimError(f"its first day ({first.date()}) must come before its end "
                          f"({end.date()})", "window")
    if (end - first).days > MAX_DAYS:
        raise GovsimError(f"spans {(end - first).days:,} days; at most {MAX_DAYS:,}", "window")
    return first, end


def _hours(value: Any) -> dict[str, str] | None:
    """``hours``: ``None`` (detected from close times) or a mapping of agency to office hours
    (``"08:30-17:30"`` or ``"24h"``), each checked at ``hours.AGENCY``."""
    from govsim.calendar import parse_hours

    if value is None:
        return None
    out = _by_agency(value, "hours", "office hours")
    for agency, spec in out.items():
        if not isinstance(spec, str):
            raise GovsimError(f"must be office hours such as '08:30-17:30' or '24h', got "
                              f"{shown(spec)}", f"hours.{agency}")
        parse_hours(spec, f"hours.{agency}")
    return out

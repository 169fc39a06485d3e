"""Time stamps of a request log read into ``datetime64[s]`` arrays, a whole column at once.

Layer: data. :func:`parse_times` reads New York's ``12/25/2013 11:59:08 PM``, Baltimore's
``01/03/2017 10:22:00 AM`` and ``2017/01/03 10:22:00 AM``, ISO 8601 with offsets or a ``Z``
(Open311), and BigQuery's ``2016-03-14 13:44:00 UTC`` (San Francisco), in the format
:func:`guess_format` finds, never stamp by stamp; zero-padded formats take a faster path
(``_padded``). Stamps in UTC keep UTC's wall-clock time unless ``tz`` is given, and say so
(:data:`UTC_NOTE`); :func:`parse_zoned` also brings stamps to another column's UTC offset
(a log's close times to its creation times'). Every problem is a
:class:`~govsim.errors.GovsimError` whose path is the column's name.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from govsim.errors import GovsimError

__all__ = ["FORMATS", "UTC_SUFFIXES", "UTC_NOTE", "guess_format", "parse_times",
           "parse_zoned"]

#: the note a log whose time stamps are in UTC gets when no ``tz`` is given
UTC_NOTE = ("time stamps are in UTC; pass tz= (e.g. 'America/Los_Angeles') to count days in "
            "local time")


def _empty(values: pd.Series) -> np.ndarray:
    """Where ``values`` are missing or blank text."""
    missing = values.isna().to_numpy(dtype=bool, copy=True)
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        missing |= (text == "").fillna(True).to_numpy(dtype=bool)
    return missing


def _first(values: pd.Series, mask: np.ndarray) -> str:
    """The first of ``values`` where ``mask`` holds, and its row, for an error message."""
    k = int(np.flatnonzero(mask)[0])
    value = values.iloc[k]
    value = value.item() if isinstance(value, np.generic) else value
    return f"{value!r} in row {values.index[k]!r}"


#: formats tried, in order, when none is given: NYC 311's exports (Baltimore's too), Baltimore's
#: year-first stamps, then ISO 8601 -- Open311's, and ``%Y-%m-%d %H:%M:%S`` with or without
#: fractional seconds, a ``T``, an offset or a ``Z`` (San Francisco's, once its ``" UTC"`` is
#: taken off by :func:`parse_times`)
FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%Y/%m/%d %I:%M:%S %p",
           "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "ISO8601")
#: endings that mark a stamp in UTC (BigQuery writes ``2016-03-14 13:44:00 UTC``)
UTC_SUFFIXES = (" UTC", " GMT")


def guess_format(values: pd.Series) -> str | None:
    """The time format of a column of time stamps.

    pandas' own guess fails on NYC's ``12:00:00 AM`` and then parses each value separately,
    slowly and ambiguously, so the usual formats are tried first; one that reads nine in ten
    of the sample is taken (a stamp that is not a date, ``02/30/2024``, is then refused by
    name rather than sending the whole column to the slow guess).

    Parameters
    ----------
    values : pandas.Series
        Time stamps as text (empty values as missing).

    Returns
    -------
    str or None
        The first of :data:`FORMATS` that reads the first 500 non-empty values, else the one
        that reads most of them if that is nine in ten, else ``None`` (pandas then infers one).
    """
    sample = values.dropna().astype(str).head(500)
    best, most = None, 0.9 * len(sample)
    for fmt in FORMATS:
        try:
            read = int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())
        except ValueError as exc:
            if "timezone" in str(exc).lower():  # readable, with several UTC offsets
                return fmt
            continue
        if read == len(sample):
            return fmt
        if read >= most and read > 0:
            best, most = fmt, read + 0.5
    return best


#: the zero-padded fields ``_padded`` reads, and the sets of them it reads
_FIELDS = {"%m": "(0[1-9]|1[0-2])", "%d": "(0[1-9]|[12][0-9]|3[01])", "%Y": "([0-9]{4})",
           "%H": "([01][0-9]|2[0-3])", "%I": "(0[1-9]|1[0-2])", "%M": "([0-5][0-9])",
           "%S": "([0-5][0-9])", "%p": "(AM|PM)"}
_PADDED = ({"%Y", "%m", "%d"}, {"%Y", "%m", "%d", "%H", "%M", "%S"},
           {"%Y", "%m", "%d", "%I", "%M", "%S", "%p"})


def _padded(kept: pd.Series, fmt: str) -> pd.Series | None:
    """Stamps in a format of zero-padded numbers (New York's, Baltimore's) read some three times
    faster than by pandas' ``strptime``: rewritten as ``%Y-%m-%d %H:%M:%S`` by one regular
    expression (pyarrow) and read by pandas' ISO 8601 parser, which refuses a day that does not
    exist; ``None`` (pandas then reads them) for another format, or a stamp that does not
    match the format exactly (lower-case ``pm``, ``1/3/2017``, a leading space)."""
    tokens = re.findall(r"%.|[^%]+", fmt)
    fields = [t for t in tokens if t.startswith("%")]
    if len(set(fields)) < len(fields) or set(fields) not in _PADDED:
        return None
    try:
        text = pa.array(kept, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        return None
    pattern = "^" + "".join(_FIELDS.get(t, re.escape(t)) for t in tokens) + "$"
    if not pc.all(pc.match_substring_regex(text, pattern)).as_py():
        return None
    group = {f: f"\\{k + 1}" for k, f in enumerate(fields)}
    hour = group.get("%H") or group.get("%I")
    target = f"{group['%Y']}-{group['%m']}-{group['%d']}" + (
        f" {hour}:{group['%M']}:{group['%S']}" if hour else "")
    iso = pc.replace_substring_regex(text, pattern, target)
    try:  # kept in Arrow's memory; an older pandas takes only pa.string() there
        iso = pd.arrays.ArrowStringArray(iso)
    except (TypeError, ValueError):
        iso = iso.to_numpy(zero_copy_only=False)
    out = pd.to_datetime(pd.Series(iso, index=kept.index),
                         format="%Y-%m-%d %H:%M:%S" if hour else "%Y-%m-%d", errors="coerce")
    if "%p" in fields:  # 12 AM is midnight, 12 PM noon, 1 PM 13:00
        pm = pc.fill_null(pc.ends_with(text, "PM"), False).to_numpy(zero_copy_only=False)
        shift = np.where(pm, 12, 0) - np.where(out.dt.hour.to_numpy() == 12, 12, 0)
        out = out + pd.to_timedelta(shift, unit="h")
    return out


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


def _utc_suffix(kept: pd.Series, empty: np.ndarray, column: str,
                date_format: str | None) -> str | None:
    """The ending of :data:`UTC_SUFFIXES` that every stamp carries, if nine in ten of the first
    500 do (and ``date_format`` reads no zone itself); a stamp without it is then refused."""
    if date_format is not None and any(z in date_format for z in ("%Z", "%z", "UTC", "GMT")):
        return None
    sample = kept[~empty].head(500).astype("string")
    suffix = next((x for x in UTC_SUFFIXES
                   if len(sample) and sample.str.endswith(x).fillna(False).mean() >= 0.9), None)
    if suffix is not None:
        lacking = ~kept.astype("string").str.endswith(suffix).fillna(False).to_numpy(bool) \
            & ~empty
        if lacking.any():
            raise GovsimError(f"{int(lacking.sum())} value(s) lack the {suffix.strip()!r} ending "
                              f"the others carry, the first {_first(kept, lacking)}", column)
    return suffix


def _is_utc(zone: Any) -> bool:
    """Whether a time zone is UTC (an offset of zero in winter and in summer)."""
    try:
        return all(zone.utcoffset(dt.datetime(2001, month, 1)) == dt.timedelta(0)
                   for month in (1, 7))
    except Exception:  # noqa: BLE001 - any zone that cannot say is not taken for UTC
        return False


def parse_times(values: pd.Series, column: str, *, date_format: str | None = None,
                tz: str | None = None, notes: list[str] | None = None) -> np.ndarray:
    """Time stamps as naive local times.

    The format (:func:`guess_format`) is read for the whole column at once, never stamp by
    stamp: under a second for a million of New York's or Baltimore's zero-padded stamps
    (``_padded``; about two seconds when pandas reads them), and for a million ISO 8601
    or BigQuery ``" UTC"`` stamps.

    Parameters
    ----------
    values : pandas.Series
        Text or datetimes; empty values become NaT.
    column : str
        The column's name, the path of any error.
    date_format : str, optional
        A ``strftime`` format, ``"ISO8601"`` or ``"mixed"``; default :func:`guess_format`.
        Stamps ending in ``" UTC"`` or ``" GMT"`` (:data:`UTC_SUFFIXES`) are read without the
        ending, as UTC, unless ``date_format`` reads a zone itself (``%Z``, ``%z``).
    tz : str, optional
        Time-zone-aware stamps (with offsets, a ``Z`` or a UTC ending) are converted to this
        zone. Without it, stamps that all carry one UTC offset keep their wall-clock time (UTC
        stamps stay in UTC, and :data:`UTC_NOTE` is added to ``notes``), and stamps with
        several offsets (daylight saving) are refused.
    notes : list of str, optional
        Where to add the note that the stamps were kept in UTC.

    Returns
    -------
    numpy.ndarray
        ``datetime64[s]`` values, NaT where empty.

    Raises
    ------
    GovsimError
        A value that is not a time stamp (a number or another object is not one), several
        UTC offsets without ``tz``, stamps with and without an offset in one column (with
        ``tz`` too), or a stamp without the UTC ending the others carry.
    """
    return parse_zoned(values, column, date_format=date_format, tz=tz, notes=notes)[0]


def parse_zoned(values: pd.Series, column: str, *, date_format: str | None = None,
                tz: str | None = None, notes: list[str] | None = None,
                zone: Any = None) -> tuple[np.ndarray, Any]:
    """Time stamps as naive local times, and the zone whose wall clock they are on.

    :func:`parse_times` with ``zone``: a request log's close times are read with its creation
    times' zone, so that a log whose two columns carry different UTC offsets (creation times
    at ``-05:00``, close times in UTC with a ``Z``) is read on one clock.

    Parameters
    ----------
    values, column, date_format, tz, notes
        See :func:`parse_times`.
    zone : datetime.tzinfo or str, optional
        Without ``tz``: time-zone-aware stamps whose wall-clock time differs in this zone are
        brought to it (the same instants on its clock), with a note in ``notes``; naive
        stamps are kept as they are.

    Returns
    -------
    tuple of (numpy.ndarray, tzinfo or str or None)
        ``datetime64[s]`` values, NaT where empty; and ``tz``, else the zone of the stamps'
        wall clock (their own offset, or ``zone``'s after bringing them to it), else ``None``
        for naive stamps.

    Raises
    ------
    GovsimError
        See :func:`parse_times`.
    """
    parsed, utc = _parse(values, column, date_format, tz)
    if utc and not isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize("UTC")
    own: Any = None
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        if tz is not None:
            try:
                parsed = parsed.dt.tz_convert(tz)
            except Exception as exc:  # noqa: BLE001 - an unknown zone name is the user's error
                raise GovsimError(f"unknown time zone {tz!r} ({exc})", "tz") from None
        else:
            own = parsed.dt.tz
            if zone is not None:
                moved = parsed.dt.tz_convert(zone)
                if (moved.dt.tz_localize(None) != parsed.dt.tz_localize(None))[
                        parsed.notna()].any():
                    if notes is not None:
                        notes.append(f"the {column!r} time stamps carry a different UTC "
                                     f"offset ({own}) from the creation times' ({zone}); they "
                                     "were brought to the creation times' clock (the same "
                                     "instants)")
                    parsed, own = moved, zone
            utc = _is_utc(own)
        parsed = parsed.dt.tz_localize(None)
    if utc and tz is None and notes is not None and UTC_NOTE not in notes:
        notes.append(UTC_NOTE)
    return parsed.to_numpy(dtype="datetime64[s]"), tz if tz is not None else own


#: a stamp that ends in a UTC offset or a ``Z`` after its time of day
_OFFSET = r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d\d(?::?\d\d)?)$"


def _mixed(kept: pd.Series, empty: np.ndarray, column: str) -> None:
    """Refuse a column whose stamps carry a UTC offset some and not others."""
    zoned = kept.astype("string").str.contains(_OFFSET, regex=True).fillna(False) \
        .to_numpy(dtype=bool) & ~empty
    if zoned.any() and not zoned[~empty].all():
        raise GovsimError(f"{int(zoned.sum())} of its time stamps carry a UTC offset and "
                          f"{int((~zoned & ~empty).sum())} do not, the first without one "
                          f"{_first(kept, ~zoned & ~empty)}; give every stamp its offset, or "
                          "none", column)


def _parse(values: pd.Series, column: str, date_format: str | None,
           tz: str | None) -> tuple[pd.Series, bool]:
    """The stamps read, naive or time-zone-aware, and whether they carried a UTC ending."""
    empty = _empty(values)
    kept = values.where(~empty)
    utc = False
    if pd.api.types.is_datetime64_any_dtype(kept):
        parsed = kept
    else:
        _text_or_times(kept, empty, column)
        suffix = _utc_suffix(kept, empty, column, date_format)
        if suffix is not None:
            kept, utc = kept.str.slice(stop=-len(suffix)), True
        options: dict[str, Any] = {"errors": "coerce"}
        fmt = date_format or guess_format(kept)
        if fmt is not None:
            options["format"] = fmt
        try:
            padded = _padded(kept, fmt) if fmt is not None else None
            parsed = pd.to_datetime(kept, **options) if padded is None else padded
        except ValueError as exc:
            if "timezone" not in str(exc).lower():
                raise GovsimError(f"cannot read its time stamps ({exc})", column) from None
            _mixed(kept, empty, column)
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
    return parsed, utc

"""A request log's columns, read into clean arrays.

Layer: data. A request log in the common open-data shape has one row per service request with
when it was created, when it was closed (if it was), the agency that handled it, its complaint
type and its status. :class:`Columns` names those columns (:mod:`govsim.data.shapes`, re-exported
here: :data:`NYC311`, :data:`OPEN311`, :data:`GENERIC`, or detected by :func:`resolve_columns`);
:func:`parse_times` (:mod:`govsim.data.stamps`, re-exported here) reads the time stamps a whole
column at once; :func:`read_log` checks the table and returns a :class:`Log` of numpy arrays,
its statuses read by :mod:`govsim.data.statuses`. Every problem with the table is a
:class:`~govsim.errors.GovsimError` whose path is the offending column's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from govsim.data.arguments import check_moment, check_statuses, check_tz
from govsim.data.shapes import (
    GENERIC,
    NYC311,
    OPEN311,
    OPTIONAL,
    SHAPES,
    Columns,
    _distinct,
    find_columns,
    resolve_columns,
)
from govsim.data.shapes import _named as _named  # re-exported: columns.py used to define it
from govsim.data.stamps import (
    FORMATS,
    UTC_NOTE,
    UTC_SUFFIXES,
    _first,
    guess_format,
    parse_times,
    parse_zoned,
)
from govsim.data.statuses import closed_by_status
from govsim.errors import GovsimError
from govsim.moved import renamed

__all__ = ["Columns", "NYC311", "OPEN311", "GENERIC", "SHAPES", "OPTIONAL", "Log", "FORMATS",
           "UTC_SUFFIXES", "UTC_NOTE", "find_columns", "resolve_columns", "read_log",
           "parse_times", "guess_format"]


@dataclass(frozen=True)
class Log:
    """A checked request log: one entry per usable request, in the table's row order.

    ``created`` and ``closed`` are ``datetime64[s]`` local wall-clock times (``closed`` is NaT
    for a request that is not closed); ``is_closed`` says whether the close time counts;
    ``timed`` is false for a request whose status says closed but has no close time (its
    duration is unknown); ``dropped`` counts the rows left out, by reason; ``statuses`` sums up
    each status, whether it counts as closed and why
    (:func:`~govsim.data.statuses.closed_by_status`; empty without a status column);
    ``same_day_dates`` counts the close times that were a date only on the day of creation
    (:func:`read_log`); ``notes`` says what the reading assumed (time stamps kept in UTC, close
    times brought to the creation times' UTC offset, date-only close times) and which labels
    differ only in case.
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
    same_day_dates: int = 0
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


#: a run of whitespace as Python's ``str.split`` finds it, in RE2's terms (pyarrow)
_SPACES = r"[\t\n\v\f\r\x1c-\x1f\x85\p{Z}]+"


def _labels(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels as text without leading or trailing whitespace and with each run of inner
    whitespace as one space (``"Heat  / Hot Water "`` is ``"Heat / Hot Water"``); empty ones as
    ``None``. The distinct values are cleaned, not the rows, and whole (pyarrow); also returned
    are each row's code (-1 where missing) among the distinct labels, and those labels."""
    raw, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pa.array(pd.Series(uniques, dtype=object).astype("string").to_numpy(
        dtype=object, na_value=None), type=pa.string())
    clean = pc.utf8_trim(pc.replace_substring_regex(text, _SPACES, " "), " ")
    clean = pc.if_else(pc.equal(clean, ""), pa.scalar(None, pa.string()), clean)
    names = np.asarray(clean.to_numpy(zero_copy_only=False), dtype=object)
    if clean.null_count == 0 and pc.all(pc.equal(clean, text)).as_py():  # still distinct
        codes = raw
    else:  # labels that differ only in whitespace become one
        codes, names = pd.factorize(names, use_na_sentinel=True)
        names = np.asarray(names, dtype=object)
        codes = np.append(codes, -1)[raw]  # raw's -1 (missing) takes the last
    return np.append(names, None)[codes], codes, names


#: how many groups of labels equal without case a note lists
_CASE_GROUPS = 5


def _case_note(codes: np.ndarray, names: np.ndarray, keep: np.ndarray, what: str) -> str | None:
    """The note naming up to :data:`_CASE_GROUPS` groups of the labels ``names`` (``what``:
    ``"agencies"``) of the rows kept that are equal when compared without case, the most
    requests first, each label with its requests; ``None`` when there are none."""
    counts = np.bincount(codes[keep & (codes >= 0)], minlength=len(names))
    present = np.flatnonzero(counts)
    if present.size < 2:
        return None
    folded = pd.Series(names[present], dtype=object).astype("string").str.lower()
    key = pd.factorize(folded)[0]
    many = np.bincount(key)[key] > 1
    if not many.any():
        return None
    table = pd.DataFrame({"name": names[present][many], "n": counts[present][many],
                          "key": key[many]}).sort_values("n", ascending=False, kind="stable")
    order = table.groupby("key")["n"].sum().sort_values(ascending=False, kind="stable").index
    groups = table.groupby("key")
    shown = [" / ".join(map(repr, g["name"])) + " (" + " / ".join(f"{n:,}" for n in g["n"])
             + " requests)" for g in (groups.get_group(k) for k in order[:_CASE_GROUPS])]
    more = len(order) - len(shown)
    return (f"{what} that differ only in case: {', '.join(shown)}"
            + (f" and {more} more group(s)" if more else "") + "; merge them first if they are one")


def _date_only_closes(created: np.ndarray, closed: np.ndarray,
                      closing: np.ndarray) -> tuple[np.ndarray, int]:
    """Close times that are dates only (00:00:00) on their creation's day, earlier than the
    creation (a same-day closure, written by agencies that keep no time of closing), taken as
    halfway between the creation and the next midnight; and how many of ``closing`` were."""
    day = created.astype("datetime64[D]").astype("datetime64[s]")
    same = closing & (closed == day) & (closed < created)
    if not same.any():
        return closed, 0
    halfway = created + (day + np.timedelta64(86400, "s") - created) // 2
    return np.where(same, halfway, closed), int(same.sum())


def read_log(df: pd.DataFrame, columns: Columns, *,
             closed_statuses: Iterable[str] | str | None = None, as_of: Any = None,
             tz: str | None = None, date_format: str | None = None,
             drop_invalid: bool = False) -> Log:
    """Check a request table and read it into a :class:`Log`.

    A request counts as closed when it has a close time no later than ``as_of`` and, if there
    is a status column, its status counts as closed
    (:func:`~govsim.data.statuses.closed_by_status`: read from its words, or one of
    ``closed_statuses``); any other request
    is still open at ``as_of``. A request with a closing status but no close time is kept for
    the arrival rates and left out of the durations. Rows with no creation time, agency or
    complaint type are left out and counted in ``Log.dropped``. ``Log.statuses`` sums up every
    status of the rows read; ``Log.notes`` says when the time stamps were kept in UTC.

    Close times whose UTC offset differs from the creation times' (and no ``tz``) are brought
    to the creation times' clock, with a note. A close time at 00:00:00 earlier than its
    creation but on the creation's day is a date written without a time, of a closure that
    day: it is taken as halfway between the creation and the next midnight, counted in
    ``Log.same_day_dates`` and noted (at midnight of an earlier day it is still a close before
    creation). Agencies and complaint types are read without leading, trailing or repeated
    whitespace; labels that differ only in case are kept apart, and named in a note.

    Parameters
    ----------
    df : pandas.DataFrame
        The request table.
    columns : Columns
        Its column names (:func:`resolve_columns`).
    closed_statuses : str, iterable of str or None
        Statuses that mean closed (without case; every other status is open); ``None`` reads
        each status's words: ``Closed (Duplicate)`` and ``Resolved`` are closed, ``Open``,
        ``New`` and ``Email Sent`` open, and a status that reads as neither is closed when the
        request has a close time.
    as_of : date or datetime, optional
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
        An empty table (path ``df``); a column named for two fields (path
        ``columns.FIELD``); a missing column, two columns of the name used, a value that is
        not a time stamp (numbers included: epoch counts are not read), a close before
        creation (path: the column's name); a bad ``as_of``, ``tz`` or ``closed_statuses``.
    """
    if not isinstance(df, pd.DataFrame):
        raise GovsimError(f"must be a pandas DataFrame, got {type(df).__name__}", "df")
    tz = check_tz(tz)
    done = check_statuses(closed_statuses)
    if len(df) == 0:
        raise GovsimError("the request log is empty", "df")
    _distinct(columns)
    for key in ("created", "closed", "agency", "category", "status"):
        name = getattr(columns, key)
        if name is not None and name not in df.columns:
            raise GovsimError(f"the table has no column {name!r} (the {key} column; pass "
                              f"columns= to name it{', or None' if key in OPTIONAL else ''}); its "
                              f"columns are {', '.join(map(str, df.columns[:12]))}"
                              + (", ..." if len(df.columns) > 12 else ""), name)
        if name is not None and int((df.columns == name).sum()) > 1:
            raise GovsimError(f"the table has {int((df.columns == name).sum())} columns named "
                              f"{name!r} (the {key} column); keep one of them", name)
    notes: list[str] = []
    created, zone = parse_zoned(df[columns.created], columns.created, date_format=date_format,
                                tz=tz, notes=notes)
    n_rows = created.size
    if columns.closed is not None:  # on the creation times' clock
        closed = parse_zoned(df[columns.closed], columns.closed, date_format=date_format, tz=tz,
                             notes=notes, zone=zone)[0]
    else:
        closed = np.full(n_rows, np.datetime64("NaT"), dtype="datetime64[s]")
    agency, agency_codes, agencies = _labels(df[columns.agency])
    category, category_codes, categories = _labels(df[columns.category])
    has_close = ~np.isnat(closed)
    statuses: dict[str, dict[str, Any]] = {}
    if columns.status is not None:
        says_closed, statuses = closed_by_status(df[columns.status], has_close, done)
    else:
        says_closed = np.ones(n_rows, dtype=bool)

    dropped: dict[str, int] = {}
    keep = np.ones(n_rows, dtype=bool)
    for reason, missing in (("no creation time", np.isnat(created)),
                            ("no agency", pd.isna(agency)), ("no complaint type", pd.isna(category))):
        fresh = missing & keep
        if fresh.any():
            dropped[reason] = int(fresh.sum())
            keep &= ~missing
    is_closed = says_closed & has_close
    closed, same_day = _date_only_closes(created, closed, keep & is_closed)
    if same_day:
        notes.append(f"{same_day:,} close time(s) were a date without a time (00:00:00) on the "
                     "day of the request's creation, before its creation time; each was taken "
                     "as halfway between the creation and the next midnight")
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
        if moment.tzinfo is not None:  # to the log's wall clock: tz's, the creation times'
            clock = zone if zone is not None else "UTC" if UTC_NOTE in notes else None
            moment = (moment.tz_convert(clock) if clock is not None else moment).tz_localize(None)
        try:
            end = moment.to_datetime64().astype("datetime64[s]")
        except (TypeError, ValueError, OverflowError) as exc:
            raise GovsimError(f"must be a date or time, got {as_of!r} ({exc})", "as_of") from None
        late = created[keep].max()
        if late > end:
            raise GovsimError(f"requests were created after it (the last at {late}); cut the "
                              "table first, or pass a later time", "as_of")
    for codes, names, what in ((agency_codes, agencies, "agencies"),
                               (category_codes, categories, "complaint types")):
        note = _case_note(codes, names, keep, what)
        if note is not None:
            notes.append(note)
    # a close after the log's end is not yet known at the end: the request is still open then
    is_closed = is_closed & (closed <= end)
    return Log(created=created[keep], closed=np.where(is_closed, closed, np.datetime64("NaT"))[keep],
               is_closed=is_closed[keep], timed=~untimed[keep], agency=agency[keep],
               category=category[keep], as_of=end, columns=columns, dropped=dropped,
               closed_without_time=int(untimed[keep].sum()), same_day_dates=same_day,
               statuses=statuses, notes=notes)


__getattr__ = renamed(__name__)  # old names, for one release (govsim.moved.RENAMED)

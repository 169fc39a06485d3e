"""The window of days a request log's rates are counted over, and the guards around a category.

Layer: data. A log is exported at ``as_of``, often long after its last request was created (the
latest time stamp may be the last *closure*), so the days from the first creation to ``as_of``
are not the days the log saw requests arrive. :func:`creation_window` finds the **creation
window** -- the whole days where creation times are dense, a few stray outliers far from the
rest left out -- or checks one given; durations stay censored at ``as_of`` all the same.
:func:`type_steps` tells whether a complaint type starts late or ends early inside the window
(a step, not a trend), and :func:`check_category` turns a category the schema refuses into a
:class:`~govsim.errors.GovsimError` at its key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from govsim.data.arguments import MAX_DAYS, check_window
from govsim.errors import GovsimError, shown
from govsim.scenario.world import Category

__all__ = ["Window", "creation_window", "type_steps", "check_category", "p_text", "OUTLIER_SHARE",
           "OUTLIER_GAP_DAYS", "OUTLIER_GAP_RATIO", "STEP_P", "MIN_STEP_GAP_DAYS",
           "MIN_STEP_REQUESTS", "WARN_SHARE"]

#: at most this share of the requests may be left out as outliers at either end of a log
OUTLIER_SHARE = 0.01
#: an outlier's gap from the rest is longer than this many days, and than this many times the
#: median gap between consecutive days with a creation
OUTLIER_GAP_DAYS = 30
OUTLIER_GAP_RATIO = 20.0
#: a type's leading (trailing) gap is a step when no request in it is this improbable ...
STEP_P = 0.001
#: ... the gap is at least this many days, and the type has at least this many requests
MIN_STEP_GAP_DAYS = 7
MIN_STEP_REQUESTS = 5
#: a detected window warns when ``as_of`` lies beyond its end by more than this share of its days
WARN_SHARE = 0.05


@dataclass(frozen=True)
class Window:
    """The whole days a log's rates are counted over: ``first_day`` (inclusive) to ``end_day``
    (exclusive), ``n_days`` of them (``datetime64[D]``).

    Attributes
    ----------
    outside : int
        Requests created outside the window (not counted in any rate).
    detected : bool
        ``True`` when found from the creation times, ``False`` when given.
    notes : list of str
        What was left out, and why.
    warning : str or None
        Set when the log's end (``as_of``) lies after a detected window by more than a day and
        more than :data:`WARN_SHARE` of the window's days (so that counting the rates up to
        ``as_of``, as a reader may expect, would lower them by more than that share): rates are
        counted over the window while durations are censored at ``as_of``.
    """

    first_day: np.datetime64
    n_days: int
    end_day: np.datetime64
    outside: int
    detected: bool
    notes: list[str] = field(default_factory=list)
    warning: str | None = None


def _given(given: Any) -> tuple[np.datetime64, np.datetime64]:
    """A given window checked by :func:`govsim.data.arguments.check_window` (path ``window``),
    as days."""
    first, end = check_window(given)
    return np.datetime64(first.date(), "D"), np.datetime64(end.date(), "D")


def _follow(first: np.datetime64, as_of: np.datetime64) -> None:
    """Refuse (path ``as_of``) a log followed for more than
    :data:`~govsim.data.arguments.MAX_DAYS` days: its durations are censored there, and a
    scenario that observes it as the log did runs that long."""
    span = int((as_of.astype("datetime64[D]") - first).astype(np.int64))
    if span > MAX_DAYS:
        raise GovsimError(f"the log's end ({as_of}) lies {span:,} days after its first day "
                          f"({first}); govsim follows a log for at most {MAX_DAYS:,} days",
                          "as_of")


def creation_window(created: np.ndarray, as_of: np.datetime64, given: Any = None) -> Window:
    """The window of whole days the rates are counted over.

    Parameters
    ----------
    created : numpy.ndarray
        The requests' creation times (``datetime64``), in any order.
    as_of : numpy.datetime64
        The log's end (its export time); durations are censored there.
    given : tuple of date, optional
        ``(first day, day after the last)`` as text, ``date``, ``Timestamp`` or ``datetime64``.
        Default: detected -- from the day of the first creation to the day after the last, but
        never past the day of ``as_of`` (a partial last day is left out); at either end, at most
        :data:`OUTLIER_SHARE` of the requests separated from the rest by an empty gap longer
        than :data:`OUTLIER_GAP_DAYS` days and :data:`OUTLIER_GAP_RATIO` times the median gap
        between consecutive creation days are left out.

    Returns
    -------
    Window

    Raises
    ------
    GovsimError
        At ``window``: a given window that is not a pair of dates in order, spans more than
        36,525 days, or ends after the day of ``as_of``. At ``as_of``: a log's end more than
        36,525 days after the window's first day. At ``df``: no request, or no whole day before
        ``as_of``.
    """
    day = np.asarray(created).astype("datetime64[D]").astype(np.int64)
    end_of_log = np.datetime64(as_of, "s")
    as_of_day = end_of_log.astype("datetime64[D]")
    if day.size == 0:
        raise GovsimError("the log has no request", "df")
    notes: list[str] = []
    if given is not None:
        first, end = _given(given)
        _follow(first, end_of_log)
        if end - np.timedelta64(1, "D") >= end_of_log:  # its last day would start at or after as_of
            raise GovsimError(f"it ends on {end} (exclusive), after the log's end (as_of "
                              f"{end_of_log}): days after as_of were not observed", "window")
        inside = (day >= first.astype(np.int64)) & (day < end.astype(np.int64))
        outside = int(day.size - np.count_nonzero(inside))
        n_days = int((end - first).astype(np.int64))
        if outside == day.size:
            raise GovsimError(f"no request was created from {first} to "
                              f"{end - np.timedelta64(1, 'D')} (the log's run from "
                              f"{day.min().astype('datetime64[D]')} to "
                              f"{day.max().astype('datetime64[D]')}): every rate would be 0",
                              "window")
        if outside:
            notes.append(f"window {first} to {end - np.timedelta64(1, 'D')} ({n_days:,} days, "
                         f"given): {outside:,} requests created outside it are not counted")
        return Window(first, n_days, end, outside, False, notes, None)

    days, counts = np.unique(day, return_counts=True)
    total = int(counts.sum())
    lo, hi = 0, days.size - 1  # the first and last unique days kept
    if days.size > 2:
        gaps = np.diff(days)
        wide = (gaps > OUTLIER_GAP_DAYS) & (gaps > OUTLIER_GAP_RATIO * float(np.median(gaps)))
        before = np.cumsum(counts)[:-1]  # requests up to and including day i, gap i after it
        limit = OUTLIER_SHARE * total
        lead = np.flatnonzero(wide & (before <= limit))
        trail = np.flatnonzero(wide & (total - before <= limit))
        if lead.size:
            lo = int(lead[-1]) + 1
        if trail.size:
            hi = int(trail[0])
        for side, cut, gap_at in (("before", lo, lo - 1), ("after", hi, hi)):
            left = int(counts[:lo].sum()) if side == "before" else int(counts[hi + 1:].sum())
            if left:
                edge = np.datetime64(int(days[cut]), "D")
                notes.append(f"{left:,} requests created {side} {edge} are left out as "
                             f"outliers: {int(gaps[gap_at]):,} empty days lie between them and "
                             "the rest")
    first = np.datetime64(int(days[lo]), "D")
    last = np.datetime64(int(days[hi]), "D")
    _follow(first, end_of_log)
    end = min(last + np.timedelta64(1, "D"), as_of_day)
    n_days = int((end - first).astype(np.int64))
    if n_days < 1:
        raise GovsimError("the log covers less than one whole day before its end (as_of)", "df")
    if end <= last:
        notes.append(f"requests created from {end} on are left out: the log ends (as_of "
                     f"{end_of_log}) before that day is whole")
    inside = (day >= first.astype(np.int64)) & (day < end.astype(np.int64))
    outside = int(day.size - np.count_nonzero(inside))
    warning = None
    beyond = (end_of_log - end.astype("datetime64[s]")).astype(np.int64) / 86400.0
    if beyond > max(1.0, WARN_SHARE * n_days):  # counted up to as_of, the rates would be off
        plural = "s" if n_days > 1 else ""
        warning = (f"rates are counted over the creation window {first} to "
                   f"{end - np.timedelta64(1, 'D')} ({n_days:,} day{plural}), while durations "
                   f"are censored at as_of ({as_of_day}); pass window=(first day, day after the "
                   "last) to choose another")
    return Window(first, n_days, end, outside, True, notes, warning)


def p_text(p: float) -> str:
    """A small probability for a sentence (``P = 3.2e-05``, ``P < 1e-300``)."""
    return f"P = {p:.2g}" if p > 0 else "P < 1e-300"


def type_steps(counts: np.ndarray) -> tuple[int, int, list[tuple[str, int, float, float]]]:
    """The days of one type's counts it is active on: ``(lo, hi, steps)``, the first and last
    day kept (indices into ``counts``) and, for each step found, ``(side, gap, rate, p)``
    (``side`` is ``"start"`` or ``"end"``).

    With ``n`` requests from its first to its last request day (``s`` days, rate ``λ = n/s``),
    a leading (trailing) gap of ``g`` days is a late start (early end) when ``g`` ≥
    :data:`MIN_STEP_GAP_DAYS`, ``exp(−λ·g)`` < :data:`STEP_P`, and -- so that a few requests
    close together are not read as a type's whole life -- the type has at least
    :data:`MIN_STEP_REQUESTS` requests and a gap that long is improbable for them spread evenly
    over the window (``(1 − g/N)ⁿ`` < :data:`STEP_P`, ``N`` the window's days).
    """
    size = counts.size
    active = np.flatnonzero(counts)
    if active.size == 0:
        return 0, size - 1, []
    first, last = int(active[0]), int(active[-1])
    n = float(counts.sum())
    rate = n / (last - first + 1)
    lo, hi = 0, size - 1
    steps: list[tuple[str, int, float, float]] = []
    for side, gap in (("start", first), ("end", size - 1 - last)):
        if gap < MIN_STEP_GAP_DAYS or n < MIN_STEP_REQUESTS:
            continue
        p = math.exp(-rate * gap)
        spread = math.exp(n * math.log1p(-gap / size))
        if p < STEP_P and spread < STEP_P:
            steps.append((side, gap, rate, p))
            if side == "start":
                lo = first
            else:
                hi = last
    return lo, hi, steps


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def check_category(name: str, entry: Mapping[str, Any]) -> Category:
    """Build the schema's :class:`~govsim.scenario.world.Category` from ``entry`` (lists taken
    as tuples, ``datetime64`` and ``Timestamp`` as dates) and refuse what it refuses.

    Raises
    ------
    GovsimError
        At ``categories.<name>.<key>``: the first key the schema refuses, and why.

    Returns
    -------
    Category
        The category, as a scenario will hold it.
    """
    try:
        return Category(**{key: _plain(value) for key, value in entry.items()})
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error.get("loc", ())]
        key = loc[0] if loc else ""
        where = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in loc[1:])
        path = f"categories.{name}" + (f".{key}{where}" if key else "")
        message = str(error.get("msg", "refused")).removeprefix("Value error, ")
        got = ("" if error.get("type") in ("value_error", "missing", "extra_forbidden")
               or "input" not in error else f" (got {shown(error['input'])})")
        raise GovsimError(f"category {name!r}: {key or 'entry'}: {message[:1].lower()}"
                          f"{message[1:]}{got}", path) from None

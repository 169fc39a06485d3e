"""A request log read and checked, before anything is fitted: :func:`read_requests`.

Layer: data. The table is taken as a DataFrame or read from a CSV path
(:func:`govsim.data.arguments.read_table`), its columns named or detected
(:func:`govsim.data.shapes.resolve_columns`), its time stamps, statuses and rows checked
(:func:`govsim.data.columns.read_log`) and its creation window found
(:func:`govsim.data.window.creation_window`). :func:`~govsim.data.requests.world_from_requests`
and :meth:`~govsim.data.result.RequestFit.check` read logs this way.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from govsim.data.arguments import MAX_DAYS, Arguments, check_arguments, read_table
from govsim.data.columns import Columns, Log, read_log
from govsim.data.durations import DISTRIBUTION_FAMILIES
from govsim.data.shapes import find_columns
from govsim.data.window import Window, creation_window
from govsim.errors import GovsimError

__all__ = ["RequestLog", "RequestLogWarning", "read_requests", "read"]


@dataclass(frozen=True)
class RequestLog:
    """A request table read and checked: the :class:`~govsim.data.columns.Log`, the columns
    it was read with, its creation window, the number of rows read and how each column was
    found (:func:`govsim.data.shapes.find_columns`)."""

    log: Log
    columns: Columns
    window: Window
    rows: int
    found: dict[str, dict[str, Any]]


def read_requests(df: pd.DataFrame | str | os.PathLike[str],
                  columns: Columns | Mapping[str, Any] | str | None = None, *,
                  closed_statuses: Iterable[str] | str | None = None, as_of: Any = None,
                  tz: str | None = None, date_format: str | None = None,
                  drop_invalid: bool = False, window: Any = None) -> RequestLog:
    """Read and check a request table as
    :func:`~govsim.data.requests.world_from_requests` does, without fitting
    (the options mean the same); :meth:`~govsim.data.result.RequestFit.check` reads a later period with it."""
    args = check_arguments(
        closed_statuses=closed_statuses, as_of=as_of, tz=tz, date_format=date_format,
        drop_invalid=drop_invalid, start=None, horizon_days=None, seasonal=None, weekday=None,
        trend=None, min_profile_requests=100, overdispersed=False, owner_share=0.2,
        families=DISTRIBUTION_FAMILIES, work_share=0.05, office_hours_per_week=45.0, kinds=None,
        default_kind="bureau", staff=None, utilisation=0.8, country="none", confidence=0.95,
        window=window)
    return read(df, columns, args)


def read(df: Any, columns: Any, args: Arguments) -> RequestLog:
    """Read ``df`` with checked arguments (:func:`read_requests` checks them first)."""
    table = read_table(df)  # every argument checked before a file is read
    cols, found = find_columns(table, columns)
    log = read_log(table, cols, closed_statuses=args.closed_statuses, as_of=args.as_of,
                   tz=args.tz, date_format=args.date_format, drop_invalid=args.drop_invalid)
    given = None if args.window is None else tuple(
        t.to_datetime64().astype("datetime64[D]") for t in args.window)
    win = creation_window(log.created, log.as_of, given)
    if win.warning:
        warnings.warn(win.warning, RequestLogWarning, stacklevel=3)
    if win.n_days > MAX_DAYS:
        raise GovsimError(f"the log's creation window spans {win.n_days:,} days from "
                          f"{win.first_day}; govsim learns from at most {MAX_DAYS:,} days",
                          "window" if args.window is not None else cols.created)
    return RequestLog(log=log, columns=cols, window=win, rows=len(table), found=found)


class RequestLogWarning(UserWarning):
    """A request log was read in a way its user may not expect (for example, its rates are
    counted over a creation window that ends long before its close times do)."""

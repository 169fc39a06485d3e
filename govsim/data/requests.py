"""A world learnt from a request log: :func:`world_from_requests` and its :class:`RequestFit`.

Layer: data. The log is read and checked (:mod:`govsim.data.columns`); each complaint type's
daily counts are fitted with monthly and weekday profiles and a trend (:mod:`govsim.data.rates`);
its owners are the agencies that handled it; the time to close of each complaint type and each
agency is fitted with right-censoring (:mod:`govsim.data.durations`) and mapped to the model's
``work_hours`` and ``work_cv`` through an explicit assumption (``work_share``). The result holds
the ``[world]`` table, every estimate with its standard error and interval, the families tried
and diagnostics. ``docs/real-data.md`` walks through it.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from govsim.data.arguments import check_arguments, check_span
from govsim.data.columns import Columns
from govsim.data.durations import DISTRIBUTION_FAMILIES
from govsim.data.learn import learn_world
from govsim.data.reading import RequestLog, RequestLogWarning, read, read_requests
from govsim.data.result import ESTIMATE_COLUMNS, RequestFit

__all__ = ["RequestFit", "RequestLog", "RequestLogWarning", "world_from_requests",
           "read_requests", "ESTIMATE_COLUMNS"]


def world_from_requests(
    df: pd.DataFrame | str | os.PathLike[str], columns: Columns | Mapping[str, Any] | str | None = None, *,
    closed_statuses: Iterable[str] | str | None = None, as_of: Any = None,
    window: Any = None, tz: str | None = None,
    date_format: str | None = None, drop_invalid: bool = False, start: Any = None,
    horizon_days: int | None = None, seasonal: bool | None = None, weekday: bool | None = None,
    trend: bool | None = None, min_profile_requests: int = 100, min_trend_requests: int = 200,
    trend_alpha: float = 0.01, overdispersed: bool = False,
    owner_share: float = 0.2, families: Sequence[str] = DISTRIBUTION_FAMILIES, work_share: float = 0.05,
    office_hours_per_week: float = 45.0, kinds: Mapping[str, str] | None = None,
    default_kind: str = "bureau", staff: Mapping[str, int] | None = None,
    hours: Mapping[str, str] | None = None,
    utilisation: float = 0.8, country: str = "none", confidence: float = 0.95,
) -> RequestFit:
    """Learn a govsim world from a table of service requests.

    Parameters
    ----------
    df : pandas.DataFrame or str or os.PathLike
        One row per request, with creation time, close time, agency, complaint type and status.
        A path (``str`` or ``os.PathLike``) is read as text (``pd.read_csv(path, dtype=str,
        keep_default_na=False)``) after :func:`govsim.inputs.check_input_file`: a directory, a
        device, a pipe, a missing file, a file over
        :data:`~govsim.data.arguments.MAX_LOG_BYTES` (2 GiB) or one that is not CSV is refused.
    columns : Columns, mapping, str or None
        The column names: :data:`~govsim.data.columns.NYC311` (``"Created Date"``, ``"Closed
        Date"``, ``"Agency"``, ``"Complaint Type"``, ``"Status"``),
        :data:`~govsim.data.columns.OPEN311` (``requested_datetime``, ``updated_datetime``,
        ``agency_responsible``, ``service_name``, ``status``), ``"generic"`` (``created``,
        ``closed``, ``agency``, ``category``, ``status``), a preset's name, or a mapping naming
        some of the five (the rest detected). Default: detected from the table's column names
        (see :func:`govsim.data.shapes.resolve_columns`); ``fit.diagnostics["columns"]`` says
        what was used.
    closed_statuses : str, iterable of str or None
        Statuses that mean closed (without case). ``None`` (default) detects them: a status
        that reads as closed ("Closed", "Closed (Duplicate)", "Resolved", ...) is closed, one
        that reads as open is not, and any other counts as closed when the request has a close
        time (``fit.diagnostics["statuses"]``). Requests not closed are censored at ``as_of``.
    as_of : date or datetime, optional
        When the log was taken (the export time): durations of requests still open are
        censored there. Text, a ``datetime``/``date``, a ``Timestamp`` or a ``datetime64``,
        not a number; default the latest time stamp in it (often a close time).
    window : tuple of date, optional
        The creation window the arrival rates are counted over: its first day and the day
        after its last. Default: detected where the requests were created
        (:func:`govsim.data.window.creation_window`), which may end long before ``as_of``
        (a :class:`RequestLogWarning` says so).
    tz, date_format : str, optional
        Time zone to count local days in, for stamps with UTC offsets; the stamps' format
        (``"mixed"`` when it varies) -- see :func:`govsim.data.columns.parse_times`.
    drop_invalid : bool
        Leave out requests closed before they were created instead of raising.
    start, horizon_days : optional
        The world's first day and length; default the creation window's.
        ``rate_per_day`` is the rate at ``start`` (the trend carries it there).
    seasonal, weekday, trend : bool or None
        Fit the profiles and the trend (``None``: when the log supports it; see
        :func:`govsim.data.rates.fit_rates`), with at least ``min_profile_requests`` requests
        for a category's profiles. A trend is fitted only for a type with at least
        ``min_trend_requests`` requests over a year and a likelihood-ratio test against none
        at level ``trend_alpha``; a type that starts or ends inside the window is a step
        (``first_day``/``last_day``); a trend that would carry a rate past the scenario's
        limits is capped, with a note. ``overdispersed`` scales the rates' standard errors by
        the dispersion (quasi-Poisson).
    owner_share : float
        An agency besides the lead becomes an owner when it handled at least this share of the
        complaint type's requests (several owners are overlapping duty in govsim).
    families : sequence of str
        Duration families to try; the smallest AIC wins.
    work_share, office_hours_per_week : float
        ASSUMPTION mapping time to close to work: ``work_hours`` = ``work_share`` × the mean
        time to close restricted to the span the log observes (from the window's first day to
        ``as_of``), counted in office hours (``office_hours_per_week`` / 7 a calendar day);
        ``work_cv`` is the cv of that restricted time. A log's time to close includes waiting,
        so it is an upper bound on work. :meth:`RequestFit.fit_work` replaces the assumption
        with work fitted to the log's median times to close.
    kinds, default_kind : Mapping[str, str], str
        Unit kinds by agency; agencies not listed get ``default_kind``.
    staff, utilisation : Mapping[str, int], float
        Staff by agency, whole numbers from 1 to 100,000; agencies not listed get enough staff
        for their work to keep them ``utilisation`` busy in their open hours (at least 1).
    hours : Mapping[str, str], optional
        Office hours by agency (``"08:30-17:30"``, ``"24h"``); agencies not listed work round
        the clock when at least half of their timed close times fall outside Monday-Friday
        08:30-17:30 (:func:`govsim.data.staffing.round_the_clock`), office hours otherwise.
    country : str
        The world calendar's ``country`` (``"none"``: weekends only; ``"US"`` for a US city).
    confidence : float
        Level of the intervals.

    Returns
    -------
    RequestFit

    Raises
    ------
    GovsimError
        In one sentence, at the column's name: a missing column, two columns of a name used, a
        time stamp that is not one (numbers included: epoch counts are not read), a close
        before creation. At ``df``: not a table or a readable CSV file, an empty table, a log
        that identifies no time to close. At the argument's name: any argument of the wrong
        type or out of range (see :func:`govsim.data.arguments.check_arguments`: a bool is not
        a number, ``staff`` are whole numbers, ``horizon_days`` and the log's span are at most
        36,525 days, an unknown ``tz``), or a profile or trend asked for that the log cannot
        identify (``seasonal``, ``weekday``, ``trend``; left out with a note when not asked
        for). At ``categories.NAME.KEY``: a learnt category the scenario would refuse.
    """
    args = check_arguments(
        closed_statuses=closed_statuses, as_of=as_of, tz=tz, date_format=date_format,
        drop_invalid=drop_invalid, start=start, horizon_days=horizon_days, seasonal=seasonal,
        weekday=weekday, trend=trend, min_profile_requests=min_profile_requests,
        overdispersed=overdispersed, owner_share=owner_share, families=families,
        work_share=work_share, office_hours_per_week=office_hours_per_week, kinds=kinds,
        default_kind=default_kind, staff=staff, utilisation=utilisation, country=country,
        confidence=confidence, window=window, hours=hours,
        min_trend_requests=min_trend_requests, trend_alpha=trend_alpha)
    if args.horizon_days is not None and args.start is not None:
        check_span(args.start, args.horizon_days)
    read_ = read(df, columns, args)
    win = read_.window
    begin = win.first_day if args.start is None else args.start
    horizon = win.n_days if args.horizon_days is None else args.horizon_days
    check_span(begin, horizon)
    z = statistics.NormalDist().inv_cdf(0.5 + args.confidence / 2.0)
    fit = learn_world(read_.log, win, args, read_.columns, read_.rows, begin, horizon, z)
    fit.diagnostics["columns_found"] = read_.found
    return fit

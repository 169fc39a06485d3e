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

import math
import os
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from govsim.data.arguments import MAX_DAYS, check_arguments, check_span, read_table
from govsim.data.columns import Columns, read_log, resolve_columns
from govsim.data.durations import FAMILIES, DurationFit, fit_durations
from govsim.data.rates import fit_rates
from govsim.errors import GovsimError
from govsim.scenario.world import Category

__all__ = ["RequestFit", "world_from_requests", "ESTIMATE_COLUMNS"]

#: the columns of :attr:`RequestFit.estimates`
ESTIMATE_COLUMNS = ["quantity", "category", "agency", "level", "estimate", "se", "ci_low",
                    "ci_high", "n"]


@dataclass(frozen=True)
class RequestFit:
    """What :func:`world_from_requests` learnt.

    Attributes
    ----------
    world : dict
        The scenario's ``[world]`` table (``start``, ``horizon_days``, ``calendar``, ``units``,
        ``categories``), as plain Python data; :meth:`scenario` adds regimes.
    estimates : pandas.DataFrame
        One row per fitted quantity (columns :data:`ESTIMATE_COLUMNS`): ``rate_per_day``,
        ``seasonal`` (level ``Jan`` ... ``Dec``), ``weekday`` (``Mon`` ... ``Sun``),
        ``trend_per_year``, ``owner_share`` per category; ``duration_mean_days``,
        ``duration_cv`` and the chosen family's parameters (level: the family) per category and
        per agency; ``work_hours`` and ``work_cv`` per category. ``n`` is the number of
        requests behind the estimate; intervals are at the fit's ``confidence``.
    duration_fits : pandas.DataFrame
        Every family tried for every group: ``group`` (``category``/``agency``), ``name``,
        ``family``, ``loglik``, ``aic``, ``delta_aic``, ``chosen``, ``mean_days``, ``cv``,
        ``median_days`` and the Kaplan-Meier median ``km_median_days`` as a check.
    diagnostics : dict
        Rows read and dropped, the log's end (``as_of``) and window of whole days, the share of
        requests still open (censored) overall and per group, requests closed at once,
        each category's dispersion, agencies that own no category, the assumptions used.
    notes : list of str
        What was not fitted, and why.
    """

    world: dict[str, Any]
    estimates: pd.DataFrame
    duration_fits: pd.DataFrame
    diagnostics: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def scenario(self, **options: Any) -> dict[str, Any]:
        """A full scenario (this world and default regimes); see
        :func:`govsim.data.scenario_file.scenario_from_fit` for the options."""
        from govsim.data.scenario_file import scenario_from_fit

        return scenario_from_fit(self, **options)

    def toml(self, *, full: bool = False, **options: Any) -> str:
        """The scenario of :meth:`scenario` as the text of a scenario file, headed by
        :meth:`provenance` as comments.

        Parameters
        ----------
        full : bool
            Write every key, defaults included (:func:`govsim.scenario.scenario_toml`), so the
            file does not depend on future defaults; by default only the keys learnt from the
            log and the regimes' own keys are written.
        **options
            As for :func:`govsim.data.scenario_file.scenario_from_fit`.
        """
        from govsim.scenario.parse import parse_scenario
        from govsim.scenario.toml_text import scenario_toml, to_toml

        data = self.scenario(**options)
        if full:
            return scenario_toml(parse_scenario(data), header=self.provenance())
        header = "".join(f"# {line}\n" for line in self.provenance().splitlines())
        return header + "\n" + to_toml(data)

    def provenance(self) -> str:
        """A few lines saying where the world came from and what was assumed (for a TOML
        header)."""
        d = self.diagnostics
        a = d["assumptions"]
        return "\n".join([
            f"Learnt by govsim.data.world_from_requests from {d['requests_used']} requests "
            f"({d['first_day']} to {d['as_of']}).",
            f"Rates: Poisson fit on {d['window_days']} whole days; profiles average 1; "
            f"rate_per_day is the rate at start ({self.world['start']}).",
            f"ASSUMPTION work_hours = {a['work_share']} (work_share) x mean time to close in "
            f"office hours ({a['office_hours_per_week']} a week); work_cv = cv of time to close.",
            f"ASSUMPTION staff sized for {a['utilisation']:.0%} utilisation unless given; "
            f"agencies without a given kind are {a['default_kind']!r}; costs are not in a log.",
            f"Still open at the end (censored): {d['censored_share']:.1%} of requests.",
        ])


def _sig(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}") if math.isfinite(x) and x != 0 else float(x)


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def world_from_requests(
    df: pd.DataFrame | str | os.PathLike[str], columns: Columns | Mapping[str, Any] | str | None = None, *,
    closed_statuses: Iterable[str] = ("closed",), as_of: Any = None, tz: str | None = None,
    date_format: str | None = None, drop_invalid: bool = False, start: Any = None,
    horizon_days: int | None = None, seasonal: bool | None = None, weekday: bool | None = None,
    trend: bool | None = None, min_profile_requests: int = 100, overdispersed: bool = False,
    owner_share: float = 0.2, families: Sequence[str] = FAMILIES, work_share: float = 0.05,
    office_hours_per_week: float = 45.0, kinds: Mapping[str, str] | None = None,
    default_kind: str = "bureau", staff: Mapping[str, int] | None = None,
    utilisation: float = 0.8, country: str = "none", confidence: float = 0.95,
) -> RequestFit:
    """Learn a govsim world from a table of service requests.

    Parameters
    ----------
    df : pandas.DataFrame, or the path of a CSV file
        One row per request, with creation time, close time, agency, complaint type and status.
        A path (``str`` or ``os.PathLike``) is read as text (``pd.read_csv(path, dtype=str,
        keep_default_na=False)``) after :func:`govsim.inputs.check_input_file`: a directory, a
        device, a pipe, a missing file, a file over
        :data:`~govsim.data.arguments.MAX_LOG_BYTES` (2 GiB) or one that is not CSV is refused.
    columns : Columns, mapping, str or None
        The column names: :data:`~govsim.data.columns.NYC311` (``"Created Date"``, ``"Closed
        Date"``, ``"Agency"``, ``"Complaint Type"``, ``"Status"``),
        :data:`~govsim.data.columns.OPEN311` (``requested_datetime``, ``updated_datetime``,
        ``agency_responsible``, ``service_name``, ``status``), ``"nyc311"``/``"open311"``, or a
        mapping overriding some NYC names. Default: whichever of the two the table has.
    closed_statuses : str or iterable of str
        Statuses that mean closed (without case). Other requests are censored at ``as_of``.
    as_of : date or time, optional
        The log's end (the export time): text, a ``datetime``/``date``, a ``Timestamp`` or a
        ``datetime64``, not a number; default the latest time stamp in it.
    tz, date_format : str, optional
        Time zone to count local days in, for stamps with UTC offsets; the stamps' format
        (``"mixed"`` when it varies) -- see :func:`govsim.data.columns.parse_times`.
    drop_invalid : bool
        Leave out requests closed before they were created instead of raising.
    start, horizon_days : optional
        The world's first day and length; default the log's first day and its whole days.
        ``rate_per_day`` is the rate at ``start`` (the trend carries it there).
    seasonal, weekday, trend : bool or None
        Fit the profiles and the trend (``None``: when the log supports it; see
        :func:`govsim.data.rates.fit_rates`), with at least ``min_profile_requests`` requests
        for a category's profiles; ``overdispersed`` scales the rates' standard errors by the
        dispersion (quasi-Poisson).
    owner_share : float
        An agency besides the lead becomes an owner when it handled at least this share of the
        complaint type's requests (several owners are overlapping duty in govsim).
    families : sequence of str
        Duration families to try; the smallest AIC wins.
    work_share, office_hours_per_week : float
        ASSUMPTION mapping time to close to work: ``work_hours`` = ``work_share`` × the mean
        time to close counted in office hours (``office_hours_per_week`` / 7 a calendar day);
        ``work_cv`` is the cv of the time to close. A log's time to close includes waiting, so
        it is an upper bound on work; ``work_share`` = 1 would take all of it as work.
    kinds, default_kind : mapping of str to str, str
        Unit kinds by agency; agencies not listed get ``default_kind``.
    staff, utilisation : mapping of str to int, float
        Staff by agency, whole numbers from 1 to 100,000; agencies not listed get enough staff
        for their work to keep them ``utilisation`` busy in office hours (at least 1).
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
        for), or a ``start`` the trend carries beyond the scenario's limits.
    """
    args = check_arguments(
        closed_statuses=closed_statuses, as_of=as_of, tz=tz, date_format=date_format,
        drop_invalid=drop_invalid, start=start, horizon_days=horizon_days, seasonal=seasonal,
        weekday=weekday, trend=trend, min_profile_requests=min_profile_requests,
        overdispersed=overdispersed, owner_share=owner_share, families=families,
        work_share=work_share, office_hours_per_week=office_hours_per_week, kinds=kinds,
        default_kind=default_kind, staff=staff, utilisation=utilisation, country=country,
        confidence=confidence)
    table = read_table(df)  # every argument checked before a file is read
    z = statistics.NormalDist().inv_cdf(0.5 + args.confidence / 2.0)
    if args.horizon_days is not None and args.start is not None:
        check_span(args.start, args.horizon_days)
    cols = resolve_columns(table, columns)
    log = read_log(table, cols, closed_statuses=args.closed_statuses, as_of=args.as_of,
                   tz=args.tz, date_format=args.date_format, drop_invalid=args.drop_invalid)
    first_day = log.created.min().astype("datetime64[D]")
    end_day = log.as_of.astype("datetime64[D]")
    window = int((end_day - first_day).astype(np.int64))
    if window < 1:
        raise GovsimError("the log covers less than one whole day before its end (as_of)", "df")
    if window > MAX_DAYS:
        raise GovsimError(f"the log spans {window:,} days from its first day ({first_day}) to its "
                          f"end ({end_day}); govsim learns from at most {MAX_DAYS:,} days",
                          "as_of" if args.as_of is not None else cols.created)
    begin = first_day if args.start is None else args.start
    horizon = window if args.horizon_days is None else args.horizon_days
    check_span(begin, horizon)
    kinds, staff, families = args.kinds, args.staff, args.families
    office_hours_per_week = args.office_hours_per_week
    work_share, utilisation = args.work_share, args.utilisation

    cat_code, cat_names = pd.factorize(log.category, sort=True)
    agency_code, agency_names = pd.factorize(log.agency, sort=True)
    counts = np.bincount(cat_code, minlength=len(cat_names))
    order = sorted(range(len(cat_names)), key=lambda k: (-counts[k], str(cat_names[k])))
    categories = [str(cat_names[k]) for k in order]
    cat_index = {str(name): k for k, name in enumerate(cat_names)}
    agency_index = {str(name): k for k, name in enumerate(agency_names)}

    def is_category(name: str) -> np.ndarray:
        return cat_code == cat_index[name]

    def is_agency(name: str) -> np.ndarray:
        return agency_code == agency_index[name]

    ends = np.where(log.is_closed, log.closed, log.as_of)
    days = (ends - log.created).astype(np.int64) / 86400.0
    rows: list[dict[str, Any]] = []
    fit_rows: list[dict[str, Any]] = []
    notes: list[str] = []

    def durations(group: str, name: str, mask: np.ndarray) -> DurationFit | None:
        mask = mask & log.timed
        fit = fit_durations(days[mask], log.is_closed[mask], families=families, z=z)
        if fit is None:
            notes.append(f"{group} {name!r}: time to close not fitted (fewer than 5 closed, "
                         "or fewer than two distinct times)")
            return None
        key = {"category": name if group == "category" else None,
               "agency": name if group == "agency" else None}
        rows.extend({**key, **r} for r in fit.rows)
        fit_rows.extend({"group": group, "name": name, **f, "km_median_days": fit.km_median_days}
                        for f in fit.families)
        return fit

    pooled: list[DurationFit | None] = []  # the whole log's fit, made when first needed

    def whole_log(name: str) -> DurationFit:
        if not pooled:
            pooled.append(fit_durations(days[log.timed], log.is_closed[log.timed],
                                        families=families, z=z))
        if pooled[0] is None:
            raise GovsimError("no time to close can be fitted: fewer than 5 requests in the "
                              "whole log were closed, or they all took the same time", "df")
        notes.append(f"category {name!r}: work from the whole log's time to close")
        return pooled[0]

    world_categories: dict[str, dict[str, Any]] = {}
    shares: dict[str, dict[str, float]] = {}
    dispersion: dict[str, float] = {}
    for name in categories:
        mine = is_category(name)
        rate = fit_rates(name, log.created[mine], first_day, window, anchor=begin,
                         seasonal=args.seasonal, weekday=args.weekday, trend=args.trend, z=z,
                         min_profile_requests=args.min_profile_requests,
                         overdispersed=args.overdispersed)
        notes.extend(rate.notes)
        dispersion[name] = rate.dispersion
        rows.extend({"category": name, "agency": None, **r} for r in rate.rows)
        agencies, handled = np.unique(log.agency[mine].astype(str), return_counts=True)
        n = int(handled.sum())
        share = {str(a): int(k) / n for a, k in zip(agencies, handled, strict=True)}
        shares[name] = share
        for a, k in zip(agencies, handled, strict=True):
            low, high = _wilson(int(k), n, z)
            p = int(k) / n
            rows.append({"quantity": "owner_share", "category": name, "agency": str(a),
                         "level": "", "estimate": p, "se": math.sqrt(p * (1 - p) / n),
                         "ci_low": low, "ci_high": high, "n": n})
        ranked = sorted(share, key=lambda a: (-share[a], a))
        owners = [ranked[0]] + [a for a in ranked[1:] if share[a] >= args.owner_share]
        fit = durations("category", name, mine) or whole_log(name)
        per_day = office_hours_per_week / 7.0
        work = min(max(work_share * fit.mean_days * per_day, 1e-3), 10_000.0)
        se_work = work_share * fit.se_mean * per_day
        mean_row, cv_row = fit.rows[0], fit.rows[1]
        rows.append({"quantity": "work_hours", "category": name, "agency": None,
                     "level": "assumption: work_share", "estimate": work, "se": se_work,
                     "ci_low": work_share * per_day * float(mean_row["ci_low"]),
                     "ci_high": work_share * per_day * float(mean_row["ci_high"]),
                     "n": fit.requests})
        rows.append({**cv_row, "quantity": "work_cv", "category": name, "agency": None,
                     "level": "assumption: cv of time to close"})
        entry: dict[str, Any] = {"rate_per_day": _sig(rate.rate_per_day), "owners": owners}
        if rate.seasonal is not None:
            entry["seasonal"] = [_sig(f) for f in rate.seasonal]
        if rate.weekday is not None:
            entry["weekday"] = [_sig(f) for f in rate.weekday]
        if rate.trend_per_year:
            entry["trend_per_year"] = _sig(rate.trend_per_year)
        entry["work_hours"] = _sig(work)
        entry["work_cv"] = _sig(min(fit.cv, 100.0))
        world_categories[name] = entry

    all_agencies = sorted(agency_index)
    for agency in all_agencies:
        durations("agency", agency, is_agency(agency))
    owners_all = [a for a in all_agencies
                  if any(a in c["owners"] for c in world_categories.values())]
    units: dict[str, dict[str, Any]] = {}
    capacity = office_hours_per_week / 7.0
    for agency in owners_all:
        load = 0.0  # staff-hours a calendar day, over the horizon
        for name, entry in world_categories.items():
            cat = Category(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})
            mean_rate = float(cat.daily_rates(begin.astype(object), horizon).mean())
            load += mean_rate * shares[name].get(agency, 0.0) * entry["work_hours"]
        sized = max(1, math.ceil(load / capacity / utilisation))
        units[agency] = {"kind": kinds.get(agency, args.default_kind),
                         "staff": int(staff.get(agency, sized))}
    world = {"start": begin.astype(object), "horizon_days": horizon,
             "calendar": {"country": args.country}, "units": units, "categories": world_categories}

    estimates = pd.DataFrame(rows).reindex(columns=ESTIMATE_COLUMNS)
    closed_all = log.is_closed[log.timed]
    diagnostics: dict[str, Any] = {
        "requests_read": int(len(table)), "requests_used": int(log.created.size),
        "dropped": dict(log.dropped), "closed_without_time": log.closed_without_time,
        "columns": cols, "as_of": pd.Timestamp(log.as_of), "first_day": first_day.astype(object),
        "window_days": window, "censored_share": float(1.0 - closed_all.mean()),
        "censored_by_category": {c: float(1.0 - log.is_closed[is_category(c) & log.timed].mean())
                                 for c in categories},
        "censored_by_agency": {a: float(1.0 - log.is_closed[is_agency(a) & log.timed].mean())
                               for a in all_agencies},
        "closed_at_once": int((log.is_closed & (days < 1.0 / 1440.0)).sum()),
        "dispersion": dispersion, "agencies_not_owners": sorted(set(all_agencies) - set(owners_all)),
        "assumptions": {"work_share": work_share, "office_hours_per_week": office_hours_per_week,
                        "utilisation": utilisation, "default_kind": args.default_kind,
                        "staff_given": sorted(staff), "kinds_given": sorted(kinds)},
    }
    return RequestFit(world=world, estimates=estimates, duration_fits=pd.DataFrame(fit_rows),
                      diagnostics=diagnostics, notes=notes)

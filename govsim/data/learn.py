"""The pieces of a world learnt from a checked request log.

Layer: data. :func:`learn_world` turns a :class:`~govsim.data.columns.Log` and its creation
window (:class:`~govsim.data.window.Window`) into a :class:`~govsim.data.result.RequestFit`:

1. each complaint type's arrivals (:func:`govsim.data.rates.fit_rates`: profiles, a trend the
   data supports, a step where the type starts or ends inside the window), counted over the
   creation window only;
2. its owners: the agency that handled most of it (the lead) and any other with at least
   ``owner_share`` of it;
3. time to close of every type and every agency (:func:`govsim.data.durations.fit_durations`),
   censored at ``as_of`` and summarised by its mean **restricted** to the span the log could
   observe, so a heavy tail the data cannot show never makes the work infinite;
4. the work of a case (``work_share`` × restricted mean time to close in office hours, an
   assumption :func:`govsim.data.work_fit.fit_work` replaces with a fit);
5. units: each owner agency, working round the clock when its close times say so
   (:mod:`govsim.data.staffing`), with the staff its work needs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from govsim.data.durations import DurationFit, fit_durations
from govsim.data.rates import fit_rates
from govsim.data.result import ESTIMATE_COLUMNS, RequestFit
from govsim.data.staffing import agency_loads, open_hours_per_day, round_the_clock, size_staff
from govsim.data.window import p_text
from govsim.errors import GovsimError

if TYPE_CHECKING:
    from govsim.data.arguments import Arguments
    from govsim.data.columns import Columns, Log
    from govsim.data.window import Window

__all__ = ["learn_world"]


def _sig(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}") if math.isfinite(x) and x != 0 else float(x)


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


class _Fitter:
    """The log's groups and the rows, notes and fits collected while learning."""

    def __init__(self, log: Log, args: Arguments, z: float, tau: float) -> None:
        self.log, self.args, self.z, self.tau = log, args, z, tau
        self.cat_code, cat_names = pd.factorize(log.category, sort=True)
        self.agency_code, agency_names = pd.factorize(log.agency, sort=True)
        self.cat_index = {str(name): k for k, name in enumerate(cat_names)}
        self.agency_index = {str(name): k for k, name in enumerate(agency_names)}
        counts = np.bincount(self.cat_code, minlength=len(cat_names))
        order = sorted(range(len(cat_names)), key=lambda k: (-counts[k], str(cat_names[k])))
        self.categories = [str(cat_names[k]) for k in order]
        self.agencies = sorted(self.agency_index)
        ends = np.where(log.is_closed, log.closed, log.as_of)
        self.days = (ends - log.created).astype(np.int64) / 86400.0
        self.rows: list[dict[str, Any]] = []
        self.fit_rows: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.pooled: list[DurationFit | None] = []

    def of_category(self, name: str) -> np.ndarray:
        return self.cat_code == self.cat_index[name]

    def of_agency(self, name: str) -> np.ndarray:
        return self.agency_code == self.agency_index[name]

    def durations(self, group: str, name: str, mask: np.ndarray) -> DurationFit | None:
        log = self.log
        mask = mask & log.timed
        fit = fit_durations(self.days[mask], log.is_closed[mask], families=self.args.families,
                            z=self.z, horizon_days=self.tau)
        if fit is None:
            self.notes.append(f"{group} {name!r}: time to close not fitted (fewer than 5 "
                              "closed, or fewer than two distinct times)")
            return None
        key = {"category": name if group == "category" else None,
               "agency": name if group == "agency" else None}
        self.rows.extend({**key, **r} for r in fit.rows)
        self.fit_rows.extend({"group": group, "name": name, **f,
                              "km_median_days": fit.km_median_days} for f in fit.families)
        if fit.extrapolated:
            self.notes.append(f"{group} {name!r}: the {fit.family} fit's mean "
                              f"({fit.mean_days:.4g} days) lies mostly beyond the "
                              f"{self.tau:.4g} days the log observes; its mean restricted to "
                              f"them ({fit.rmean_days:.4g} days) is used")
        return fit

    def whole_log(self, name: str) -> DurationFit:
        log = self.log
        if not self.pooled:
            self.pooled.append(fit_durations(self.days[log.timed], log.is_closed[log.timed],
                                             families=self.args.families, z=self.z,
                                             horizon_days=self.tau))
        if self.pooled[0] is None:
            raise GovsimError("no time to close can be fitted: fewer than 5 requests in the "
                              "whole log were closed, or they all took the same time", "df")
        self.notes.append(f"category {name!r}: work from the whole log's time to close")
        return self.pooled[0]


def _owners(f: _Fitter, name: str, mine: np.ndarray) -> tuple[list[str], dict[str, float]]:
    agencies, handled = np.unique(f.log.agency[mine].astype(str), return_counts=True)
    n = int(handled.sum())
    share = {str(a): int(k) / n for a, k in zip(agencies, handled, strict=True)}
    for a, k in zip(agencies, handled, strict=True):
        low, high = _wilson(int(k), n, f.z)
        p = int(k) / n
        f.rows.append({"quantity": "owner_share", "category": name, "agency": str(a),
                       "level": "", "estimate": p, "se": math.sqrt(p * (1 - p) / n),
                       "ci_low": low, "ci_high": high, "n": n})
    ranked = sorted(share, key=lambda a: (-share[a], a))
    owners = [ranked[0]] + [a for a in ranked[1:] if share[a] >= f.args.owner_share]
    return owners, share


def _work(f: _Fitter, name: str, fit: DurationFit) -> tuple[float, float]:
    """``work_hours`` and ``work_cv`` of a category from its restricted time to close."""
    args = f.args
    per_day = args.office_hours_per_week / 7.0
    scale = args.work_share * per_day
    work = min(max(scale * fit.rmean_days, 1e-3), 10_000.0)
    f.rows.append({"quantity": "work_hours", "category": name, "agency": None,
                   "level": "assumption: work_share x restricted mean time to close",
                   "estimate": work, "se": scale * fit.se_rmean,
                   "ci_low": scale * math.exp(math.log(fit.rmean_days) - f.z * fit.se_rmean
                                              / fit.rmean_days),
                   "ci_high": scale * math.exp(math.log(fit.rmean_days) + f.z * fit.se_rmean
                                               / fit.rmean_days),
                   "n": fit.requests})
    cv = min(fit.rcv, 100.0)
    f.rows.append({"quantity": "work_cv", "category": name, "agency": None,
                   "level": "assumption: cv of the restricted time to close", "estimate": cv,
                   "se": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": fit.requests})
    return work, cv


def learn_world(log: Log, window: Window, args: Arguments, cols: Columns, rows_read: int,
                begin: np.datetime64, horizon: int, z: float) -> RequestFit:
    """Fit every part of the world (see the module's notes) and gather the result.

    Parameters
    ----------
    log : govsim.data.columns.Log
        The requests read (:func:`~govsim.data.columns.read_log`).
    """
    tau = float((log.as_of - window.first_day.astype("datetime64[s]")).astype(np.int64)) / 86400.0
    f = _Fitter(log, args, z, max(tau, 1.0 / 1440.0))
    world_categories: dict[str, dict[str, Any]] = {}
    shares: dict[str, dict[str, float]] = {}
    dispersion: dict[str, float] = {}
    covariance: dict[str, float] = {}  # cov(log rate at start, log growth a year) per category
    for name in f.categories:
        mine = f.of_category(name)
        rate = fit_rates(name, log.created[mine], window.first_day, window.n_days, anchor=begin,
                         seasonal=args.seasonal, weekday=args.weekday, trend=args.trend, z=z,
                         min_profile_requests=args.min_profile_requests,
                         overdispersed=args.overdispersed,
                         min_trend_requests=args.min_trend_requests,
                         trend_alpha=args.trend_alpha, horizon_days=horizon)
        f.notes.extend(rate.notes)
        dispersion[name] = rate.dispersion
        for r in rate.rows:
            if "p_value" in r and math.isfinite(r.get("lr", math.nan)):
                f.notes.append(f"{name}: trend fitted (likelihood ratio {r['lr']:.4g}, "
                               f"{p_text(r['p_value'])})")
            if "cov_log_rate" in r:
                covariance[name] = float(r["cov_log_rate"])
            f.rows.append({"category": name, "agency": None, **r})
        owners, shares[name] = _owners(f, name, mine)
        fit = f.durations("category", name, mine) or f.whole_log(name)
        work, cv = _work(f, name, fit)
        entry: dict[str, Any] = {"rate_per_day": _sig(rate.rate_per_day), "owners": owners}
        if len(owners) > 1:
            entry["lead"] = owners[0]
        if rate.seasonal is not None:
            entry["seasonal"] = [_sig(x) for x in rate.seasonal]
        if rate.weekday is not None:
            entry["weekday"] = [_sig(x) for x in rate.weekday]
        if rate.trend_per_year:
            entry["trend_per_year"] = _sig(rate.trend_per_year)
        if rate.first_day is not None:
            entry["first_day"] = rate.first_day.astype(object)
        if rate.last_day is not None:
            entry["last_day"] = rate.last_day.astype(object)
        entry["work_hours"] = _sig(work)
        entry["work_cv"] = _sig(cv)
        world_categories[name] = entry  # checked by the schema when the units are sized

    closed_by_agency: dict[str, int] = {}
    km_by_agency: dict[str, float] = {}
    for agency in f.agencies:
        mask = f.of_agency(agency)
        closed_by_agency[agency] = int((log.is_closed & log.timed & mask).sum())
        fit = f.durations("agency", agency, mask)
        km_by_agency[agency] = fit.km_median_days if fit is not None else math.nan
    owners_all = [a for a in f.agencies
                  if any(a in c["owners"] for c in world_categories.values())]
    clock = round_the_clock(log.closed, log.agency, f.agencies)
    units = _units(args, owners_all, clock, world_categories, shares, begin, horizon)
    world = {"start": begin.astype(object), "horizon_days": horizon,
             "calendar": {"country": args.country}, "units": units,
             "categories": world_categories}
    closed_all = log.is_closed[log.timed]
    diagnostics: dict[str, Any] = {
        "requests_read": int(rows_read), "requests_used": int(log.created.size),
        "dropped": dict(log.dropped), "closed_without_time": log.closed_without_time,
        "same_day_dates": log.same_day_dates,
        "columns": cols, "statuses": log.statuses,
        "as_of": pd.Timestamp(log.as_of), "first_day": window.first_day.astype(object),
        "window_days": window.n_days,
        "window": {"first_day": window.first_day.astype(object),
                   "end_day": window.end_day.astype(object), "n_days": window.n_days,
                   "detected": window.detected, "outside": window.outside},
        "observed_days": tau,
        "censored_share": float(1.0 - closed_all.mean()) if closed_all.size else math.nan,
        "censored_by_category": {c: float(1.0 - log.is_closed[f.of_category(c) & log.timed]
                                          .mean()) for c in f.categories},
        "censored_by_agency": {a: float(1.0 - log.is_closed[f.of_agency(a) & log.timed].mean())
                               for a in f.agencies},
        "closed_by_agency": closed_by_agency, "km_median_by_agency": km_by_agency,
        "owner_shares": shares, "hours": clock,
        "closed_at_once": int((log.is_closed & (f.days < 1.0 / 1440.0)).sum()),
        "dispersion": dispersion, "rate_trend_covariance": covariance,
        "agencies_not_owners": sorted(set(f.agencies) - set(owners_all)),
        "assumptions": {"work_share": args.work_share,
                        "office_hours_per_week": args.office_hours_per_week,
                        "utilisation": args.utilisation, "default_kind": args.default_kind,
                        "staff_given": sorted(args.staff), "kinds_given": sorted(args.kinds),
                        "hours_given": sorted(args.hours or {}),
                        "work": {"fitted": False}},
    }
    notes = list(log.notes) + window.notes + f.notes
    return RequestFit(world=world, estimates=pd.DataFrame(f.rows).reindex(columns=ESTIMATE_COLUMNS),
                      duration_fits=pd.DataFrame(f.fit_rows), diagnostics=diagnostics,
                      notes=notes)


def _units(args: Arguments, owners: list[str], clock: dict[str, dict[str, float]],
           categories: dict[str, dict[str, Any]], shares: dict[str, dict[str, float]],
           begin: np.datetime64, horizon: int) -> dict[str, dict[str, Any]]:
    loads = agency_loads(categories, shares, begin.astype(object), horizon)
    units: dict[str, dict[str, Any]] = {}
    given = args.hours or {}
    for agency in owners:
        hours = given.get(agency, "24h" if clock[agency]["round_the_clock"] else "08:30-17:30")
        sized = size_staff(loads.get(agency, 0.0),
                           open_hours_per_day(hours, args.office_hours_per_week),
                           args.utilisation)
        unit: dict[str, Any] = {"kind": args.kinds.get(agency, args.default_kind),
                                "staff": int(args.staff.get(agency, sized))}
        if hours != "08:30-17:30":
            unit["hours"] = hours
        units[agency] = unit
    return units

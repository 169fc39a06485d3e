"""The check of a learnt world against a later period of the same city's log.

Layer: data. :func:`check_fit` reads a later log, moves the fitted world to its creation window
(each rate carried along its trend), simulates that window as the log observed it (arrivals only
inside it, cases censored at its ``as_of``: :func:`~govsim.data.simulated.observed_world`) and
compares, each with its interval, the **volume** of every complaint type (observed against
expected, with a prediction interval holding Poisson noise and the rate's estimation error) and
the **time to close** of every agency (Kaplan-Meier quantiles of the log against the simulated
cases'): a :class:`RequestCheck`, printed by :meth:`~RequestCheck.table` and drawn by
:meth:`~RequestCheck.plot` (:mod:`govsim.figures.request_check`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from govsim.data.arguments import check_number
from govsim.data.check_result import TIMES_COLUMNS, VOLUME_COLUMNS, RequestCheck
from govsim.data.learnt import Learnt
from govsim.data.reading import read_requests
from govsim.data.scenario_file import DEFAULT_REGIMES, regime_scenario
from govsim.data.simulated import by_replication, moved_world, observed_world, simulated_times
from govsim.data.window import check_category
from govsim.errors import GovsimError, shown
from govsim.stats.intervals import mean_ci
from govsim.stats.survival import km_quantile, km_quantile_ci

if TYPE_CHECKING:
    from govsim.data.reading import RequestLog

__all__ = ["check_fit", "RequestCheck", "later_world", "expected_counts", "READ_OPTIONS"]

#: the options :func:`check_fit` passes on to :func:`~govsim.data.reading.read_requests`
READ_OPTIONS = ("closed_statuses", "as_of", "tz", "date_format", "drop_invalid", "window")
_TOL = 1e-10  # as govsim.stats.survival: a survival within this of 1 - q reaches it
_YEAR = 365.25


def check_fit(fit: Learnt, later: Any, *, columns: Any = None,
              regime: str | Mapping[str, Any] = "as_logged", replications: int = 10,
              seed: int = 12345, quantiles: Sequence[float] = (0.25, 0.5, 0.75, 0.9),
              confidence: float = 0.95, min_closed: int = 20,
              **read_options: Any) -> RequestCheck:
    """Simulate the period of a later log with ``fit``'s world and compare it with the log.

    Parameters
    ----------
    fit : RequestFit
        The result of :func:`~govsim.data.requests.world_from_requests` (or of
        :meth:`~govsim.data.result.RequestFit.fit_work`) on an earlier period.
    later : pandas.DataFrame or str or os.PathLike
        The later log, read by :func:`~govsim.data.reading.read_requests` with ``columns``
        and ``read_options`` (:data:`READ_OPTIONS`). Its creation window is the period checked;
        its ``as_of`` is where durations are censored.
    regime : str or mapping
        The regime the log comes from: a default regime's name or a regime table.
    replications, seed : int
        Simulated replications (1 to 1000) and their root seed.
    quantiles, confidence : float
        Quantiles of the time to close compared, and the level of every interval, in (0, 1).
    min_closed : int
        Agencies with fewer closed requests in the later window are left out of ``times``.

    Returns
    -------
    RequestCheck

    Notes
    -----
    The world of the later period is ``fit.world`` with ``start`` the later window's first day
    and each ``rate_per_day`` times ``(1 + trend_per_year) ** years`` between the two starts.
    Expected counts are its daily rates (:meth:`govsim.scenario.world.Category.daily_rates`)
    summed over the window. The prediction interval is gamma-Poisson (negative binomial): the
    count is Poisson given the mean, and the mean is gamma with the rate's relative variance,
    which is the ``rate_per_day`` row's relative variance, with the trend's moved from the fit
    window's middle to the later window's (the estimates carry no covariance, so the rate's
    variance at the fit window's middle is taken as its variance at ``start`` less the trend's
    share, at least ``1/n``). Profile uncertainty and day-to-day overdispersion are left out.

    The observed quantile's interval is Brookmeyer-Crowley's: the times whose Kaplan-Meier
    pointwise interval (Greenwood's variance on the **log-log** scale) contains ``1 - q``.
    The simulated quantile is the Kaplan-Meier quantile of the pooled replications' cases
    with a t interval from the spread of the replications' own quantiles (centred on it; NaN
    with one replication): Monte Carlo error only. The log's requests count for the agency
    that handled them, simulated cases for the lead of their type (a type shared by agencies
    counts for its lead only, and an agency that leads none has no simulated times).

    Raises
    ------
    GovsimError
        At the argument's name for one out of range or of the wrong type (an unknown option
        included); at ``later`` for a table that cannot be read or shares no complaint type
        with the fit; at the column's name as :func:`~govsim.data.reading.read_requests`
        raises for a bad column.
    """
    if not _is_fit(fit):
        raise GovsimError(f"must be a RequestFit (world_from_requests), got {shown(fit)}", "fit")
    replications = check_number(replications, "replications", 1, 1000, whole=True)
    seed = check_number(seed, "seed", 0, 2**63 - 1, whole=True)
    min_closed = check_number(min_closed, "min_closed", 1, 10**9, whole=True)
    confidence = check_number(confidence, "confidence", 0.0, 1.0, open_interval=True)
    levels = _quantiles(quantiles)
    if not (isinstance(regime, Mapping) or regime in DEFAULT_REGIMES):
        raise GovsimError(f"must name one of {', '.join(DEFAULT_REGIMES)} or be a regime table,"
                          f" got {shown(regime)}", "regime")
    for key in set(read_options) - set(READ_OPTIONS):
        raise GovsimError(f"is no option of check_fit (read options: {', '.join(READ_OPTIONS)})",
                          key)
    try:
        read = read_requests(later, columns, **read_options)
    except GovsimError as exc:  # read_requests calls the table df
        raise (GovsimError(exc.message, "later") if exc.path == "df" else exc) from None
    first, end, n_days = _day(read.window.first_day), _day(read.window.end_day), \
        int(read.window.n_days)
    as_of = pd.Timestamp(read.log.as_of)
    created = read.log.created.astype("datetime64[D]")
    inside = (created >= np.datetime64(first, "D")) & (created < np.datetime64(end, "D"))
    known = set(fit.world["categories"])
    if not known & set(np.unique(read.log.category[inside]).astype(str)):
        raise GovsimError(f"shares no complaint type with the fit (the fit knows "
                          f"{', '.join(sorted(known)) or 'none'}): is it the same city's log, "
                          "read with the same columns?", "later")
    notes: list[str] = []
    if not fit.diagnostics.get("assumptions", {}).get("work", {}).get("fitted"):
        notes.append("the work per case is the work_share assumption, not fitted: simulated "
                     "times to close mean little before fit.fit_work()")
    fit_end = _day(fit.diagnostics["window"]["end_day"])
    if first < fit_end:
        notes.append(f"the checked window starts on {first}, before the fitted one ends "
                     f"({fit_end}): it tests the fitted period (held-out requests of it, or the "
                     "same ones), not a later one")
    horizon = math.ceil((as_of - pd.Timestamp(first)).total_seconds() / 86400.0 - 1e-9)
    world = later_world(fit, first, max(horizon, n_days, 1), notes)
    data, name = regime_scenario(fit, world, regime)
    times = simulated_times(observed_world(data, first, end, as_of), name,
                            replications=replications, seed=seed)
    volume = _volume(fit, world, read, inside, times, replications, confidence, n_days)
    table, left_out = _times(read, inside, times, levels, confidence, min_closed, replications)
    notes += left_out
    return RequestCheck(
        volume=volume, times=table, summary=_summary(volume, table, left_out), regime=regime
        if isinstance(regime, str) else dict(regime), replications=replications, seed=seed,
        window={"first_day": first, "end_day": end, "n_days": n_days}, as_of=as_of,
        confidence=confidence, notes=notes)


def later_world(fit: Learnt, first_day: Any, horizon_days: int | None = None,
                notes: list[str] | None = None) -> dict[str, Any]:
    """``fit.world`` starting on ``first_day``: :func:`govsim.data.simulated.moved_world`."""
    return moved_world(fit.world, first_day, horizon_days, notes)


def expected_counts(entry: Mapping[str, Any], start: Any, n_days: int,
                    name: str = "category") -> np.ndarray:
    """The expected requests on each of ``n_days`` days from ``start`` of a world's category
    entry (a plain dict; ``name`` for an error), by
    :meth:`govsim.scenario.world.Category.daily_rates`."""
    return check_category(name, entry).daily_rates(_day(start), n_days)


def _volume(fit: Learnt, world: dict[str, Any], read: RequestLog, inside: np.ndarray,
            times: pd.DataFrame, replications: int, confidence: float,
            n_days: int) -> pd.DataFrame:
    from scipy import stats

    first, start0, w = world["start"], _day(fit.world["start"]), fit.diagnostics["window"]
    names, counts = np.unique(read.log.category[inside].astype(str), return_counts=True)
    observed = dict(zip(names.tolist(), counts.tolist(), strict=True))
    per_rep = times.groupby(["category", "replication"]).size().unstack(fill_value=0) \
        .reindex(columns=range(replications), fill_value=0).mean(axis=1)
    fit_mid = ((_day(w["first_day"]) - start0).days + w["n_days"] / 2.0) / _YEAR
    later_years = (first - start0).days / _YEAR + (np.arange(n_days) + 0.5) / _YEAR
    alpha = (1.0 - confidence) / 2.0
    rows = []
    for name, entry in world["categories"].items():
        daily = expected_counts(entry, first, n_days, name)
        mu = float(daily.sum())
        tau = float(daily @ later_years / mu) if mu > 0 else fit_mid
        rv = _rel_var(fit, name, tau)
        if mu <= 0:
            lo = hi = 0.0
        elif math.isfinite(rv) and rv > 0:
            k = 1.0 / rv
            lo, hi = stats.nbinom.ppf([alpha, 1.0 - alpha], k, k / (k + mu))
        else:
            lo, hi = stats.poisson.ppf([alpha, 1.0 - alpha], mu)
        obs = int(observed.get(name, 0))
        rows.append({"category": name, "observed": obs, "expected": mu, "pi_low": float(lo),
                     "pi_high": float(hi), "rate_rel_se": math.sqrt(rv) if rv >= 0 else rv,
                     "simulated_mean": float(per_rep.get(name, 0.0)),
                     "ratio": obs / mu if mu > 0 else math.nan,
                     "inside": bool(lo <= obs <= hi),
                     "flag": "" if name in observed else "not in the later log"})
    new = sorted((n for n in observed if n not in world["categories"]),
                 key=lambda n: (-observed[n], n))
    rows += [{"category": n, "observed": observed[n], "expected": 0.0, "pi_low": 0.0,
              "pi_high": 0.0, "rate_rel_se": math.nan, "simulated_mean": 0.0,
              "ratio": math.nan, "inside": False, "flag": "not in the fit"} for n in new]
    return pd.DataFrame(rows, columns=VOLUME_COLUMNS)


def _rel_var(fit: Learnt, name: str, years: float) -> float:
    """The relative variance of a category's rate ``years`` from the world's start: the variance
    of the log rate there, ``var(log rate) + 2 t cov + t² var(log growth)`` from the fit's
    covariance of the rate at the start and the trend's log growth a year (a capped or absent
    trend adds nothing: its uncertainty is not known, or there is none)."""
    est = fit.estimates
    mine = est[est["category"] == name]
    rate = mine[mine["quantity"] == "rate_per_day"]
    if rate.empty or not float(rate["estimate"].iloc[0]) > 0:
        return math.nan
    var_rate = (float(rate["se"].iloc[0]) / float(rate["estimate"].iloc[0])) ** 2
    trend = mine[mine["quantity"] == "trend_per_year"]
    cov = fit.diagnostics.get("rate_trend_covariance", {}).get(name, math.nan)
    if trend.empty or not math.isfinite(var_rate) or not math.isfinite(cov):
        return var_rate
    var_b = (float(trend["se"].iloc[0]) / (1.0 + float(trend["estimate"].iloc[0]))) ** 2
    if not math.isfinite(var_b):
        return var_rate
    return max(var_rate + 2.0 * years * cov + years * years * var_b, 0.0)


def _times(read: RequestLog, inside: np.ndarray, times: pd.DataFrame, levels: list[float],
           confidence: float, min_closed: int,
           replications: int) -> tuple[pd.DataFrame, list[str]]:
    log = read.log
    mask = inside & log.timed
    days = (np.where(log.is_closed, log.closed, log.as_of) - log.created) \
        .astype("timedelta64[s]").astype(np.int64) / 86400.0
    agency = log.agency.astype(str)
    simulated = set(times["agency"].astype(str)) if len(times) else set()
    rows, skipped, unsimulated = [], [], []
    per_rep = {q: by_replication(times, "agency", q).reindex(columns=range(replications))
               for q in levels} if len(times) else {}
    for name in sorted(set(agency[mask])):
        mine = mask & (agency == name)
        closed = int((mine & log.is_closed).sum())
        if closed < min_closed:
            skipped.append(f"{name} ({closed})")
            continue
        if name not in simulated:
            unsimulated.append(name)
        sim = times[times["agency"] == name] if len(times) else times
        for q in levels:
            obs, lo, hi = km_quantile_ci(days[mine], log.is_closed[mine], q, confidence)
            s = km_quantile(sim["days"].to_numpy(), sim["closed"].to_numpy(), q) \
                if len(sim) else math.nan
            s_lo = s_hi = math.nan
            if name in simulated and replications > 1:
                values = per_rep[q].loc[name].to_numpy(dtype=float)
                if not np.isnan(values).any():
                    _, a, b, _ = mean_ci(values, confidence)
                    s_lo, s_hi = max(0.0, s - (b - a) / 2.0), s + (b - a) / 2.0
            ok = pd.NA if not (math.isfinite(obs) and math.isfinite(s)) else bool(
                (s_hi if math.isfinite(s_hi) else s) >= lo and
                (s_lo if math.isfinite(s_lo) else s) <= (hi if math.isfinite(hi) else math.inf))
            rows.append({"agency": name, "quantile": q, "observed": obs, "observed_ci_low": lo,
                         "observed_ci_high": hi, "simulated": s, "simulated_ci_low": s_lo,
                         "simulated_ci_high": s_hi,
                         "ratio": s / obs if obs > 0 and math.isfinite(s) else math.nan,
                         "closed": closed, "requests": int(mine.sum()), "inside": ok})
    table = pd.DataFrame(rows, columns=TIMES_COLUMNS).astype({"inside": "boolean"})
    notes = [f"agencies with fewer than {min_closed} closed requests left out of the times: "
             f"{', '.join(skipped)}"] if skipped else []
    return table, notes + ([f"agencies that lead no complaint type have no simulated cases: "
                            f"{', '.join(unsimulated)}"] if unsimulated else [])


def _summary(volume: pd.DataFrame, times: pd.DataFrame, notes: list[str]) -> dict[str, Any]:
    both, decided = volume[volume["flag"] == ""], times["inside"].dropna()
    logs = np.abs(np.log(times["ratio"].to_numpy(dtype=float)))
    logs = logs[np.isfinite(logs)]
    observed, expected = int(volume["observed"].sum()), float(volume["expected"].sum())

    def stat(f: Any, x: Any) -> float:
        return float(f(x)) if len(x) else math.nan

    return {"types_checked": len(both), "types_inside": int(both["inside"].sum()),
            "types_inside_share": stat(np.mean, both["inside"]),
            "types_new": volume.loc[volume["flag"] == "not in the fit", "category"].tolist(),
            "types_absent": volume.loc[volume["flag"] == "not in the later log",
                                       "category"].tolist(),
            "observed_total": observed, "expected_total": expected,
            "simulated_total": float(volume["simulated_mean"].sum()),
            "total_ratio": observed / expected if expected else math.nan,
            "agencies_checked": sorted(set(times["agency"])), "quantiles_checked": len(decided),
            "quantiles_inside": int(decided.sum()), "quantiles_inside_share":
            stat(np.mean, decided), "median_abs_log_ratio": stat(np.median, logs),
            "max_abs_log_ratio": stat(np.max, logs),
            "within_factor_1_5_share": stat(np.mean, logs <= math.log(1.5)),
            "left_out": list(notes)}


def _is_fit(fit: Any) -> bool:
    """A :class:`~govsim.data.result.RequestFit` (told by its fields: ``result`` imports this
    module, so importing it back would be a cycle)."""
    return all(isinstance(getattr(fit, k, None), t) for k, t in (
        ("world", dict), ("estimates", pd.DataFrame), ("diagnostics", dict)))


def _day(value: Any) -> dt.date:
    return value if type(value) is dt.date else pd.Timestamp(value).date()


def _quantiles(values: Any) -> list[float]:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence | np.ndarray) \
            or len(values) == 0:
        raise GovsimError(f"must be a non-empty sequence of numbers in (0, 1), got "
                          f"{shown(values)}", "quantiles")
    return sorted({check_number(v, "quantiles", 0.0, 1.0, open_interval=True) for v in values})

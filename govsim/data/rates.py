"""Arrival rates from daily request counts: a Poisson log-linear model fitted by maximum
likelihood.

Layer: data (numpy, and the scenario schema's limits). The count of one complaint type on day
``d`` is Poisson with mean

    rate_per_day × seasonal[month(d)] × weekday[weekday(d)] × (1 + trend_per_year) ** t(d),

``t(d) = (d − start + 0.5) / 365.25`` years from the scenario's ``start`` to the day's middle --
exactly :meth:`govsim.scenario.world.Category.daily_rates`, so a fitted category drawn by govsim
has the fitted mean on every day. The profiles are normalised to average 1 (the 12 monthly
factors, and the 7 weekday factors, Monday first), so ``rate_per_day`` is the rate at ``start``
on an average day of the week in an average month. The model is fitted with reference coding
(January, Monday) by Newton's method on the concave log-likelihood; standard errors come from the
inverse observed information (for this canonical link, ``XᵀWX``) carried to the normalised
quantities by the delta method, and intervals are built on the log scale.

A type that starts late or ends early inside the window (:func:`govsim.data.window.type_steps`)
is a **step**: it is fitted over its active days only and returned with ``first_day`` /
``last_day`` (the category is 0 outside them). A trend is fitted automatically only when the
data support it (enough requests over a year of active days, and a likelihood-ratio test
against none); a trend that would carry the rate beyond a scenario's bounds is **capped**, with
a note, never refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from govsim.data.rate_rows import MARGIN, MONTHS, WEEKDAYS, estimate_rows, log_level
from govsim.data.window import check_category, p_text, type_steps
from govsim.errors import GovsimError
from govsim.scenario.base import LIMITS

__all__ = ["RateFit", "fit_rates", "check_category", "MONTHS", "WEEKDAYS"]

#: a profile is fitted automatically only when each of its levels has this many days of the log
MIN_DAYS_PER_MONTH = 28
MIN_DAYS_FOR_WEEKDAY = 14
MIN_DAYS_FOR_TREND = 365
#: ... and with a monthly profile, this many (with one year, a trend and a season are the same
#: twelve numbers: the trend's estimate swings wildly, even to -99 % a year, and still passes the
#: likelihood-ratio test)
MIN_DAYS_FOR_SEASONAL_TREND = 730


@dataclass(frozen=True)
class RateFit:
    """One category's fitted arrival rate (``seasonal``, ``weekday`` are ``None`` when not
    fitted; ``trend_per_year`` is 0 then). ``rows`` are the estimates' table rows (the
    ``trend_per_year`` row also holds the likelihood-ratio statistic ``lr`` and its ``p_value``
    against no trend); ``dispersion`` is Pearson's X² over the residual degrees of freedom
    (about 1 for Poisson counts, above 1 when the days vary more than Poisson). ``first_day``
    and ``last_day`` (``datetime64[D]``, inclusive) are set when the type starts late or ends
    early inside the window: its rate is 0 outside them."""

    rate_per_day: float
    seasonal: tuple[float, ...] | None
    weekday: tuple[float, ...] | None
    trend_per_year: float
    dispersion: float
    requests: int
    rows: list[dict[str, object]] = field(repr=False)
    notes: list[str] = field(default_factory=list)
    first_day: np.datetime64 | None = None
    last_day: np.datetime64 | None = None


def _loglik(x: np.ndarray, y: np.ndarray, b: np.ndarray, offset: np.ndarray) -> float:
    eta = x @ b + offset
    return float(y @ eta - np.exp(eta).sum())


def _newton(x: np.ndarray, y: np.ndarray,
            offset: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Poisson log-linear maximum likelihood: the coefficients, ``XᵀWX`` at them and the
    log-likelihood (without its constant)."""
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(y.mean()) - float(offset.mean())
    current = _loglik(x, y, beta, offset)
    for _ in range(200):
        mu = np.exp(x @ beta + offset)
        info = x.T @ (x * mu[:, None])
        step = np.linalg.solve(info, x.T @ (y - mu))
        size = 1.0
        while True:  # step halving keeps every step uphill
            trial = beta + size * step
            value = _loglik(x, y, trial, offset)
            if value >= current - 1e-12 * abs(current) or size < 1e-8:
                break
            size /= 2.0
        beta, current = trial, value
        if np.max(np.abs(size * step)) < 1e-10:
            break
    else:  # pragma: no cover - the log-likelihood is concave: Newton converges
        raise RuntimeError("the rate model did not converge")
    mu = np.exp(x @ beta + offset)
    return beta, x.T @ (x * mu[:, None]), current


def _identified(x: np.ndarray, y: np.ndarray, offset: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The coefficients, their covariance and the log-likelihood, or ``None`` when the counts
    do not identify them (the likelihood keeps rising along some direction: the fit diverges,
    its information is singular)."""
    offset = np.zeros(x.shape[0]) if offset is None else offset
    try:
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            beta, info, loglik = _newton(x, y, offset)
            cov = np.linalg.inv(info)
            ok = (np.all(np.isfinite(beta)) and np.all(np.isfinite(cov))
                  and np.all(np.linalg.eigvalsh(info) > 0) and np.all(np.abs(beta[1:]) < 30.0))
    except (np.linalg.LinAlgError, RuntimeError, FloatingPointError):
        return None
    return (beta, cov, loglik) if ok else None


def _profile_ok(level: np.ndarray, counts: np.ndarray, size: int,
                days_needed: int) -> tuple[bool, str]:
    covered = np.bincount(level, minlength=size)
    if (covered < days_needed).any():
        return False, "the log does not cover each of them for long enough"
    per_level = np.bincount(level, weights=counts, minlength=size)
    if (per_level == 0).any():
        return False, "some have no request"
    return True, ""


def _choose(name: str, what: str, wanted: bool | None, ok: bool, why: str, enough: bool,
            notes: list[str]) -> bool:
    if wanted is None:
        if ok and enough:
            return True
        notes.append(f"{name}: {what} not fitted ({why or 'too few requests'})")
        return False
    if wanted and not ok:
        raise GovsimError(f"cannot fit the {what} of {name!r}: {why}", what)
    return bool(wanted)


def _cap(name: str, full: tuple[np.ndarray, np.ndarray, float], x: np.ndarray, y: np.ndarray,
         t: np.ndarray, profiles: list[slice], lag: float, years: float,
         anchor: np.datetime64, horizon_days: int | None, notes: list[str]
         ) -> tuple[float, tuple[np.ndarray, np.ndarray, float] | None]:
    """The trend (log growth a year) shrunk towards 0 until it keeps within the scenario's
    bounds -- at most ``LIMITS["factor"]`` a year, at most ``LIMITS["factor"]``-fold over the
    horizon, the rate at most ``LIMITS["rate per day"]`` from ``anchor`` to the horizon's end --
    and the fit of the other coefficients with it held there (``None`` when it is not
    shrunk)."""
    growth = float(full[0][-1])
    factor, top = LIMITS["factor"], math.log(LIMITS["rate per day"]) - MARGIN
    bound, why = abs(growth), ""
    if growth > 0 and growth > math.log1p(factor) - MARGIN:
        bound, why = math.log1p(factor) - MARGIN, f"it would exceed {factor:g} a year"
    if growth > 0 and years > 0 and bound * years > math.log(factor) - MARGIN:
        bound = (math.log(factor) - MARGIN) / years
        why = f"it would multiply the rate more than {factor:g}-fold over the horizon"

    def refit(b: float) -> tuple[tuple[np.ndarray, np.ndarray, float], float]:
        fitted = _identified(x, y, b * t)
        if fitted is None:  # pragma: no cover - a shrunk trend only lowers the information
            raise RuntimeError("the capped rate model is not identified")
        peak = log_level(fitted[0], profiles) + max(b * lag, b * (lag + years))
        return fitted, peak

    sign = 1.0 if growth > 0 else -1.0
    if why:
        fitted, peak = refit(sign * bound)
    else:
        fitted, peak = full, log_level(full[0], profiles) + max(growth * lag, growth * (lag + years))
    if peak > top:  # the largest trend that keeps the rate under its bound, by bisection
        low, high = 0.0, bound
        for _ in range(60):
            mid = (low + high) / 2.0
            if refit(sign * mid)[1] > top:
                high = mid
            else:
                low = mid
        bound = low
        fitted, peak = refit(sign * bound)
        end = anchor + np.timedelta64(horizon_days or 0, "D")
        why = (f"carried from the log to {anchor}" + (f" and {end}" if horizon_days else "")
               + f", the rate would exceed the {LIMITS['rate per day']:,.0f} a day a scenario "
               "allows")
    if not why:
        return growth, None
    notes.append(f"{name}: trend capped at {math.expm1(sign * bound):+.4g} a year (fitted "
                 f"{math.expm1(growth):+.4g}): {why}")
    return sign * bound, fitted


def fit_rates(name: str, created: np.ndarray, first_day: np.datetime64, n_days: int, *,
              anchor: np.datetime64 | None = None, seasonal: bool | None = None,
              weekday: bool | None = None, trend: bool | None = None, z: float = 1.959964,
              min_profile_requests: int = 100, overdispersed: bool = False,
              min_trend_requests: int = 200, trend_alpha: float = 0.01,
              horizon_days: int | None = None) -> RateFit:
    """Fit one category's daily counts over ``n_days`` whole days from ``first_day``.

    Parameters
    ----------
    name : str
        The category (for notes and errors).
    created : numpy.ndarray
        Its requests' creation times (``datetime64``); those outside the window are ignored.
    first_day, n_days :
        The window of whole days the counts cover (:func:`govsim.data.window.creation_window`).
    anchor : numpy.datetime64, optional
        The day ``rate_per_day`` refers to (the scenario's ``start``; default ``first_day``).
    seasonal, weekday, trend : bool or None
        Fit the monthly profile, the weekday profile, the trend; ``None`` fits each when the
        log supports it: the profiles when every month is covered for at least 28 days (at
        least two weeks) of the type's active days and it has ``min_profile_requests``; the
        trend when it has ``min_trend_requests`` over at least a year of active days and a
        likelihood-ratio test against no trend (same profiles) rejects at ``trend_alpha``.
        ``True`` forces it (refused when the counts cannot identify it).
    z : float
        The normal quantile of the intervals (1.96 for 95%).
    overdispersed : bool
        Scale the standard errors by the square root of the dispersion when it exceeds 1
        (quasi-Poisson).
    horizon_days : int, optional
        The scenario's horizon from ``anchor``: the trend is capped so that the rate stays
        within the scenario's bounds over it (else only at ``anchor``).

    Returns
    -------
    RateFit
        With ``first_day`` / ``last_day`` when the type starts late or ends early inside the
        window (:func:`govsim.data.window.type_steps`): it is then fitted over its active days
        only, and ``rate_per_day`` is still its rate at ``anchor`` along its trend.
    """
    day = created.astype("datetime64[D]")
    inside = (day >= first_day) & (day < first_day + n_days)
    counts = np.bincount((day[inside] - first_day).astype(np.int64), minlength=n_days).astype(float)
    n = int(counts.sum())
    anchor = first_day if anchor is None else anchor
    notes: list[str] = []
    if n == 0:
        notes.append(f"{name}: no request in the window of whole days; its rate is 0")
        row = {"quantity": "rate_per_day", "level": "", "estimate": 0.0, "se": math.nan,
               "ci_low": 0.0, "ci_high": math.nan, "n": 0}
        return RateFit(0.0, None, None, 0.0, math.nan, 0, [row], notes)
    origin, counts, starts, ends, stepped = _active_days(name, counts, first_day, notes)
    m = counts.size
    days = origin + np.arange(m)
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    wday = (days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    enough = n >= min_profile_requests
    use_m = _choose(name, "seasonal", seasonal,
                    *_profile_ok(month, counts, 12, MIN_DAYS_PER_MONTH), enough, notes)
    use_w = _choose(name, "weekday", weekday,
                    *(_profile_ok(wday, counts, 7, 1) if m >= MIN_DAYS_FOR_WEEKDAY
                      else (False, "the log is under two weeks")), enough, notes)
    use_t = _trend_wanted(name, trend, counts, use_m, stepped, min_trend_requests, notes)
    lag = float((anchor - origin).astype(np.int64)) / 365.25
    fit = _fit(name, counts, month, wday, use_m, use_w, use_t, trend, trend_alpha, lag,
               (horizon_days or 0) / 365.25, anchor, horizon_days, notes)
    x, beta, cov, profiles, growth, free_trend, lr, p_value = fit
    t = (np.arange(m) + 0.5) / 365.25
    mu = np.exp(x @ beta + (0.0 if free_trend else growth * t))
    dof = max(m - x.shape[1], 1)
    dispersion = float(((counts - mu) ** 2 / mu).sum() / dof)
    if overdispersed and dispersion > 1.0:
        cov = cov * dispersion
    rows, seasonal_out, weekday_out, log_rate = estimate_rows(
        name, counts, month, wday, beta, cov, profiles, growth, free_trend, lag, z, lr,
        p_value, notes)
    return RateFit(rate_per_day=math.exp(log_rate), seasonal=seasonal_out, weekday=weekday_out,
                   trend_per_year=math.expm1(growth), dispersion=dispersion, requests=n,
                   rows=rows, notes=notes, first_day=starts, last_day=ends)


def _active_days(name: str, counts: np.ndarray, first_day: np.datetime64, notes: list[str]
                 ) -> tuple[np.datetime64, np.ndarray, np.datetime64 | None,
                            np.datetime64 | None, bool]:
    """The type's active days (a late start or an early end is a step, said in a note):
    their first day, their counts, ``first_day`` / ``last_day`` (or None), and whether a step
    was found."""
    lo, hi, steps = type_steps(counts)
    origin, counts = first_day + lo, counts[lo:hi + 1]
    starts = ends = None
    for side, gap, rate, p in steps:
        edge = origin if side == "start" else first_day + hi
        notes.append(f"{name}: {'starts late' if side == 'start' else 'ends early'} -- no request "
                     f"in the {gap:,} days {'before' if side == 'start' else 'after'} {edge} (at "
                     f"its rate of {rate:.3g} a day, {p_text(p)}); fitted over {counts.size:,} "
                     f"active days, 0 {'before' if side == 'start' else 'after'} them "
                     f"({'first_day' if side == 'start' else 'last_day'} {edge})")
        starts, ends = (edge, ends) if side == "start" else (starts, edge)
    return origin, counts, starts, ends, bool(steps)


def _trend_wanted(name: str, trend: bool | None, counts: np.ndarray, use_m: bool,
                  stepped: bool, min_trend_requests: int, notes: list[str]) -> bool:
    """Whether to try a trend: as asked, or (``None``) when the log could show one."""
    m, n = counts.size, int(counts.sum())
    one_day = int((counts > 0).sum()) < 2  # no trend can be told from a single day
    span = "its active days cover" if stepped else "the log covers"
    if trend is None:
        why = ("its requests all fall on one day" if one_day else f"{span} under a year"
               if m < MIN_DAYS_FOR_TREND else f"too few requests: {n} < {min_trend_requests}"
               if n < min_trend_requests else f"{span} under two years, too short to tell a "
               "trend from the monthly profile" if use_m and m < MIN_DAYS_FOR_SEASONAL_TREND
               else "")
        if why:
            notes.append(f"{name}: trend not fitted ({why})")
        return not why
    if trend and one_day:  # a window of one day included
        raise GovsimError(f"cannot fit the trend of {name!r}: its requests all fall on one day",
                          "trend")
    return bool(trend)


def _fit(name: str, counts: np.ndarray, month: np.ndarray, wday: np.ndarray, use_m: bool,
         use_w: bool, use_t: bool, trend: bool | None, trend_alpha: float, lag: float,
         years: float, anchor: np.datetime64, horizon_days: int | None, notes: list[str]
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[slice], float, bool, float, float]:
    """The Poisson fit: the design matrix, coefficients and covariance, the profiles' columns,
    the yearly log growth, whether the trend is a free coefficient (not capped), and the
    likelihood-ratio test against no trend (NaN when none was tried)."""
    m = counts.size
    t = (np.arange(m) + 0.5) / 365.25
    columns = [np.ones(m)]
    profiles: list[slice] = []
    if use_m:
        columns += [(month == k).astype(float) for k in range(1, 12)]
        profiles.append(slice(1, 12))
    if use_w:
        columns += [(wday == k).astype(float) for k in range(1, 7)]
        profiles.append(slice(len(columns) - 6, len(columns)))
    x = np.column_stack(columns)
    unidentified = (f"cannot identify the arrival rates of {name!r}: its requests are too "
                    "concentrated in time to fit the profiles and the trend asked for (pass "
                    "seasonal=False, weekday=False or trend=False)")
    base = _identified(x, counts)
    if base is None:
        raise GovsimError(unidentified, "trend" if use_t and trend else
                          "seasonal" if use_m else "weekday")
    beta, cov, _ = base
    lr = p_value = math.nan
    growth, free_trend = 0.0, False
    if use_t:
        full = _identified(np.column_stack([x, t]), counts)
        if full is None and trend:
            raise GovsimError(unidentified, "trend")
        if full is None:
            notes.append(f"{name}: trend not fitted (its requests are too concentrated in time "
                         "to tell one)")
        else:
            lr = max(2.0 * (full[2] - base[2]), 0.0)
            p_value = math.erfc(math.sqrt(lr / 2.0))  # chi-squared, one degree of freedom
            if trend is None and not p_value < trend_alpha:
                notes.append(f"{name}: trend not fitted (not significant: likelihood ratio "
                             f"{lr:.3g}, p = {p_value:.3g} ≥ {trend_alpha:g})")
            else:
                growth, free_trend = float(full[0][-1]), True
                capped, refit = _cap(name, full, x, counts, t, profiles, lag, years, anchor,
                                     horizon_days, notes)
                if refit is None:
                    x, (beta, cov, _) = np.column_stack([x, t]), full
                else:
                    growth, free_trend = capped, False
                    beta, cov, _ = refit
    return x, beta, cov, profiles, growth, free_trend, lr, p_value

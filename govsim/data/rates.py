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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from govsim.errors import GovsimError
from govsim.scenario.base import LIMITS

__all__ = ["RateFit", "fit_rates", "MONTHS", "WEEKDAYS"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: a profile is fitted automatically only when each of its levels has this many days of the log
MIN_DAYS_PER_MONTH = 28
MIN_DAYS_FOR_WEEKDAY = 14
MIN_DAYS_FOR_TREND = 365


@dataclass(frozen=True)
class RateFit:
    """One category's fitted arrival rate (``seasonal``, ``weekday`` are ``None`` when not
    fitted; ``trend_per_year`` is 0 then). ``rows`` are the estimates' table rows;
    ``dispersion`` is Pearson's X² over the residual degrees of freedom (about 1 for Poisson
    counts, above 1 when the days vary more than Poisson)."""

    rate_per_day: float
    seasonal: tuple[float, ...] | None
    weekday: tuple[float, ...] | None
    trend_per_year: float
    dispersion: float
    requests: int
    rows: list[dict[str, object]] = field(repr=False)
    notes: list[str] = field(default_factory=list)


def _newton(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson log-linear maximum likelihood: the coefficients and ``XᵀWX`` at them."""
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(y.mean())

    def loglik(b: np.ndarray) -> float:
        eta = x @ b
        return float(y @ eta - np.exp(eta).sum())

    current = loglik(beta)
    for _ in range(200):
        mu = np.exp(x @ beta)
        info = x.T @ (x * mu[:, None])
        step = np.linalg.solve(info, x.T @ (y - mu))
        size = 1.0
        while True:  # step halving keeps every step uphill
            trial = beta + size * step
            value = loglik(trial)
            if value >= current - 1e-12 * abs(current) or size < 1e-8:
                break
            size /= 2.0
        beta, current = trial, value
        if np.max(np.abs(size * step)) < 1e-10:
            break
    else:  # pragma: no cover - the log-likelihood is concave: Newton converges
        raise RuntimeError("the rate model did not converge")
    mu = np.exp(x @ beta)
    return beta, x.T @ (x * mu[:, None])


def _identified(x: np.ndarray, y: np.ndarray,
                trend: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The coefficients and their covariance, or ``None`` when the counts do not identify them
    (the likelihood keeps rising along some direction: the fit diverges, its information is
    singular) or the trend is beyond what a scenario allows."""
    try:
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            beta, info = _newton(x, y)
            cov = np.linalg.inv(info)
            ok = (np.all(np.isfinite(beta)) and np.all(np.isfinite(cov))
                  and np.all(np.linalg.eigvalsh(info) > 0) and np.all(np.abs(beta[1:]) < 30.0))
    except (np.linalg.LinAlgError, RuntimeError, FloatingPointError):
        return None
    if not ok or (trend and math.expm1(beta[-1]) > LIMITS["factor"]):
        return None
    return beta, cov


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


def fit_rates(name: str, created: np.ndarray, first_day: np.datetime64, n_days: int, *,
              anchor: np.datetime64 | None = None, seasonal: bool | None = None,
              weekday: bool | None = None, trend: bool | None = None, z: float = 1.959964,
              min_profile_requests: int = 100, overdispersed: bool = False) -> RateFit:
    """Fit one category's daily counts over ``n_days`` whole days from ``first_day``.

    Parameters
    ----------
    name : str
        The category (for notes and errors).
    created : numpy.ndarray
        Its requests' creation times (``datetime64``); those outside the window are ignored.
    first_day, n_days :
        The window of whole days the counts cover.
    anchor : numpy.datetime64, optional
        The day ``rate_per_day`` refers to (the scenario's ``start``; default ``first_day``).
    seasonal, weekday, trend : bool or None
        Fit the monthly profile, the weekday profile, the trend; ``None`` fits each when the
        log supports it (every month covered for at least 28 days; at least two weeks; at
        least a year) and, for the profiles, the category has ``min_profile_requests``.
    z : float
        The normal quantile of the intervals (1.96 for 95%).
    overdispersed : bool
        Scale the standard errors by the square root of the dispersion when it exceeds 1
        (quasi-Poisson).

    Returns
    -------
    RateFit
    """
    days = first_day + np.arange(n_days)
    day = created.astype("datetime64[D]")
    inside = (day >= first_day) & (day < first_day + n_days)
    counts = np.bincount((day[inside] - first_day).astype(np.int64), minlength=n_days).astype(float)
    n = int(counts.sum())
    anchor = first_day if anchor is None else anchor
    lag = float((anchor - first_day).astype(np.int64)) / 365.25
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    wday = (days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    notes: list[str] = []
    if n == 0:
        notes.append(f"{name}: no request in the window of whole days; its rate is 0")
        row = {"quantity": "rate_per_day", "level": "", "estimate": 0.0, "se": math.nan,
               "ci_low": 0.0, "ci_high": math.nan, "n": 0}
        return RateFit(0.0, None, None, 0.0, math.nan, 0, [row], notes)
    enough = n >= min_profile_requests
    use_m = _choose(name, "seasonal", seasonal,
                    *_profile_ok(month, counts, 12, MIN_DAYS_PER_MONTH), enough, notes)
    use_w = _choose(name, "weekday", weekday,
                    *(_profile_ok(wday, counts, 7, 1) if n_days >= MIN_DAYS_FOR_WEEKDAY
                      else (False, "the log is under two weeks")), enough, notes)
    one_day = int((counts > 0).sum()) < 2  # no trend can be told from a single day
    if trend is None:
        use_t = n_days >= MIN_DAYS_FOR_TREND and not one_day
        if not use_t:
            notes.append(f"{name}: trend not fitted (" + ("the log covers under a year" if
                         n_days < MIN_DAYS_FOR_TREND else "its requests all fall on one day")
                         + ")")
    elif trend and (n_days < 2 or one_day):
        raise GovsimError(f"cannot fit the trend of {name!r}: " + (
            "the log is one day long" if n_days < 2 else "its requests all fall on one day"),
            "trend")
    else:
        use_t = bool(trend)

    while True:
        columns = [np.ones(n_days)]
        if use_m:
            columns += [(month == k).astype(float) for k in range(1, 12)]
        if use_w:
            columns += [(wday == k).astype(float) for k in range(1, 7)]
        if use_t:
            columns.append((np.arange(n_days) + 0.5) / 365.25)
        x = np.column_stack(columns)
        fitted = _identified(x, counts, use_t)
        if fitted is not None:
            beta, cov = fitted
            break
        if not (use_t and trend is None):
            raise GovsimError(f"cannot identify the arrival rates of {name!r}: its requests are "
                              "too concentrated in time to fit the profiles and the trend asked "
                              "for (pass seasonal=False, weekday=False or trend=False)",
                              "trend" if use_t else "seasonal" if use_m else "weekday")
        notes.append(f"{name}: trend not fitted (its requests are too concentrated in time to "
                     f"tell one, or it would exceed {LIMITS['factor']:g} a year)")
        use_t = False
    mu = np.exp(x @ beta)
    dof = max(n_days - x.shape[1], 1)
    dispersion = float(((counts - mu) ** 2 / mu).sum() / dof)
    if overdispersed and dispersion > 1.0:
        cov = cov * dispersion

    # the normalised quantities on the log scale, and their Jacobian in the coefficients
    p = x.shape[1]
    outputs: list[tuple[str, str, np.ndarray, float, int]] = []  # quantity, level, grad, value, n
    grad_rate = np.zeros(p)
    grad_rate[0] = 1.0
    log_rate = beta[0]
    k = 1
    seasonal_out = weekday_out = None
    profiles: list[tuple[str, tuple[str, ...], np.ndarray, slice]] = []
    if use_m:
        profiles.append(("seasonal", MONTHS, month, slice(k, k + 11)))
        k += 11
    if use_w:
        profiles.append(("weekday", WEEKDAYS, wday, slice(k, k + 6)))
        k += 6
    for quantity, levels, level_of_day, cols in profiles:
        size = len(levels)
        logs = np.concatenate([[0.0], beta[cols]])
        factors = np.exp(logs) / np.exp(logs).mean()
        log_rate += math.log(np.exp(logs).mean())
        grad_rate[cols] = factors[1:] / size
        per_level = np.bincount(level_of_day, weights=counts, minlength=size).astype(int)
        for j in range(size):
            g = np.zeros(p)
            g[cols] = -factors[1:] / size
            if j > 0:
                g[cols.start + j - 1] += 1.0
            outputs.append((quantity, levels[j], g, float(np.log(factors[j])), int(per_level[j])))
        if quantity == "seasonal":
            seasonal_out = tuple(float(f) for f in factors)
        else:
            weekday_out = tuple(float(f) for f in factors)
    growth = 0.0
    if use_t:
        log_rate += beta[-1] * lag
        grad_rate[-1] = lag
        growth = beta[-1]
    if log_rate > math.log(LIMITS["rate per day"]):
        raise GovsimError(f"carried along its trend to {anchor}, the rate of {name!r} would be "
                          f"above the {LIMITS['rate per day']:,.0f} a day a scenario allows; "
                          "choose a start nearer the log, or pass trend=False", "start")
    outputs.insert(0, ("rate_per_day", "", grad_rate, float(log_rate), n))

    rows: list[dict[str, object]] = []
    for quantity, level, g, value, count in outputs:
        se_log = math.sqrt(max(float(g @ cov @ g), 0.0))
        est = math.exp(value)
        rows.append({"quantity": quantity, "level": level, "estimate": est, "se": est * se_log,
                     "ci_low": math.exp(value - z * se_log), "ci_high": math.exp(value + z * se_log),
                     "n": count})
    trend_value = math.expm1(growth)
    if use_t:
        se_c = math.sqrt(float(cov[-1, -1]))
        rows.append({"quantity": "trend_per_year", "level": "", "estimate": trend_value,
                     "se": math.exp(growth) * se_c, "ci_low": math.expm1(growth - z * se_c),
                     "ci_high": math.expm1(growth + z * se_c), "n": n})
    return RateFit(rate_per_day=math.exp(log_rate), seasonal=seasonal_out, weekday=weekday_out,
                   trend_per_year=trend_value, dispersion=dispersion, requests=n, rows=rows,
                   notes=notes)

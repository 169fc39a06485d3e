"""Kaplan-Meier quantiles of right-censored durations.

Layer: stats. Cases still open (or abandoned) at the horizon have not been resolved: their
time to resolution is right-censored, not missing. These functions estimate quantiles of the
time to resolution with the product-limit estimator, so censored cases count for as long as
they were observed.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = ["km_rmst", "km_median", "km_quantile", "km_quantile_ci", "km_survival"]

# Absolute slack used when comparing an estimated survival probability with a
# target level. The Kaplan-Meier estimate is a running product, so a value
# that is exactly 0.5 in exact arithmetic may come out as 0.5000000000000001.
_SURVIVAL_TOL = 1e-10


def km_quantile(durations: npt.ArrayLike, observed: npt.ArrayLike, q: float) -> float:
    """Kaplan-Meier quantile of right-censored durations.

    The survival function is estimated with the product-limit (Kaplan-Meier)
    estimator at the distinct observed times (the same arithmetic as
    :func:`scipy.stats.ecdf` on :class:`scipy.stats.CensoredData`, without
    importing scipy), and the `q` quantile is the smallest
    time ``t`` with ``S(t) <= 1 - q``: the time by which a fraction `q` of
    the items is estimated to have had the event (e.g. to be resolved).

    Parameters
    ----------
    durations : array_like
        One-dimensional non-negative durations: time to the event for
        observed items, time to censoring (end of follow-up) otherwise.
    observed : array_like of bool
        Same length as `durations`; True when the event was observed, False
        when the duration is right-censored.
    q : float
        Probability in ``(0, 1]``; 0.5 gives the median, 0.9 the time by
        which 90 % of items have had the event.

    Returns
    -------
    float
        The quantile, or NaN when the input is empty or the estimated
        survival never drops to ``1 - q`` within follow-up (including the
        case where nothing was observed). Survival probabilities within
        ``1e-10`` of ``1 - q`` count as reaching it, to absorb rounding in
        the running product.

    Raises
    ------
    ValueError
        If the arrays are not one-dimensional with equal length, a duration
        is negative or NaN, or `q` is out of range.

    Notes
    -----
    Without censoring the estimate reduces to the empirical distribution
    function, so the median is the lower sample median (``[1, 2, 3, 4]``
    gives 2). The computation is sorting-based and vectorised.
    """
    level = float(q)
    if not 0.0 < level <= 1.0:
        raise ValueError(f"q must lie in (0, 1], got {q!r}")
    times = np.asarray(durations, dtype=float)
    events = np.asarray(observed, dtype=bool)
    if times.ndim != 1 or events.ndim != 1:
        raise ValueError("durations and observed must be one-dimensional")
    if times.shape != events.shape:
        raise ValueError(f"durations and observed differ in length: {times.size} != {events.size}")
    if times.size == 0:
        return math.nan
    if np.isnan(times).any():
        raise ValueError("durations contain NaN")
    if (times < 0).any():
        raise ValueError("durations must be non-negative")
    if not events.any():
        # Survival stays at 1 throughout: no quantile is ever reached.
        return math.nan

    t, sf = _product_limit(times[events], times[~events])
    reached = np.flatnonzero(sf <= (1.0 - level) + _SURVIVAL_TOL)
    if reached.size == 0:
        return math.nan
    return float(t[reached[0]])


def _product_limit(resolved: np.ndarray, censored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct times and the Kaplan-Meier survival just after each: at each time, the
    number still at risk ``n`` and the events ``d`` there give the factor ``(n - d) / n``."""
    # (one byte a flag, and the numbers at risk only at the distinct times: a year of a large
    # city is millions of durations; the cumulative sum counts in int64 all the same)
    times = np.concatenate((resolved, censored))
    died = np.concatenate((np.ones(resolved.size, dtype=np.int8),
                           np.zeros(censored.size, dtype=np.int8)))
    order = np.argsort(times)
    times = times[order]
    died = died[order]
    del order
    bounds = np.diff(times, prepend=-np.inf, append=np.inf) > 0
    first, last = bounds[:-1], bounds[1:]  # first and last entry of each distinct time
    n = times.size - np.flatnonzero(first)  # still at risk at each distinct time
    d = np.diff(np.cumsum(died, dtype=np.int64)[last], prepend=0)
    return times[first], np.cumprod((n - d) / n)


def km_survival(durations: npt.ArrayLike, observed: npt.ArrayLike,
                at: npt.ArrayLike) -> np.ndarray:
    """Kaplan-Meier survival S(t) at each time of ``at``: the share of cases still without
    the event just after t (1 before the first event; right-continuous steps). Beyond the
    last time anyone was followed it is 0 if everyone had the event, else NaN (the estimate
    says nothing there)."""
    times = np.asarray(durations, dtype=float)
    events = np.asarray(observed, dtype=bool)
    grid = np.asarray(at, dtype=float)
    if times.size == 0:
        return np.full(grid.shape, np.nan)
    t, sf = _product_limit(times[events], times[~events])
    idx = np.searchsorted(t, grid, side="right") - 1
    out = np.where(idx >= 0, sf[np.maximum(idx, 0)], 1.0)
    return np.where((grid > times.max()) & (sf[-1] > 0.0), np.nan, out)


def km_rmst(durations: npt.ArrayLike, observed: npt.ArrayLike, tau: float) -> float:
    """Kaplan-Meier restricted mean of right-censored durations up to ``tau``: the area under
    the estimated survival curve from 0 to ``tau``, i.e. the mean time to the event when every
    item still without it at ``tau`` counts as ``tau``. Defined however many items are censored,
    so long as someone was followed to ``tau`` (else NaN: the curve is unknown there); NaN for
    no items."""
    times = np.asarray(durations, dtype=float)
    events = np.asarray(observed, dtype=bool)
    limit = float(tau)
    if not limit > 0.0:
        raise ValueError(f"tau must be positive, got {tau!r}")
    if times.size == 0:
        return math.nan
    t, sf = _product_limit(times[events], times[~events])
    if times.max() < limit and sf[-1] > 0.0:  # nobody followed to tau, some still waiting
        return math.nan
    keep = t < limit
    # survival is 1 until the first time, then sf[i] from t[i] to t[i+1] (or to tau)
    edges = np.concatenate(([0.0], t[keep], [limit]))
    heights = np.concatenate(([1.0], sf[keep]))
    return float(np.sum(heights * np.diff(edges)))


def km_median(durations: npt.ArrayLike, observed: npt.ArrayLike) -> float:
    """Kaplan-Meier median of right-censored durations.

    Parameters
    ----------
    durations : array_like
        One-dimensional non-negative durations (event or censoring times).
    observed : array_like of bool
        True when the event was observed, False when right-censored.

    Returns
    -------
    float
        Smallest time ``t`` with estimated survival ``S(t) <= 0.5``; NaN for
        empty input or when the median is not reached within follow-up.

    Raises
    ------
    ValueError
        See :func:`km_quantile`.

    See Also
    --------
    km_quantile : General quantiles; this is ``km_quantile(..., q=0.5)``.

    Examples
    --------
    >>> km_median([1.0, 2.0, 3.0, 4.0, 5.0], [True] * 5)
    3.0
    """
    return km_quantile(durations, observed, 0.5)


def km_quantile_ci(days: np.ndarray, closed: np.ndarray, q: float,
                   confidence: float) -> tuple[float, float, float]:
    """The Kaplan-Meier ``q`` quantile of right-censored ``days`` and its Brookmeyer-Crowley
    interval: from the first time the pointwise lower limit of the survival reaches ``1 - q``
    to the first time the upper limit does (Greenwood's variance, log-log scale). A limit the
    curve never reaches is NaN (the upper one: beyond follow-up)."""
    point = km_quantile(days, closed, q)
    if days.size == 0 or not closed.any():
        return point, math.nan, math.nan
    order = np.argsort(days, kind="stable")
    t, e = days[order], closed[order].astype(np.int64)
    at_risk = np.arange(t.size, 0, -1)
    last = np.diff(t, append=np.inf) > 0
    first = np.diff(t, prepend=-np.inf) > 0
    n, d = at_risk[first], np.diff(np.cumsum(e)[last], prepend=0)
    surv = np.cumprod((n - d) / n)
    var = np.cumsum(np.where(n > d, d / np.maximum(n * (n - d), 1), 0.0))  # Greenwood
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(var) / np.abs(np.log(surv))
        mid = (surv > 0) & (surv < 1)
        lower = np.where(mid, surv ** np.exp(z * se), surv)
        upper = np.where(mid, surv ** np.exp(-z * se), surv)
    times, target = t[last], 1.0 - q

    def reach(band: np.ndarray) -> float:
        hit = np.flatnonzero(band <= target + _SURVIVAL_TOL)
        return float(times[hit[0]]) if hit.size else math.nan

    return point, reach(lower), reach(upper)

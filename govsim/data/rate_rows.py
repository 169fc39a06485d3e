"""The estimates of a rate fit, with their intervals: the rate at the anchor day, the monthly
and weekday profiles normalised to average 1, and the trend.

Layer: data. Each estimate is a function of the Poisson coefficients on the log scale; its
standard error comes from their covariance by the delta method (the gradient of the
normalised quantity), and its interval is ``exp(log value ± z·se)``.
"""

from __future__ import annotations

import math

import numpy as np

from govsim.scenario.base import LIMITS

__all__ = ["estimate_rows", "MONTHS", "WEEKDAYS"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: a capped quantity is kept this far (on the log scale) inside its bound, so that rounding it
#: to 6 significant digits cannot carry it over
MARGIN = 1e-5


def log_level(beta: np.ndarray, profiles: list[slice]) -> float:
    """The log rate at ``t = 0`` on an average day (the profiles normalised to average 1)."""
    out = float(beta[0])
    for cols in profiles:
        out += math.log(np.exp(np.concatenate([[0.0], beta[cols]])).mean())
    return out


def estimate_rows(name: str, counts: np.ndarray, month: np.ndarray, wday: np.ndarray,
                  beta: np.ndarray, cov: np.ndarray, profiles: list[slice], growth: float,
                  free_trend: bool, lag: float, z: float, lr: float, p_value: float,
                  notes: list[str]
                  ) -> tuple[list[dict[str, object]], tuple[float, ...] | None,
                             tuple[float, ...] | None, float]:
    """The rows of a rate fit's estimates (rate at the anchor ``lag`` years from the first
    active day, each profile level, the trend), the profiles' factors and the log rate."""
    n = int(counts.sum())
    # the normalised quantities on the log scale, and their Jacobian in the coefficients
    p = beta.size
    outputs: list[tuple[str, str, np.ndarray, float, int]] = []  # quantity, level, grad, value, n
    grad_rate = np.zeros(p)
    grad_rate[0] = 1.0
    log_rate = log_level(beta, profiles) + growth * lag
    seasonal_out = weekday_out = None
    for cols in profiles:
        is_month = cols.stop - cols.start == 11
        quantity, levels, level_of_day = (("seasonal", MONTHS, month) if is_month
                                          else ("weekday", WEEKDAYS, wday))
        size = len(levels)
        logs = np.concatenate([[0.0], beta[cols]])
        factors = np.exp(logs) / np.exp(logs).mean()
        grad_rate[cols] = factors[1:] / size
        per_level = np.bincount(level_of_day, weights=counts, minlength=size).astype(int)
        for j in range(size):
            g = np.zeros(p)
            g[cols] = -factors[1:] / size
            if j > 0:
                g[cols.start + j - 1] += 1.0
            outputs.append((quantity, levels[j], g, float(np.log(factors[j])), int(per_level[j])))
        if is_month:
            seasonal_out = tuple(float(f) for f in factors)
        else:
            weekday_out = tuple(float(f) for f in factors)
    if free_trend:
        grad_rate[-1] = lag
    top = math.log(LIMITS["rate per day"]) - MARGIN
    if log_rate > top:  # pragma: no cover - a log's own rate is far below the bound
        notes.append(f"{name}: rate capped at the {LIMITS['rate per day']:,.0f} a day a scenario "
                     f"allows (fitted {math.exp(log_rate):.4g})")
        log_rate = top
    outputs.insert(0, ("rate_per_day", "", grad_rate, float(log_rate), n))

    rows: list[dict[str, object]] = []
    for quantity, level, g, value, count in outputs:
        se_log = math.sqrt(max(float(g @ cov @ g), 0.0))
        est = math.exp(value)
        rows.append({"quantity": quantity, "level": level, "estimate": est, "se": est * se_log,
                     "ci_low": math.exp(value - z * se_log), "ci_high": math.exp(value + z * se_log),
                     "n": count})
    if growth or free_trend:
        se_c = math.sqrt(float(cov[-1, -1])) if free_trend else math.nan
        rows.append({"quantity": "trend_per_year", "level": "", "estimate": math.expm1(growth),
                     "se": math.exp(growth) * se_c, "ci_low": math.expm1(growth - z * se_c),
                     "ci_high": math.expm1(growth + z * se_c), "n": n, "lr": lr,
                     "p_value": p_value,  # and cov(log rate at anchor, log growth a year):
                     "cov_log_rate": float(grad_rate @ cov[:, -1]) if free_trend else math.nan})
    return rows, seasonal_out, weekday_out, log_rate

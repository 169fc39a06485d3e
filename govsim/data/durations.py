"""Time to close, fitted by censored maximum likelihood.

Layer: data (scipy imported inside the functions). A request closed after ``t`` days contributes
its density at ``t``; one still open at the log's end, after ``c`` days, contributes the
probability of lasting longer than ``c`` (right-censored); one closed within the time stamps'
resolution (closed "at once", often an automatic closure) contributes the probability of closing
within it (interval-censored), since a zero duration has no density. Three families are fitted
(gamma, lognormal, Weibull) and the one with the smallest AIC kept, its likelihood summed over
the distinct durations weighted by their counts (a :class:`Sample`); standard errors from the
inverse of the numerically differentiated observed information, carried to the mean and cv by
the delta method; intervals of positive quantities built on the log scale.

A log shows the time to close only up to its longest duration ``tau``: a heavy-tailed family can
put almost all of its mean beyond it (means of thousands of days for queues whose median is
days). Beside the family's mean, the fit reports its *restricted* mean ``E[min(T, tau)]`` and cv
(:mod:`govsim.data.restricted`), which depend only on what the log could show, with the
Kaplan-Meier restricted mean as a check, and flags a fit whose mean lies mostly beyond ``tau``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from govsim.data.restricted import restricted_log_summary
from govsim.errors import GovsimError, shown
from govsim.moved import renamed
from govsim.stats.survival import km_median, km_rmst

__all__ = ["EXTRAPOLATED", "DISTRIBUTION_FAMILIES", "DurationFit", "Sample", "fit_durations", "MIN_CLOSED"]

DISTRIBUTION_FAMILIES = ("gamma", "lognormal", "weibull")
#: a group needs this many closed requests to be fitted
MIN_CLOSED = 5
#: a fit is ``extrapolated`` when its mean exceeds this many times the restriction ``tau``
EXTRAPOLATED = 3.0
#: native parameters per family: (name, positive?)
PARAMETERS = {"gamma": (("shape", True), ("scale_days", True)),
              "lognormal": (("mu", False), ("sigma", True)),
              "weibull": (("shape", True), ("scale_days", True))}


@dataclass(frozen=True)
class DurationFit:
    """The chosen family's fit of one group's time to close, in days.

    ``mean_days`` and ``cv`` are the family's own (infinite when its moments are); ``rmean_days``
    and ``rcv`` those of ``min(T, tau_days)``, the time to close counted up to ``tau_days`` (the
    longest duration in the group unless given), with ``se_rmean`` by the delta method (``tau``
    held fixed) and ``km_rmean_days`` the Kaplan-Meier restricted mean (NaN when nobody was
    followed to ``tau_days`` and some were still open). ``extrapolated`` says the mean exceeds
    :data:`EXTRAPOLATED` times ``tau_days``: it lies mostly beyond what the log observes.
    ``families`` holds one summary per family tried (log-likelihood, AIC, mean, cv, median,
    restricted mean and cv, ``tau_days``, ``km_rmean_days``, ``extrapolated``); ``rows`` are the
    estimates' table rows (mean, cv, the chosen family's parameters, then the restricted mean and
    cv, whose level names ``tau``).
    """

    family: str
    mean_days: float
    cv: float
    se_mean: float
    se_cv: float
    median_days: float
    km_median_days: float
    tau_days: float
    rmean_days: float
    rcv: float
    se_rmean: float
    se_rcv: float
    km_rmean_days: float
    extrapolated: bool
    requests: int
    closed: int
    censored: int
    at_once: int
    families: list[dict[str, object]] = field(repr=False)
    rows: list[dict[str, object]] = field(repr=False)


@dataclass(frozen=True)
class Sample:
    """A group's durations compressed to distinct values with counts (``w_*``), and the weighted
    sums the log-likelihood needs, so that it costs one pass over the distinct values (none over
    the exact times for gamma and lognormal, whose sufficient statistics are sums)."""

    exact: np.ndarray
    w_exact: np.ndarray
    censored: np.ndarray
    w_censored: np.ndarray
    at_once: float
    resolution: float
    n_exact: float = field(init=False)
    sum_exact: float = field(init=False)
    sum_log: float = field(init=False)
    mean_log: float = field(init=False)
    ss_log: float = field(init=False)
    log_censored: np.ndarray = field(init=False, repr=False)
    log_all: np.ndarray = field(init=False, repr=False)
    w_all: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        log_exact = np.log(self.exact)
        n = float(self.w_exact.sum())
        mean_log = float(self.w_exact @ log_exact) / n
        put = object.__setattr__
        put(self, "n_exact", n)
        put(self, "sum_exact", float(self.w_exact @ self.exact))
        put(self, "sum_log", float(self.w_exact @ log_exact))
        put(self, "mean_log", mean_log)
        put(self, "ss_log", float(self.w_exact @ (log_exact - mean_log) ** 2))
        put(self, "log_censored", np.log(self.censored))
        put(self, "log_all", np.concatenate([log_exact, self.log_censored]))
        put(self, "w_all", np.concatenate([self.w_exact, self.w_censored]))


def _distinct(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (sorted) and the total weight of each."""
    unique, where = np.unique(values, return_inverse=True)
    return unique, np.bincount(where, weights=weights, minlength=unique.size)


def _loglik(family: str, p: np.ndarray, s: Sample) -> float:
    """Log-likelihood: density at the exact times, survival beyond the censoring times and,
    for the ``at_once`` requests, the probability of closing within ``resolution`` -- each
    distinct value counted as often as it occurs."""
    from scipy import special

    a, b = float(p[0]), float(p[1])
    if family == "gamma":  # p = (log shape, log mean)
        k = math.exp(a)
        theta = math.exp(b) / k
        total = (k - 1.0) * s.sum_log - s.sum_exact / theta \
            - s.n_exact * (k * math.log(theta) + special.gammaln(k))
        tail = (s.w_censored * np.log(np.maximum(special.gammaincc(k, s.censored / theta),
                                                1e-300))).sum()
        soon = math.log(max(float(special.gammainc(k, s.resolution / theta)), 1e-300))
    elif family == "lognormal":  # p = (mu, log sigma)
        sigma = math.exp(b)
        squares = s.ss_log + s.n_exact * (s.mean_log - a) ** 2  # sum of (log x - mu)^2
        total = -s.sum_log - 0.5 * squares / (sigma * sigma) \
            - s.n_exact * (b + 0.5 * math.log(2 * math.pi))
        tail = (s.w_censored * special.log_ndtr(-(s.log_censored - a) / sigma)).sum()
        soon = float(special.log_ndtr((math.log(s.resolution) - a) / sigma))
    else:  # weibull: p = (log shape, log scale); exact and censored share the exp term
        k = math.exp(a)
        with np.errstate(over="ignore"):
            cumulative = (s.w_all * np.exp((s.log_all - b) * k)).sum()  # not BLAS: no threads
        total = s.n_exact * (a - b) + (k - 1.0) * (s.sum_log - s.n_exact * b) - cumulative
        tail = 0.0
        soon = math.log(max(-math.expm1(-_exp((math.log(s.resolution) - b) * k)), 1e-300))
    value = float(total + tail + s.at_once * soon)
    return value if math.isfinite(value) else -math.inf


def _exp(x: float) -> float:
    """``exp(x)``, infinite instead of an OverflowError."""
    return math.exp(x) if x < 709.0 else math.inf


def _median(family: str, p: np.ndarray) -> float:
    from scipy import special

    a, b = float(p[0]), float(p[1])
    if family == "gamma":
        k = math.exp(a)
        return float(special.gammaincinv(k, 0.5)) * math.exp(b) / k
    if family == "lognormal":
        return math.exp(a)
    return math.exp(b) * math.log(2.0) ** math.exp(-a)


def _summary(family: str, p: np.ndarray) -> np.ndarray:
    """log mean, log cv and the native parameters (log of the positive ones)."""
    from scipy.special import gammaln

    a, b = float(p[0]), float(p[1])
    if family == "gamma":  # p = (log shape, log mean)
        return np.array([b, -a / 2.0, a, b - a])
    if family == "lognormal":  # p = (mu, log sigma)
        s2 = math.exp(2.0 * b)
        return np.array([a + s2 / 2.0, 0.5 * _log_expm1(s2), a, b])
    k = math.exp(a)  # weibull: p = (log shape, log scale)
    g1, g2 = gammaln(1.0 + 1.0 / k), gammaln(1.0 + 2.0 / k)
    return np.array([b + g1, 0.5 * _log_expm1(max(g2 - 2.0 * g1, 1e-300)), a, b])


def _log_expm1(x: float) -> float:
    """``log(exp(x) - 1)`` for ``x > 0``, without overflow."""
    return x + math.log(-math.expm1(-x)) if x > 1.0 else math.log(math.expm1(x))


def _start(family: str, mean: float, cv: float) -> np.ndarray:
    from scipy.special import gammaln

    cv = min(max(cv, 0.2), 5.0)
    if family == "gamma":
        return np.array([-2.0 * math.log(cv), math.log(mean)])
    if family == "lognormal":
        s2 = math.log1p(cv * cv)
        return np.array([math.log(mean) - s2 / 2.0, 0.5 * math.log(s2)])
    k = cv ** -1.086
    return np.array([math.log(k), math.log(mean) - float(gammaln(1.0 + 1.0 / k))])


def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    n = x.size
    out = np.empty((n, n))
    e = np.eye(n) * h
    for i in range(n):
        for j in range(i, n):
            out[i, j] = out[j, i] = (f(x + e[i] + e[j]) - f(x + e[i] - e[j])
                                     - f(x - e[i] + e[j]) + f(x - e[i] - e[j])) / (4 * h * h)
    return out


def _jacobian(g: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    return np.column_stack([(g(x + h * e) - g(x - h * e)) / (2 * h) for e in np.eye(x.size)])


def _fit_family(family: str, sample: Sample, mean: float,
                cv: float) -> tuple[float, np.ndarray, np.ndarray]:
    from scipy import optimize

    def nll(p: np.ndarray) -> float:
        if not np.all(np.abs(p) < 50.0):
            return math.inf
        return -_loglik(family, p, sample)

    x0 = _start(family, mean, cv)
    best = optimize.minimize(nll, x0, method="Nelder-Mead",
                             options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000})
    polish = optimize.minimize(nll, best.x, method="BFGS", options={"gtol": 1e-7})
    if polish.fun <= best.fun:
        best = polish
    info = _hessian(nll, best.x)
    try:
        cov = np.linalg.inv(info)
        if not np.all(np.linalg.eigvalsh(info) > 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), math.nan)
    return -float(best.fun), best.x, cov


def fit_durations(days: np.ndarray, closed: np.ndarray, *, resolution: float = 1.0 / 1440.0,
                  families: Sequence[str] = DISTRIBUTION_FAMILIES, z: float = 1.959964,
                  weights: np.ndarray | None = None,
                  horizon_days: float | None = None) -> DurationFit | None:
    """Fit the time to close of one group of requests.

    The log-likelihood is evaluated over the distinct durations, each weighted by how often it
    occurs, so a log whose stamps repeat (whole days, whole minutes) fits as fast as its distinct
    values; the estimates are those of the fit to every request, up to rounding.

    Parameters
    ----------
    days : numpy.ndarray
        Days from creation to closing (``closed``) or to the log's end (still open).
    closed : numpy.ndarray of bool
        Whether each request was closed.
    resolution : float
        Closing times under this many days count as "closed within the resolution"
        (interval-censored at it); default one minute.
    families : sequence of str
        The families to try, among ``"gamma"``, ``"lognormal"``, ``"weibull"``.
    z : float
        The normal quantile of the intervals.
    weights : numpy.ndarray of int, optional
        How many requests each entry stands for (default one each): the fit equals the fit to
        the entries repeated that many times.
    horizon_days : float, optional
        The restriction ``tau`` of the restricted mean and cv (days > 0); default the longest
        duration in the group, closed or still open.

    Returns
    -------
    DurationFit or None
        ``None`` when fewer than :data:`MIN_CLOSED` requests were closed, or the closed ones
        took fewer than two distinct times (no spread can be fitted to them).

    Raises
    ------
    GovsimError
        An unknown family (path ``families``), ``weights`` that are not one whole number
        >= 0 a duration (path ``weights``), or a ``horizon_days`` that is not a positive number
        (path ``horizon_days``).
    """
    unknown = [f for f in families if f not in DISTRIBUTION_FAMILIES]
    if unknown or not families:
        raise GovsimError(f"unknown families {unknown}; choose among {', '.join(DISTRIBUTION_FAMILIES)}"
                          if unknown else "name at least one family", "families")
    if horizon_days is not None and (isinstance(horizon_days, bool) or not isinstance(
            horizon_days, int | float | np.number) or not 0.0 < float(horizon_days) < math.inf):
        raise GovsimError(f"must be a positive number of days, got {shown(horizon_days)}",
                          "horizon_days")
    days = np.asarray(days, dtype=float)
    closed = np.asarray(closed, dtype=bool)
    counts = np.ones(days.size) if weights is None else np.asarray(weights, dtype=float)
    if counts.shape != days.shape or not np.all((counts >= 0) & (counts == np.round(counts))):
        raise GovsimError("must be one whole number >= 0 for each duration", "weights")
    if weights is not None:  # an entry that stands for no request is no entry
        days, closed, counts = days[counts > 0], closed[counts > 0], counts[counts > 0]
    soon = closed & (days < resolution)
    exact, w_exact = _distinct(days[closed & ~soon], counts[closed & ~soon])
    censored, w_censored = _distinct(np.maximum(days[~closed], resolution), counts[~closed])
    n_closed = float(counts[closed].sum())
    if n_closed < MIN_CLOSED or exact.size < 2:
        return None
    sample = Sample(exact, w_exact, censored, w_censored, float(counts[soon].sum()), resolution)
    mean = sample.sum_exact / sample.n_exact
    cv = math.sqrt(float(w_exact @ (exact - mean) ** 2) / sample.n_exact) / mean
    tau = float(days.max()) if horizon_days is None else float(horizon_days)
    km_days, km_closed = days, closed  # the Kaplan-Meier estimates take one entry a request
    if weights is not None:
        times = counts.astype(np.int64)
        km_days, km_closed = np.repeat(days, times), np.repeat(closed, times)
    km_rmean = km_rmst(km_days, km_closed, tau)

    fits: dict[str, tuple[float, np.ndarray, np.ndarray]] = {}
    for family in families:
        fits[family] = _fit_family(family, sample, mean, cv)
    chosen = min(fits, key=lambda f: -2.0 * fits[f][0] + 4.0)
    tried: list[dict[str, object]] = []
    for family, (loglik, p, _) in fits.items():
        summary = _summary(family, p)
        restricted = _restricted(family, p, tau)
        tried.append({"family": family, "loglik": loglik, "aic": 4.0 - 2.0 * loglik,
                      "mean_days": _exp(summary[0]), "cv": _exp(summary[1]),
                      "median_days": _median(family, p), "tau_days": tau,
                      "rmean_days": math.exp(restricted[0]), "rcv": math.exp(restricted[1]),
                      "km_rmean_days": km_rmean,
                      "extrapolated": bool(summary[0] > math.log(EXTRAPOLATED * tau)),
                      "chosen": family == chosen})
    best_aic = min(float(t["aic"]) for t in tried)  # type: ignore[arg-type]
    for t in tried:
        t["delta_aic"] = float(t["aic"]) - best_aic  # type: ignore[arg-type]

    _, p, cov = fits[chosen]
    n = int(counts.sum())
    rows = _rows(_summary, chosen, p, cov, z, n, ("duration_mean_days", "duration_cv") + tuple(
        f"{chosen}_{name}" for name, _ in PARAMETERS[chosen]),
        (True, True) + tuple(pos for _, pos in PARAMETERS[chosen]), chosen)
    up_to = f"{tau:.1f}" if tau >= 1.0 else f"{tau:.3g}"
    rows += _rows(lambda f, q: _restricted(f, q, tau), chosen, p, cov, z, n,
                  ("duration_rmean_days", "duration_rcv"), (True, True),
                  f"{chosen}, up to {up_to} days")
    est = {str(r["quantity"]): r for r in rows}
    mean_row, cv_row = est["duration_mean_days"], est["duration_cv"]
    rmean_row, rcv_row = est["duration_rmean_days"], est["duration_rcv"]
    return DurationFit(family=chosen, mean_days=float(mean_row["estimate"]),  # type: ignore[arg-type]
                       cv=float(cv_row["estimate"]), se_mean=float(mean_row["se"]),  # type: ignore[arg-type]
                       se_cv=float(cv_row["se"]),  # type: ignore[arg-type]
                       median_days=_median(chosen, p),
                       km_median_days=km_median(km_days, km_closed), tau_days=tau,
                       rmean_days=float(rmean_row["estimate"]),  # type: ignore[arg-type]
                       rcv=float(rcv_row["estimate"]), se_rmean=float(rmean_row["se"]),  # type: ignore[arg-type]
                       se_rcv=float(rcv_row["se"]),  # type: ignore[arg-type]
                       km_rmean_days=km_rmean,
                       extrapolated=bool(next(t["extrapolated"] for t in tried
                                              if t["family"] == chosen)),
                       requests=n,
                       closed=int(n_closed), censored=int(counts[~closed].sum()),
                       at_once=int(sample.at_once), families=tried, rows=rows)


def _restricted(family: str, p: np.ndarray, tau: float) -> np.ndarray:
    """log restricted mean (at most ``log tau``) and log restricted cv."""
    out = restricted_log_summary(family, p, tau)
    out[0] = min(out[0], math.log(tau))
    return out


def _rows(summary: Callable[[str, np.ndarray], np.ndarray], family: str, p: np.ndarray,
          cov: np.ndarray, z: float, n: int, names: Sequence[str], positive: Sequence[bool],
          level: str) -> list[dict[str, object]]:
    """Table rows of ``summary``'s values (logs of the positive ones), their standard errors by
    the delta method through its numerical Jacobian, and intervals (on the log scale for the
    positive ones)."""
    values = summary(family, p)
    jac = _jacobian(lambda q: summary(family, q), p)
    var = np.diag(jac @ cov @ jac.T)
    rows: list[dict[str, object]] = []
    for name, pos, value, v in zip(names, positive, values, var, strict=True):
        se = math.sqrt(v) if v >= 0 else math.nan
        if pos:  # value and se are on the log scale
            est = _exp(value)
            rows.append({"quantity": name, "level": level, "estimate": est, "se": est * se,
                         "ci_low": _exp(value - z * se), "ci_high": _exp(value + z * se),
                         "n": n})
        else:
            rows.append({"quantity": name, "level": level, "estimate": float(value), "se": se,
                         "ci_low": value - z * se, "ci_high": value + z * se, "n": n})
    return rows


__getattr__ = renamed(__name__)  # FAMILIES, for one release

"""Restricted moments of the duration families: the mean and cv of ``min(T, tau)``.

Layer: data (scipy imported inside the functions). A log observes a time to close only up to its
longest duration ``tau``; beyond it a fitted family's tail is extrapolation, and a heavy tail can
put almost all of the mean there (a lognormal with sigma 4 has a mean ``e^8`` times its median).
The restricted mean ``E[min(T, tau)]``, the area under the survival curve from 0 to ``tau``, and
the restricted second moment ``E[min(T, tau)^2]`` depend only on what the log could show. Both are
computed in closed form from the partial moments ``E[T^r; T < tau]``: incomplete gamma functions
for gamma and Weibull, normal tail functions for the lognormal -- in logs, so that no tail,
however heavy, overflows. The parameter vectors ``p`` are those of
:mod:`govsim.data.durations`: gamma ``(log shape, log mean)``, lognormal ``(mu, log sigma)``,
Weibull ``(log shape, log scale)``, times in days.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["partial_moments", "restricted_log_summary", "restricted_mean_cv"]

#: ``log(tau / scale)`` (gamma) or ``log((tau / scale)^shape)`` (Weibull) is kept within this
#: bound, where every tail probability is 0 or 1 to double precision
_LOG_X_BOUND = 700.0
#: below this the regularized incomplete gamma is taken from its series, in logs
_TINY = 1e-250


def _log_p(s: float, log_x: float) -> float:
    """``log P(s, x)``, the regularized lower incomplete gamma function, also where ``P``
    underflows: then ``P(s, x) = x^s e^-x / Gamma(s + 1) * 1F1(1; s + 1; x)``."""
    from scipy import special

    x = math.exp(log_x)
    p = float(special.gammainc(s, x))
    if p > _TINY:
        return math.log(p)
    return s * log_x - x - float(special.gammaln(s + 1.0)) \
        + math.log(float(special.hyp1f1(1.0, s + 1.0, x)))


def _bounded_exp(log_value: float, cap: float) -> float:
    """``exp(log_value)`` within ``[0, cap]`` (``cap`` for NaN, which only absurd parameters
    give)."""
    if math.isnan(log_value):
        return cap
    return min(math.exp(min(log_value, 0.0)), cap)


def partial_moments(family: str, p: np.ndarray, tau: float) -> tuple[float, float, float, float]:
    """The partial moments of ``u = T / tau`` below 1 and the probabilities either side of it.

    Parameters
    ----------
    family : str
        ``"gamma"``, ``"lognormal"`` or ``"weibull"``.
    p : numpy.ndarray
        The family's parameters (see the module docstring), in days.
    tau : float
        The restriction, in days (> 0).

    Returns
    -------
    tuple of float
        ``E[u; u < 1]``, ``E[u^2; u < 1]``, ``F = P(T < tau)`` and ``S = P(T >= tau)``, each in
        ``[0, 1]``, with ``E[u^2; u < 1] <= E[u; u < 1] <= F``.
    """
    from scipy import special

    a, b = (min(max(float(v), -_LOG_X_BOUND), _LOG_X_BOUND) for v in p[:2])  # no overflow
    log_tau = math.log(tau)
    if family == "gamma":  # E[T^r; T < tau] = theta^r (k)_r P(k + r, tau / theta)
        k = math.exp(a)
        log_x = min(max(log_tau + a - b, -_LOG_X_BOUND), _LOG_X_BOUND)  # x = tau / theta
        x = math.exp(log_x)
        f, s = float(special.gammainc(k, x)), float(special.gammaincc(k, x))
        la1 = a - log_x + _log_p(k + 1.0, log_x)
        la2 = a + math.log1p(k) - 2.0 * log_x + _log_p(k + 2.0, log_x)
    elif family == "lognormal":  # E[T^r; T < tau] = e^(r mu + r^2 sigma^2 / 2) Phi(z - r sigma)
        sigma = math.exp(b)
        z = (log_tau - a) / sigma
        f, s = float(special.ndtr(z)), float(special.ndtr(-z))
        la1, la2 = (_lognormal_term(z, r * sigma) for r in (1.0, 2.0))
    else:  # weibull: E[T^r; T < tau] = scale^r Gamma(1 + r / k) P(1 + r / k, (tau / scale)^k)
        k = math.exp(a)
        log_x = min(max(k * (log_tau - b), -_LOG_X_BOUND), _LOG_X_BOUND)
        x = math.exp(log_x)
        f, s = -math.expm1(-x), math.exp(-x)
        la1, la2 = (_weibull_term(1.0 + r / k, log_x) for r in (1.0, 2.0))
    a1 = _bounded_exp(la1, f)
    return a1, _bounded_exp(la2, a1), f, s


def _lognormal_term(z: float, shift: float) -> float:
    """``log E[u^r; u < 1]`` for a lognormal, ``shift = r sigma``: ``(w^2 - z^2) / 2 +
    log Phi(w)`` with ``w = z - shift``, through the scaled erfc where ``w <= 0`` (no cancellation
    of two huge squares)."""
    from scipy import special

    w = z - shift
    if w > 0.0:
        return -0.5 * shift * (z + w) + float(special.log_ndtr(w))
    return -0.5 * z * z + math.log(0.5 * float(special.erfcx(-w / math.sqrt(2.0))))


def _weibull_term(s: float, log_x: float) -> float:
    """``log E[u^r; u < 1]`` for a Weibull, ``s = 1 + r / shape``: ``x^(1 - s) Gamma(s) P(s, x)``,
    whose series where ``P`` underflows is ``x e^-x / s * 1F1(1; s + 1; x)``."""
    from scipy import special

    x = math.exp(log_x)
    p = float(special.gammainc(s, x))
    if p > _TINY:
        return (1.0 - s) * log_x + float(special.gammaln(s)) + math.log(p)
    return log_x - x - math.log(s) + math.log(float(special.hyp1f1(1.0, s + 1.0, x)))


def restricted_log_summary(family: str, p: np.ndarray, tau: float) -> np.ndarray:
    """``log E[min(T, tau)]`` and the log of ``min(T, tau)``'s coefficient of variation.

    The variance is ``tau^2 (a2 - a1^2 + S (F - 2 a1))`` in the terms of
    :func:`partial_moments`, a form without cancellation whether most of the mass lies below
    ``tau`` or beyond it.
    """
    a1, a2, f, s = partial_moments(family, p, tau)
    m = max(a1 + s, 1e-300)  # E[min(T, tau)] / tau
    var = max(a2 - a1 * a1 + s * (f - 2.0 * a1), 1e-300)  # Var(min(T, tau)) / tau^2
    return np.array([math.log(tau) + math.log(m), 0.5 * math.log(var) - math.log(m)])


def restricted_mean_cv(family: str, p: np.ndarray, tau: float) -> tuple[float, float]:
    """``E[min(T, tau)]`` (days, in ``(0, tau]``) and the cv of ``min(T, tau)``.

    Examples
    --------
    An exponential with mean 10 days, counted up to 10 days: ``10 (1 - e^-1)``.

    >>> import numpy as np
    >>> mean, cv = restricted_mean_cv("gamma", np.log([1.0, 10.0]), 10.0)
    >>> round(mean, 6), round(10.0 * -math.expm1(-1.0), 6)
    (6.321206, 6.321206)
    """
    log_mean, log_cv = restricted_log_summary(family, p, tau)
    return min(math.exp(log_mean), tau), math.exp(log_cv)

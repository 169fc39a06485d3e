"""Confidence intervals of per-replication values that claim nothing impossible.

Layer: stats. :func:`mean_ci` is the Student t interval of the mean over replications,
clipped to the quantity's feasible range (a share lies in [0, 1], a cost is >= 0): the true mean
lies in that range, so it lies in the clipped interval exactly when it lies in the t interval,
and clipping keeps the coverage. :func:`reach` is how far an interval reaches from its mean (the
error bound a precision target uses); :func:`difference_bounds` is the range of a difference.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["Bounds", "UNBOUNDED", "SMALL_SAMPLE", "difference_bounds", "mean_ci", "reach",
           "check_confidence"]

#: The feasible range ``(low, high)`` of a quantity (either end may be infinite).
Bounds = tuple[float, float]
UNBOUNDED: Bounds = (-math.inf, math.inf)


#: An interval from fewer values than this is reported but flagged as rough: the t interval's
#: coverage then leans heavily on the per-replication values being close to normal.
SMALL_SAMPLE = 5


def difference_bounds(bounds: Bounds) -> Bounds:
    """The feasible range of a difference of two quantities that each lie in ``bounds``
    (a share difference lies in [-1, 1]; a difference of non-negative costs is unbounded)."""
    low, high = bounds
    return (low - high, high - low)


def check_confidence(confidence: float) -> float:
    """Validate a confidence level and return it as a float.

    Parameters
    ----------
    confidence : float
        Requested two-sided confidence level.

    Returns
    -------
    float
        The same level, as a Python float.

    Raises
    ------
    ValueError
        If the level is not strictly between 0 and 1.
    """
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    return level


def mean_ci(values: npt.ArrayLike, confidence: float = 0.95,
            bounds: Bounds = UNBOUNDED) -> tuple[float, float, float, int]:
    """Mean and Student t confidence interval of per-replication values.

    The interval is clipped to ``bounds``, the feasible range of the quantity (a share lies in
    [0, 1], a cost or a time is >= 0). Clipping keeps the interval's coverage exactly: the true
    mean lies in the feasible range, so it lies in the clipped interval if and only if it lies
    in the t interval. It only stops the interval from claiming values that cannot be.

    Parameters
    ----------
    values : array_like
        One-dimensional array with one value per independent replication.
        NaN entries are dropped before anything is computed.
    confidence : float, optional
        Two-sided confidence level, strictly between 0 and 1 (default 0.95).
    bounds : tuple of float, optional
        The feasible range of the quantity; the interval is clipped to it (default
        ``(-inf, inf)``: unbounded).

    Returns
    -------
    mean : float
        Sample mean of the non-NaN values (NaN when there are none).
    lower, upper : float
        Bounds ``mean -/+ t_{(1+confidence)/2, n-1} * s / sqrt(n)`` where ``s``
        is the sample standard deviation (``ddof=1``), clipped to `bounds`. Both
        are NaN when fewer than two values remain (one replication gives no
        interval). When all values are identical the bounds equal the mean
        exactly.
    n : int
        Number of non-NaN values actually used.

    Raises
    ------
    ValueError
        If `values` is not one-dimensional or `confidence` is out of range.

    Examples
    --------
    >>> mean, lower, upper, n = mean_ci([1.0, 2.0, 3.0, float("nan")])
    >>> mean, n
    (2.0, 3)
    """
    level = check_confidence(confidence)
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {x.shape}")
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    if np.ptp(x) == 0.0:
        # All values identical: report that value exactly (summing and
        # dividing could otherwise introduce a rounding error) and, if there
        # are at least two of them, a degenerate zero-width interval.
        centre = float(x[0])
        if n == 1:
            return centre, math.nan, math.nan, 1
        return centre, max(bounds[0], centre), min(bounds[1], centre), n
    centre = float(np.mean(x))
    sem = float(np.std(x, ddof=1)) / math.sqrt(n)
    half = _t_quantile(0.5 + level / 2.0, n - 1) * sem
    return centre, max(bounds[0], centre - half), min(bounds[1], centre + half), n


def reach(mean: float, low: float, high: float) -> float:
    """How far a confidence interval reaches from its mean: ``max(mean - low, high - mean)``,
    the bound it puts on the estimate's error (NaN without an interval)."""
    return max(mean - low, high - mean)


def _t_quantile(p: float, df: int) -> float:
    """Student t quantile (scipy's special function, imported only when an interval is made)."""
    from scipy.special import stdtrit

    return float(stdtrit(df, p))

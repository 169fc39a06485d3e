"""Summary statistics for replicated simulation output.

This module belongs to the *analysis* layer: it only depends on numpy, pandas
and scipy and knows nothing about the simulation model itself. Every function
works on plain arrays or on tidy data frames with one row per replication.

Functions
---------
summarise
    Grouped :func:`~govsim.stats.intervals.mean_ci` over several metrics, returned as a
    tidy frame.
paired_differences
    Paired (common-replication) comparison of each regime against a baseline.

The intervals themselves are in :mod:`govsim.stats.intervals`; Kaplan-Meier quantiles of
censored durations in :mod:`govsim.stats.survival`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from govsim.stats.intervals import (
    UNBOUNDED,
    Bounds,
    check_confidence,
    difference_bounds,
    mean_ci,
    reach,
)

__all__ = [
    "SUMMARY_COLUMNS",
    "PAIRED_COLUMNS",
    "summarise",
    "paired_differences",
]


#: Non-grouping columns produced by :func:`summarise`, in order.
SUMMARY_COLUMNS: tuple[str, ...] = ("metric", "mean", "ci_low", "ci_high", "half_width", "n")

#: Columns produced by :func:`paired_differences`, in order.
PAIRED_COLUMNS: tuple[str, ...] = (
    "regime",
    "baseline",
    "metric",
    "mean_diff",
    "ci_low",
    "ci_high",
    "n",
    "p_value",
)



def _as_column_list(by: list[str] | str | None) -> list[str]:
    """Normalise a grouping specification to a list of column names.

    Parameters
    ----------
    by : list of str, str or None
        Grouping column(s); None means no grouping.

    Returns
    -------
    list of str
        The column names (empty when `by` is None).
    """
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise a ``KeyError`` naming every column of `columns` absent from `frame`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to inspect.
    columns : sequence of str
        Columns that must be present.

    Raises
    ------
    KeyError
        If at least one column is missing.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"columns not found in frame: {missing}")


def summarise(
    frame: pd.DataFrame,
    by: list[str] | str | None,
    metrics: list[str],
    confidence: float = 0.95,
    bounds: Mapping[str, Bounds] | None = None,
) -> pd.DataFrame:
    """Summarise per-replication metrics by group with t confidence intervals.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per replication, holding the metric columns and any grouping
        columns (for instance ``"regime"``).
    by : list of str, str or None
        Grouping column(s). ``None`` treats the whole frame as one group.
        Rows whose group key is missing form a group of their own rather
        than being discarded.
    metrics : list of str
        Metric columns to summarise, in the order wanted in the output.
    confidence : float, optional
        Two-sided confidence level passed to :func:`mean_ci` (default 0.95).
    bounds : Mapping[str, tuple[float, float]], optional
        Each metric's feasible range; its interval is clipped to it (see
        :func:`mean_ci`). Metrics not named are unbounded.

    Returns
    -------
    pandas.DataFrame
        One row per (group, metric) with columns
        ``[*by, "metric", "mean", "ci_low", "ci_high", "half_width", "n"]``.
        Groups appear in order of first appearance in `frame` and, within a
        group, metrics appear in the order given. ``half_width`` is the
        interval's reach from the mean, ``max(mean - ci_low, ci_high - mean)``
        (half its width unless it was clipped), and ``n`` counts the non-NaN
        values.

    Raises
    ------
    KeyError
        If a grouping or metric column is missing.
    ValueError
        If `confidence` is out of range.

    See Also
    --------
    mean_ci : The interval computed for each cell.
    """
    level = check_confidence(confidence)
    keys = _as_column_list(by)
    metric_list = [metrics] if isinstance(metrics, str) else list(metrics)
    _require_columns(frame, [*keys, *metric_list])
    columns = [*keys, *SUMMARY_COLUMNS]

    if keys:
        grouped = frame.groupby(keys, sort=False, dropna=False)
        groups: list[tuple[tuple[object, ...], pd.DataFrame]] = [
            (key if isinstance(key, tuple) else (key,), part) for key, part in grouped
        ]
    else:
        groups = [((), frame)]

    rows: list[list[object]] = []
    for key, part in groups:
        for metric in metric_list:
            mean, low, high, n = mean_ci(part[metric].to_numpy(dtype=float), level,
                                         (bounds or {}).get(metric, UNBOUNDED))
            rows.append([*key, metric, mean, low, high, reach(mean, low, high), n])

    out = pd.DataFrame(rows, columns=columns)
    return out.astype(
        {"mean": float, "ci_low": float, "ci_high": float, "half_width": float, "n": int}
    )



def _paired_p_value(diffs: np.ndarray) -> float:
    """Two-sided one-sample t-test p-value of differences against zero.

    Parameters
    ----------
    diffs : numpy.ndarray
        Paired differences without NaNs.

    Returns
    -------
    float
        The p-value of :func:`scipy.stats.ttest_1samp`. NaN when fewer than
        two differences are available or all of them are zero (no evidence
        either way). When the differences are all equal to the same non-zero
        value the t statistic is infinite and 0.0 is returned.
    """
    if diffs.size < 2:
        return math.nan
    if np.ptp(diffs) == 0.0:
        return math.nan if diffs[0] == 0.0 else 0.0
    with warnings.catch_warnings():
        # Nearly constant differences (common random numbers make these
        # common) trigger a precision-loss warning; the p-value is then
        # essentially zero, which is the correct conclusion.
        warnings.filterwarnings("ignore", message="Precision loss", category=RuntimeWarning)
        from scipy import stats

        result = stats.ttest_1samp(diffs, 0.0)
    return float(result.pvalue)


def paired_differences(
    frame: pd.DataFrame,
    regime_col: str,
    rep_col: str,
    metrics: list[str],
    baseline: str,
    confidence: float = 0.95,
    bounds: Mapping[str, Bounds] | None = None,
) -> pd.DataFrame:
    """Paired comparison of every regime against a baseline regime.

    For each regime other than `baseline` the replications present in both
    regimes are matched on `rep_col` (an inner join), the per-replication
    difference ``regime - baseline`` is formed for each metric, and
    :func:`mean_ci` is applied to those differences. Pairing on the
    replication removes the variance shared by both regimes, which is large
    when replications reuse the same random numbers.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per (regime, replication).
    regime_col : str
        Column naming the regime.
    rep_col : str
        Column identifying the replication; its values link the rows of
        different regimes.
    metrics : list of str
        Metric columns to compare, in the order wanted in the output.
    baseline : str
        Value of `regime_col` that the other regimes are compared with.
    confidence : float, optional
        Two-sided confidence level passed to :func:`mean_ci` (default 0.95).
    bounds : Mapping[str, tuple[float, float]], optional
        Each metric's feasible range; the interval of a difference is clipped to
        :func:`difference_bounds` of it (a share difference to [-1, 1]).

    Returns
    -------
    pandas.DataFrame
        Columns ``["regime", "baseline", "metric", "mean_diff", "ci_low",
        "ci_high", "n", "p_value"]``, one row per (non-baseline regime,
        metric); regimes in order of first appearance, metrics in the given
        order. ``n`` counts the matched replications whose difference is not
        NaN (a NaN on either side drops that replication for that metric
        only). ``p_value`` is the two-sided paired t-test p-value
        (:func:`scipy.stats.ttest_1samp` of the differences against zero);
        it is NaN when ``n < 2`` or when every difference is exactly zero
        (then ``mean_diff`` is 0 and the interval collapses to 0), and 0.0
        when every difference equals the same non-zero value.

    Raises
    ------
    KeyError
        If a required column is missing.
    ValueError
        If `baseline` does not occur in `regime_col`, a (regime, replication)
        pair occurs more than once, or `confidence` is out of range.
    """
    level = check_confidence(confidence)
    metric_list = [metrics] if isinstance(metrics, str) else list(metrics)
    _require_columns(frame, [regime_col, rep_col, *metric_list])

    duplicated = frame.duplicated(subset=[regime_col, rep_col], keep=False)
    if duplicated.any():
        sample = frame.loc[duplicated, [regime_col, rep_col]].head(3).to_dict("records")
        raise ValueError(f"duplicate (regime, replication) rows, e.g. {sample}")

    regimes = frame[regime_col]
    if not (regimes == baseline).any():
        raise ValueError(f"baseline regime {baseline!r} not found in column {regime_col!r}")

    base = frame.loc[regimes == baseline, [rep_col, *metric_list]]
    rows: list[list[object]] = []
    for regime, part in frame.groupby(regime_col, sort=False):
        if regime == baseline:
            continue
        matched = part[[rep_col, *metric_list]].merge(
            base, on=rep_col, how="inner", suffixes=("_regime", "_base")
        )
        for metric in metric_list:
            diffs = matched[f"{metric}_regime"].to_numpy(dtype=float) - matched[
                f"{metric}_base"
            ].to_numpy(dtype=float)
            diffs = diffs[~np.isnan(diffs)]
            mean, low, high, n = mean_ci(
                diffs, level, difference_bounds((bounds or {}).get(metric, UNBOUNDED)))
            rows.append([regime, baseline, metric, mean, low, high, n, _paired_p_value(diffs)])

    out = pd.DataFrame(rows, columns=list(PAIRED_COLUMNS))
    return out.astype(
        {"mean_diff": float, "ci_low": float, "ci_high": float, "n": int, "p_value": float}
    )

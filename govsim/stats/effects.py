"""Effects of factors in a sweep: per-point summaries, paired differences, main effects, sensitivity.

Layer: stats. The functions take the ``metrics`` frame of a sweep (one row per design point
× regime × replication) and its ``points`` frame (index ``point``, one column per factor), as
:func:`govsim.load_sweep` gives them; :class:`govsim.experiment.results.SweepResults` wraps them.

Replications are the unit of independence. Within a replication every design point and regime
ran on the same world (common random numbers), so comparisons *across* points or regimes are
made replication by replication and the interval is taken over replications. ``bounds`` maps
a metric to the range it can take (:data:`govsim.measure.metrics.FEASIBLE` for govsim's own),
so no interval reaches outside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from govsim.errors import GovsimError
from govsim.stats.intervals import UNBOUNDED, Bounds, difference_bounds, mean_ci
from govsim.stats.summary import paired_differences, summarise

__all__ = ["point_summary", "point_differences", "main_effects", "sensitivity"]


def _with_factors(frame: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with a ``point`` column) with each point's factor values after it."""
    out = frame.join(points, on="point")
    lead = ["point", *points.columns]
    return out[lead + [c for c in out.columns if c not in lead]]


def point_summary(metrics: pd.DataFrame, points: pd.DataFrame, names: Sequence[str],
                  confidence: float = 0.95, *,
                  bounds: Mapping[str, Bounds] | None = None) -> pd.DataFrame:
    """Mean and t confidence interval over replications per design point, regime and metric.

    Columns: ``point``, the factor columns, ``regime, metric, mean, ci_low, ci_high,
    half_width, n``.
    """
    out = summarise(metrics, ["point", "regime"], list(names), confidence, bounds)
    return _with_factors(out, points)


def point_differences(metrics: pd.DataFrame, points: pd.DataFrame, names: Sequence[str],
                      baseline: str, confidence: float = 0.95, *,
                      bounds: Mapping[str, Bounds] | None = None) -> pd.DataFrame:
    """Paired differences (regime − ``baseline``) per design point: mean, CI and p-value of
    the per-replication differences (see :func:`govsim.stats.summary.paired_differences`)."""
    parts = []
    for p, part in metrics.groupby("point", sort=True):
        d = paired_differences(part, "regime", "replication", list(names), baseline, confidence,
                               bounds)
        d.insert(0, "point", p)
        parts.append(d)
    if not parts:
        return pd.DataFrame()
    return _with_factors(pd.concat(parts, ignore_index=True), points)


def _by_replication(metrics: pd.DataFrame, metric: str, regime: str) -> pd.DataFrame:
    """A replication × point table of ``metric`` under ``regime``."""
    if metric not in metrics:
        raise GovsimError(f"unknown metric {metric!r}", "metric")
    rows = metrics[metrics["regime"] == regime]
    if rows.empty:
        raise GovsimError(f"no results for regime {regime!r}", "regime")
    return rows.pivot_table(index="replication", columns="point", values=metric,
                            aggfunc="first", dropna=False)


def main_effects(metrics: pd.DataFrame, points: pd.DataFrame, metric: str, regime: str,
                 confidence: float = 0.95, *,
                 bounds: Mapping[str, Bounds] | None = None) -> pd.DataFrame:
    """Main effects of a full factorial design on ``metric`` under ``regime``.

    For factor *f* at level *l*, each replication's value is the average of the metric over
    the design points with *f* = *l* (so over every combination of the other factors); the
    table gives its mean and t interval over replications, and the *effect* of *l* against
    the factor's first level, paired by replication. Only replications with results at every
    design point are used (the pairing needs them all).

    Columns: ``factor, level, mean, ci_low, ci_high, effect, effect_ci_low, effect_ci_high,
    p_value, n``.

    Raises
    ------
    GovsimError
        When the design points are not a full factorial (use :func:`sensitivity` for sampled
        designs).
    """
    _check_factorial(points)
    table = _by_replication(metrics, metric, regime).reindex(columns=points.index)
    complete = table.dropna(axis=0, how="any")
    if complete.empty:
        lacking = [int(p) for p in points.index if table[p].isna().all()]
        where = (f"design points {lacking} have no value" if lacking else
                 "no replication has a value at every design point")
        raise GovsimError(f"cannot average {metric!r} over the design: {where} (failed tasks, "
                          "or a median not reached within the horizon)", "metric")
    table = complete
    rows = []
    for factor in points.columns:
        levels = list(dict.fromkeys(points[factor].tolist()))
        first = None
        for level in levels:
            cols = points.index[points[factor] == level]
            avg = table[cols].mean(axis=1).to_numpy(dtype=float)
            if first is None:
                first = avg
            feasible = (bounds or {}).get(metric, UNBOUNDED)
            mean, low, high, n = mean_ci(avg, confidence, feasible)
            diff = avg - first
            e_mean, e_low, e_high, _ = mean_ci(diff, confidence, difference_bounds(feasible))
            if level == levels[0]:
                p = float("nan")
            elif len(diff) > 1 and np.ptp(diff) > 0:
                from scipy import stats

                p = float(stats.ttest_1samp(diff, 0.0).pvalue)
            else:
                p = float("nan")
            rows.append([factor, level, mean, low, high, e_mean, e_low, e_high, p, n])
    return pd.DataFrame(rows, columns=["factor", "level", "mean", "ci_low", "ci_high", "effect",
                                       "effect_ci_low", "effect_ci_high", "p_value", "n"])


def _check_factorial(points: pd.DataFrame) -> None:
    if points.shape[1] == 0:
        raise GovsimError("the sweep varies no factor", "factors")
    sizes = [points[c].nunique() for c in points.columns]
    combos = points.drop_duplicates()
    if len(combos) != len(points) or len(points) != int(np.prod(sizes)):
        raise GovsimError("main effects need a full factorial design; use sensitivity() for "
                          "sampled designs", "design.kind")


def sensitivity(metrics: pd.DataFrame, points: pd.DataFrame, metric: str, regime: str, *,
                boot: int = 1000, seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
    """A global sensitivity ranking of the factors for ``metric`` under ``regime``.

    The response of each design point is its mean over replications. Factors and response are
    rank-transformed; for each factor the table gives

    ``prcc``
        the partial rank correlation coefficient (the correlation between the factor and the
        response once the other factors' linear effects on the ranks are removed), with a
        bootstrap percentile interval over design points (``boot`` resamples);
    ``srrc``
        the standardised rank regression coefficient;

    and ``r2_rank``, the R² of the rank regression (when it is low, the ranking explains
    little and should not be trusted). ``boot_used`` counts the bootstrap resamples that had
    enough distinct design points (more than factors + 2) to compute every PRCC; when it is
    far below ``boot``, the design has too few points for its factors and the intervals are
    optimistic. Rows are sorted by ``|prcc|``, largest first. Suited to
    Latin hypercube and Sobol' designs (and usable on factorial ones); boolean factors count
    as 0/1, string factors are refused.
    """
    table = _by_replication(metrics, metric, regime)
    y = table.mean(axis=0).reindex(points.index).to_numpy(dtype=float)
    keep = np.isfinite(y)
    x = np.empty((len(points), points.shape[1]))
    for j, c in enumerate(points.columns):
        col = points[c]
        if col.dtype == object or isinstance(col.dtype, pd.StringDtype):
            raise GovsimError(f"factor {c!r} is not numeric; sensitivity needs numbers or "
                              "booleans", "factors")
        x[:, j] = col.to_numpy(dtype=float)
    x, y = x[keep], y[keep]
    n, k = x.shape
    if k == 0:
        raise GovsimError("the sweep varies no factor", "factors")
    if n < k + 3:
        raise GovsimError(f"needs more design points than factors + 2 (has {n} points, "
                          f"{k} factors)", "design.points")
    prcc = _prcc(x, y)
    srrc, r2 = _srrc(x, y)
    rng = np.random.default_rng(seed)
    draws = np.full((boot, k), np.nan)
    for b in range(boot):
        idx = rng.integers(0, n, n)
        # a resample with too few distinct points has no partial correlations: skipped, and
        # counted in ``boot_used``
        if np.unique(idx).size >= k + 3:
            draws[b] = _prcc(x[idx], y[idx])
    used = int(np.isfinite(draws).all(axis=1).sum())
    alpha = (1.0 - confidence) / 2.0
    with np.errstate(all="ignore"):
        low = np.nanquantile(draws, alpha, axis=0)
        high = np.nanquantile(draws, 1.0 - alpha, axis=0)
    out = pd.DataFrame({
        "factor": list(points.columns),
        "prcc": prcc,
        "prcc_ci_low": low,
        "prcc_ci_high": high,
        "srrc": srrc,
        "r2_rank": r2,
        "points": n,
        "boot_used": used,
    })
    order = np.argsort(-np.abs(np.nan_to_num(prcc)), kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    out.insert(1, "rank", np.arange(1, k + 1))
    return out


def _ranks(a: np.ndarray) -> np.ndarray:
    from scipy import stats

    return np.column_stack([stats.rankdata(a[:, j]) for j in range(a.shape[1])]) if a.ndim == 2 \
        else stats.rankdata(a)


def _prcc(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    rx, ry = _ranks(x), _ranks(y)
    n, k = rx.shape
    out = np.full(k, np.nan)
    for j in range(k):
        others = np.column_stack([np.ones(n), np.delete(rx, j, axis=1)])
        bx, *_ = np.linalg.lstsq(others, rx[:, j], rcond=None)
        by, *_ = np.linalg.lstsq(others, ry, rcond=None)
        ex, ey = rx[:, j] - others @ bx, ry - others @ by
        denom = np.sqrt((ex @ ex) * (ey @ ey))
        out[j] = (ex @ ey) / denom if denom > 0 else np.nan
    return out


def _srrc(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    rx, ry = _ranks(x), _ranks(y)
    sx, sy = rx.std(axis=0), ry.std()
    if sy == 0 or np.any(sx == 0):
        return np.full(x.shape[1], np.nan), float("nan")
    zx, zy = (rx - rx.mean(axis=0)) / sx, (ry - ry.mean()) / sy
    beta, *_ = np.linalg.lstsq(zx, zy, rcond=None)
    resid = zy - zx @ beta
    return beta, float(1.0 - (resid @ resid) / (zy @ zy))

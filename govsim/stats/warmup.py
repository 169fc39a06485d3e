"""Choosing a warm-up period: Welch's graphical method.

Layer: stats. A run starts empty -- no queues, no backlog, no one half-way up an escalation
ladder -- so the first weeks are not typical. Welch's method (Law, *Simulation Modeling and
Analysis*, §9.5.1) averages an output series over replications, smooths it with a moving
average, and the warm-up is read off where the smoothed curve levels out. Pass that many days
as ``warmup_days`` to :func:`govsim.run`, :func:`govsim.compare` or an experiment;
:func:`govsim.figures.plot_warmup` draws the curve.

The series here are daily, from the ``cases`` table of a run made *without* a warm-up:

``open_cases``
    cases open at the end of each day (work in progress; levels out once the backlog is in
    balance; a case whose citizen gave up stops counting then);
any numeric ``cases`` column, e.g. ``duration_days``
    its mean over the cases that arrived that day. Near the horizon, durations are censored
    and shrink; read the start of the curve, not its end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim.errors import GovsimError

__all__ = ["welch"]


def welch(cases: pd.DataFrame, series: str = "open_cases", *, window_days: int = 7,
          regime: str | None = None) -> pd.DataFrame:
    """Welch's averaged, smoothed series for choosing a warm-up.

    Parameters
    ----------
    cases:
        The ``cases`` table of a run or comparison (several replications).
    series:
        ``"open_cases"`` or a numeric column of ``cases`` (averaged per arrival day).
    window_days:
        Half-width *w* of the centred moving average (Welch's *w*; shorter windows at the
        start, as in Law's procedure).
    regime:
        Which regime (needed when ``cases`` holds several).

    Returns
    -------
    pandas.DataFrame
        ``day`` (since the start), ``mean`` (over replications), ``moving_average``, and
        ``replications``.
    """
    if window_days < 0:
        raise GovsimError("must be >= 0", "window_days")
    frame = cases
    regimes = list(pd.unique(frame["regime"].astype(str))) if "regime" in frame else []
    if regime is not None:
        frame = frame[frame["regime"].astype(str) == regime]
        if frame.empty:
            raise GovsimError(f"no cases for regime {regime!r}", "regime")
    elif len(regimes) > 1:
        raise GovsimError(f"the table holds several regimes ({', '.join(regimes)}); name one",
                          "regime")
    if frame.empty:
        raise GovsimError("the cases table is empty", "cases")
    start = frame["first_filing"].min().normalize()
    last = max(frame["first_filing"].max(), frame["ended"].max())
    days = np.arange(int((last - start) / pd.Timedelta(days=1)) + 1)
    per_rep = []
    for _, part in frame.groupby("replication", sort=True):
        arrive = ((part["first_filing"] - start) / pd.Timedelta(days=1)).to_numpy()
        if series == "open_cases":
            # open at the end of day d: arrived before d + 1 and not ended by then (a case
            # still open at the horizon has no end)
            ended = ((part["ended"] - start) / pd.Timedelta(days=1)).to_numpy()
            ended = np.sort(ended[np.isfinite(ended)])
            arrived = np.searchsorted(np.sort(arrive), days + 1.0, side="left")
            closed = np.searchsorted(ended, days + 1.0, side="left")
            values = (arrived - closed).astype(float)
        else:
            if series not in part or not np.issubdtype(part[series].dtype, np.number):
                raise GovsimError(f"unknown or non-numeric cases column {series!r}", "series")
            day = np.floor(arrive).astype(np.int64)
            sums = np.bincount(day, weights=part[series].to_numpy(dtype=float),
                               minlength=len(days))[: len(days)]
            counts = np.bincount(day, minlength=len(days))[: len(days)]
            with np.errstate(invalid="ignore", divide="ignore"):
                values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        per_rep.append(values)
    mean = np.nanmean(np.vstack(per_rep), axis=0)
    return pd.DataFrame({"day": days, "mean": mean,
                         "moving_average": _moving_average(mean, window_days),
                         "replications": len(per_rep)})


def _moving_average(y: np.ndarray, w: int) -> np.ndarray:
    """Law's moving average: centred over 2w + 1 points, shorter (2i + 1) near the start."""
    out = np.full(len(y), np.nan)
    for i in range(len(y) - w):
        h = min(i, w)
        out[i] = np.nanmean(y[i - h: i + h + 1])
    return out

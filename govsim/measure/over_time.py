"""Results over time: the street office's cumulative burden, resolution and backlog by period.

Layer: measure. A headline at the horizon hides when it came about: a regime can shift less
cost onto the street office over 90 days and more over a year. These functions turn each
run's small ``daily`` table (:mod:`govsim.recording`: the burden spent each day by component,
the cases filed, resolved and abandoned each day) and its ``cohorts`` table (made here, by
:func:`cohort_medians`, while the cases table is still there) into a tidy frame per regime,
replication and period (:func:`over_time`), summarised over replications with t intervals
(:func:`over_time_summary`), compared with a baseline replication by replication
(:func:`over_time_differences`), and the periods where that difference changes sign
(:func:`crossings`). Nothing here needs the event log or the cases table, so runs made with
``record_events=False``, or that kept only their metrics, have results over time too.

Periods are calendar weeks (``"W"``: Monday to Sunday), months (``"M"`` or ``"ME"``) or
quarters (``"Q"``) of the world's calendar from ``world.start``; the first period starts at
``world.start`` and the last ends at the horizon, so either may be partial.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError, shown
from govsim.measure.metrics import FEASIBLE
from govsim.recording import DAILY_BURDEN
from govsim.stats.intervals import Bounds
from govsim.stats.summary import paired_differences, summarise
from govsim.stats.survival import km_quantile

__all__ = ["FREQS", "BURDEN", "SHIFTED", "OVER_TIME", "BOUNDS", "check_freq",
           "cohort_medians", "over_time", "over_time_summary", "over_time_differences",
           "crossings"]

#: the frequencies accepted (pandas offset aliases) -> the pandas period they mean
FREQS: dict[str, str] = {"W": "W-SUN", "M": "M", "ME": "M", "Q": "Q-DEC"}
#: the periods a run's ``cohorts`` table is made for (every accepted frequency)
_COHORT_FREQS = ("W", "M", "Q")

#: the five shifted parts, in the order of the metrics
SHIFTED = tuple(c for c in DAILY_BURDEN if c.startswith("street_office_shifted_"))
#: the burden's columns in :func:`over_time`: the whole, its three parts, the five shifted parts
BURDEN = ("street_office_burden_yuan", "street_office_own_duty_yuan",
          "street_office_assigned_duty_yuan", "street_office_shifted_cost_yuan", *SHIFTED)
#: every value column of :func:`over_time`
OVER_TIME = (*BURDEN, "cases", "filed", "resolved_share", "open_cases", "filed_median_days")
#: each value's feasible range (intervals are clipped to it)
BOUNDS: dict[str, Bounds] = {
    **{c: FEASIBLE[c] for c in BURDEN},
    "cases": (0.0, np.inf), "filed": (0.0, np.inf), "resolved_share": (0.0, 1.0),
    "open_cases": (0.0, np.inf), "filed_median_days": (0.0, np.inf),
}
_KEYS = ["regime", "replication"]


def check_freq(freq: Any) -> str:
    """``freq`` if it is one of :data:`FREQS`, else a :class:`GovsimError` at ``freq``."""
    if not isinstance(freq, str) or freq not in FREQS:
        raise GovsimError("must be one of W (weeks), M or ME (months), Q (quarters), got "
                          f"{shown(freq)}", "freq")
    return freq


def _starts(dates: pd.Series | pd.DatetimeIndex, freq: str,
            first: pd.Timestamp) -> np.ndarray:
    """The start of the period each date falls in, no earlier than ``first``."""
    starts = pd.DatetimeIndex(dates).to_period(FREQS[freq]).start_time
    return np.maximum(starts.to_numpy(dtype="datetime64[ns]"), first.to_datetime64())


#: the columns of the ``cases`` table :func:`cohort_medians` reads
COHORT_COLUMNS = ("first_filing", "duration_days", "resolved")


def cohort_medians(cases: pd.DataFrame | Mapping[str, pd.Series], start: Any, regime: str,
                   replication: int) -> pd.DataFrame:
    """For each frequency of :data:`FREQS` and each period: the Kaplan–Meier median time to
    true resolution, in days, of the cases first filed in it (``cases`` is one run's cases
    table: durations censored at the horizon). Columns ``regime, replication, freq, period,
    filed_median_days``; a period whose median is not reached by the horizon has NaN, one in
    which no case was filed has no row. Made once per run (a few hundred rows at most), while
    the cases table is still there."""
    columns = [*_KEYS, "freq", "period", "filed_median_days"]
    if not len(cases["resolved"]):
        return pd.DataFrame(columns=columns)
    first = pd.Timestamp(start)
    duration = cases["duration_days"].to_numpy(dtype=float)
    resolved = cases["resolved"].to_numpy(dtype=bool)
    frames = []
    filed = cases["first_filing"]
    for freq in _COHORT_FREQS:
        period = _starts(filed, freq, first)
        if (period[1:] >= period[:-1]).all():
            # cases in the order they were filed (a run's are): each period is one stretch of
            # rows, taken as it is (no sort: the same rows in the same order as below)
            cut = np.flatnonzero(period[1:] != period[:-1]) + 1
            bounds = np.concatenate(([0], cut, [len(period)]))
            labels = period[bounds[:-1]]
            medians = [km_quantile(duration[a:b], resolved[a:b], 0.5)
                       for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        else:
            labels, index = np.unique(period, return_inverse=True)
            order = np.argsort(index, kind="stable")
            bounds = np.searchsorted(index[order], np.arange(len(labels) + 1))
            medians = [km_quantile(duration[order[a:b]], resolved[order[a:b]], 0.5)
                       for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        del period
        frames.append(pd.DataFrame({"regime": regime, "replication": replication,
                                    "freq": freq, "period": labels,
                                    "filed_median_days": medians}))
    return pd.concat(frames, ignore_index=True)[columns]


def over_time(daily: pd.DataFrame, cohorts: pd.DataFrame, metrics: pd.DataFrame,
              start: Any, freq: str = "M") -> pd.DataFrame:
    """Per regime, replication and period: the street office's cumulative burden by
    component at the period's end (yuan, the columns of :data:`BURDEN`), the cases filed to
    then (``cases``) and in the period (``filed``), the share of cases filed to then that
    were truly resolved by then (``resolved_share``), the cases open at the period's end
    (``open_cases``: filed, neither resolved nor abandoned), and the Kaplan–Meier median days
    to true resolution of the cases filed in the period (``filed_median_days``, censored at
    the horizon: late periods' medians may not be reached, NaN).

    ``daily``, ``cohorts`` and ``metrics`` are a results' tables of those names; ``start``
    is ``world.start``. At the last period the burden columns are the run's metrics of the
    same names: the daily sums reach them up to the rounding of adding in another order
    (relative 1e-12), and the last value is the metric itself, so the series ends exactly at
    the headline. The burden's hours never go down; its money can, on a day an advance is
    recovered (``street_office_shifted_advance_yuan``, and the duty parts when the street
    office advanced on its own cases)."""
    freq = check_freq(freq)
    columns = [*_KEYS, "period", "period_end", *OVER_TIME]
    if not len(daily):
        return pd.DataFrame(columns=columns)
    first = pd.Timestamp(start)
    d = daily.sort_values([*_KEYS, "day"], kind="stable")
    keys = [d["regime"].astype(str), d["replication"]]
    burden = d[list(DAILY_BURDEN)].groupby(keys, sort=False).cumsum()
    counts = d[["filed", "resolved", "abandoned"]].groupby(keys, sort=False).cumsum()
    frame = pd.DataFrame({
        "regime": keys[0].to_numpy(), "replication": d["replication"].to_numpy(),
        "period": _starts(d["date"], freq, first),
        "period_end": d["date"].to_numpy(dtype="datetime64[ns]"),
        **{c: burden[c].to_numpy() for c in DAILY_BURDEN},
        "cases": counts["filed"].to_numpy(), "filed": d["filed"].to_numpy(),
        "resolved_by": counts["resolved"].to_numpy(),
        "ended_by": counts["resolved"].to_numpy() + counts["abandoned"].to_numpy(),
    })
    group = frame.groupby([*_KEYS, "period"], sort=False)
    out = group.last()
    out["filed"] = group["filed"].sum()
    out = out.reset_index()
    out["resolved_share"] = np.divide(out["resolved_by"], out["cases"],
                                      out=np.full(len(out), np.nan),
                                      where=out["cases"].to_numpy() > 0)
    out["open_cases"] = out["cases"] - out["ended_by"]
    _pin(out, metrics)
    out["street_office_shifted_cost_yuan"] = np.where(
        out["_last"], out["street_office_shifted_cost_yuan"], out[list(SHIFTED)].sum(axis=1))
    out["street_office_burden_yuan"] = np.where(
        out["_last"], out["street_office_burden_yuan"],
        out["street_office_own_duty_yuan"] + out["street_office_assigned_duty_yuan"]
        + out["street_office_shifted_cost_yuan"])
    mine = cohorts[cohorts["freq"] == ("M" if freq == "ME" else freq)] if len(cohorts) else None
    if mine is not None and len(mine):
        medians = mine.assign(regime=mine["regime"].astype(str),
                              period=pd.to_datetime(mine["period"]).astype("datetime64[ns]"))
        out = out.merge(medians[[*_KEYS, "period", "filed_median_days"]], how="left",
                        on=[*_KEYS, "period"])
    else:
        out["filed_median_days"] = np.nan
    regimes = list(dict.fromkeys(daily["regime"].astype(str))) if not isinstance(
        daily["regime"].dtype, pd.CategoricalDtype) else list(daily["regime"].cat.categories)
    out["regime"] = pd.Categorical(out["regime"], categories=regimes)
    out = out.sort_values([*_KEYS, "period"], kind="stable").reset_index(drop=True)
    return out[columns]


def _pin(out: pd.DataFrame, metrics: pd.DataFrame) -> None:
    """The last period's burden columns set to the run's metrics (see :func:`over_time`):
    adds a ``_last`` marker column, and the two totals' columns, filled at the last period."""
    last = ~out.duplicated(_KEYS, keep="last").to_numpy()
    out["_last"] = last
    for c in ("street_office_shifted_cost_yuan", "street_office_burden_yuan"):
        out[c] = np.nan
    if not len(metrics):
        out["_last"] = False
        return
    m = metrics.assign(regime=metrics["regime"].astype(str)).set_index(_KEYS)
    at = pd.MultiIndex.from_frame(out.loc[last, _KEYS])
    found = at.isin(m.index)
    rows = np.flatnonzero(last)[found]
    for c in BURDEN:
        out.loc[rows, c] = m.loc[at[found], c].to_numpy(dtype=float)
    out.loc[np.flatnonzero(last)[~found], "_last"] = False


def over_time_summary(frame: pd.DataFrame, metrics: Sequence[str] | None = None,
                      confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t interval over replications per regime, period and value of an
    :func:`over_time` frame (columns ``regime, period, period_end, metric, mean, ci_low,
    ci_high, half_width, n``), each clipped to its feasible range (:data:`BOUNDS`)."""
    names = _names(metrics)
    if not len(frame):
        return pd.DataFrame(columns=["regime", "period", "period_end", "metric", "mean",
                                     "ci_low", "ci_high", "half_width", "n"])
    f = frame.assign(regime=frame["regime"].astype(str))
    out = summarise(f, ["regime", "period"], names, confidence, BOUNDS)
    ends = f.drop_duplicates(["regime", "period"])[["regime", "period", "period_end"]]
    out = out.merge(ends, on=["regime", "period"], how="left")
    return _regimes_first(out, frame)[["regime", "period", "period_end", "metric", "mean",
                                       "ci_low", "ci_high", "half_width", "n"]]


def over_time_differences(frame: pd.DataFrame, baseline: str,
                          metrics: Sequence[str] | None = None,
                          confidence: float = 0.95) -> pd.DataFrame:
    """Paired differences (regime − baseline), replication by replication, per period and
    value of an :func:`over_time` frame: columns ``period, period_end`` and those of
    :func:`govsim.stats.summary.paired_differences` (``regime, baseline, metric, mean_diff,
    ci_low, ci_high, n, p_value``)."""
    names = _names(metrics)
    parts = []
    f = frame.assign(regime=frame["regime"].astype(str))
    for period, part in f.groupby("period", sort=True):
        diffs = paired_differences(part, "regime", "replication", names, baseline, confidence,
                                   BOUNDS)
        diffs.insert(0, "period_end", part["period_end"].iloc[0])
        diffs.insert(0, "period", period)
        parts.append(diffs)
    if not parts:
        return pd.DataFrame(columns=["period", "period_end", "regime", "baseline", "metric",
                                     "mean_diff", "ci_low", "ci_high", "n", "p_value"])
    return _regimes_first(pd.concat(parts, ignore_index=True), frame)


def crossings(differences: pd.DataFrame,
              metric: str = "street_office_burden_yuan") -> pd.DataFrame:
    """The periods at whose end the mean paired difference of ``metric`` (an
    :func:`over_time_differences` frame) has the other sign than at the last period before
    it where it was not 0: columns ``regime, period, period_end, before, after`` (signs,
    -1 or 1), ``mean_diff, ci_low, ci_high``. No row for a regime whose difference keeps
    one sign (or is 0 throughout)."""
    columns = ["regime", "period", "period_end", "before", "after", "mean_diff", "ci_low",
               "ci_high"]
    rows = []
    d = differences[differences["metric"] == metric]
    for regime, part in d.groupby(d["regime"].astype(str), sort=False):
        sign = 0.0
        for row in part.sort_values("period").itertuples(index=False):
            now = float(np.sign(row.mean_diff)) if row.mean_diff == row.mean_diff else 0.0
            if now and sign and now != sign:
                rows.append([regime, row.period, row.period_end, int(sign), int(now),
                             row.mean_diff, row.ci_low, row.ci_high])
            sign = now or sign
    return pd.DataFrame(rows, columns=columns)


def _names(metrics: Sequence[str] | str | None) -> list[str]:
    names = list(OVER_TIME) if metrics is None else (
        [metrics] if isinstance(metrics, str) else list(metrics))
    for name in names:
        if name not in OVER_TIME:
            raise GovsimError(f"{shown(name)} is not a value over time; one of "
                              f"{', '.join(OVER_TIME)}", "metrics")
    return names


def _regimes_first(out: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Regimes in the order of ``frame``'s (categorical) regime column, periods in order."""
    dtype = frame["regime"].dtype
    order = list(dtype.categories) if isinstance(dtype, pd.CategoricalDtype) else list(
        dict.fromkeys(frame["regime"].astype(str)))
    out["regime"] = pd.Categorical(out["regime"], categories=order)
    return out.sort_values(["regime", "period"], kind="stable").reset_index(drop=True)


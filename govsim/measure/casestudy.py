"""Distributions over cases and replications: for case-study scenarios (one household, one leak).

Layer: measure. Where a district scenario is summarised by per-replication means, a case study
asks "what happens to *this* problem?": how many years to a real fix, how many reports, how
many patches, whether a meeting was held and who paid. :func:`case_outcomes` gives one row per
case per replication; :func:`distribution` gives the mean, 10th, 50th and 90th percentiles.
Years to a fix are censored at the horizon, so their quantiles are Kaplan–Meier quantiles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from govsim.stats.survival import km_quantile

__all__ = ["case_outcomes", "distribution", "share_below", "OUTCOMES"]

DAYS_PER_YEAR = 365.25

#: quantity → meaning (the columns of :func:`case_outcomes` that :func:`distribution` describes)
OUTCOMES: dict[str, str] = {
    "years_to_fix": "years from the first report to a real fix (Kaplan-Meier; censored at the horizon)",
    "reports": "reports (filings) over the whole horizon",
    "reports_by": "reports within the first N years after the first report",
    "surface_repairs": "surface repairs",
    "false_closures": "tickets marked resolved while the problem remained",
    "top_rung": "highest rung of the escalation ladder reached (0 = ordinary channels)",
    "meeting_held": "a meeting about the case was held (share of cases)",
    "largest_meeting": "units at the case's largest meeting (the coordination meeting, if any)",
    "attendee_hours": "staff-hours spent in all the case's meetings",
    "advance_yuan": "money advanced by a unit that did not owe it",
    "unrecovered_yuan": "of that, not paid back by the horizon",
}


def case_outcomes(cases: pd.DataFrame, events: pd.DataFrame | None = None,
                  reports_within_years: float = 6.0) -> pd.DataFrame:
    """One row per case and replication (and regime) with the case-study quantities.

    ``reports_by`` needs the event log (``events``); without it the column is NaN.
    """
    key = ["regime", "replication", "case"]
    out = cases[key].copy()
    out["fixed"] = cases["resolved"].to_numpy()
    out["duration_years"] = cases["duration_days"].to_numpy() / DAYS_PER_YEAR
    out["years_to_fix"] = cases["resolution_days"].to_numpy() / DAYS_PER_YEAR
    out["reports"] = cases["contacts"].to_numpy()
    out["reports_by"] = np.nan
    if events is not None and len(events):
        files = events[events["concept:name"] == "file"]
        first = cases.set_index(key)["first_filing"]
        ev_key = files[["regime", "replication", "case:concept:name"]].rename(
            columns={"case:concept:name": "case"})
        start = first.reindex(pd.MultiIndex.from_frame(ev_key)).to_numpy()
        cutoff = start + np.timedelta64(int(round(reports_within_years * DAYS_PER_YEAR * 86400)), "s")
        within = files["time:timestamp"].to_numpy() < cutoff
        counts = ev_key[within].groupby(key, observed=True).size()
        out["reports_by"] = (counts.reindex(pd.MultiIndex.from_frame(out[key]), fill_value=0)
                             .to_numpy())
    out["surface_repairs"] = cases["surface_fixes"].to_numpy()
    out["false_closures"] = cases["false_closures"].to_numpy()
    out["top_rung"] = cases["top_rung"].to_numpy()
    out["meeting_held"] = (cases["meetings"].to_numpy() > 0).astype(float)
    out["largest_meeting"] = cases["largest_meeting"].to_numpy()
    out["attendee_hours"] = cases["meeting_hours"].to_numpy()
    out["advance_yuan"] = cases["advanced_yuan"].to_numpy()
    out["unrecovered_yuan"] = (cases["advanced_yuan"] - cases["recovered_yuan"]).to_numpy()
    return out


def distribution(outcomes: pd.DataFrame, quantities: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean and 10th/50th/90th percentiles of each quantity over all cases and replications.

    ``years_to_fix`` uses Kaplan–Meier quantiles (a percentile not reached within the horizon
    is NaN) and its mean is over fixed cases only; ``fixed_share`` says how many were fixed.
    Columns: ``regime, quantity, mean, p10, p50, p90, n``.
    """
    names = list(quantities) if quantities is not None else list(OUTCOMES)
    rows = []
    for regime, g in outcomes.groupby("regime", observed=True, sort=False):
        rows.append({"regime": regime, "quantity": "fixed_share", "mean": float(g["fixed"].mean()),
                     "p10": np.nan, "p50": np.nan, "p90": np.nan, "n": len(g)})
        for q in names:
            if q == "years_to_fix":
                dur, seen = g["duration_years"].to_numpy(), g["fixed"].to_numpy()
                p10, p50, p90 = (km_quantile(dur, seen, p) for p in (0.1, 0.5, 0.9))
                fixed = g.loc[g["fixed"], "years_to_fix"]
                mean = float(fixed.mean()) if len(fixed) else np.nan
                n = len(g)
            else:
                # meeting sizes are described over the cases that had a meeting
                sub = g[g["meeting_held"] > 0] if q in {"largest_meeting", "attendee_hours"} else g
                v = sub[q].to_numpy(dtype=float)
                v = v[np.isfinite(v)]
                n = len(v)
                if n == 0:
                    mean = p10 = p50 = p90 = np.nan
                else:
                    mean = float(v.mean())
                    p10, p50, p90 = (float(x) for x in np.quantile(v, [0.1, 0.5, 0.9]))
            rows.append({"regime": regime, "quantity": q, "mean": mean, "p10": p10, "p50": p50,
                         "p90": p90, "n": n})
    return pd.DataFrame(rows, columns=["regime", "quantity", "mean", "p10", "p50", "p90", "n"])


def share_below(values: np.ndarray, x: float) -> tuple[float, float]:
    """Where ``x`` falls in ``values``: the shares strictly below and at-or-below it (its
    percentile rank as an interval, which matters for discrete counts)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]  # +inf (e.g. "not within the horizon") counts as above any x
    if len(v) == 0:
        return (np.nan, np.nan)
    return (float(np.mean(v < x)), float(np.mean(v <= x)))

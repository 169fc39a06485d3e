"""The tables behind govsim's figures, as plain DataFrames (no matplotlib).

Layer: measure. Each figure of :mod:`govsim.figures` draws one of these, and each can be read,
saved or drawn another way on its own:

- :func:`cost_table` -- who pays: every payer's part per regime and replication
  (:func:`govsim.figures.plot_costs`);
- :func:`survival_table` -- the Kaplan–Meier share of problems still unresolved, per regime and
  day, with a confidence band over replications (:func:`govsim.figures.plot_survival`);
- :func:`workload_table` -- staff hours and tickets of the busiest units
  (:func:`govsim.figures.plot_workload`);
- :func:`directly_follows` -- the directly-follows graph of an event log
  (:func:`govsim.figures.plot_process_map`).

The cost parts: per replication, every unit's cost is its capacity cost (staff hours, or every
open hour for a salaried unit) plus the money it paid; the street office's is split into the
five parts of its shifted cost (handling filings it does not own, coordination meetings,
unrecovered advances, adjudication, other) and the rest, its own duty. Public funds' money is a
payer of its own.

Survival: the replications are independent worlds, the cases within one are not, so the band
is a Student t interval of the replications' S(t) at each day, clipped to [0, 1].

Directly follows: within each case (of each replication), events are put in time order (ties
in the order they were logged) and every pair of consecutive events is a transition ``a -> b``;
a case's first event follows ``start`` and its last is followed by ``end``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from govsim.stats.intervals import mean_ci
from govsim.stats.survival import km_survival

__all__ = ["cost_table", "PAYERS", "survival_table", "workload_table", "directly_follows",
           "START", "END"]

#: the stacked parts, bottom to top
PAYERS = ("street office: shifted handling", "street office: shifted meetings",
          "street office: unrecovered advances", "street office: shifted adjudication",
          "street office: other shifted", "street office: own duty", "other public units",
          "private units", "public funds")
_SHIFTED = ("handling", "meeting", "advance", "adjudication", "other")

def cost_table(units: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per regime, replication and payer part (columns ``regime, replication, payer,
    yuan``), from a results' ``units`` and ``metrics`` tables."""
    rows = []
    u = units.assign(regime=units["regime"].astype(str),
                     total=units["capacity_cost_yuan"] + units["money_paid_yuan"])
    m = metrics.assign(regime=metrics["regime"].astype(str)).set_index(["regime", "replication"])
    for (regime, rep), g in u.groupby(["regime", "replication"], sort=False):
        street = g["kind"] == "street_office"
        public = g["public"].astype(bool)
        shifted = [float(m.loc[(regime, rep), f"street_office_shifted_{p}_yuan"])
                   for p in _SHIFTED]
        parts = [*shifted, float(g.loc[street, "total"].sum()) - sum(shifted),
                 float(g.loc[public & ~street, "total"].sum()),
                 float(g.loc[~public, "total"].sum()),
                 float(m.loc[(regime, rep), "fund_money_yuan"])]
        rows += [{"regime": regime, "replication": rep, "payer": p, "yuan": v}
                 for p, v in zip(PAYERS, parts, strict=True)]
    return pd.DataFrame(rows)


def survival_table(cases: pd.DataFrame, days: Sequence[float] | None = None,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Per regime and day: the mean over replications of the Kaplan–Meier share still
    unresolved, its confidence interval and the replications behind it (columns ``regime,
    day, mean, ci_low, ci_high, n``; no rows when no case arose). ``days`` defaults to 0 to
    the longest duration seen."""
    if days is None:
        top = float(np.nanmax(cases["duration_days"])) if len(cases) else 1.0
        days = np.linspace(0.0, top, 121)
    grid = np.asarray(days, dtype=float)
    rows = []
    regimes = cases["regime"].astype(str)
    for regime in dict.fromkeys(regimes):
        mine = cases[regimes == regime]
        curves = np.array([
            km_survival(g["duration_days"].to_numpy(), g["resolved"].to_numpy(), grid)
            for _, g in mine.groupby("replication", observed=True)])
        for j, day in enumerate(grid):
            values = curves[:, j][~np.isnan(curves[:, j])]
            mean, lo, hi, n = mean_ci(values, confidence, (0.0, 1.0)) if len(values) else (
                np.nan, np.nan, np.nan, 0)
            rows.append({"regime": regime, "day": float(day), "mean": mean, "ci_low": lo,
                         "ci_high": hi, "n": n})
    return pd.DataFrame(rows, columns=["regime", "day", "mean", "ci_low", "ci_high", "n"])


def workload_table(units: pd.DataFrame, top: int = 12) -> pd.DataFrame:
    """Per regime and unit (the ``top`` units by mean staff hours over all regimes): the mean
    and 95% interval over replications of ``staff_hours`` and ``tickets``."""
    u = units.assign(regime=units["regime"].astype(str))
    busiest = u.groupby("unit", sort=False)["staff_hours"].mean().nlargest(top).index
    rows = []
    for (regime, unit), g in u[u["unit"].isin(busiest)].groupby(["regime", "unit"], sort=False):
        row: dict[str, object] = {"regime": regime, "unit": unit}
        for col in ("staff_hours", "tickets"):
            mean, lo, hi, n = mean_ci(g[col].to_numpy(dtype=float), 0.95, (0.0, np.inf))
            row.update({col: mean, f"{col}_low": lo, f"{col}_high": hi, "n": n})
        rows.append(row)
    order = {name: i for i, name in enumerate(busiest)}
    return pd.DataFrame(rows).sort_values(["unit", "regime"], key=lambda c: c.map(order)
                                          if c.name == "unit" else c, kind="stable")


START, END = "start", "end"


def directly_follows(events: pd.DataFrame, regime: str | None = None) -> pd.DataFrame:
    """The directly-follows graph of ``events`` (one regime's, or all): one row per edge with
    ``source, target, count, median_hours`` and ``position`` (the source's mean relative
    position in its cases, 0 first, 1 last), most frequent first."""
    ev = events if regime is None else events[events["regime"].astype(str) == regime]
    ev = ev.assign(_order=np.arange(len(ev))).sort_values(
        ["replication", "case:concept:name", "time:timestamp", "_order"], kind="stable")
    act = ev["concept:name"].astype(str).to_numpy()
    t = ev["time:timestamp"].to_numpy(dtype="datetime64[ms]").astype(np.int64) / 3.6e6
    key = ev["replication"].to_numpy() * (1 << 32) + ev["case:concept:name"].to_numpy()
    first = np.ones(len(ev), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    last = np.roll(first, -1)
    if len(last):
        last[-1] = True
    # position of each event within its case, 0 (first) to 1 (last)
    starts = np.maximum.accumulate(np.where(first, np.arange(len(ev)), 0))
    ends = np.minimum.accumulate(np.where(last, np.arange(len(ev)), len(ev))[::-1])[::-1]
    span = np.maximum(ends - starts, 1)
    position = (np.arange(len(ev)) - starts) / span
    src = np.concatenate([np.full(first.sum(), START), act[:-1][~first[1:]], act[last]])
    dst = np.concatenate([act[first], act[1:][~first[1:]], np.full(last.sum(), END)])
    gap = np.concatenate([np.zeros(first.sum()), np.diff(t)[~first[1:]], np.zeros(last.sum())])
    edges = pd.DataFrame({"source": src, "target": dst, "hours": gap})
    out = edges.groupby(["source", "target"], sort=False)["hours"].agg(["size", "median"])
    out = out.rename(columns={"size": "count", "median": "median_hours"}).reset_index()
    where = pd.Series(position).groupby(act).mean().to_dict()
    where[START], where[END] = -0.1, 1.1
    out["position"] = out["source"].map(where)
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)

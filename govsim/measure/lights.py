"""Monitoring lights and precedents over time (the consolidated regime's supervision).

Layer: measure.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["lights_over_time", "settled_share_over_time", "step_times"]

_STEPS = ("sign", "contact", "finish")


def lights_over_time(lights: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """Count yellow and red lights per regime, unit and period (default: calendar month).

    Returns a long table with columns ``regime, replication, unit, period, point, colour,
    lights``; pivot it as needed, e.g. ``.pivot_table(index=["unit", "period"],
    columns="colour", values="lights", aggfunc="sum")``.
    """
    columns = ["regime", "replication", "unit", "period", "point", "colour", "lights"]
    if len(lights) == 0:
        return pd.DataFrame(columns=columns)
    period = lights["time"].dt.to_period(freq[0] if freq in {"MS", "M"} else freq).dt.start_time
    table = (lights.assign(period=period)
             .groupby(["regime", "replication", "unit", "period", "point", "colour"],
                      observed=True)
             .size().rename("lights").reset_index())
    return table[columns]


def settled_share_over_time(events: pd.DataFrame, cases: pd.DataFrame,
                            overlapping: list[str], freq: str = "MS") -> pd.DataFrame:
    """Share of the overlapping-duty categories whose owner has been settled by adjudication
    by the start of each period, per regime and replication.

    ``overlapping`` names the categories with several owners (the others are settled from the
    start). Columns: ``regime, replication, period, settled_share``.
    """
    adj = events[events["concept:name"] == "adjudicate"]
    key = cases.set_index(["regime", "replication", "case"])["category"]
    idx = pd.MultiIndex.from_arrays([adj["regime"], adj["replication"], adj["case:concept:name"]])
    adj = adj.assign(category=key.reindex(idx).to_numpy())
    first = (adj.groupby(["regime", "replication", "category"], observed=True)["time:timestamp"]
             .min().reset_index())
    start = cases["first_filing"].min().to_period("M").start_time
    end = cases["first_filing"].max()
    periods = pd.date_range(start, end, freq=freq)
    rows = []
    n = max(len(overlapping), 1)
    for (regime, rep), _ in cases.groupby(["regime", "replication"], observed=True):
        settled = first[(first["regime"] == regime) & (first["replication"] == rep)
                        & first["category"].isin(overlapping)]["time:timestamp"]
        for p in periods:
            rows.append({"regime": regime, "replication": rep, "period": p,
                         "settled_share": float((settled < p).sum()) / n})
    return pd.DataFrame(rows, columns=["regime", "replication", "period", "settled_share"])


def step_times(events: pd.DataFrame) -> pd.DataFrame:
    """Per regime, replication and unit: tickets dispatched to it and the mean clock hours from
    dispatch to sign, to contacting the citizen and to finishing (the 1-2-5 steps).

    Each ticket is a dispatch followed by that unit's steps for the same case; a return or a
    re-dispatch starts a new ticket.
    """
    columns = ["regime", "replication", "unit", "tickets", "sign_hours", "contact_hours",
               "finish_hours"]
    ev = events[events["concept:name"].isin(["dispatch", *_STEPS])]
    if len(ev) == 0:
        return pd.DataFrame(columns=columns)
    ev = ev.sort_values(["regime", "replication", "case:concept:name", "time:timestamp"],
                        kind="stable")
    is_dispatch = (ev["concept:name"] == "dispatch").to_numpy()
    ticket = is_dispatch.cumsum()
    start = ev["time:timestamp"].where(is_dispatch).groupby(ticket).transform("first")
    ev = ev.assign(ticket=ticket,
                   hours=(ev["time:timestamp"] - start).dt.total_seconds() / 3600.0)
    steps = ev[~is_dispatch]
    wide = steps.pivot_table(index=["regime", "replication", "org:resource", "ticket"],
                             columns="concept:name", values="hours", aggfunc="min",
                             observed=True)
    per_unit = wide.groupby(level=["regime", "replication", "org:resource"], observed=True)
    out = per_unit.mean().reindex(columns=list(_STEPS))
    out.columns = ["sign_hours", "contact_hours", "finish_hours"]
    out.insert(0, "tickets", per_unit.size())
    out = out.reset_index().rename(columns={"org:resource": "unit"})
    return out[columns]

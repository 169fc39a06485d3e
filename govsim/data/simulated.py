"""Times to close of a learnt world, simulated as the log observed them.

Layer: data. A log sees the requests created in its creation window, and each one's time to
close up to the moment it was exported (``as_of``): requests still open then are censored.
:func:`observed_world` builds that observation as a scenario -- arrivals only inside the window
(every complaint type's ``last_day`` is the window's last day), the run going on to ``as_of``
-- and :func:`simulated_times` runs it and returns each simulated case's time to close (the
time to its resolution; censored at the horizon when it is not resolved) with the agency that
leads its complaint type. :func:`quantiles_by_agency` reads Kaplan-Meier quantiles from them.
Both the work fit (:mod:`govsim.data.work_fit`) and the check against a later period
(:mod:`govsim.data.check`) compare these with the log's own.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from govsim.data.scenario_file import GIVEN
from govsim.errors import GovsimError
from govsim.stats.survival import km_quantile

#: days in a year, as the scenario's trend counts them
YEAR = 365.25

__all__ = ["moved_world", "observed_world", "simulated_times", "quantiles_by_agency", "by_replication",
           "lead_agencies"]


def _day(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def moved_world(world: Mapping[str, Any], first_day: Any, horizon_days: int | None = None,
                notes: list[str] | None = None) -> dict[str, Any]:
    """A copy of ``world`` starting on ``first_day``, each category's ``rate_per_day`` carried
    there along its ``trend_per_year`` (``rate × (1 + trend) ** (days / 365.25)``), so that
    every day keeps its rate. A trend that would grow more than a scenario allows over
    ``horizon_days`` is capped there (said in ``notes``)."""
    from govsim.scenario.base import LIMITS

    out, first = copy.deepcopy(dict(world)), _day(first_day)
    years = (first - _day(out["start"])).days / YEAR
    for name, entry in out["categories"].items():
        trend = float(entry.get("trend_per_year") or 0.0)
        if trend:
            entry["rate_per_day"] = float(entry["rate_per_day"]) * (1.0 + trend) ** years
        most = LIMITS["factor"] ** (YEAR / horizon_days) * (1 - 1e-6) - 1 if horizon_days \
            else math.inf
        if trend > most:
            entry["trend_per_year"] = most
            if notes is not None:
                notes.append(f"{name}: trend {trend:+.4g} a year capped at {most:+.4g} over "
                             f"{horizon_days} days (a scenario's rate grows at most "
                             f"{LIMITS['factor']:g}-fold)")
    out["start"] = first
    return out


def observed_world(data: Mapping[str, Any], first_day: Any, end_day: Any,
                   as_of: Any) -> dict[str, Any]:
    """A copy of the scenario ``data`` moved to ``first_day`` (:func:`moved_world`), drawing
    arrivals only up to the day before ``end_day`` (each category's ``last_day``, or its own
    if earlier) and running on to ``as_of`` (whole days, at least the window), so its cases are
    censored where the log's were."""
    out = copy.deepcopy(dict(data))
    first, end = _day(first_day), _day(end_day)
    last = end - dt.timedelta(days=1)
    stop = pd.Timestamp(as_of)
    days = math.ceil((stop - pd.Timestamp(first)).total_seconds() / 86400.0 - 1e-9)
    horizon = max(int(days), (end - first).days, 1)
    world = out["world"] = moved_world(out["world"], first, horizon)
    world["horizon_days"] = horizon
    for entry in world["categories"].values():
        own = entry.get("last_day")
        entry["last_day"] = min(last, _day(own)) if own is not None else last
        begin = entry.get("first_day")
        if begin is not None and _day(begin) > entry["last_day"]:
            entry["rate_per_day"] = 0.0  # no request of it inside the window
            entry.pop("first_day")
            entry.pop("last_day")
    return out


def lead_agencies(world: Mapping[str, Any]) -> dict[str, str]:
    """Each category's lead agency: its ``lead``, else its first owner."""
    return {name: entry.get("lead") or entry["owners"][0]
            for name, entry in world["categories"].items()}


def simulated_times(data: Mapping[str, Any], regime: str, *, replications: int,
                    seed: int) -> pd.DataFrame:
    """Run ``replications`` replications of ``regime`` on the scenario ``data`` (a dict) and
    return one row per case: ``replication``, ``category``, ``agency`` (its lead), ``days``
    (to resolution, or to the horizon when unresolved) and ``closed``. Replication ``r`` uses
    the world draws of ``(seed, r)``: two calls with the same seed share them (common random
    numbers), so changing the work per case changes nothing else."""
    from govsim.model import build_calendar, simulate
    from govsim.recording import tables
    from govsim.scenario.parse import parse_scenario

    try:
        scenario = parse_scenario(data, "<world learnt from a request log>")
    except GovsimError as exc:  # a regime given as a table is refused at the caller's name
        prefix = f"regimes.{GIVEN}"
        if regime == GIVEN and exc.path.startswith(prefix):
            raise GovsimError(exc.message, "regime" + exc.path[len(prefix):]) from None
        raise
    leads = lead_agencies(data["world"])
    calendar = build_calendar(scenario)
    parts: list[pd.DataFrame] = []
    for r in range(replications):
        raw = simulate(scenario, regime, seed, r, record_events=False, calendar=calendar)
        cases = tables(raw, release=True).cases
        category = cases["category"].astype(str).to_numpy()
        parts.append(pd.DataFrame({
            "replication": r,
            "category": category,
            "agency": pd.Series(category).map(leads).to_numpy(),
            "days": cases["duration_days"].to_numpy(dtype=float),
            "closed": cases["resolved"].to_numpy(dtype=bool),
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["replication", "category", "agency", "days", "closed"])


def quantiles_by_agency(times: pd.DataFrame, q: float = 0.5,
                        agencies: Sequence[str] | None = None) -> dict[str, float]:
    """The Kaplan-Meier ``q`` quantile of each agency's simulated times to close, pooled over
    replications (NaN where fewer than ``q`` of its cases closed within the horizon, or it has
    none)."""
    names = sorted(times["agency"].unique()) if agencies is None else list(agencies)
    out: dict[str, float] = {}
    groups = {str(a): g for a, g in times.groupby("agency", sort=False)}
    for name in names:
        g = groups.get(name)
        out[name] = math.nan if g is None or g.empty else km_quantile(
            g["days"].to_numpy(), g["closed"].to_numpy(), q)
    return out


def by_replication(times: pd.DataFrame, key: str, q: float) -> pd.DataFrame:
    """The Kaplan-Meier ``q`` quantile of each ``key`` group in each replication (rows: groups,
    columns: replications)."""
    rows: dict[str, dict[int, float]] = {}
    for (name, r), g in times.groupby([key, "replication"], sort=True):
        rows.setdefault(str(name), {})[int(r)] = km_quantile(
            g["days"].to_numpy(), g["closed"].to_numpy(), q)
    return pd.DataFrame.from_dict(rows, orient="index")


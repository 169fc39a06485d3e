"""Scenarios written in code, for checks against queueing theory.

Layer: scenario (no SimPy here).
"""

from __future__ import annotations

import datetime as dt

from govsim.scenario.parse import Scenario, parse_scenario

__all__ = ["mmc_scenario"]


def mmc_scenario(arrivals_per_hour: float, staff: int, mean_work_hours: float,
                 horizon_days: int, start: dt.date = dt.date(2025, 1, 1)) -> Scenario:
    """An M/M/c queue written as a govsim scenario (for validation against queueing theory).

    One unit with ``staff`` servers, open 24 hours every day; one category arriving as a
    Poisson process; exponential work; one channel answered by the owner, no intake time, no
    surface fixes: every case is filed once, waits for a staff member, is worked and resolved.
    """
    return parse_scenario({
        "name": f"M/M/{staff}",
        "description": "An M/M/c queue for checks against Erlang C",
        "world": {
            "start": start,
            "horizon_days": horizon_days,
            "calendar": {"country": "none"},
            "units": {"desk": {"kind": "bureau", "staff": staff, "hours": "24h"}},
            "categories": {"job": {"rate_per_day": arrivals_per_hour * 24.0, "owners": ["desk"],
                                   "work_hours": mean_work_hours, "work_cv": 1.0}},
        },
        "regimes": {"queue": {"kind": "fragmented", "intake_hours": 0.0,
                              "channels": [{"name": "desk", "unit": "desk"}]}},
    })

"""Units learnt from a request log: when each agency works, and how many staff it needs.

Layer: data. A log does not list staff or office hours, so both are inferred, and both are
reported as assumptions:

- **hours**: an agency whose requests are closed at night and at weekends works round the
  clock (``"24h"``). :func:`round_the_clock` measures the share of an agency's close times
  that fall outside Monday-Friday 08:30-17:30; close times at exactly midnight are left out
  (they are date-only stamps, as New York's housing department writes them). About 73 % of
  a round-the-clock agency's closures fall outside those hours and almost none of an office's,
  so half is the dividing line (:data:`ROUND_THE_CLOCK_SHARE`), with at least
  :data:`MIN_TIMED_CLOSURES` timed closures behind it;
- **staff**: enough for the agency's work (rate x share of each type it handles x (work hours
  + :data:`HANDLING_HOURS` of clerical steps a case)) to keep it ``utilisation`` busy in its
  open hours, at least 1 (:func:`size_staff`). Without the clerical steps, an agency whose
  cases take minutes of work would get one person for hundreds of cases a day, each of which
  still takes a dispatched unit's sign-in and call to the citizen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from govsim.calendar import parse_hours

__all__ = ["ROUND_THE_CLOCK_SHARE", "MIN_TIMED_CLOSURES", "HANDLING_HOURS", "round_the_clock",
           "open_hours_per_day", "agency_loads", "size_staff"]

#: an agency works round the clock when at least this share of its timed closures fall outside
#: Monday-Friday 08:30-17:30
ROUND_THE_CLOCK_SHARE = 0.5
#: ... measured on at least this many closures that are not at exactly midnight
MIN_TIMED_CLOSURES = 20
#: staff-hours of clerical steps a dispatched case takes besides its work: the consolidated
#: preset's sign-in (``sign_hours`` 0.1) and call to the citizen (``contact_hours`` 0.2)
HANDLING_HOURS = 0.3


def round_the_clock(closed: np.ndarray, agency: np.ndarray,
                    agencies: list[str]) -> dict[str, dict[str, float]]:
    """Each agency's timed closures and the share of them outside office hours.

    Parameters
    ----------
    closed : numpy.ndarray
        Close times (``datetime64[s]``; NaT for requests not closed).
    agency : numpy.ndarray
        Each request's agency (text).
    agencies : list of str
        The agencies to report on.

    Returns
    -------
    dict
        ``{agency: {"timed": n, "off_hours_share": s, "round_the_clock": bool}}``: ``timed``
        closures not at exactly midnight, and the share of them outside Monday-Friday
        08:30-17:30 (NaN when there are none).
    """
    has = ~np.isnat(closed)
    seconds = (closed[has] - closed[has].astype("datetime64[D]")).astype(np.int64)
    weekday = (closed[has].astype("datetime64[D]").astype(np.int64) - 4) % 7  # 0 = Monday
    timed = seconds != 0
    hour = seconds / 3600.0
    off = (weekday >= 5) | (hour < 8.5) | (hour >= 17.5)
    who = agency[has]
    out: dict[str, dict[str, float]] = {}
    for name in agencies:
        mine = (who == name) & timed
        n = int(mine.sum())
        share = float(off[mine].mean()) if n else math.nan
        out[name] = {"timed": n, "off_hours_share": share,
                     "round_the_clock": bool(n >= MIN_TIMED_CLOSURES
                                             and share >= ROUND_THE_CLOCK_SHARE)}
    return out


def open_hours_per_day(hours: str, office_hours_per_week: float) -> float:
    """Hours a unit is open per calendar day: 24 for ``"24h"``, else ``office_hours_per_week``
    / 7 (the log's assumption for office agencies)."""
    return 24.0 if parse_hours(hours) is None else office_hours_per_week / 7.0


def agency_loads(categories: Mapping[str, Mapping[str, Any]],
                 shares: Mapping[str, Mapping[str, float]], start: Any,
                 horizon_days: int) -> dict[str, float]:
    """Staff-hours of work a calendar day each agency handles, averaged over the horizon: for
    each complaint type, its mean daily rate x the agency's share of it x (its ``work_hours``
    + :data:`HANDLING_HOURS`).

    ``categories`` are the world's category tables; building each one's schema
    :class:`~govsim.scenario.world.Category` checks it (see
    :func:`govsim.data.window.check_category`, which names the bad key).
    """
    from govsim.data.window import check_category

    loads: dict[str, float] = {}
    for name, entry in categories.items():
        cat = check_category(name, entry)
        mean_rate = float(cat.daily_rates(start, horizon_days).mean())
        for agency, share in shares.get(name, {}).items():
            hours = float(entry["work_hours"]) + HANDLING_HOURS
            loads[agency] = loads.get(agency, 0.0) + mean_rate * share * hours
    return loads


def size_staff(load: float, hours_per_day: float, utilisation: float) -> int:
    """Staff enough for ``load`` staff-hours a day to keep them ``utilisation`` busy in
    ``hours_per_day`` open hours, at least 1 and at most the schema's 100,000."""
    from govsim.scenario.base import LIMITS

    staff = math.ceil(load / hours_per_day / utilisation - 1e-9)
    return int(min(max(1, staff), LIMITS["headcount"]))

"""A run's staff time added up as it is written: what ``record="metrics"`` keeps.

Layer: model. :class:`Tally` takes the place of :class:`~govsim.model.log.Log` when a run keeps
only what its metrics need. It keeps no event log, no staff session and no monitoring light:
each staff session is added, the moment it ends, into the sums the ``units`` and ``daily``
tables are made of (:class:`StaffSums`), and each light into its unit's counts. The money
ledger (a few rows per hundred cases) and the rulings are kept as :class:`Log` keeps them.

The sums are the same numbers, to the last bit, as the ones :func:`staff_sums` makes from a
full log: both add the same rows in the order they were written, one at a time, as
:func:`numpy.bincount` does, and a row that a warm-up leaves out (its case arrived before it) is
left out of the same sums. So a run recorded either way gives the same metrics.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from govsim.model.log import HANDLING, RED, YELLOW, Log, Work

__all__ = ["StaffSums", "Tally", "staff_sums", "DAILY_STAFF_PARTS", "day_count"]

#: the street office's staff-time parts of the ``daily`` table, in yuan spent each day: its own
#: duty, duty a ruling assigned, and the shifted hours spent seated (handling), at meetings, in
#: adjudication and on anything else (supervision, calls)
DAILY_STAFF_PARTS = ("own", "assigned", "seated", "meeting", "adjudication", "other")

_SEATED = Work.SEATED
#: a session's purpose -> its shifted hours' sum per unit (seated hours are handling, which the
#: metrics take as what the other parts leave)
_UNIT_PART = {Work.MEETING: 2, Work.ADJUDICATION: 3, Work.SUPERVISION: 4, Work.CALL: 4}
#: a session's purpose -> its part of the street office's day (in DAILY_STAFF_PARTS)
_DAY_PART = {Work.SEATED: 2, Work.MEETING: 3, Work.ADJUDICATION: 4, Work.SUPERVISION: 5,
             Work.CALL: 5}


def day_count(horizon_h: float) -> int:
    """Days in the ``daily`` table of a run of ``horizon_h`` hours (at least one)."""
    return max(1, int(np.ceil(horizon_h / 24.0 - 1e-9)))


@dataclass
class StaffSums:
    """A run's staff hours added up per unit (kept cases' sessions; ``seated``: every seated
    session that ended in the measured window), per case (every session) and, for the street
    offices, per day in the parts of :data:`DAILY_STAFF_PARTS` (yuan); and the monitoring
    lights per unit: breached limits, yellow and red."""

    hours: np.ndarray
    shifted: np.ndarray
    shifted_meeting: np.ndarray
    shifted_adjudication: np.ndarray
    shifted_other: np.ndarray
    own: np.ndarray
    assigned: np.ndarray
    seated: np.ndarray
    per_case: np.ndarray
    daily: dict[str, np.ndarray]
    breaches: np.ndarray
    yellow: np.ndarray
    red: np.ndarray


def staff_sums(unit: np.ndarray, hours: np.ndarray, share: np.ndarray, purpose: np.ndarray,
               assigned: np.ndarray, time: np.ndarray, seated: np.ndarray, per_case: np.ndarray,
               street: np.ndarray, cost: np.ndarray, day_n: int,
               lights: tuple[np.ndarray, np.ndarray, np.ndarray]) -> StaffSums:
    """The sums of :class:`StaffSums` from the kept rows of a full staff log (``seated`` and
    ``per_case`` already made from every row) and the kept lights ``(unit, colour, point)``."""
    n_units = len(cost)
    shifted_h = hours * (1.0 - share)

    def per_unit(weights: np.ndarray) -> np.ndarray:
        return np.bincount(unit, weights=weights, minlength=n_units)

    def shifted_for(*purposes: int) -> np.ndarray:
        return per_unit(np.where(np.isin(purpose, purposes), shifted_h, 0.0))

    duty_h = hours * share
    mine = street[unit]
    s_hours, s_share, s_purpose, s_assigned = hours[mine], share[mine], purpose[mine], assigned[mine]
    day = np.clip(np.floor(time[mine] / 24.0), 0, day_n - 1).astype(np.int64)
    yuan = s_hours * cost[unit[mine]]
    s_shifted, s_duty = yuan * (1.0 - s_share), yuan * s_share

    def by_day(weights: np.ndarray) -> np.ndarray:
        # (float even with no rows: bincount of nothing counts in ints)
        return np.bincount(day, weights=weights, minlength=day_n).astype(float)

    def day_shifted(*purposes: int) -> np.ndarray:
        return by_day(np.where(np.isin(s_purpose, purposes), s_shifted, 0.0))

    daily = dict(zip(DAILY_STAFF_PARTS, (
        by_day(np.where(s_assigned, 0.0, s_duty)), by_day(np.where(s_assigned, s_duty, 0.0)),
        day_shifted(Work.SEATED), day_shifted(Work.MEETING), day_shifted(Work.ADJUDICATION),
        day_shifted(Work.SUPERVISION, Work.CALL)), strict=True))
    l_unit, l_colour, l_point = lights
    return StaffSums(
        hours=per_unit(hours), shifted=per_unit(shifted_h),
        shifted_meeting=shifted_for(Work.MEETING),
        shifted_adjudication=shifted_for(Work.ADJUDICATION),
        shifted_other=shifted_for(Work.SUPERVISION, Work.CALL),
        own=per_unit(np.where(assigned, 0.0, duty_h)),
        assigned=per_unit(np.where(assigned, duty_h, 0.0)),
        seated=seated, per_case=per_case, daily=daily,
        # every breached time limit turned exactly one red light at its monitoring point
        breaches=np.bincount(l_unit[(l_colour == RED) & (l_point <= HANDLING)],
                             minlength=n_units),
        yellow=np.bincount(l_unit[l_colour == YELLOW], minlength=n_units),
        red=np.bincount(l_unit[l_colour == RED], minlength=n_units))


class Tally(Log):
    """The log of a run that keeps only its metrics (``record="metrics"``).

    Parameters
    ----------
    n:
        Cases in the run (per-case staff hours are kept: eight bytes a case).
    arrival, category:
        The world's arrival times and categories by case (memoryviews or lists).
    warmup_h, horizon_h:
        The run's warm-up and horizon, in hours.
    cost, street, relay:
        Per unit: hourly cost, whether it is a street office, whether it is a relay unit
        (whose work no ruling assigns).
    """

    __slots__ = ("_arrival", "_category", "_warmup", "_cost", "_street", "_relay", "_day_n",
                 "_ruled", "_u", "_case_hours", "_days", "_lights")

    def __init__(self, n: int, arrival: Sequence[float], category: Sequence[int],
                 warmup_h: float, horizon_h: float, cost: Sequence[float],
                 street: Sequence[bool], relay: Sequence[bool]) -> None:
        super().__init__(record_events=False)
        n_units = len(cost)
        self._arrival, self._category, self._warmup = arrival, category, warmup_h
        self._cost, self._street, self._relay = list(cost), list(street), list(relay)
        self._day_n = day_count(horizon_h)
        #: category -> the non-relay unit a ruling made its only owner
        self._ruled: dict[int, int] = {}
        # per unit: hours, shifted, shifted at meetings, in adjudication, on anything else,
        # own duty, assigned duty, seated in the window
        self._u = [[0.0] * n_units for _ in range(8)]
        self._case_hours = array("d", bytes(8 * n))
        self._days = [[0.0] * self._day_n for _ in DAILY_STAFF_PARTS]
        self._lights = [[0] * n_units for _ in range(3)]  # breaches, yellow, red

    def ruling(self, category: int, unit: int, time: float) -> None:
        super().ruling(category, unit, time)
        if not self._relay[unit]:
            self._ruled[category] = unit

    def event(self, case: int, act: int, time: float, unit: int) -> None:
        """No event log is kept."""

    def staff(self, case: int, unit: int, hours: float, share: float, time: float,
              purpose: int = 0) -> None:
        self._case_hours[case] += hours
        u = self._u
        warmup = self._warmup
        if purpose == _SEATED and (not warmup or time > warmup):
            u[7][unit] += hours
        if warmup and case >= 0 and self._arrival[case] < warmup:
            return  # a warm-up case: left out of every other sum
        shifted = hours * (1.0 - share)
        duty = hours * share
        u[0][unit] += hours
        u[1][unit] += shifted
        part = _UNIT_PART.get(purpose)
        if part is not None:
            u[part][unit] += shifted
        assigned = (share == 1.0 and case >= 0
                    and self._ruled.get(self._category[case], -1) == unit)
        u[6 if assigned else 5][unit] += duty
        if self._street[unit]:
            day = min(max(math.floor(time / 24.0), 0), self._day_n - 1)
            yuan = hours * self._cost[unit]
            days = self._days
            days[1 if assigned else 0][day] += yuan * share
            part = _DAY_PART.get(purpose)
            if part is not None:
                days[part][day] += yuan * (1.0 - share)

    def light(self, case: int, unit: int, point: int, colour: int, time: float) -> None:
        warmup = self._warmup
        if warmup and case >= 0 and self._arrival[case] < warmup:
            return
        breaches, yellow, red = self._lights
        if colour == RED:
            red[unit] += 1
            if point <= HANDLING:
                breaches[unit] += 1
        elif colour == YELLOW:
            yellow[unit] += 1

    def sums(self) -> StaffSums:
        """The sums, as arrays (once the run is over)."""
        u = [np.asarray(v, dtype=float) for v in self._u]
        lights = [np.asarray(v, dtype=np.int64) for v in self._lights]
        return StaffSums(
            hours=u[0], shifted=u[1], shifted_meeting=u[2], shifted_adjudication=u[3],
            shifted_other=u[4], own=u[5], assigned=u[6], seated=u[7],
            per_case=np.frombuffer(self._case_hours, dtype=float),
            daily={k: np.asarray(v, dtype=float)
                   for k, v in zip(DAILY_STAFF_PARTS, self._days, strict=True)},
            breaches=lights[0], yellow=lights[1], red=lights[2])

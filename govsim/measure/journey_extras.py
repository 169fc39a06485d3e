"""What a journey's steps carried beyond the event log: money, meetings, office hours.

Layer: measure (used by :func:`govsim.measure.journey.case_journey`). The money each step
moved comes from the run's money ledger (:attr:`govsim.Results.ledger`, which has no time
stamps: payments are matched in order to the next step that can carry their kind); who was
invited to each meeting from the scenario's escalation ladder, and how many came from the cases
table (exact when at most one of a case's meetings could have absentees); whether a step fell
within the city's office hours on a working day from the scenario's calendar (without a
scenario: 08:30-17:30, Monday to Friday, no public holidays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from govsim.calendar import parse_hours, working_day_table
from govsim.scenario.world import CalendarSpec

if TYPE_CHECKING:
    from govsim.scenario import Scenario

__all__ = ["office_hours_mask", "step_amounts", "step_meetings", "rows_of", "LEDGER_COLUMNS",
           "CASE_COLUMNS", "ladder"]


# ------------------------------------------------------------------------------ money
LEDGER_COLUMNS = ("case", "amount_yuan", "kind")
CASE_COLUMNS = ("case", "meetings", "meeting_attendees")

#: the steps that may carry each kind of money movement of the ledger (the model pays just
#: before it logs the step, at the same moment)
_PAID_AT: dict[str, frozenset[str]] = {
    "surface_fix": frozenset({"surface_fix"}),
    "advance": frozenset({"advance"}),
    "recovery": frozenset({"recovery"}),
    "real_fix": frozenset({"fund_release", "share_done", "resolved"}),
}


def rows_of(table: pd.DataFrame | None, name: str, where: tuple[str | None, int, int],
             columns: Sequence[str]) -> pd.DataFrame | None:
    """The rows of ``table`` (a ledger or cases table) for one case, in the table's order."""
    if table is None:
        return None
    missing = [c for c in ("replication", *columns) if c not in table.columns]
    if missing:
        raise ValueError(f"the {name} table lacks the column(s) "
                         + ", ".join(repr(c) for c in missing) + f"; pass Results.{name}")
    regime, replication, case = where
    keep = (table["replication"].to_numpy() == replication) & (table["case"].to_numpy() == case)
    if regime is not None and "regime" in table.columns:
        keep &= (table["regime"].astype(object) == regime).to_numpy(dtype=bool)
    return table.loc[keep]


def step_amounts(activity: np.ndarray, money: pd.DataFrame | None) -> np.ndarray:
    """The yuan each step moved, from the case's ledger rows.

    The ledger has no time stamps, but it is in the order of payment, and every payment is
    made at the moment of one step, just before the model logs it: each row goes to the
    next step, from the previous row's on, that can carry its kind. An advance paid back is
    two rows (the advancer's, negative, then the fund's, when there is one): the step
    carries the amount paid back.
    """
    out = np.full(len(activity), np.nan)
    if money is None:
        return out
    kinds = money["kind"].astype(object).astype(str).to_numpy()
    amounts = money["amount_yuan"].to_numpy(dtype=float)
    pos = 0
    last = -1
    for kind, amount in zip(kinds, amounts, strict=True):
        if kind == "recovery" and amount > 0 and last >= 0 and activity[last] == "recovery":
            continue  # the fund's side of the advance paid back: same step, already counted
        can = _PAID_AT.get(kind, frozenset())
        k = pos
        while k < len(activity) and activity[k] not in can:
            k += 1
        if k == len(activity):
            break  # a payment whose step is past the log (cannot happen with a model's run)
        out[k] = -amount if kind == "recovery" else amount
        last, pos = k, k + 1
    return out


# ---------------------------------------------------------------------------- meetings
def ladder(scenario: Scenario | None, regime: str | None) -> dict[str, tuple[tuple[str, ...], float]]:
    """Convener -> (invited units, each one's chance to come), from the regime's ladder."""
    if scenario is None:
        return {}
    regimes = scenario.regimes
    if regime is None and len(regimes) == 1:
        regime = next(iter(regimes))
    if regime not in regimes:
        raise ValueError(f"the scenario has no regime {regime!r}; it has "
                         + ", ".join(regimes))
    out: dict[str, tuple[tuple[str, ...], float]] = {}
    for rung in regimes[regime].escalation:
        if rung.meeting is not None and rung.unit not in out:
            out[rung.unit] = (tuple(rung.meeting.attendees), float(rung.meeting.attend_prob))
    return out


def step_meetings(activity: np.ndarray, unit: np.ndarray, case_row: pd.DataFrame | None,
              ladder: Mapping[str, tuple[tuple[str, ...], float]]
              ) -> tuple[list[tuple[str, ...] | None], np.ndarray]:
    """Who was invited to each meeting step, and how many came.

    A meeting whose invitees always come (``attend_prob = 1``) had them all. The cases table
    adds up the attendance of the case's meetings, so one meeting whose invitees may stay
    away -- or one meeting in all -- is the rest of that sum; several such meetings are known
    only when every invitee came to each.
    """
    n = len(activity)
    invited: list[tuple[str, ...] | None] = [None] * n
    attendees = np.full(n, np.nan)
    idx = np.flatnonzero(activity == "meeting")
    if not len(idx):
        return invited, attendees
    uncertain = []
    for k in idx:
        found = ladder.get(str(unit[k]))
        if found is not None:
            invited[k] = found[0]
            if found[1] >= 1.0:
                attendees[k] = len(found[0])
            else:
                uncertain.append(k)
        else:
            uncertain.append(k)
    if case_row is None or len(case_row) != 1 or not uncertain:
        return invited, attendees
    if int(case_row["meetings"].iloc[0]) != len(idx):
        return invited, attendees  # not the run these events came from
    rest = float(case_row["meeting_attendees"].iloc[0]) - float(np.nansum(attendees[idx]))
    if len(uncertain) == 1:
        attendees[uncertain[0]] = rest
    elif all(invited[k] is not None for k in uncertain) \
            and rest == sum(len(invited[k] or ()) for k in uncertain):
        for k in uncertain:
            attendees[k] = len(invited[k] or ())
    return invited, attendees


# ------------------------------------------------------------------------ office hours
_DEFAULT_CALENDAR = CalendarSpec(country=None)


@lru_cache(maxsize=8)
def _working_days(start: dt.date, n_days: int, country: str | None,
                  extra_holidays: tuple[dt.date, ...],
                  extra_workdays: tuple[dt.date, ...]) -> np.ndarray:
    table = working_day_table(start, n_days, country=country, extra_holidays=extra_holidays,
                              extra_workdays=extra_workdays)
    table.setflags(write=False)
    return table


def office_hours_mask(times: Sequence[Any] | pd.Series | np.ndarray,
                      scenario: Scenario | None = None) -> np.ndarray:
    """Whether each time stamp falls within office hours on a working day.

    Parameters
    ----------
    times:
        Time stamps (anything :func:`pandas.to_datetime` reads), on the simulation's clock
        (local time, as in :attr:`govsim.Results.events`).
    scenario:
        The scenario whose calendar decides (``world.calendar``: ``office_hours``, the
        public holidays and make-up working days of ``country``, ``extra_holidays``,
        ``extra_workdays``), as the model's official working-day clock does; days after
        its horizon count Monday to Friday. Without it: the scenario default office hours
        (08:30-17:30) on Monday to Friday, with no public holidays.

    Returns
    -------
    numpy.ndarray
        One bool per time stamp (``False`` for a missing one).
    """
    stamps = pd.DatetimeIndex(pd.to_datetime(np.asarray(times)))
    days = stamps.normalize()
    clock = np.asarray((stamps - days) / pd.Timedelta(hours=1), dtype=float)
    working = np.asarray(days.day_of_week < 5, dtype=bool)
    spec = _DEFAULT_CALENDAR if scenario is None else scenario.world.calendar
    if scenario is not None:
        w = scenario.world
        table = _working_days(w.start, w.horizon_days, spec.country,
                              tuple(spec.extra_holidays), tuple(spec.extra_workdays))
        index = np.asarray((days - pd.Timestamp(w.start)) / pd.Timedelta(days=1))
        inside = (index >= 0) & (index < len(table))
        working[inside] = table[index[inside].astype(np.int64)]
    hours = parse_hours(spec.office_hours)
    opens, closes = hours if hours is not None else (0.0, 24.0)
    return working & (clock >= opens) & (clock < closes) & ~np.asarray(stamps.isna())

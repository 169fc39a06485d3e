"""A run's logs read into arrays, with a warm-up's cases cut out.

Layer: recording. :func:`read_staff`, :func:`read_money` and :func:`read_lights` read the staff
sessions, the money movements and the monitoring lights of a run (each log list emptied as soon
as it is read when ``release`` is set), mark which staff and money rows are duty a ruling
assigned (made before the cut: the rows' positions count), and keep only the rows of kept cases
(``keep``: the cases that arrived after the warm-up and were filed; ``None``: every case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from govsim.model.log import Work
from govsim.model.state import RELAY_KINDS, RawRun

__all__ = ["StaffRows", "MoneyRows", "LightRows", "read_staff", "read_money", "read_lights", "kept"]

Take = Callable[[str, type], np.ndarray]


@dataclass
class StaffRows:
    """Staff sessions: case, unit, hours, the unit's share of the case, purpose, whether
    assigned by a ruling, end time; ``seated`` hours per unit over the measured window, and
    hours per case (every row, before the cut)."""

    case: np.ndarray
    unit: np.ndarray
    hours: np.ndarray
    share: np.ndarray
    purpose: np.ndarray
    assigned: np.ndarray
    time: np.ndarray
    seated: np.ndarray
    per_case: np.ndarray


@dataclass
class MoneyRows:
    """Money movements: case, payer, amount, the payer's share of the case, kind, whether
    assigned by a ruling, time; and money per case (every row, before the cut)."""

    case: np.ndarray
    payer: np.ndarray
    amount: np.ndarray
    share: np.ndarray
    kind: np.ndarray
    assigned: np.ndarray
    time: np.ndarray
    per_case: np.ndarray


@dataclass
class LightRows:
    """Monitoring lights: case, unit, colour, monitoring point, time."""

    case: np.ndarray
    unit: np.ndarray
    colour: np.ndarray
    point: np.ndarray
    time: np.ndarray


def read_staff(raw: RawRun, take: Take, keep: np.ndarray | None) -> StaffRows:
    n = len(raw.cases["arrival_h"])
    case, unit = take("st_case", np.int64), take("st_unit", np.int64)
    hours, share = take("st_hours", float), take("st_share", float)
    purpose = take("st_purpose", np.int64)
    seat = purpose == Work.SEATED
    # utilisation is a property of the time window, whoever the work was for: seated hours of
    # the sessions that ended after the warm-up (all of them without one)
    time = take("st_time", float)
    busy = seat & (time > raw.warmup_h) if raw.warmup_h else seat
    seated = np.bincount(unit, weights=np.where(busy, hours, 0.0), minlength=len(raw.unit_names))
    assigned = _assigned(raw.cases["category"], _rulings(raw), 2, case, unit, share)
    per_case = np.bincount(case, weights=hours, minlength=n) if n else np.zeros(0)
    if keep is not None:
        k = kept(keep, case)
        case, unit, hours, share, purpose, assigned, time = (
            case[k], unit[k], hours[k], share[k], purpose[k], assigned[k], time[k])
    return StaffRows(case, unit, hours, share, purpose, assigned, time, seated, per_case)


def read_money(raw: RawRun, take: Take, keep: np.ndarray | None) -> MoneyRows:
    n = len(raw.cases["arrival_h"])
    case, payer = take("m_case", np.int64), take("m_payer", np.int64)
    amount, share = take("m_amount", float), take("m_share", float)
    kind, time = take("m_kind", np.int64), take("m_time", float)
    assigned = _assigned(raw.cases["category"], _rulings(raw), 3, case, payer, share)
    per_case = np.bincount(case, weights=amount, minlength=n) if n else np.zeros(0)
    if keep is not None:
        k = kept(keep, case)
        case, payer, amount, share, kind, assigned, time = (
            case[k], payer[k], amount[k], share[k], kind[k], assigned[k], time[k])
    return MoneyRows(case, payer, amount, share, kind, assigned, time, per_case)


def read_lights(take: Take, keep: np.ndarray | None) -> LightRows:
    case, unit = take("l_case", np.int64), take("l_unit", np.int64)
    colour, point = take("l_colour", np.int64), take("l_point", np.int64)
    time = take("l_time", float)
    if keep is not None:
        k = kept(keep, case)
        case, unit, colour, point, time = case[k], unit[k], colour[k], point[k], time[k]
    return LightRows(case, unit, colour, point, time)


def _rulings(raw: RawRun) -> list[tuple[int, int, int, int]]:
    """The run's rulings: (category, the unit it made the only owner, the first rows of the
    staff and money ledgers recorded from the ruling on). A relay unit's work is its own duty
    anyway: a ruling for it assigns nothing."""
    return [(category, unit, staff_rows, money_rows)
            for category, unit, _time, staff_rows, money_rows in raw.log.rulings
            if raw.unit_kinds[unit] not in RELAY_KINDS]


def _assigned(case_category: np.ndarray, rulings: list[tuple[int, int, int, int]], which: int,
              case: np.ndarray, unit: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Which ledger rows are duty a ruling assigned: the ruled-to unit's rows on its category's
    cases, recorded from the ruling on and under it (share 1: work begun, and money advanced,
    under the shared ownership keep their shares and are not assigned duty). ``which``: the
    position in a ruling of the ledger's first row (2 staff, 3 money)."""
    out = np.zeros(len(case), dtype=bool)
    for ruling in rulings:
        category, u, first = ruling[0], ruling[1], ruling[which]
        # the unit's rows after the ruling (few), then their case and share
        rows = first + np.flatnonzero(unit[first:] == u)
        c = case[rows]
        ok = (c >= 0) & (share[rows] == 1.0)
        ok &= case_category[np.maximum(c, 0)] == category
        out[rows[ok]] = True
    return out


def kept(keep_case: np.ndarray, case: np.ndarray) -> np.ndarray:
    """Which log rows to keep: those of kept cases (rows tied to no case, ``-1``, stay)."""
    return (case < 0) | keep_case[np.maximum(case, 0)]

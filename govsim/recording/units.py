"""The ``units`` table: per unit, its tickets, staff hours and cost, utilisation, money paid,
and every hour and yuan split into shifted cost, its own duty and duty a ruling assigned to it.

Layer: recording. Built by :func:`govsim.recording.tables` from the logs of
:mod:`govsim.recording.logs` (after a warm-up, the cases that arrived after it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim.model.log import HANDLING, RED, YELLOW, MoneyKind, Work
from govsim.model.state import RawRun
from govsim.recording.logs import LightRows, MoneyRows, StaffRows

__all__ = ["units_table"]


def units_table(raw: RawRun, head: dict[str, object], staff: StaffRows, money: MoneyRows,
                lights: LightRows) -> pd.DataFrame:
    """One row per unit (``head``: the regime and replication columns)."""
    n_units = len(raw.unit_names)
    n_payers = len(raw.payer_names)
    st_unit, st_hours, st_share = staff.unit, staff.hours, staff.share
    m_payer, m_amount, m_share = money.payer, money.amount, money.share
    cost = np.asarray(raw.unit_cost, dtype=float)
    hours = np.bincount(st_unit, weights=st_hours, minlength=n_units)
    shifted_h = st_hours * (1.0 - st_share)
    shifted_hours = np.bincount(st_unit, weights=shifted_h, minlength=n_units)

    def shifted_for(*purposes: int) -> np.ndarray:
        return np.bincount(st_unit, weights=np.where(np.isin(staff.purpose, purposes), shifted_h,
                                                     0.0), minlength=n_units)

    shifted_meeting = shifted_for(Work.MEETING)
    paid = np.bincount(m_payer, weights=m_amount, minlength=n_payers)[:n_units]
    shifted_m = m_amount * (1.0 - m_share)
    shifted_money = np.bincount(m_payer, weights=shifted_m, minlength=n_payers)[:n_units]
    is_advance = (money.kind == MoneyKind.ADVANCE) | (money.kind == MoneyKind.RECOVERY)
    shifted_advance = np.bincount(m_payer, weights=np.where(is_advance, shifted_m, 0.0),
                                  minlength=n_payers)[:n_units]
    # the rest, hours (money) x share, is the unit's duty: assigned by a ruling, or its own
    duty_h = st_hours * st_share
    assigned_hours = np.bincount(st_unit, weights=np.where(staff.assigned, duty_h, 0.0),
                                 minlength=n_units)
    own_hours = np.bincount(st_unit, weights=np.where(staff.assigned, 0.0, duty_h),
                            minlength=n_units)
    duty_m = m_amount * m_share
    assigned_money = np.bincount(m_payer, weights=np.where(money.assigned, duty_m, 0.0),
                                 minlength=n_payers)[:n_units]
    own_money = np.bincount(m_payer, weights=np.where(money.assigned, 0.0, duty_m),
                            minlength=n_payers)[:n_units]
    open_hours = np.asarray(raw.unit_open_hours, dtype=float) * np.asarray(raw.unit_staff)
    # every breached time limit turned exactly one red light at its monitoring point
    l_unit, l_colour = lights.unit, lights.colour
    breaches = np.bincount(l_unit[(l_colour == RED) & (lights.point <= HANDLING)],
                           minlength=n_units)
    yellow = np.bincount(l_unit[l_colour == YELLOW], minlength=n_units)
    red = np.bincount(l_unit[l_colour == RED], minlength=n_units)
    return pd.DataFrame({
        **head,
        "unit": raw.unit_names,
        "kind": raw.unit_kinds,
        "public": raw.unit_public,
        "staff": raw.unit_staff,
        "hourly_cost_yuan": cost,
        "tickets": raw.unit_tickets,
        "staff_hours": hours,
        "staff_cost_yuan": hours * cost,
        "salaried": raw.unit_salaried,
        # salaried staff (and a salaried unit's call-takers) are paid for every open hour, busy
        # or not; others for the hours worked
        "capacity_cost_yuan": np.where(
            raw.unit_salaried,
            (open_hours + np.asarray(raw.unit_call_seat_hours, dtype=float)) * cost,
            hours * cost),
        # meeting and adjudication hours are costed but hold no server: not in utilisation
        "utilisation": np.divide(staff.seated, open_hours, out=np.zeros(n_units),
                                 where=open_hours > 0),
        "money_paid_yuan": paid,
        "shifted_hours": shifted_hours,
        "shifted_meeting_hours": shifted_meeting,
        "shifted_adjudication_hours": shifted_for(Work.ADJUDICATION),
        # chasing red lights and answering calls for cases the unit does not own
        "shifted_other_hours": shifted_for(Work.SUPERVISION, Work.CALL),
        "shifted_money_yuan": shifted_money,
        "shifted_advance_yuan": shifted_advance,
        "shifted_cost_yuan": shifted_money + shifted_hours * cost,
        # the unit's own duty and the duty a ruling assigned to it: with the shifted columns,
        # every staff-hour and every yuan it spent, each counted once
        "own_hours": own_hours,
        "own_money_yuan": own_money,
        "assigned_hours": assigned_hours,
        "assigned_money_yuan": assigned_money,
        "breaches": breaches,
        "yellow_lights": yellow,
        "red_lights": red,
    })

"""The ``units`` table: per unit, its tickets, staff hours and cost, utilisation, money paid,
and every hour and yuan split into shifted cost, its own duty and duty a ruling assigned to it.

Layer: recording. Built by :func:`govsim.recording.tables` from the logs of
:mod:`govsim.recording.logs` (after a warm-up, the cases that arrived after it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim.model.log import MoneyKind
from govsim.model.state import RawRun
from govsim.model.tally import StaffSums
from govsim.recording.logs import MoneyRows

__all__ = ["units_table"]


def units_table(raw: RawRun, head: dict[str, object], staff: StaffSums,
                money: MoneyRows) -> pd.DataFrame:
    """One row per unit (``head``: the regime and replication columns), from the run's staff
    sums and the kept rows of its money ledger."""
    n_units = len(raw.unit_names)
    n_payers = len(raw.payer_names)
    m_payer, m_amount, m_share = money.payer, money.amount, money.share
    cost = np.asarray(raw.unit_cost, dtype=float)
    hours = staff.hours
    paid = np.bincount(m_payer, weights=m_amount, minlength=n_payers)[:n_units]
    shifted_m = m_amount * (1.0 - m_share)
    shifted_money = np.bincount(m_payer, weights=shifted_m, minlength=n_payers)[:n_units]
    is_advance = (money.kind == MoneyKind.ADVANCE) | (money.kind == MoneyKind.RECOVERY)
    shifted_advance = np.bincount(m_payer, weights=np.where(is_advance, shifted_m, 0.0),
                                  minlength=n_payers)[:n_units]
    # the rest, money x share, is the unit's duty: assigned by a ruling, or its own
    duty_m = m_amount * m_share
    assigned_money = np.bincount(m_payer, weights=np.where(money.assigned, duty_m, 0.0),
                                 minlength=n_payers)[:n_units]
    own_money = np.bincount(m_payer, weights=np.where(money.assigned, 0.0, duty_m),
                            minlength=n_payers)[:n_units]
    open_hours = np.asarray(raw.unit_open_hours, dtype=float) * np.asarray(raw.unit_staff)
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
        "shifted_hours": staff.shifted,
        "shifted_meeting_hours": staff.shifted_meeting,
        "shifted_adjudication_hours": staff.shifted_adjudication,
        # chasing red lights and answering calls for cases the unit does not own
        "shifted_other_hours": staff.shifted_other,
        "shifted_money_yuan": shifted_money,
        "shifted_advance_yuan": shifted_advance,
        "shifted_cost_yuan": shifted_money + staff.shifted * cost,
        # the unit's own duty and the duty a ruling assigned to it: with the shifted columns,
        # every staff-hour and every yuan it spent, each counted once
        "own_hours": staff.own,
        "own_money_yuan": own_money,
        "assigned_hours": staff.assigned,
        "assigned_money_yuan": assigned_money,
        "breaches": staff.breaches,
        "yellow_lights": staff.yellow,
        "red_lights": staff.red,
    })

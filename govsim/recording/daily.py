"""The ``daily`` table's columns: the street office's burden and the cases, day by day.

Layer: recording. The per-day arrays of the ``daily`` table :func:`govsim.recording.tables`
builds, one value per day of the horizon (at most 731 for two years): the street office's burden
spent that day in the seven parts of :data:`DAILY_BURDEN` (the parts of
:func:`govsim.measure.metrics.replication_metrics`' ``street_office_burden_yuan``: own duty,
assigned duty and the five shifted parts), binned by day from the same ledger rows the ``units``
table adds up, and the cases of :data:`DAILY_COUNTS` (filed, resolved, abandoned) that day.
"""

from __future__ import annotations

import numpy as np

from govsim.model.log import MoneyKind

__all__ = ["DAILY_BURDEN", "DAILY_COUNTS"]

#: the ``daily`` table's burden columns: the metrics of the same names, spent that day (yuan)
DAILY_BURDEN = ("street_office_own_duty_yuan", "street_office_assigned_duty_yuan",
                "street_office_shifted_handling_yuan", "street_office_shifted_meeting_yuan",
                "street_office_shifted_advance_yuan", "street_office_shifted_adjudication_yuan",
                "street_office_shifted_other_yuan")
#: the ``daily`` table's case counts: filed (first filing), resolved and abandoned that day
DAILY_COUNTS = ("filed", "resolved", "abandoned")


def _day(hours: np.ndarray, day_n: int) -> np.ndarray:
    """The day of the horizon each time falls in (a time at or past the horizon -- a staff
    session that ends after it -- counts on the last day, before the start on the first)."""
    return np.clip(np.floor(hours / 24.0), 0, day_n - 1).astype(np.int64)


def _per_day(hours: np.ndarray, day_n: int) -> np.ndarray:
    return np.bincount(_day(hours, day_n), minlength=day_n).astype(np.int64)


def _daily_burden(day_n: int, street: np.ndarray, staff: dict[str, np.ndarray],
                  money: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    """The street office's burden spent each day, in the seven parts of
    :data:`DAILY_BURDEN`, from the same ledger rows and by the same rules as the ``units``
    table's columns that :func:`govsim.measure.metrics.replication_metrics` adds up:
    hours valued at the unit's hourly cost, money as paid (a recovery on the day it came back,
    so the money parts may fall); a row's share of the case is duty (own, or assigned by a
    ruling), the rest is shifted. ``staff``: the staff time's parts by day
    (:attr:`govsim.model.tally.StaffSums.daily`); the money rows are binned here."""
    m_payer, m_amount, m_share, m_kind, m_assigned, m_time = money
    paid = np.concatenate((street, np.zeros(1, dtype=bool)))[
        np.minimum(m_payer, len(street))]  # funds are never the street office
    amount, m_share, m_kind, m_assigned = (m_amount[paid], m_share[paid], m_kind[paid],
                                           m_assigned[paid])
    m_day = _day(m_time[paid], day_n)
    m_shifted = amount * (1.0 - m_share)
    m_duty = amount * m_share
    advance = (m_kind == MoneyKind.ADVANCE) | (m_kind == MoneyKind.RECOVERY)

    def money_by_day(weights: np.ndarray) -> np.ndarray:
        # (float even with no rows: bincount of nothing counts in ints)
        return np.bincount(m_day, weights=weights, minlength=day_n).astype(float)

    return [
        staff["own"] + money_by_day(np.where(m_assigned, 0.0, m_duty)),
        staff["assigned"] + money_by_day(np.where(m_assigned, m_duty, 0.0)),
        # handling: seated hours for others, and money other than advances (what the other
        # four shifted parts leave, as in the metrics)
        staff["seated"] + money_by_day(np.where(advance, 0.0, m_shifted)),
        staff["meeting"],
        money_by_day(np.where(advance, m_shifted, 0.0)),
        staff["adjudication"],
        staff["other"],
    ]

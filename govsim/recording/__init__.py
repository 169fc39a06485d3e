"""Raw columns of a run → pandas DataFrames, once, after the run.

Layer: recording. Builds the four tables of one replication of one regime:

``cases``
    one row per case: first filing, final state, censored duration, contacts, tickets, units
    touched, escalation, surface fixes, false closures, returns, breaches, money, satisfaction.
``events``
    one row per event with process-mining column names (``case:concept:name``,
    ``concept:name``, ``time:timestamp``, ``org:resource``).
``units``
    one row per unit: tickets, staff hours and cost, utilisation, money paid, shifted cost, and
    the rest of its hours and money: its own duty, and duty a ruling assigned to it.
    After a warm-up (``RawRun.warmup_h``), hours, money and lights count only the cases that
    arrived after it (a cohort), while the salaried capacity and ``utilisation`` are measured
    over the time from the warm-up's end to the horizon (a window: seated hours of sessions
    that ended in it, for any case, over the open hours in it); ``tickets`` still counts every
    ticket the unit opened.
``ledger``
    one row per money movement: who paid, for which case, how much, whether the payer owns it.
``lights``
    one row per monitoring light: case, unit, monitoring point, colour, the time it turned.
``daily``
    one row per day of the horizon (at most 731 for two years): the street office's burden
    spent that day by component, in yuan (the parts of
    :func:`govsim.measure.metrics.replication_metrics`' ``street_office_burden_yuan``: own
    duty, assigned duty and the five shifted parts), and the cases filed, resolved and
    abandoned that day. Small enough to keep when the other tables are dropped, it is what
    :mod:`govsim.measure.over_time` builds results over time from. Its columns are made in
    :mod:`govsim.recording.daily`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim.model.columns import plain_columns
from govsim.model.log import (
    ACTIVITIES,
    HANDLING,
    LIGHT_COLOURS,
    MONEY_KINDS,
    MONITORING_POINTS,
    RED,
    YELLOW,
    Money,
    Work,
)
from govsim.model.state import ABANDONED, NOT_FILED, OPEN, RELAY_KINDS, RESOLVED, RawRun
from govsim.recording.daily import DAILY_BURDEN, DAILY_COUNTS, _daily_burden, _per_day

__all__ = ["Tables", "tables", "STATES", "EVENT_COLUMNS", "DAILY_BURDEN", "DAILY_COUNTS"]

STATES = ("open", "resolved", "abandoned")
assert (OPEN, RESOLVED, ABANDONED) == (0, 1, 2)

EVENT_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "org:resource")
#: triage outcome of a case under a consolidated regime ("none" elsewhere)
TRIAGE = ("none", "knowledge_base", "handed_out", "dispatched")


class Tables:
    """The DataFrames of one replication of one regime."""

    __slots__ = ("cases", "events", "units", "ledger", "lights", "daily")

    def __init__(self, cases: pd.DataFrame, events: pd.DataFrame, units: pd.DataFrame,
                 ledger: pd.DataFrame, lights: pd.DataFrame,
                 daily: pd.DataFrame | None = None) -> None:
        self.cases = cases
        self.events = events
        self.units = units
        self.ledger = ledger
        self.lights = lights
        self.daily = daily


def _head(raw: RawRun, n: int) -> dict[str, object]:
    return {
        # one category, one byte per row (no list of n strings to factorise)
        "regime": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[raw.regime]),
        "replication": np.full(n, raw.replication, dtype=np.int64),
    }


def tables(raw: RawRun, release: bool = False) -> Tables:
    """Build the DataFrames of one run (vectorised; called once per run).

    ``release``: empty each of the run's log lists as soon as it has been read into an array,
    so the lists and the tables are never all in memory at once (the run's log is then spent).
    The cases table shares the arrays of ``raw.cases`` (no copy): writing into the table
    writes into ``raw`` too, so build the tables again from a fresh run, not from the same
    ``raw`` after editing them.
    """
    c = raw.cases
    n = len(c["arrival_h"])
    cal = raw.calendar
    log = raw.log

    def take(name: str, dtype: type) -> np.ndarray:
        return log.column(name, release).astype(dtype, copy=False)

    arrival = c["arrival_h"]
    state = c["state"]
    end = c["end_h"]
    resolved = state == RESOLVED
    # time to true resolution, censored at the horizon; an abandoned problem stays unsolved,
    # so it is censored at the horizon too (not at the moment the citizen gave up)
    duration_h = np.where(resolved, end - arrival, raw.horizon_h - arrival)

    st_case = take("st_case", np.int64)
    st_unit = take("st_unit", np.int64)
    st_hours = take("st_hours", float)
    st_share = take("st_share", float)
    st_purpose = take("st_purpose", np.int64)
    st_seat = st_purpose == Work.SEATED
    rulings = _rulings(raw)
    # utilisation is a property of the time window, whoever the work was for: seated hours of
    # the sessions that ended after the warm-up (all of them without one)
    st_time = take("st_time", float)
    busy = st_seat & (st_time > raw.warmup_h) if raw.warmup_h else st_seat
    n_units_all = len(raw.unit_names)
    seated = np.bincount(st_unit, weights=np.where(busy, st_hours, 0.0), minlength=n_units_all)
    m_case = take("m_case", np.int64)
    m_payer = take("m_payer", np.int64)
    m_amount = take("m_amount", float)
    m_share = take("m_share", float)
    m_kind = take("m_kind", np.int64)
    m_time = take("m_time", float)
    # rows of duty assigned by a ruling (made before the warm-up cut: the rows' positions count)
    st_assigned = _assigned(c["category"], rulings, 2, st_case, st_unit, st_share)
    m_assigned = _assigned(c["category"], rulings, 3, m_case, m_payer, m_share)

    case_hours = np.bincount(st_case, weights=st_hours, minlength=n) if n else np.zeros(0)
    case_money = np.bincount(m_case, weights=m_amount, minlength=n) if n else np.zeros(0)

    # a warm-up period: cases that arrive before it, and everything done for them, are left
    # out; so are problems their citizens never filed (responsive demand): they are not cases
    filed = state != NOT_FILED
    warm = raw.warmup_h > 0.0 or not filed.all()
    if warm:
        keep_case = (arrival >= raw.warmup_h) & filed
        st = _kept(keep_case, st_case)
        st_case, st_unit, st_hours, st_share, st_seat, st_purpose, st_assigned, st_time = (
            st_case[st], st_unit[st], st_hours[st], st_share[st], st_seat[st], st_purpose[st],
            st_assigned[st], st_time[st])
        mk = _kept(keep_case, m_case)
        m_case, m_payer, m_amount, m_share, m_kind, m_assigned, m_time = (
            m_case[mk], m_payer[mk], m_amount[mk], m_share[mk], m_kind[mk], m_assigned[mk],
            m_time[mk])

    cases = pd.DataFrame({
        **_head(raw, n),
        "case": np.arange(n, dtype=np.int64),
        "category": pd.Categorical.from_codes(c["category"], categories=raw.category_names),
        "first_filing": cal.to_datetime(arrival),
        "channel": pd.Categorical.from_codes(c["channel"], categories=raw.channel_names),
        # (an unfiled problem's row is dropped below; its code is never shown)
        "state": pd.Categorical.from_codes(np.where(filed, state, OPEN).astype(np.int64),
                                           categories=list(STATES)),
        "ended": cal.to_datetime(end),
        "resolved": resolved,
        "resolution_days": np.where(resolved, (end - arrival) / 24.0, np.nan),
        "duration_days": duration_h / 24.0,
        **{name: c[key] for name, key in plain_columns()},
        # the citizen's own time: every contact, and every wait on the line
        "citizen_hours": c["contacts"] * raw.hours_per_contact + c["call_wait_h"],
        "citizen_cost_yuan": (c["contacts"] * raw.hours_per_contact + c["call_wait_h"])
        * raw.value_of_time,
        "staff_hours": case_hours,
        "money_yuan": case_money,
        "triage": pd.Categorical.from_codes(c["triage"], categories=list(TRIAGE)),
        "replied": c["replied"],
        "callback_rating": c["callback_rating"],
        "adopted": np.where(c["adopted"] < 0, np.nan, c["adopted"]).astype(float),
        "satisfied": resolved & ((end - arrival) <= c["satisfied_within_h"]),
    }, copy=False)  # the columns are this function's own arrays: no consolidating copy
    if warm:
        cases = cases[keep_case].reset_index(drop=True)

    if log.record_events:
        ev_unit = take("ev_unit", np.int16)
        ev_case = take("ev_case", np.int64)
        ev_act = take("ev_act", np.int8)
        ev_time = take("ev_time", float)
        # a step scheduled before the horizon is logged with its (future) start time: the log
        # shows only what happened by the horizon
        ek = ev_time <= raw.horizon_h
        if warm:
            ek &= _kept(keep_case, ev_case)
        if not ek.all():
            ev_unit, ev_case, ev_act, ev_time = ev_unit[ek], ev_case[ek], ev_act[ek], ev_time[ek]
        ne = len(ev_unit)
        events = pd.DataFrame({
            **_head(raw, ne),
            "case:concept:name": ev_case,
            "concept:name": pd.Categorical.from_codes(ev_act, categories=list(ACTIVITIES)),
            "time:timestamp": cal.to_datetime(ev_time),
            "org:resource": pd.Categorical.from_codes(ev_unit, categories=raw.unit_names),
        }, copy=False)
    else:
        events = pd.DataFrame(columns=["regime", "replication", *EVENT_COLUMNS])

    n_units = len(raw.unit_names)
    n_payers = len(raw.payer_names)
    cost = np.asarray(raw.unit_cost, dtype=float)
    hours = np.bincount(st_unit, weights=st_hours, minlength=n_units)
    shifted_h = st_hours * (1.0 - st_share)
    shifted_hours = np.bincount(st_unit, weights=shifted_h, minlength=n_units)

    def shifted_for(*purposes: int) -> np.ndarray:
        return np.bincount(st_unit, weights=np.where(np.isin(st_purpose, purposes), shifted_h, 0.0),
                           minlength=n_units)

    shifted_meeting = shifted_for(Work.MEETING)
    paid = np.bincount(m_payer, weights=m_amount, minlength=n_payers)[:n_units]
    shifted_m = m_amount * (1.0 - m_share)
    shifted_money = np.bincount(m_payer, weights=shifted_m, minlength=n_payers)[:n_units]
    is_advance = (m_kind == Money.ADVANCE) | (m_kind == Money.RECOVERY)
    shifted_advance = np.bincount(m_payer, weights=np.where(is_advance, shifted_m, 0.0),
                                  minlength=n_payers)[:n_units]
    # the rest, hours (money) x share, is the unit's duty: assigned by a ruling, or its own
    duty_h = st_hours * st_share
    assigned_hours = np.bincount(st_unit, weights=np.where(st_assigned, duty_h, 0.0),
                                 minlength=n_units)
    own_hours = np.bincount(st_unit, weights=np.where(st_assigned, 0.0, duty_h), minlength=n_units)
    duty_m = m_amount * m_share
    assigned_money = np.bincount(m_payer, weights=np.where(m_assigned, duty_m, 0.0),
                                 minlength=n_payers)[:n_units]
    own_money = np.bincount(m_payer, weights=np.where(m_assigned, 0.0, duty_m),
                            minlength=n_payers)[:n_units]
    open_hours = np.asarray(raw.unit_open_hours, dtype=float) * np.asarray(raw.unit_staff)
    l_case = take("l_case", np.int64)
    l_unit = take("l_unit", np.int64)
    l_colour = take("l_colour", np.int64)
    l_point = take("l_point", np.int64)
    l_time = take("l_time", float)
    if warm:
        lk = _kept(keep_case, l_case)
        l_case, l_unit, l_colour, l_point, l_time = (
            l_case[lk], l_unit[lk], l_colour[lk], l_point[lk], l_time[lk])
    # every breached time limit turned exactly one red light at its monitoring point
    breaches = np.bincount(l_unit[(l_colour == RED) & (l_point <= HANDLING)], minlength=n_units)
    yellow = np.bincount(l_unit[l_colour == YELLOW], minlength=n_units)
    red = np.bincount(l_unit[l_colour == RED], minlength=n_units)
    units = pd.DataFrame({
        **_head(raw, n_units),
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
        "utilisation": np.divide(seated, open_hours, out=np.zeros(n_units), where=open_hours > 0),
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

    ledger = pd.DataFrame({
        **_head(raw, len(m_case)),
        "case": m_case,
        "payer": pd.Categorical.from_codes(m_payer, categories=raw.payer_names),
        "payer_public": np.asarray(raw.payer_public, dtype=bool)[m_payer] if len(m_payer)
        else np.zeros(0, dtype=bool),
        "amount_yuan": m_amount,
        "payer_share": m_share,
        "kind": pd.Categorical.from_codes(m_kind, categories=list(MONEY_KINDS)),
        # when the money moved (a payment's time; a recovery's when it was paid back)
        "time": cal.to_datetime(m_time),
    })
    lights = pd.DataFrame({
        **_head(raw, len(l_unit)),
        "case": l_case,
        "unit": pd.Categorical.from_codes(l_unit, categories=raw.unit_names),
        "point": pd.Categorical.from_codes(l_point, categories=list(MONITORING_POINTS)),
        "colour": pd.Categorical.from_codes(l_colour, categories=list(LIGHT_COLOURS)),
        "time": cal.to_datetime(l_time),
    })
    street = np.asarray(raw.unit_kinds) == "street_office"
    day_n = max(1, int(np.ceil(raw.horizon_h / 24.0 - 1e-9)))
    burden = _daily_burden(
        day_n, street, cost,
        (st_unit, st_hours, st_share, st_purpose, st_assigned, st_time),
        (m_payer, m_amount, m_share, m_kind, m_assigned, m_time))
    if warm:
        arrival, state, end = arrival[keep_case], state[keep_case], end[keep_case]
    counts = {"filed": _per_day(arrival, day_n),
              "resolved": _per_day(end[state == RESOLVED], day_n),
              "abandoned": _per_day(end[state == ABANDONED], day_n)}
    daily = pd.DataFrame({
        **_head(raw, day_n),
        "day": np.arange(day_n, dtype=np.int64),
        "date": cal.to_datetime(np.arange(day_n) * 24.0),
        **dict(zip(DAILY_BURDEN, burden, strict=True)),
        **counts,
    })
    return Tables(cases, events, units, ledger, lights, daily)


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


def _kept(keep_case: np.ndarray, case: np.ndarray) -> np.ndarray:
    """Which log rows to keep: those of kept cases (rows tied to no case, ``-1``, stay)."""
    return (case < 0) | keep_case[np.maximum(case, 0)]

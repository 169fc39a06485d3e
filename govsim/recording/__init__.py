"""Raw columns of a run → pandas DataFrames, once, after the run.

Layer: recording. Builds the tables of one replication of one regime (the logs are read in
:mod:`govsim.recording.logs`, the ``units`` table is made in :mod:`govsim.recording.units`):

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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govsim.model.log import (
    ACTIVITIES,
    LIGHT_COLOURS,
    MONEY_KINDS,
    MONITORING_POINTS,
)
from govsim.model.state import ABANDONED, NOT_FILED, OPEN, RESOLVED, RawRun
from govsim.model.tally import StaffSums, Tally, day_count, staff_sums
from govsim.recording.cases import (
    STATES,
    CaseSeries,
    case_columns,
    case_series,
    cases_table,
    head,
    raw_reads,
)
from govsim.recording.cases import TRIAGE as TRIAGE  # the triage codes' names (public)
from govsim.recording.daily import DAILY_BURDEN, DAILY_COUNTS, _daily_burden, _per_day
from govsim.recording.logs import (
    LightRows,
    MoneyRows,
    Take,
    kept,
    read_lights,
    read_money,
    read_staff,
)
from govsim.recording.units import units_table

__all__ = ["Tables", "tables", "Summary", "summary", "STATES", "EVENT_COLUMNS", "DAILY_BURDEN", "DAILY_COUNTS"]

assert (OPEN, RESOLVED, ABANDONED) == (0, 1, 2)

EVENT_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "org:resource")


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


def tables(raw: RawRun, release: bool = False) -> Tables:
    """Build the DataFrames of one run (vectorised; called once per run).

    ``release``: empty each of the run's log lists as soon as it has been read into an array,
    so the lists and the tables are never all in memory at once (the run's log is then spent).
    The cases table shares the arrays of ``raw.cases`` (no copy): writing into the table
    writes into ``raw`` too, so build the tables again from a fresh run, not from the same
    ``raw`` after editing them.
    """
    r = _read(raw, release)
    cases = cases_table(case_columns(raw, r.sums.per_case, r.money.per_case, r.filed), r.keep)
    events = _events(raw, r.take, r.keep)
    units = units_table(raw, head(raw, len(raw.unit_names)), r.sums, r.money)
    return Tables(cases, events, units, _ledger(raw, r.money), _lights(raw, r.lights),
                  _daily(raw, r.sums, r.money, r.keep))


class Summary:
    """What the metrics of one run are made from, when nothing else is kept: the ``cases``
    table's columns ``names`` as Series (of the kept cases), the ``units``, ``ledger`` and
    ``daily`` tables."""

    __slots__ = ("cases", "units", "ledger", "daily")

    def __init__(self, cases: CaseSeries, units: pd.DataFrame, ledger: pd.DataFrame,
                 daily: pd.DataFrame) -> None:
        self.cases = cases
        self.units = units
        self.ledger = ledger
        self.daily = daily


def summary(raw: RawRun, names: Iterable[str]) -> Summary:
    """The columns ``names`` of the ``cases`` table, and the small tables, of a run recorded
    with ``recording="metrics"`` (or of any run): the same values as :func:`tables` gives, made
    one column at a time, with no table of every case and no event log. The run is spent: its
    log is read out, and the per-case columns of ``raw.cases`` that ``names`` do not read are
    dropped."""
    r = _read(raw, True)
    units = units_table(raw, head(raw, len(raw.unit_names)), r.sums, r.money)
    daily = _daily(raw, r.sums, r.money, r.keep)
    # the run is spent: let go of the per-case columns nothing asked for
    names = tuple(names)
    needed = raw_reads(names)
    for key in [k for k in raw.cases if k not in needed]:
        del raw.cases[key]
    cases = case_series(case_columns(raw, r.sums.per_case, r.money.per_case, r.filed), r.keep,
                        names)
    return Summary(cases, units, _ledger(raw, r.money), daily)


@dataclass
class _Read:
    """A run's logs read out, what :func:`tables` and :func:`summary` both start from: the
    reader of the log's columns, which problems were filed and which cases are kept, the kept
    money and lights, and the staff sums."""

    take: Take
    filed: np.ndarray
    keep: np.ndarray | None
    money: MoneyRows
    lights: LightRows
    sums: StaffSums


def _read(raw: RawRun, release: bool) -> _Read:
    log = raw.log

    def take(name: str, dtype: type) -> np.ndarray:
        return log.column(name, release).astype(dtype, copy=False)

    # a warm-up period: cases that arrive before it, and everything done for them, are left
    # out; so are problems their citizens never filed (responsive demand): they are not cases
    arrival, state = raw.cases["arrival_h"], raw.cases["state"]
    filed = state != NOT_FILED
    keep = ((arrival >= raw.warmup_h) & filed) if raw.warmup_h > 0.0 or not filed.all() else None
    money = read_money(raw, take, keep)
    lights = read_lights(take, keep)
    sums = log.sums() if isinstance(log, Tally) else _staff_sums(raw, take, keep, lights)
    return _Read(take, filed, keep, money, lights, sums)


def _staff_sums(raw: RawRun, take: Take, keep: np.ndarray | None, lights: LightRows) -> StaffSums:
    """A full log's staff sessions and lights added up as a :class:`Tally` adds them."""
    staff = read_staff(raw, take, keep)
    return staff_sums(staff.unit, staff.hours, staff.share, staff.purpose, staff.assigned,
                      staff.time, staff.seated, staff.per_case, _street(raw),
                      np.asarray(raw.unit_cost, dtype=float), day_count(raw.horizon_h),
                      (lights.unit, lights.colour, lights.point))


def _street(raw: RawRun) -> np.ndarray:
    return np.asarray(raw.unit_kinds) == "street_office"


def _events(raw: RawRun, take: Take, keep: np.ndarray | None) -> pd.DataFrame:
    """The event log, with process-mining column names (empty when the run kept none)."""
    if not raw.log.record_events:
        return pd.DataFrame(columns=["regime", "replication", *EVENT_COLUMNS])
    # a step scheduled before the horizon is logged with its (future) start time: the log
    # shows only what happened by the horizon. Each column is read in its compact type, its
    # rows chosen, and its full length let go before the next is read (a year's log is over a
    # million rows)
    ev_time = take("ev_time", float)
    ek = ev_time <= raw.horizon_h
    ev_case = take("ev_case", np.int32)
    if keep is not None:
        ek &= kept(keep, ev_case)
    every = bool(ek.all())

    def rows(values: np.ndarray) -> np.ndarray:
        return values if every else values[ek]

    ev_time, ev_case = rows(ev_time), rows(ev_case)
    ev_act = rows(take("ev_act", np.int8))
    ev_unit = rows(take("ev_unit", np.int16))
    stamps = raw.calendar.to_datetime(ev_time)
    del ev_time
    return pd.DataFrame({
        **head(raw, len(ev_unit)),
        "case:concept:name": ev_case.astype(np.int64),
        "concept:name": pd.Categorical.from_codes(ev_act, categories=list(ACTIVITIES)),
        "time:timestamp": stamps,
        "org:resource": pd.Categorical.from_codes(ev_unit, categories=raw.unit_names),
    }, copy=False)


def _ledger(raw: RawRun, money: MoneyRows) -> pd.DataFrame:
    """One row per money movement."""
    m_payer = money.payer
    return pd.DataFrame({
        **head(raw, len(money.case)),
        "case": money.case,
        "payer": pd.Categorical.from_codes(m_payer, categories=raw.payer_names),
        "payer_public": np.asarray(raw.payer_public, dtype=bool)[m_payer] if len(m_payer)
        else np.zeros(0, dtype=bool),
        "amount_yuan": money.amount,
        "payer_share": money.share,
        "kind": pd.Categorical.from_codes(money.kind, categories=list(MONEY_KINDS)),
        # when the money moved (a payment's time; a recovery's when it was paid back)
        "time": raw.calendar.to_datetime(money.time),
    })


def _lights(raw: RawRun, lights: LightRows) -> pd.DataFrame:
    """One row per monitoring light."""
    return pd.DataFrame({
        **head(raw, len(lights.unit)),
        "case": lights.case,
        "unit": pd.Categorical.from_codes(lights.unit, categories=raw.unit_names),
        "point": pd.Categorical.from_codes(lights.point, categories=list(MONITORING_POINTS)),
        "colour": pd.Categorical.from_codes(lights.colour, categories=list(LIGHT_COLOURS)),
        "time": raw.calendar.to_datetime(lights.time),
    })


def _daily(raw: RawRun, staff: StaffSums, money: MoneyRows, keep: np.ndarray | None) -> pd.DataFrame:
    """One row per day of the horizon: the street office's burden by part, and case counts."""
    day_n = day_count(raw.horizon_h)
    burden = _daily_burden(
        day_n, _street(raw), staff.daily,
        (money.payer, money.amount, money.share, money.kind, money.assigned, money.time))
    arrival, state, end = raw.cases["arrival_h"], raw.cases["state"], raw.cases["end_h"]
    if keep is not None:
        arrival, state, end = arrival[keep], state[keep], end[keep]
    counts = {"filed": _per_day(arrival, day_n),
              "resolved": _per_day(end[state == RESOLVED], day_n),
              "abandoned": _per_day(end[state == ABANDONED], day_n)}
    return pd.DataFrame({
        **head(raw, day_n),
        "day": np.arange(day_n, dtype=np.int64),
        "date": raw.calendar.to_datetime(np.arange(day_n) * 24.0),
        **dict(zip(DAILY_BURDEN, burden, strict=True)),
        **counts,
    })

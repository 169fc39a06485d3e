"""The state of a run in index form: units, categories, call centres, the raw columns.

Layer: model. These are the small slotted objects the case process reads in its hot loop, the
calendar a run is timed on, and :class:`RawRun`, the columns a run hands to the recording layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from govsim.calendar import OfficeHours, WorkCalendar, working_day_table
from govsim.model.log import Log
from govsim.model.staff import StaffPool
from govsim.scenario import Category, Scenario

__all__ = ["RawRun", "build_calendar", "UnitState", "CategoryState", "CallCentreState",
           "OPEN", "RESOLVED", "ABANDONED", "NOT_FILED", "OK", "FAILED", "QUIETED", "FALSELY_CLOSED",
           "ANSWERED", "NOT_THROUGH", "RELAY_KINDS"]

# final states of a case; NOT_FILED: a problem whose citizen did not file it (responsive
# demand), left out of the tables
OPEN, RESOLVED, ABANDONED, NOT_FILED = 0, 1, 2, 3

# outcomes of one attempt, as seen by the citizen
OK, FAILED, QUIETED, FALSELY_CLOSED = 0, 1, 2, 3
#: answered on the spot from the knowledge base (resolved, no callback)
ANSWERED = 4
#: the citizen could not get through to anyone (a contact that never became a filing)
NOT_THROUGH = 5

#: Unit kinds whose work on any case is their own duty (intake and relay), never shifted cost.
RELAY_KINDS = frozenset({"hotline", "centre", "media", "supervisory_office"})


def build_calendar(scenario: Scenario) -> WorkCalendar:
    """The working-day calendar of a scenario's world.

    The table covers the horizon from the ``holidays`` data (refusing years it has no data for)
    plus a margin of Monday-to-Friday days after it, used only by deadlines and office
    openings that fall past the horizon.
    """
    w = scenario.world
    cal = w.calendar
    margin = 120
    core = working_day_table(
        w.start, w.horizon_days, country=cal.country, extra_holidays=cal.extra_holidays,
        extra_workdays=cal.extra_workdays, path="world.calendar",
    )
    tail_start = np.datetime64(w.start, "D") + w.horizon_days
    tail = np.arange(tail_start, tail_start + margin)
    weekday = (tail.view("int64") - 4) % 7
    return WorkCalendar(w.start, np.concatenate([core, weekday < 5]))


class UnitState:
    """A unit during a run: its staff as a pool of servers and its office hours."""

    __slots__ = ("index", "name", "kind", "pool", "office", "hourly_cost", "public", "relay",
                 "staff")

    def __init__(self, index: int, name: str, kind: str, staff: int, office: OfficeHours,
                 hourly_cost: float, public: bool, env: simpy.Environment) -> None:
        self.index = index
        self.name = name
        self.kind = kind
        self.staff = staff
        self.pool = StaffPool(env, staff)
        self.office = office
        self.hourly_cost = hourly_cost
        self.public = public
        self.relay = kind in RELAY_KINDS


class CategoryState:
    """A category's rules in index form, for fast look-up in the hot loop.

    ``owners`` are in the units' index order (the order of ``[world.units]``), whatever the
    order of the scenario's list, so that reordering a category's ``owners`` changes no result;
    ``lead`` is the owner a ruling names (:meth:`govsim.scenario.Category.lead_among`).
    """

    __slots__ = ("index", "name", "kind", "owners", "lead", "share", "fix_cost", "fund",
                 "surface_prob", "surface_hours", "surface_cost", "overlapping", "in_season",
                 "all_owners")

    def __init__(self, index: int, name: str, cat: Category, unit_index: dict[str, int],
                 fund_index: dict[str, int], n_units: int, relay: list[bool]) -> None:
        self.index = index
        self.name = name
        self.kind = cat.kind
        self.owners = tuple(sorted(unit_index[o] for o in cat.owners))
        self.lead = unit_index[cat.lead_among(unit_index)]
        self.overlapping = len(self.owners) > 1
        per_owner = 1.0 / len(self.owners)
        self.share = [
            1.0 if relay[u] else (per_owner if u in self.owners else 0.0) for u in range(n_units)
        ]
        self.fix_cost = cat.fix_cost_yuan
        self.fund = -1 if cat.fix_money_source is None else fund_index[cat.fix_money_source]
        self.surface_prob = cat.surface_fix_prob
        self.surface_hours = cat.surface_fix_hours
        self.surface_cost = cat.surface_fix_cost_yuan
        self.all_owners = sum(1 << o for o in self.owners)  # bit mask of the owners
        #: for seasonal recurrence: day -> first day on or after it in a recurrence month
        self.in_season: list[int] | None = None


class CallCentreState:
    """The call-takers of one channel: a pool of servers with its own hours."""

    __slots__ = ("pool", "office", "call_h", "patience_h", "redial_prob", "redial_h", "unit")

    def __init__(self, env: simpy.Environment, spec: Any, office: OfficeHours, unit: UnitState) -> None:
        self.pool = StaffPool(env, spec.call_takers)
        self.office = office
        self.call_h = spec.call_minutes / 60.0
        self.patience_h = spec.caller_patience_minutes / 60.0
        self.redial_prob = spec.redial_prob
        self.redial_h = spec.redial_minutes / 60.0
        self.unit = unit


@dataclass
class RawRun:
    """Columns of one replication of one regime, before any DataFrame is built."""

    regime: str
    replication: int
    horizon_h: float
    #: cases arriving before this time are left out of the tables (a warm-up period); open
    #: hours and call-seat hours are measured from it
    warmup_h: float
    unit_names: list[str]
    unit_kinds: list[str]
    unit_staff: list[int]
    unit_cost: list[float]
    unit_public: list[bool]
    unit_tickets: list[int]
    unit_salaried: list[bool]
    unit_call_seat_hours: list[float]
    unit_open_hours: list[float]
    payer_names: list[str]
    #: per payer (units, then funds): whether its money is public
    payer_public: list[bool]
    category_names: list[str]
    channel_names: list[str]
    cases: dict[str, np.ndarray]
    #: the citizens' own time per contact and its value (world.citizens)
    hours_per_contact: float
    value_of_time: float
    log: Log
    calendar: WorkCalendar



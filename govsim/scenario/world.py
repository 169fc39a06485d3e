"""The world's schema: the city as it is, whatever the rules.

Layer: scenario (no SimPy here). Units and their staff, office hours and costs; the categories of
problems with their volume, owners, work and money; the funds; the citizens' behaviour; the
calendar. Every key is documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from govsim.calendar import FIRST_DAY, LAST_DAY, parse_hours
from govsim.scenario.base import (
    LIMITS,
    Coefficient,
    FrozenDict,
    FrozenMap,
    Headcount,
    Hours,
    Name,
    PositiveDays,
    PositiveHours,
    Probability,
    Rate,
    Strict,
    Yuan,
    check_hours,
)
from govsim.scenario.behaviour import Behaviour

__all__ = ["World", "Unit", "Category", "Citizens", "Demand", "Fund", "CalendarSpec", "UnitKind",
           "PUBLIC_KINDS"]

UnitKind = Literal[
    "street_office",
    "property_company",
    "housing_bureau",
    "bureau",
    "residents_committee",
    "hotline",
    "centre",
    "market",
    "social",
    "media",
    "supervisory_office",
    "other",
]
#: Unit kinds whose staff and money are public (government) by default.
PUBLIC_KINDS = frozenset(
    {"street_office", "housing_bureau", "bureau", "hotline", "centre", "supervisory_office",
     "residents_committee"}
)



class CalendarSpec(Strict):
    """Working-day calendar: public holidays from the ``holidays`` package plus overrides."""

    country: str | None = "CN"
    office_hours: str = "08:30-17:30"
    extra_holidays: tuple[dt.date, ...] = ()
    extra_workdays: tuple[dt.date, ...] = ()

    @field_validator("office_hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        if check_hours(value) is None:
            raise ValueError("office_hours must be a daily window such as '08:30-17:30', not '24h'")
        return value


class Unit(Strict):
    """An agency or organisation that can act on cases."""

    kind: UnitKind
    staff: Headcount
    hours: str = "08:30-17:30"
    hourly_cost_yuan: Yuan = 0.0
    public: bool | None = None
    label: str = ""
    #: its name in Chinese tables, figures and reports (``lang="zh"``); empty: its key
    label_zh: str = ""

    @field_validator("hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        check_hours(value)
        return value

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_KINDS if self.public is None else self.public

    @property
    def office_hours(self) -> tuple[float, float] | None:
        return parse_hours(self.hours)


class Fund(Strict):
    """A pot of money a real fix may depend on (e.g. a building's maintenance fund)."""

    available: bool = True
    #: whether money paid from it counts as public money (``public_cost_yuan``)
    public: bool = True
    label: str = ""
    label_zh: str = ""


class Category(Strict):
    """A kind of citizen problem: how often it arises, who owns it, what fixing it takes.

    ``first_day`` and ``last_day`` (optional, inclusive) bound the days its random problems
    arise on: a kind of problem that appears or disappears inside the horizon (a step). Outside
    them its rate is 0; inside, ``rate_per_day`` and ``trend_per_year`` still count from the
    world's ``start`` (``rate_per_day`` is the rate at ``start`` along the trend, even when
    ``first_day`` comes later). They do not affect the dated ``arrivals``.
    """

    kind: Literal["complaint", "consultation", "market_social", "suggestion"] = "complaint"
    rate_per_day: Rate = 0.0
    arrivals: tuple[dt.date, ...] = ()
    seasonal: tuple[Coefficient, ...] | None = None
    #: weekday factors, Monday first (7 values)
    weekday: tuple[Coefficient, ...] | None = None
    #: relative change of the rate per year, compounding (0.18: +18% a year)
    trend_per_year: Annotated[float, Field(gt=-1.0, le=LIMITS["factor"])] = 0.0
    #: the first and last day its random problems arise on (inclusive); none: unbounded
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    owners: tuple[Name, ...] = Field(min_length=1)
    #: the owner an adjudication ruling names (one of ``owners``); none: the owner listed first
    #: in ``[world.units]`` (:meth:`lead_among`)
    lead: Name | None = None
    work_hours: PositiveHours = 1.0
    work_cv: Coefficient = 1.0
    fix_cost_yuan: Yuan = 0.0
    fix_money_source: str | None = None
    surface_fix_prob: Probability = 0.0
    surface_fix_hours: Hours = 1.0
    surface_fix_cost_yuan: Yuan = 0.0
    surface_fix_holds_days: PositiveDays = 90.0
    recurs_in_months: Annotated[tuple[Annotated[int, Field(ge=1, le=12)], ...], Field(min_length=1)] | None = None
    label: str = ""
    label_zh: str = ""

    @field_validator("seasonal")
    @classmethod
    def _seasonal_months(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and len(value) != 12:
            raise ValueError(f"seasonal must list 12 monthly factors, not {len(value)}")
        return value

    @field_validator("weekday")
    @classmethod
    def _weekdays(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and len(value) != 7:
            raise ValueError(f"weekday must list 7 factors, Monday first, not {len(value)}")
        return value

    @field_validator("last_day")
    @classmethod
    def _days_in_order(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        first = info.data.get("first_day")
        if value is not None and first is not None and value < first:
            raise ValueError(f"must not come before first_day ({first}), got {value}")
        return value

    @property
    def overlapping(self) -> bool:
        return len(self.owners) > 1

    def lead_among(self, units: dict[str, int]) -> str:
        """The lead owner: ``lead`` if given, else the owner that comes first in ``units`` (the
        units by name, in the order of ``[world.units]``), so that the order of ``owners``
        never matters."""
        if self.lead is not None:
            return self.lead
        owners = set(self.owners)
        return next(u for u in units if u in owners)

    def daily_rates(self, start: dt.date, n_days: int) -> np.ndarray:
        """The expected number of problems on each of ``n_days`` days from ``start`` (without
        the dated ``arrivals``): ``rate_per_day`` × the month's ``seasonal`` factor × the
        ``weekday`` factor × (1 + ``trend_per_year``) to the power of the years from ``start``
        to the day's middle; 0 on days before ``first_day`` or after ``last_day``. With none of
        them set, every day's rate is ``rate_per_day``."""
        days = np.arange(np.datetime64(start, "D"), np.datetime64(start, "D") + n_days)
        rate = np.full(n_days, self.rate_per_day)
        if self.seasonal is not None:
            month = days.astype("datetime64[M]").astype(np.int64) % 12  # 0 = January
            rate = rate * np.asarray(self.seasonal)[month]
        if self.weekday is not None:
            weekday = (days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday; 0 = Monday
            rate = rate * np.asarray(self.weekday)[weekday]
        if self.trend_per_year:
            years = (np.arange(n_days) + 0.5) / 365.25
            rate = rate * (1.0 + self.trend_per_year) ** years
        if self.first_day is not None:
            rate = rate * (days >= np.datetime64(self.first_day, "D"))
        if self.last_day is not None:
            rate = rate * (days <= np.datetime64(self.last_day, "D"))
        return rate


class Citizens(Strict):
    """How citizens behave after a failed attempt (world: the same under every regime)."""

    patience_days: PositiveDays = 7.0
    give_up_prob: Probability = 0.05
    escalate_prob: Probability = 0.3
    knows_owner_prob: Probability = 0.3
    satisfied_within_days: PositiveDays = 10.0
    false_closure_discovery_days: PositiveDays = 30.0
    #: a citizen's own time per contact (preparing, travelling, calling, writing), besides any
    #: wait on the line; valued at ``value_of_time_yuan_per_hour``
    hours_per_contact: Hours = 0.5
    value_of_time_yuan_per_hour: Yuan = 20.0


class Demand(Strict):
    """Demand that responds to the regime (world: how citizens decide whether to file).

    Problems arise whatever the regime; whether a citizen files one depends on trust, the
    exponentially weighted share of good outcomes among recent outcomes (a result that
    satisfied the citizen counts 1; a failed attempt, a late result or giving up count 0). The
    propensity to file is ``exp(responsiveness × (trust − reference_trust))``, at most
    ``max_factor``: the rate of filings is the categories' rate times that propensity. Off
    (``responsiveness = 0``) the categories' rates are the filings' rates.
    """

    responsiveness: Annotated[float, Field(ge=-LIMITS["factor"], le=LIMITS["factor"])] = 0.0
    reference_trust: Probability = 0.5
    #: trust when the run starts (default: the reference, so the first filings come at the rate)
    initial_trust: Probability | None = None
    memory_days: PositiveDays = 90.0
    max_factor: Annotated[float, Field(ge=1.0, le=LIMITS["factor"])] = 2.0

    @property
    def on(self) -> bool:
        return self.responsiveness != 0.0


class World(Strict):
    """A city as it is: calendar, citizens, units, funds and complaint categories."""

    start: dt.date
    horizon_days: Annotated[int, Field(ge=1, le=int(LIMITS["days"]))]
    calendar: CalendarSpec = CalendarSpec()
    citizens: Citizens = Citizens()
    demand: Demand = Demand()
    #: how units respond to supervision and load (the same units under any regime)
    behaviour: Behaviour = Behaviour()
    units: FrozenMap(Unit, min_length=1)
    funds: FrozenMap(Fund) = FrozenDict()
    categories: FrozenMap(Category, min_length=1)

    @field_validator("start")
    @classmethod
    def _start_in_range(cls, value: dt.date) -> dt.date:
        if not FIRST_DAY <= value <= LAST_DAY:
            raise ValueError(f"must lie from {FIRST_DAY} to {LAST_DAY}, the days the calendar "
                             f"covers (got {value})")
        return value

    @field_validator("horizon_days")
    @classmethod
    def _end_in_range(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("start")
        if start is not None and (LAST_DAY - start).days + 1 < value:
            raise ValueError(f"the horizon would end after {LAST_DAY}, the last day the calendar "
                             f"covers (at most {(LAST_DAY - start).days + 1} days from {start})")
        return value

"""Scenario files: TOML → validated, immutable objects.

Layer: scenario (no SimPy here). A scenario holds one :class:`World` -- the city as it is -- and
two or more named regimes -- the institutional rules laid over it. Every key is documented in
``docs/scenarios.md``; the models below are the single source of truth for names, types,
defaults and bounds.

All models share :class:`Strict`: unknown keys are refused (``extra="forbid"``), types are
strict (a string where a number belongs is an error, not a conversion) and objects are frozen.
Problems are reported as :class:`govsim.errors.GovsimError` with the dotted key path, e.g.
``regimes.fragmented.channels[2].unit: unknown unit 'housing_burea'``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WrapSerializer,
    field_validator,
    model_validator,
)

from govsim.calendar import parse_hours
from govsim.errors import GovsimError

__all__ = [
    "Scenario",
    "World",
    "Unit",
    "Category",
    "Citizens",
    "Fund",
    "CalendarSpec",
    "Channel",
    "CallCentre",
    "Deflection",
    "Rung",
    "Meeting",
    "Funding",
    "Limits",
    "Supervision",
    "Adjudication",
    "FragmentedRegime",
    "ConsolidatedRegime",
    "load_scenario",
    "parse_scenario",
    "with_overrides",
    "mmc_scenario",
]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Name = Annotated[str, Field(min_length=1)]


class FrozenDict(dict):  # type: ignore[type-arg]
    """A read-only dict (it still pickles, so scenarios travel to worker processes)."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("scenario tables are read-only; build a new scenario instead")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


def _frozen_map(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return FrozenDict(value)


def FrozenMap(item: Any, min_length: int = 0) -> Any:  # noqa: N802 - used like a type
    """A ``name -> item`` table that cannot be changed after validation (keeps file order)."""
    return Annotated[
        Mapping[Name, item],
        Field(min_length=min_length),
        AfterValidator(_frozen_map),
        WrapSerializer(lambda value, handler: handler(dict(value))),
    ]

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


def _check_hours(spec: str) -> tuple[float, float] | None:
    try:
        return parse_hours(spec)
    except GovsimError as exc:
        raise ValueError(exc.message) from None


class Strict(BaseModel):
    """Base of every scenario model: unknown keys refused, strict types, finite numbers,
    immutable (tables of named things are read-only mappings)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------------------- world
class CalendarSpec(Strict):
    """Working-day calendar: public holidays from the ``holidays`` package plus overrides."""

    country: str | None = "CN"
    office_hours: str = "08:30-17:30"
    extra_holidays: tuple[dt.date, ...] = ()
    extra_workdays: tuple[dt.date, ...] = ()

    @field_validator("office_hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        if _check_hours(value) is None:
            raise ValueError("office_hours must be a daily window such as '08:30-17:30', not '24h'")
        return value


class Unit(Strict):
    """An agency or organisation that can act on cases."""

    kind: UnitKind
    staff: Annotated[int, Field(ge=1)]
    hours: str = "08:30-17:30"
    hourly_cost_yuan: NonNegative = 0.0
    public: bool | None = None
    label: str = ""

    @field_validator("hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        _check_hours(value)
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
    label: str = ""


class Category(Strict):
    """A kind of citizen problem: how often it arises, who owns it, what fixing it takes."""

    kind: Literal["complaint", "consultation", "market_social", "suggestion"] = "complaint"
    rate_per_day: NonNegative = 0.0
    arrivals: tuple[dt.date, ...] = ()
    seasonal: tuple[NonNegative, ...] | None = None
    owners: tuple[Name, ...] = Field(min_length=1)
    work_hours: Positive = 1.0
    work_cv: NonNegative = 1.0
    fix_cost_yuan: NonNegative = 0.0
    fix_money_source: str | None = None
    surface_fix_prob: Probability = 0.0
    surface_fix_hours: NonNegative = 1.0
    surface_fix_cost_yuan: NonNegative = 0.0
    surface_fix_holds_days: Positive = 90.0
    recurs_in_months: Annotated[tuple[Annotated[int, Field(ge=1, le=12)], ...], Field(min_length=1)] | None = None
    label: str = ""

    @field_validator("seasonal")
    @classmethod
    def _seasonal_months(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and len(value) != 12:
            raise ValueError(f"seasonal must list 12 monthly factors, not {len(value)}")
        return value

    @property
    def overlapping(self) -> bool:
        return len(self.owners) > 1


class Citizens(Strict):
    """How citizens behave after a failed attempt (world: the same under every regime)."""

    patience_days: Positive = 7.0
    give_up_prob: Probability = 0.05
    escalate_prob: Probability = 0.3
    knows_owner_prob: Probability = 0.3
    satisfied_within_days: Positive = 10.0
    false_closure_discovery_days: Positive = 30.0


class World(Strict):
    """A city as it is: calendar, citizens, units, funds and complaint categories."""

    start: dt.date
    horizon_days: Annotated[int, Field(ge=1, le=36525)]
    calendar: CalendarSpec = CalendarSpec()
    citizens: Citizens = Citizens()
    units: FrozenMap(Unit, min_length=1)
    funds: FrozenMap(Fund) = FrozenDict()
    categories: FrozenMap(Category, min_length=1)


# ------------------------------------------------------------------------------------ regimes
class CallCentre(Strict):
    """The call-takers of a hotline: a small call centre in front of the channel's unit.

    Calls queue for a call-taker; a caller who waits longer than their patience hangs up and
    may redial later. Call-takers' time is costed at the channel unit's hourly cost.
    """

    call_takers: Annotated[int, Field(ge=1)]
    hours: str = "08:30-17:30"
    call_minutes: Positive = 6.0
    caller_patience_minutes: Positive = 4.0
    redial_prob: Probability = 0.6
    redial_minutes: Positive = 60.0

    @field_validator("hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        _check_hours(value)
        return value


class Channel(Strict):
    """A way in: a hotline number, website, hall or account, answered by one unit."""

    name: Name
    unit: Name
    weight: NonNegative = 1.0
    call_centre: CallCentre | None = None


class Deflection(Strict):
    """What a unit does with a filing it does not own (fragmented regime): refer it on
    (``refer_prob``; the referral may be lost), open a ticket and close it unresolved
    (``close_prob``), or otherwise tell the citizen "not ours"."""

    refer_prob: Probability = 0.3
    referral_lost_prob: Probability = 0.5
    close_prob: Probability = 0.0

    @model_validator(mode="after")
    def _total(self) -> Deflection:
        if self.refer_prob + self.close_prob > 1.0 + 1e-12:
            raise ValueError("refer_prob + close_prob must not exceed 1")
        return self


class Meeting(Strict):
    """An ad hoc meeting of units about one case: every attendee's hours are costed.

    A coordination meeting (``can_fund = true``) agrees a plan and budget and applies the
    regime's funding rule; a convening without authority over money (``can_fund = false``, e.g.
    by a residents' committee) can only get a fix that needs no missing money. Either may end
    without result (``success_prob``).
    """

    attendees: tuple[Name, ...] = Field(min_length=1)
    attend_prob: Probability = 1.0
    hours_each: NonNegative = 3.0
    delay_days: NonNegative = 30.0
    success_prob: Probability = 1.0
    can_fund: bool = True


class Rung(Strict):
    """One step of the fragmented regime's escalation ladder above the ordinary channels.

    ``climb_prob`` is the per-failure chance that a citizen at this rung decides to climb to
    the next one (default: the citizens' ``escalate_prob``).
    """

    name: Name
    unit: Name
    response_days: NonNegative = 10.0
    compel_prob: Probability = 0.3
    meeting: Meeting | None = None
    climb_prob: Probability | None = None


class Funding(Strict):
    """Who pays when a fix needs money from a source that is not available."""

    mode: Literal["stall", "advance", "release"]
    advancer: str | None = None
    release_working_days: NonNegative = 20.0
    recovery_prob: Probability = 0.0
    recovery_days: Positive = 365.0


class FragmentedRegime(Strict):
    """Many hotlines: each channel is answered by one unit; no shared history."""

    kind: Literal["fragmented"]
    label: str = ""
    channels: tuple[Channel, ...] = Field(min_length=1)
    intake_hours: NonNegative = 0.25
    intake_cv: NonNegative = 0.0
    deflection: Deflection = Deflection()
    overlap_deflect_prob: Probability = 0.6
    overlap_acts_on_share: bool = True
    false_closure_prob: Probability = 0.0
    escalation: tuple[Rung, ...] = ()
    funding: Funding = Funding(mode="stall")
    salaried: tuple[Name, ...] = ()


class Limits(Strict):
    """Working-day time limits per ticket (Shishi's 1-2-5)."""

    sign_days: NonNegative = 1.0
    contact_days: NonNegative = 2.0
    finish_days: NonNegative = 5.0


class Adjudication(Strict):
    """A standing group that names the owner of disputed cases and records the precedent."""

    meets_every_working_days: Positive = 10.0
    hours_per_case: NonNegative = 2.0
    members: tuple[Name, ...] = ()
    dispute_prob: Probability = 0.5


class Supervision(Strict):
    """The coordination & supervision section: monitoring lights and their follow-up.

    A time limit's light turns yellow once ``yellow_share`` of the limit has passed without the
    step being done, and red when the limit is breached; a return is yellow (red on a second
    return of the same case) and a dissatisfied callback is red. The section spends
    ``hours_per_red`` chasing each red light. With ``red_effect = "priority"`` a case with a red
    light jumps the queue of the unit that holds it for its remaining work.
    """

    yellow_share: Probability = 0.8
    hours_per_red: NonNegative = 0.5
    red_effect: Literal["none", "priority"] = "none"


class ConsolidatedRegime(Strict):
    """One number (12345): one case record with a tracking number, triage, dispatch, limits."""

    kind: Literal["consolidated"]
    label: str = ""
    centre: Name
    channels: tuple[Channel, ...] = ()
    intake_hours: NonNegative = 0.2
    kb_coverage: Probability = 0.5
    kb_coverage_final: Probability | None = None
    kb_growth_days: Positive = 365.0
    suggestion_adoption_prob: Probability = 0.0
    salaried: tuple[Name, ...] = ()
    dispatch_within_working_days: NonNegative = 1.0
    accuracy: Probability = 0.9
    return_hours: NonNegative = 0.5
    sign_hours: NonNegative = 0.1
    contact_hours: NonNegative = 0.2
    limits: Limits = Limits()
    supervision: Supervision = Supervision()
    adjudication: Adjudication = Adjudication()
    reopened_requires_real_fix: bool = True
    callback: bool = True
    funding: Funding = Funding(mode="release")


Regime = Annotated[FragmentedRegime | ConsolidatedRegime, Field(discriminator="kind")]


class Scenario(Strict):
    """One world and the named regimes to compare on it."""

    name: Name
    description: str = ""
    world: World
    regimes: FrozenMap(Regime, min_length=1)

    @property
    def regime_names(self) -> list[str]:
        return list(self.regimes)


# --------------------------------------------------------------------------------- loading
def _freeze(value: Any) -> Any:
    """TOML arrays → tuples, recursively (strict tuples refuse lists)."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"FragmentedRegime", "ConsolidatedRegime", "fragmented", "consolidated"} and out.startswith("regimes."):
            # pydantic names the union member it tried; the user's path has no such key
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _error_path(error: Mapping[str, Any]) -> str:
    path = _loc_to_path(error["loc"])
    if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        path += ".kind"  # the regime's kind is what chose (or failed to choose) its rules
    return path


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    msg = str(error["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind.endswith("_type") or kind in {"float_parsing", "int_parsing"}:
        return f"{msg[0].lower()}{msg[1:]} (got {error.get('input')!r})"
    return f"{msg[0].lower()}{msg[1:]}"


def _check_references(s: Scenario) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    units = s.world.units
    funds = s.world.funds

    def unit_ref(path: str, name: str | None) -> None:
        if name is not None and name not in units:
            problems.append((path, f"unknown unit {name!r}"))

    w = s.world
    end = w.start + dt.timedelta(days=w.horizon_days)
    for cname, cat in s.world.categories.items():
        for i, day in enumerate(cat.arrivals):
            if not w.start <= day < end:
                problems.append((f"world.categories.{cname}.arrivals[{i}]",
                                 f"{day} is outside the horizon ({w.start} to {end - dt.timedelta(days=1)})"))
        for i, owner in enumerate(cat.owners):
            unit_ref(f"world.categories.{cname}.owners[{i}]", owner)
        if len(set(cat.owners)) != len(cat.owners):
            problems.append((f"world.categories.{cname}.owners", "an owner is listed twice"))
        if cat.fix_money_source is not None and cat.fix_money_source not in funds:
            problems.append(
                (f"world.categories.{cname}.fix_money_source", f"unknown fund {cat.fix_money_source!r}")
            )
    for rname, regime in s.regimes.items():
        base = f"regimes.{rname}"
        # channels (both kinds; a consolidated regime may have none)
        seen: set[str] = set()
        for i, ch in enumerate(regime.channels):
            unit_ref(f"{base}.channels[{i}].unit", ch.unit)
            if ch.name in seen:
                problems.append((f"{base}.channels[{i}].name", f"channel {ch.name!r} is listed twice"))
            seen.add(ch.name)
        if regime.channels and sum(ch.weight for ch in regime.channels) <= 0:
            problems.append((f"{base}.channels", "at least one channel needs a positive weight"))
        if isinstance(regime, FragmentedRegime):
            for i, rung in enumerate(regime.escalation):
                unit_ref(f"{base}.escalation[{i}].unit", rung.unit)
                if rung.meeting is not None:
                    for j, att in enumerate(rung.meeting.attendees):
                        unit_ref(f"{base}.escalation[{i}].meeting.attendees[{j}]", att)
        else:
            unit_ref(f"{base}.centre", regime.centre)
            for j, member in enumerate(regime.adjudication.members):
                unit_ref(f"{base}.adjudication.members[{j}]", member)
        for j, name in enumerate(regime.salaried):
            unit_ref(f"{base}.salaried[{j}]", name)
        funding = regime.funding
        unit_ref(f"{base}.funding.advancer", funding.advancer)
        if funding.mode == "advance" and funding.advancer is None:
            problems.append((f"{base}.funding.advancer", "mode 'advance' needs an advancer unit"))
    return problems


def parse_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as a mapping (the parsed TOML).

    Raises
    ------
    GovsimError
        With the first problem's key path; ``.problems`` lists every problem found as
        ``(path, sentence)`` pairs.
    """
    try:
        scenario = Scenario.model_validate(_freeze(dict(data)))
    except ValidationError as exc:
        problems = [(_error_path(e), _message(e)) for e in exc.errors()]
        raise _error(problems, source) from None
    problems = _check_references(scenario)
    if problems:
        raise _error(problems, source)
    return scenario


def _error(problems: list[tuple[str, str]], source: str) -> GovsimError:
    path, sentence = problems[0]
    err = GovsimError(sentence, path)
    err.problems = problems  # type: ignore[attr-defined]
    err.source = source  # type: ignore[attr-defined]
    return err


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Raises
    ------
    GovsimError
        When the file is missing, is not valid TOML, or fails validation.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise GovsimError(f"scenario file {str(p)!r} does not exist", "SCENARIO") from None
    except IsADirectoryError:
        raise GovsimError(f"scenario path {str(p)!r} is a directory", "SCENARIO") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GovsimError(f"{p.name} is not valid TOML ({exc})", "SCENARIO") from None
    return parse_scenario(data, source=str(p))


def with_overrides(scenario: Scenario, *, horizon_days: int | None = None) -> Scenario:
    """A copy of ``scenario`` with selected world settings replaced (validated again)."""
    data = scenario.model_dump()
    if horizon_days is not None:
        data["world"]["horizon_days"] = horizon_days
    return parse_scenario(data)


def mmc_scenario(arrivals_per_hour: float, staff: int, mean_work_hours: float,
                 horizon_days: int, start: dt.date = dt.date(2025, 1, 1)) -> Scenario:
    """An M/M/c queue written as a govsim scenario (for validation against queueing theory).

    One unit with ``staff`` servers, open 24 hours every day; one category arriving as a
    Poisson process; exponential work; one channel answered by the owner, no intake time, no
    surface fixes: every case is filed once, waits for a staff member, is worked and resolved.
    """
    return parse_scenario({
        "name": f"M/M/{staff}",
        "description": "An M/M/c queue for checks against Erlang C",
        "world": {
            "start": start,
            "horizon_days": horizon_days,
            "calendar": {"country": "none"},
            "units": {"desk": {"kind": "bureau", "staff": staff, "hours": "24h"}},
            "categories": {"job": {"rate_per_day": arrivals_per_hour * 24.0, "owners": ["desk"],
                                   "work_hours": mean_work_hours, "work_cv": 1.0}},
        },
        "regimes": {"queue": {"kind": "fragmented", "intake_hours": 0.0,
                              "channels": [{"name": "desk", "unit": "desk"}]}},
    })

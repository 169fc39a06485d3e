"""A scenario: one world and its regimes, read from TOML and validated once.

Layer: scenario (no SimPy here). :func:`load_scenario` reads a file (or a shipped scenario by
name), :func:`parse_scenario` a mapping (the parsed TOML, or plain Python data). Validation is
strict (``base.Strict``), then cross-references (owners, channel units, funds, attendees, dates
inside the horizon) and the working-day calendar of the horizon are checked, so a scenario that
parses can run. Every problem is reported as ``(key path, sentence)`` in one
:class:`~govsim.errors.GovsimError`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from govsim.calendar import working_day_table
from govsim.errors import GovsimError
from govsim.inputs import MAX_DEPTH, data_depth, read_toml
from govsim.scenario.assumptions import Assumption, check_assumptions
from govsim.scenario.base import LIMITS, FrozenMap, Name, Strict
from govsim.scenario.catalogue import shipped_by_name
from govsim.scenario.like import drop_inherited, likes_of, resolve_like
from govsim.scenario.rules import Regime
from govsim.scenario.world import World

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["Scenario", "parse_scenario", "load_scenario", "check_baseline", "MAX_DEPTH"]



class Scenario(Strict):
    """One world and the named regimes to compare on it.

    Examples
    --------
    >>> import govsim
    >>> s = govsim.load_scenario("district")
    >>> s.name, s.world.start, s.world.horizon_days
    ('district', datetime.date(2025, 1, 1), 365)
    >>> s.regime_names[:2]
    ['fragmented', 'consolidated']
    >>> s.regimes["consolidated"].routing, s.regimes["fragmented"].routing
    ('triage', 'citizen')
    """

    name: Name
    description: str = ""
    #: the description in Chinese reports (``lang="zh"``)
    description_zh: str = ""
    world: World
    regimes: FrozenMap(Regime, min_length=1)
    #: key path (``*`` for every key of a table) -> the bounds of a parameter labelled an
    #: assumption (:mod:`govsim.scenario.assumptions`); None when the scenario labels none
    assumptions: FrozenMap(Assumption) | None = None

    @property
    def regime_names(self) -> list[str]:
        return list(self.regimes)

    def expected_cases(self, days: int | None = None) -> float:
        """The expected number of cases in one replication of ``days`` days (default: the
        horizon): each category's daily rates
        (:meth:`~govsim.scenario.world.Category.daily_rates`) summed over them, plus its
        dated arrivals. With responsive demand (``world.demand``) it counts the problems the
        world draws, ``max_factor`` times the rate: an upper bound on the cases filed."""
        w = self.world
        n = w.horizon_days if days is None else days
        # with responsive demand, problems are drawn at the highest rate filings can reach
        factor = w.demand.max_factor if w.demand.on else 1.0
        return sum(factor * float(cat.daily_rates(w.start, n).sum())
                   + len(cat.arrivals) for cat in w.categories.values())

    def check_regimes(self, names: Sequence[str] | None = None, *, where: str = "regimes",
                      minimum: int = 1) -> tuple[str, ...]:
        """``names`` (default: every regime, in file order) as a tuple, or a
        :class:`GovsimError` at ``where`` naming an unknown or repeated regime, or too few."""
        if names is not None and (isinstance(names, str) or not isinstance(names, Sequence)):
            raise GovsimError(f"must be a list of regime names, got {names!r}", where)
        chosen = tuple(self.regimes) if names is None else tuple(names)
        for n in chosen:
            if not isinstance(n, str) or n not in self.regimes:
                raise GovsimError(f"unknown regime {n!r}; the scenario has "
                                  f"{', '.join(self.regime_names)}", where)
        if len(set(chosen)) != len(chosen):
            raise GovsimError("a regime is named twice", where)
        if len(chosen) < minimum:
            raise GovsimError("name at least one regime" if minimum == 1 else
                              f"a comparison needs at least {minimum} regimes", where)
        return chosen

    def check_regime(self, name: str | None = None, *, where: str = "regime") -> str:
        """``name`` (default: the first regime), or a :class:`GovsimError` at ``where``."""
        if name is None:
            return self.regime_names[0]
        if not isinstance(name, str):
            raise GovsimError(f"must be a regime's name, got {name!r}", where)
        return self.check_regimes((name,), where=where)[0]


def check_baseline(regimes: Sequence[str], baseline: str | None,
                   where: str = "baseline") -> str:
    """The regime differences subtract: ``baseline`` (default: the first of ``regimes``), which
    must be among them."""
    base = baseline if baseline is not None else regimes[0]
    if not isinstance(base, str) or base not in regimes:
        raise GovsimError(f"{base!r} is not among the regimes run ({', '.join(regimes)})", where)
    return base

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
        else:
            out += ("." if out else "") + str(part)
    return out


def _error_path(error: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    path = _loc_to_path(error["loc"])
    loc = error["loc"]
    if len(loc) == 3 and loc[0] == "regimes" and loc[2] == "preset":
        # a file that names its preset with the older key 'kind' is told about 'kind'
        table = (data.get("regimes") or {}).get(loc[1])
        if isinstance(table, Mapping) and "kind" in table and "preset" not in table:
            path = path[: -len("preset")] + "kind"
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
    if kind.endswith("_type") or kind in {"float_parsing", "int_parsing", "literal_error"}:
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
        if cat.lead is not None and cat.lead not in cat.owners:
            problems.append((f"world.categories.{cname}.lead",
                             f"{cat.lead!r} is not one of the category's owners "
                             f"({', '.join(cat.owners)})"))
        if cat.trend_per_year > 0.0:
            growth = (1.0 + cat.trend_per_year) ** (w.horizon_days / 365.25)
            if growth > LIMITS["factor"]:
                problems.append((f"world.categories.{cname}.trend_per_year",
                                 f"would multiply the rate by {growth:.3g} over the horizon "
                                 f"(at most {LIMITS['factor']:g})"))
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
        for i, rung in enumerate(regime.escalation):
            unit_ref(f"{base}.escalation[{i}].unit", rung.unit)
            if rung.meeting is not None:
                for j, att in enumerate(rung.meeting.attendees):
                    unit_ref(f"{base}.escalation[{i}].meeting.attendees[{j}]", att)
        unit_ref(f"{base}.centre", regime.centre)
        for j, member in enumerate(regime.adjudication.members):
            unit_ref(f"{base}.adjudication.members[{j}]", member)
        for j, name in enumerate(regime.salaried):
            unit_ref(f"{base}.salaried[{j}]", name)
        funding = regime.funding
        unit_ref(f"{base}.funding.advancer", funding.advancer)
        if funding.mode == "advance" and funding.advancer is None:
            problems.append((f"{base}.funding.advancer", "mode 'advance' needs an advancer unit"))
    # Chinese names tell things apart in tables and legends: no two of a kind alike
    for where, things in (("regimes", s.regimes), ("world.units", w.units),
                          ("world.categories", w.categories), ("world.funds", w.funds)):
        seen: dict[str, str] = {}
        for name, thing in things.items():
            label = thing.label_zh
            if label and label in seen:
                problems.append((f"{where}.{name}.label_zh",
                                 f"is {seen[label]!r}'s too ({label!r}); give each its own"))
            seen.setdefault(label, name)
    return problems


def parse_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as a mapping (the parsed TOML).

    Raises
    ------
    GovsimError
        With the first problem's key path; ``.problems`` lists every problem found as
        ``(path, sentence)`` pairs.

    Examples
    --------
    >>> import govsim
    >>> from govsim.scenario import scenario_data
    >>> data = scenario_data(govsim.load_scenario("district"))  # the TOML's tables, as a dict
    >>> data["world"]["horizon_days"] = 30
    >>> govsim.parse_scenario(data).world.horizon_days
    30
    >>> data["world"]["horizon_days"] = 0
    >>> govsim.parse_scenario(data)
    Traceback (most recent call last):
    ...
    govsim.errors.GovsimError: world.horizon_days: input should be greater than or equal to 1
    """
    if not isinstance(data, Mapping):
        raise GovsimError(f"a scenario must be a table of keys (a mapping), not "
                          f"{type(data).__name__}", "scenario")
    if data_depth(data) > MAX_DEPTH:
        raise _error([("scenario", f"tables and arrays nest more than {MAX_DEPTH} deep")], source)
    likes = likes_of(data)
    data = resolve_like(data)
    if isinstance(data, GovsimError):
        raise _error([(data.path, data.message)], source)
    try:
        scenario = Scenario.model_validate(_freeze(dict(data)))
    except ValidationError as exc:
        errors = exc.errors()
        # a regime whose preset is unknown gets no preset settings: report the preset, not
        # every setting it would have filled in
        bad_preset = {e["loc"][:2] for e in errors if e["loc"][2:] == ("preset",)}
        errors = [e for e in errors
                  if not (e["type"] == "missing" and e["loc"][:2] in bad_preset
                          and len(e["loc"]) == 3 and e["loc"][2] != "preset")]
        problems = [(_error_path(e, data), _message(e)) for e in errors]
        raise _error(drop_inherited(problems, likes), source) from None
    problems = (drop_inherited(_check_references(scenario), likes)
                + check_assumptions(scenario)) or _check_calendar(scenario.world)
    if problems:
        raise _error(problems, source)
    return scenario


def _check_calendar(w: World) -> list[tuple[str, str]]:
    """The horizon's working-day table can be built (the holiday data covers every year)."""
    cal = w.calendar
    try:
        working_day_table(w.start, w.horizon_days, country=cal.country,
                          extra_holidays=cal.extra_holidays, extra_workdays=cal.extra_workdays,
                          path="world.calendar")
    except GovsimError as exc:
        return [(exc.path, exc.message)]
    return []


def _error(problems: list[tuple[str, str]], source: str) -> GovsimError:
    path, sentence = problems[0]
    err = GovsimError(sentence, path)
    err.problems = problems  # type: ignore[attr-defined]
    err.source = source  # type: ignore[attr-defined]
    return err


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file, or a shipped scenario given by name (problems
    with the file itself are reported at the key path ``scenario``).

    A string with no path separator and no ``.toml`` suffix that is not an existing file --
    ``"district"`` -- names one of the scenarios shipped with govsim
    (:mod:`govsim.scenario.catalogue`; ``govsim scenarios`` lists them). An existing file
    always comes first.

    Raises
    ------
    GovsimError
        When the file is missing (for a name: listing the shipped names), is not valid TOML, or
        fails validation.

    Examples
    --------
    >>> import govsim
    >>> s = govsim.load_scenario("shishi_12345")   # a shipped scenario, by name
    >>> s.name, list(s.regimes)
    ('shishi_12345', ['consolidated', 'fragmented'])
    >>> govsim.load_scenario("my_city.toml")        # a file, by its path
    Traceback (most recent call last):
    ...
    govsim.errors.GovsimError: scenario: ...
    """
    if not isinstance(path, str | os.PathLike):
        raise GovsimError(f"must be the path of a scenario file, got {path!r}", "scenario")
    shipped = shipped_by_name(path)  # "district": not a file, so a shipped scenario's name
    p: Path | Traversable = Path(path) if shipped is None else shipped
    data = read_toml(path if shipped is None else shipped, "scenario file", "scenario")
    return parse_scenario(data, source=str(p))

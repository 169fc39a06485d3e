"""The common base of every scenario model: strict, frozen, read-only tables.

Layer: scenario (no SimPy here). :class:`Strict` refuses unknown keys (``extra="forbid"``),
converts no types (a string where a number belongs is an error), refuses non-finite numbers and
freezes the object; named tables become read-only mappings (:func:`FrozenMap`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WrapSerializer

from govsim.calendar import parse_hours
from govsim.errors import GovsimError
from govsim.moved import renamed

__all__ = ["Strict", "FrozenDict", "FrozenMap", "Probability", "NonNegative", "Positive", "Name",
           "check_hours", "Days", "PositiveDays", "Hours", "PositiveHours", "Minutes", "Yuan",
           "Rate", "Headcount", "Weight", "Coefficient", "LIMITS"]

#: A probability, a float from 0 to 1.
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
#: A float of at least 0.
NonNegative = Annotated[float, Field(ge=0.0)]
#: A float above 0.
Positive = Annotated[float, Field(gt=0.0)]
#: A name, a non-empty string.
Name = Annotated[str, Field(min_length=1)]

# Upper bounds on every number a scenario holds: far above anything a city has, low enough that
# no value can overflow a calculation or exhaust the machine on its own (docs/scenarios.md lists
# them, and a test checks the list against the schema).
#: kind of quantity -> largest value accepted
LIMITS: dict[str, float] = {
    "days": 36525.0,          # 100 years
    "hours": 10_000.0,        # more than a year of round-the-clock work
    "minutes": 1440.0,        # a day
    "yuan": 1e12,
    "rate per day": 1e7,      # ten million problems a day
    "headcount": 100_000,
    "weight": 1e6,
    "factor": 100.0,          # a coefficient of variation or a seasonal factor
}
#: A number of days, a float from 0 to ``LIMITS["days"]``.
Days = Annotated[float, Field(ge=0.0, le=LIMITS["days"])]
#: A number of days, a float above 0 and at most ``LIMITS["days"]``.
PositiveDays = Annotated[float, Field(gt=0.0, le=LIMITS["days"])]
#: A number of hours, a float from 0 to ``LIMITS["hours"]``.
Hours = Annotated[float, Field(ge=0.0, le=LIMITS["hours"])]
#: A number of hours, a float above 0 and at most ``LIMITS["hours"]``.
PositiveHours = Annotated[float, Field(gt=0.0, le=LIMITS["hours"])]
#: A number of minutes, a float above 0 and at most ``LIMITS["minutes"]``.
Minutes = Annotated[float, Field(gt=0.0, le=LIMITS["minutes"])]
#: An amount of yuan, a float from 0 to ``LIMITS["yuan"]``.
Yuan = Annotated[float, Field(ge=0.0, le=LIMITS["yuan"])]
#: Problems a day, a float from 0 to ``LIMITS["rate per day"]``.
Rate = Annotated[float, Field(ge=0.0, le=LIMITS["rate per day"])]
#: A headcount, an integer from 1 to ``LIMITS["headcount"]``.
Headcount = Annotated[int, Field(ge=1, le=LIMITS["headcount"])]
#: A relative weight, a float from 0 to ``LIMITS["weight"]``.
Weight = Annotated[float, Field(ge=0.0, le=LIMITS["weight"])]
#: A factor or coefficient of variation, a float from 0 to ``LIMITS["factor"]``.
Coefficient = Annotated[float, Field(ge=0.0, le=LIMITS["factor"])]


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


def check_hours(spec: str) -> tuple[float, float] | None:
    """Office hours ``"08:30-17:30"`` (or ``"24h"``) parsed, or a ``ValueError`` for pydantic."""
    try:
        return parse_hours(spec)
    except GovsimError as exc:
        raise ValueError(exc.message) from None


class Strict(BaseModel):
    """Base of every scenario model: unknown keys refused, strict types, finite numbers,
    immutable (tables of named things are read-only mappings)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)




__getattr__ = renamed(__name__)  # old names, for one release (govsim.moved.RENAMED)

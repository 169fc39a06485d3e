"""Factors and designs: which scenarios a sweep runs.

Layer: experiment. A *factor* is one scenario key, named by its key path
(:mod:`govsim.scenario.edit`: ``regimes.consolidated.accuracy``,
``world.units.street_office.staff``, ``regimes.fragmented.channels[2].weight`` or, by channel
name, ``regimes.fragmented.channels.mayor's hotline.weight``), with either a list of *levels* or
a *range* ``[low, high]``. A *design* turns the factors into *design points*:

``factorial``
    every combination of the levels (the first factor varies slowest).
``lhs``
    a Latin hypercube sample of ``points`` points over the ranges
    (:class:`scipy.stats.qmc.LatinHypercube`).
``sobol``
    the first ``points`` points of a scrambled Sobol' sequence (:class:`scipy.stats.qmc.Sobol`;
    ``points`` should be a power of two to keep its balance properties).

In a sampled design a factor given by levels is sampled uniformly among its levels, and an
``integer`` range is rounded to whole numbers. Every path is checked against the scenario, and
every design point is validated as a scenario, before anything runs: a bad path or a value the
scenario refuses is a :class:`~govsim.errors.GovsimError` naming the factor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from govsim.errors import GovsimError
from govsim.scenario import Scenario, with_values
from govsim.scenario.edit import plain

__all__ = ["Factor", "Design", "design_points", "apply_factors", "DESIGN_KINDS"]

DESIGN_KINDS = ("factorial", "lhs", "sobol")
#: the spawn key of the stream that samples a design (replication streams use longer keys)
DESIGN_STREAM = (2**32 - 1,)


@dataclass(frozen=True)
class Factor:
    """One scenario key varied by a sweep.

    Parameters
    ----------
    path:
        Dotted key path into the scenario (see the module docstring).
    levels:
        The values to use (a factorial design needs them). Numbers, strings or booleans.
    low, high:
        A range for sampled designs (``low < high``).
    integer:
        Round sampled values of a range to whole numbers (for staff counts and the like).
    """

    path: str
    levels: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

    def __post_init__(self) -> None:
        where = f"factors.{self.path}"
        if self.levels is not None:
            object.__setattr__(self, "levels", tuple(plain(v) for v in self.levels))
            if self.low is not None or self.high is not None:
                raise GovsimError("give either levels or a range (low, high), not both", where)
            if self.integer:
                raise GovsimError("integer goes with a range (low, high); give whole-number "
                                  "levels instead", where)
            if len(self.levels) == 0:
                raise GovsimError("needs at least one level", where)
            kinds = {_kind(v) for v in self.levels}
            if None in kinds or len(kinds) > 1:
                raise GovsimError("levels must be all numbers, all strings or all booleans",
                                  where)
            if len(set(self.levels)) != len(self.levels):
                raise GovsimError("levels must be distinct", where)
        else:
            if self.low is None or self.high is None:
                raise GovsimError("needs levels or both low and high", where)
            for name, v in (("low", self.low), ("high", self.high)):
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                    raise GovsimError(f"{name} must be a finite number, got {v!r}", where)
            if not self.low < self.high:
                raise GovsimError(f"low ({self.low}) must be below high ({self.high})", where)
            if self.integer and math.ceil(self.low) > math.floor(self.high):
                raise GovsimError("the range holds no whole number", where)

    @classmethod
    def from_spec(cls, path: str, spec: Any) -> Factor:
        """A factor from its TOML form: a list of levels, or a table with ``levels`` or
        ``low``/``high`` (and optionally ``integer``)."""
        where = f"factors.{path}"
        if isinstance(spec, list | tuple):
            return cls(path, levels=tuple(spec))
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"levels", "low", "high", "integer"}
            if unknown:
                raise GovsimError(f"unknown key {sorted(unknown)[0]!r} (expected levels, or low, "
                                  "high and optionally integer)", where)
            levels = spec.get("levels")
            integer = spec.get("integer", False)
            if not isinstance(integer, bool):
                raise GovsimError("integer must be true or false", where)
            return cls(path, levels=tuple(levels) if levels is not None else None,
                       low=spec.get("low"), high=spec.get("high"), integer=integer)
        raise GovsimError("must be a list of levels or a table with low and high", where)

    def to_spec(self) -> dict[str, Any]:
        """The TOML/JSON form (inverse of :meth:`from_spec`)."""
        if self.levels is not None:
            return {"levels": list(self.levels)}
        return {"low": self.low, "high": self.high, "integer": self.integer}

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map uniforms in [0, 1) to this factor's values (for sampled designs)."""
        if self.levels is not None:
            idx = np.minimum((u * len(self.levels)).astype(np.int64), len(self.levels) - 1)
            return [self.levels[i] for i in idx]
        assert self.low is not None and self.high is not None
        x = self.low + u * (self.high - self.low)
        if self.integer:
            # round within [low, high]: each whole number gets its share of the range
            lo, hi = math.ceil(self.low), math.floor(self.high)
            if lo > hi:
                raise GovsimError("the range holds no whole number", f"factors.{self.path}")
            return [int(v) for v in np.clip(np.floor(lo + u * (hi - lo + 1)), lo, hi)]
        return [float(v) for v in x]


@dataclass(frozen=True)
class Design:
    """How factors become design points: ``kind`` is one of :data:`DESIGN_KINDS`; ``points``
    is the sample size of a sampled design (ignored by ``factorial``)."""

    kind: Literal["factorial", "lhs", "sobol"] = "factorial"
    points: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in DESIGN_KINDS:
            raise GovsimError(f"unknown design {self.kind!r}; expected one of "
                              f"{', '.join(DESIGN_KINDS)}", "design.kind")
        if self.kind == "factorial":
            if self.points is not None:
                raise GovsimError("a factorial design takes no points (it has one per "
                                  "combination of levels)", "design.points")
        elif (self.points is None or isinstance(self.points, bool)
              or not isinstance(self.points, int) or self.points < 1):
            raise GovsimError(f"a {self.kind} design needs points = a whole number >= 1",
                              "design.points")


def design_points(factors: Sequence[Factor], design: Design, seed: int) -> pd.DataFrame:
    """The design points: one row per point (index ``point``), one column per factor path.

    With no factors there is one point (the scenario as it is). Sampled designs draw from the
    root ``seed``'s design stream, so the points are reproducible and do not depend on the
    replication streams.
    """
    paths = [f.path for f in factors]
    if len(set(paths)) != len(paths):
        dup = next(p for p in paths if paths.count(p) > 1)
        raise GovsimError("the same key is varied twice", f"factors.{dup}")
    if not factors:
        rows: list[list[Any]] = [[]]
    elif design.kind == "factorial":
        missing = [f.path for f in factors if f.levels is None]
        if missing:
            raise GovsimError("a factorial design needs levels for every factor (ranges are for "
                              "lhs or sobol designs)", f"factors.{missing[0]}")
        rows = [[]]
        for f in factors:
            assert f.levels is not None
            rows = [r + [v] for r in rows for v in f.levels]
    else:
        from scipy.stats import qmc

        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=DESIGN_STREAM)))
        d = len(factors)
        if design.kind == "lhs":
            u = qmc.LatinHypercube(d=d, seed=rng).random(design.points)
        else:
            # scipy warns when n is not a power of two (the sample loses its balance)
            u = qmc.Sobol(d=d, scramble=True, seed=rng).random(design.points)
        columns = [f.from_unit(u[:, j]) for j, f in enumerate(factors)]
        rows = [list(r) for r in zip(*columns, strict=True)]
    frame = pd.DataFrame(rows, columns=paths)
    frame.index = pd.RangeIndex(len(frame), name="point")
    return frame


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    return None


def apply_factors(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` with each ``path -> value`` set, validated again.

    Raises
    ------
    GovsimError
        Naming the factor path when a path does not exist or the scenario refuses a value.
    """
    if not values:
        return scenario
    try:
        return with_values(scenario, values, source="<design point>", prefix="factors.")
    except GovsimError as exc:
        setting = ", ".join(f"{p} = {plain(v)!r}" for p, v in values.items())
        err = GovsimError(f"{exc.message} (at the design point {setting})", exc.path)
        err.problems = [(p, f"{m} (at the design point {setting})")  # type: ignore[attr-defined]
                        for p, m in getattr(exc, "problems", [(exc.path, exc.message)])]
        raise err from None

"""Assumptions: the scenario's parameters labelled as set by hand, each with its stated bounds.

Layer: scenario (no SimPy here). A scenario may carry a top-level ``[assumptions]`` table that
maps a key path to ``{ low = ..., high = ..., note = "..." }``: the key is an assumption -- no
figure fixes it -- and any value from ``low`` to ``high`` is as defensible as the one written.
A ``*`` segment stands for every key of a table, so ``"regimes.*.false_closure_prob"`` is one
assumption shared by every regime, varied in all of them together. ``govsim robustness``
(:mod:`govsim.experiment.robustness`) varies the assumptions over a Latin hypercube within
their bounds and reports whether a comparison's sign holds.

Here, when a scenario is parsed, every entry is checked as far as the scenario layer can: two
finite numbers within ±1e12 with ``low < high``, a path that names one number of the scenario
(each ``*`` expanded), no key claimed twice. That both ends make a valid scenario is checked where the
values are set (:func:`govsim.experiment.parameters.parse_parameters`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, model_validator

from govsim.scenario.base import LIMITS, Strict
from govsim.scenario.keypath import segments

__all__ = ["Assumption", "expand_assumption", "check_assumptions", "MAX_ASSUMPTIONS"]

#: the most assumptions one scenario labels (a Latin hypercube in more dimensions than this
#: learns nothing within a study's budget; the same bound as a calibration's parameters)
MAX_ASSUMPTIONS = 64

#: the bounds of a bound: no key of a scenario holds a larger number (yuan go highest)
_BOUND = LIMITS["yuan"]

class Assumption(Strict):
    """One labelled assumption: its bounds and why they are what they are."""

    low: float = Field(ge=-_BOUND, le=_BOUND)
    high: float = Field(ge=-_BOUND, le=_BOUND)
    #: where the bounds come from (a sentence for a reader)
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Assumption:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


def expand_assumption(data: Mapping[str, Any], path: str) -> list[str]:
    """The concrete key paths ``path`` names in the plain scenario ``data`` (each ``*``
    replaced by every key of its table), or a ``ValueError`` with a sentence saying why
    ``path`` names no number."""
    parts = segments(path)
    if parts is None:
        raise ValueError("is not a key path (use dots between keys, [i] for list items and * "
                         "for every key of a table)")
    found: list[str] = []

    def walk(node: Any, rest: list[str | int], done: str) -> None:
        if not rest:
            if isinstance(node, bool) or not isinstance(node, int | float):
                what = "a table" if isinstance(node, Mapping | list | tuple) else \
                    f"{type(node).__name__} {node!r}"
                raise ValueError(f"{done} is {what}, not a number")
            found.append(done)
            return
        seg, tail = rest[0], rest[1:]
        where = done or "the top level"
        if seg == "*":
            if not isinstance(node, Mapping) or not node:
                raise ValueError(f"'*' stands for every key of a table, and {where} is none")
            for key in node:
                walk(node[key], tail, f"{done}.{key}" if done else str(key))
            return
        if isinstance(node, Mapping):
            if seg not in node:
                raise ValueError(f"the scenario has no key {seg!r} under {where}")
            walk(node[seg], tail, f"{done}.{seg}" if done else str(seg))
            return
        if isinstance(node, list | tuple):
            named = [i for i, item in enumerate(node)
                     if isinstance(item, Mapping) and item.get("name") == seg]
            index = named[0] if named else (int(seg) if isinstance(seg, int) or (
                seg.isdecimal() and seg.isascii()) else None)
            if index is None or index >= len(node):
                raise ValueError(f"{where} has no item {seg!r}")
            walk(node[index], tail, f"{done}[{index}]")
            return
        raise ValueError(f"{where} is a value, not a table")

    walk(data, parts, "")
    return found


def check_assumptions(scenario: Any) -> list[tuple[str, str]]:
    """Every problem with a scenario's ``[assumptions]`` table as ``(key path, sentence)``:
    a path that names no number of the scenario (or the horizon), a key claimed by two entries,
    too many entries (``scenario``: a validated :class:`~govsim.scenario.Scenario`)."""
    assumptions: Mapping[str, Assumption] | None = scenario.assumptions
    if not assumptions:
        return []
    data = scenario.model_dump()
    problems: list[tuple[str, str]] = []
    if len(assumptions) > MAX_ASSUMPTIONS:
        return [("assumptions", f"labels {len(assumptions)} assumptions; at most "
                 f"{MAX_ASSUMPTIONS} are varied together")]
    claimed: dict[str, str] = {}
    for path in assumptions:
        where = f"assumptions.{path}"
        if path.split(".")[0] == "assumptions" or path in ("world.horizon_days",):
            problems.append((where, "names no assumption of the world or the regimes"))
            continue
        try:
            paths = expand_assumption(data, path)
        except ValueError as exc:
            problems.append((where, str(exc)))
            continue
        for p in paths:
            if p in claimed:
                problems.append((where, f"sets {p}, which {claimed[p]!r} sets too"))
                break
            claimed[p] = path
    return problems

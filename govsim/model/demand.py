"""Responsive demand: citizens file more when the regime has served them well.

Layer: model. Problems arise whatever the regime (the world draws them at the highest rate
filings can reach, ``max_factor`` times the categories' rates). Whether a citizen files one
depends on :class:`Trust`: the exponentially weighted share of good outcomes among the
outcomes citizens have seen (a result that satisfied its citizen counts 1; a failed attempt, a
late result or giving up count 0), weighted by ``exp(-age / memory)``. A problem arising at
time t is filed when the world's uniform for it is below ``propensity(t) / max_factor``, with
``propensity = exp(responsiveness × (trust − reference_trust))`` capped at ``max_factor``: a
thinning of the problems' Poisson process, so filings are Poisson with the rate times the
propensity, and two regimes see the same problems and the same uniforms (common random
numbers), differing only in what their record has taught citizens.
"""

from __future__ import annotations

import math

from govsim.scenario.world import Demand

__all__ = ["Trust"]


class Trust:
    """What citizens have learnt from outcomes so far, and their propensity to file."""

    __slots__ = ("beta", "reference", "max_factor", "memory_h", "good", "weight", "at")

    def __init__(self, spec: Demand) -> None:
        self.beta = spec.responsiveness
        self.reference = spec.reference_trust
        self.max_factor = spec.max_factor
        self.memory_h = spec.memory_days * 24.0
        start = spec.reference_trust if spec.initial_trust is None else spec.initial_trust
        # trust = good / weight; the starting trust counts as one outcome, and fades like one
        self.good, self.weight, self.at = start, 1.0, 0.0

    def _decay(self, now: float) -> None:
        if now > self.at:
            k = math.exp((self.at - now) / self.memory_h)
            self.good *= k
            self.weight *= k
            self.at = now

    @property
    def level(self) -> float:
        """Trust as of the last outcome or question (a share from 0 to 1)."""
        return self.good / self.weight

    def outcome(self, now: float, good: float) -> None:
        """An outcome citizens see at ``now``: 1 satisfied, 0 a failure."""
        self._decay(now)
        self.good += good
        self.weight += 1.0

    def propensity(self, now: float) -> float:
        """How many times the problems' rate citizens file at ``now`` (at most
        ``max_factor``)."""
        self._decay(now)
        return min(math.exp(self.beta * (self.good / self.weight - self.reference)),
                   self.max_factor)

    def files(self, now: float, u: float) -> bool:
        """Whether a problem arising at ``now`` with the world's uniform ``u`` is filed."""
        return u * self.max_factor < self.propensity(now)

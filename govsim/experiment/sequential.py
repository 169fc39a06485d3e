"""The precision rule: add replications until every chosen interval is narrow enough.

Layer: experiment. A :class:`Precision` target names metrics and a relative half-width γ; after
each batch of replications, :func:`next_batch` looks at every still-active design point and
either stops it (every regime × metric within γ' = γ/(1+γ), Law's *Simulation Modeling and
Analysis* §9.4.1) or raises its planned replications by Law's t-quantile projection (at least
``min_batch`` more, at most double, never past ``max_replications``). The rule is a pure
function of the metrics written so far, so every executor and every resume plan the same
replications.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError
from govsim.experiment.checks import whole
from govsim.measure.metrics import FEASIBLE, METRICS
from govsim.stats.intervals import UNBOUNDED, Bounds, mean_ci, reach

__all__ = ["Precision", "PrecisionState", "next_batch", "projection"]

_KEYS = ("metrics", "relative", "max_replications", "min_batch", "confidence")


@dataclass(frozen=True)
class Precision:
    """A precision target: add replications until every chosen metric's confidence interval
    is narrow enough (the sequential procedure in ``docs/experiments.md``).

    Parameters
    ----------
    metrics:
        Metric names (see :data:`govsim.measure.metrics.METRICS`).
    relative:
        Target relative half-width γ: stop a design point once, for every regime and metric,
        ``half_width / |mean| <= γ / (1 + γ)``.
    max_replications:
        Never run more than this many replications of a design point.
    min_batch:
        Add at least this many replications at a time.
    confidence:
        Confidence level of the intervals.
    """

    metrics: tuple[str, ...]
    relative: float
    max_replications: int
    min_batch: int = 2
    confidence: float = 0.95

    def __post_init__(self) -> None:
        metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
        object.__setattr__(self, "metrics", metrics)
        if not self.metrics:
            raise GovsimError("name at least one metric", "precision.metrics")
        for m in self.metrics:
            if m not in METRICS:
                raise GovsimError(f"unknown metric {m!r}", "precision.metrics")
        if not (isinstance(self.relative, int | float) and 0.0 < self.relative < 1.0):
            raise GovsimError(f"must be a number between 0 and 1, got {self.relative!r}",
                              "precision.relative")
        whole(self.max_replications, 2, "precision.max_replications")
        whole(self.min_batch, 1, "precision.min_batch")
        if not (isinstance(self.confidence, float) and 0.5 <= self.confidence < 1.0):
            raise GovsimError(f"must be a number from 0.5 to below 1, got {self.confidence!r}",
                              "precision.confidence")

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Precision:
        """A target from its TOML table (unknown and missing keys named)."""
        unknown = set(spec) - set(_KEYS)
        if unknown:
            raise GovsimError(f"unknown key {sorted(unknown)[0]!r}", "precision")
        missing = {"metrics", "relative", "max_replications"} - set(spec)
        if missing:
            raise GovsimError(f"{sorted(missing)[0]} is required", "precision")
        return cls(**spec)

    def to_spec(self) -> dict[str, Any]:
        """The TOML/JSON form (inverse of :meth:`from_spec`)."""
        return {"metrics": list(self.metrics), "relative": self.relative,
                "max_replications": self.max_replications, "min_batch": self.min_batch,
                "confidence": self.confidence}

    @property
    def adjusted(self) -> float:
        """γ' = γ / (1 + γ): the half-width target on the estimate that makes γ a bound on
        the relative error to the true mean (Law, *Simulation Modeling and Analysis*, §9.4.1)."""
        return self.relative / (1.0 + self.relative)


@dataclass
class PrecisionState:
    """What the last check found, for the manifest: per design point the worst relative
    half-width and whether it met the target; the regime:metric pairs left out because no
    replication gave them a value (undefined under that regime's rules)."""

    points: dict[str, dict[str, Any]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def next_batch(precision: Precision, regimes: Sequence[str], metrics: pd.DataFrame,
               planned: dict[int, int], active: set[int], state: PrecisionState) -> set[int]:
    """One sequential step over ``metrics`` (the rows written so far: ``point``, ``regime``,
    then the metrics): stop each active point that meets the target, raise ``planned`` for the
    others, and return the points still active. ``state`` is updated for the manifest."""
    target = precision.adjusted
    # a metric with no value at any point and replication of a regime so far is undefined
    # under its rules (e.g. deadline breaches without limits): it is left out for that regime
    defined = {(regime, m) for regime in regimes for m in precision.metrics
               if len(metrics) and np.isfinite(
                   metrics.loc[metrics["regime"] == regime, m].to_numpy(dtype=float)).any()}
    state.ignored = sorted(f"{r}:{m}" for r in regimes for m in precision.metrics
                           if (r, m) not in defined)
    still: set[int] = set()
    for p in sorted(active):
        part = metrics[metrics["point"] == p] if len(metrics) else metrics
        worst, wanted = 0.0, 0
        for regime in regimes:
            rows = part[part["regime"] == regime] if len(part) else part
            for m in precision.metrics:
                if (regime, m) not in defined:
                    continue
                values = rows[m].to_numpy(dtype=float) if len(rows) else np.empty(0)
                rel, need = projection(values, target, precision.confidence,
                                       precision.max_replications, FEASIBLE.get(m, UNBOUNDED))
                worst, wanted = max(worst, rel), max(wanted, need)
        state.points.setdefault(str(p), {}).update(
            {"relative_half_width": None if math.isinf(worst) else worst, "met": worst <= target})
        if worst <= target or planned[p] >= precision.max_replications:
            continue
        n = planned[p]
        # at least min_batch more, at most double, never past the maximum
        planned[p] = min(precision.max_replications,
                         max(n + precision.min_batch, min(wanted, 2 * n)))
        still.add(p)
    return still


def projection(values: np.ndarray, target: float, confidence: float,
               n_max: int, bounds: Bounds = UNBOUNDED) -> tuple[float, int]:
    """The relative half-width of ``values`` and the replications that would bring it to
    ``target`` if mean and spread hold (Law's projection with the t quantile of the larger n).

    The half-width is that of the interval every table reports (the t interval clipped to the
    metric's feasible range ``bounds``): its reach from the mean, which bounds the error with
    the interval's coverage.

    NaN values (a median not reached in that replication) are left out, and the projection is
    scaled up by the share of replications that gave a value. Fewer than two values, or a mean
    of 0 with some spread, can never meet a relative target: ``(inf, n_max)``.
    """
    finite = values[np.isfinite(values)]
    n = len(finite)
    if n < 2:
        return math.inf, n_max
    mean, low, high, _ = mean_ci(finite, confidence, bounds)
    half = reach(mean, low, high)
    if half == 0.0:
        return 0.0, n
    if mean == 0.0:
        return math.inf, n_max
    rel = half / abs(mean)
    from scipy import stats

    sd = float(np.std(finite, ddof=1))
    grid = np.arange(n + 1, n_max + 1)
    if not len(grid):
        return rel, n_max
    q = stats.t.ppf(0.5 + confidence / 2.0, grid - 1)
    ok = np.nonzero(q * sd / np.sqrt(grid) <= target * abs(mean))[0]
    if not len(ok):
        return rel, n_max
    return rel, min(n_max, math.ceil(int(grid[ok[0]]) * len(values) / n))

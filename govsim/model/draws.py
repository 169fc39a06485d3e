"""The world's random draws, made once per replication and shared by every regime.

Layer: model. Common random numbers are a property of this module: everything that describes
*the city* -- when each problem arises, what kind it is, how much work a real fix takes, how
patient the citizen is, how long a surface repair holds -- is drawn here, vectorised, from
streams that depend only on the replication's seed. Regimes then differ only in their rules
(and in the regime-side draws that only make sense under those rules, such as which hotline a
citizen dials or whether a call-taker classifies a case correctly).

Stream names are fixed; adding a stream never changes the draws of the existing ones. Every
array is drawn from its own (sub-)stream in arrival order, so the first cases of a longer
horizon are exactly the cases of a shorter one: with the same seed, a short run is the opening
of a long one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from govsim.model.blocks import RowBlocks
from govsim.scenario import Scenario

__all__ = ["WorldDraws", "draw_world", "stream", "STREAMS", "K_DRAWS"]

#: Named random streams: the index is the spawn key under the replication's seed.
STREAMS = {
    "arrivals": 0,
    "work": 1,
    "citizens": 2,
    "surface": 3,
    "demand": 4,
    "regime": 10,
}

#: How many per-case draws are kept for repeated events (re-filing waits, surface-fix holds).
#: The k-th repeat uses column ``k % K_DRAWS``, so a case with more repeats than this reuses
#: its own earlier draws (a case with 8+ failures is rare but occurs in a district year).
K_DRAWS = 8


def stream(seed: int, replication: int, name: str, *sub: int) -> np.random.Generator:
    """The generator for stream ``name`` of ``replication`` under root ``seed``; ``sub``
    selects a sub-stream (e.g. one per category)."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(replication, STREAMS[name], *sub))
    return np.random.Generator(np.random.PCG64(ss))


@dataclass(frozen=True)
class WorldDraws:
    """Everything about one replication's city that must not depend on the regime.

    Arrays are indexed by case number; cases are numbered in order of arrival. The
    ``(n, K_DRAWS)`` draws for repeated events (``patience_h``, ``surface_hold_h``,
    ``climb_u``) are made the first time they are read, from their own streams, so they are
    the same whenever that happens; a run in which nothing fails never holds them. A run reads
    them through :attr:`patience`, :attr:`climb` and :attr:`surface_hold`, which draw the same
    values a block of cases at a time and keep only the blocks read lately
    (:class:`~govsim.model.blocks.RowBlocks`).
    """

    arrival_h: np.ndarray  # float, hours since start
    category: np.ndarray  # int, index into the scenario's category order
    work_hours: np.ndarray  # float, staff-hours of the real fix
    tolerance: np.ndarray  # int: failed attempts the citizen accepts before giving up
    knows_owner: np.ndarray  # bool: the citizen knows which unit owns the problem
    satisfied_within_h: np.ndarray  # float: the citizen is satisfied if resolved within this
    discovery_h: np.ndarray  # float: time to notice a false closure
    seed: int
    replication: int
    patience_mean_h: float  # mean wait before re-filing
    hold_mean_h: np.ndarray  # per category: mean time a surface fix holds
    #: responsive demand only: a uniform per problem; it is filed when below the regime's
    #: propensity to file at that moment over ``max_factor``
    file_u: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.arrival_h)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the memoryviews (they cannot be; they are made again when read)."""
        state = dict(self.__dict__)
        for name in ("views", "patience", "climb", "surface_hold"):
            state.pop(name, None)
        return state

    @cached_property
    def patience_h(self) -> np.ndarray:
        """float (n, K_DRAWS): waits before each re-filing."""
        return _trait(self, 0).exponential(self.patience_mean_h, (self.n, K_DRAWS))

    @cached_property
    def climb_u(self) -> np.ndarray:
        """float (n, K_DRAWS): uniforms behind the citizen's readiness to climb from rung k
        (column k): see :func:`failures_before_climbing`."""
        return _trait(self, 2).random((self.n, K_DRAWS))

    @cached_property
    def surface_hold_h(self) -> np.ndarray:
        """float (n, K_DRAWS): how long each surface fix holds."""
        if not self.n:
            return np.empty((0, K_DRAWS))
        rng = stream(self.seed, self.replication, "surface")
        return rng.exponential(1.0, (self.n, K_DRAWS)) * self.hold_mean_h[self.category][:, None]

    @cached_property
    def patience(self) -> RowBlocks:
        """:attr:`patience_h` read a block of cases at a time (:class:`RowBlocks`)."""
        mean = self.patience_mean_h
        return RowBlocks(_trait(self, 0),
                         lambda rng, _first, rows: rng.exponential(mean, (rows, K_DRAWS)), self.n)

    @cached_property
    def climb(self) -> RowBlocks:
        """:attr:`climb_u` read a block of cases at a time (:class:`RowBlocks`)."""
        return RowBlocks(_trait(self, 2), lambda rng, _first, rows: rng.random((rows, K_DRAWS)),
                         self.n)

    @cached_property
    def surface_hold(self) -> RowBlocks:
        """:attr:`surface_hold_h` read a block of cases at a time (:class:`RowBlocks`)."""
        hold, category = self.hold_mean_h, self.category

        def draw(rng: np.random.Generator, first: int, rows: int) -> np.ndarray:
            return rng.exponential(1.0, (rows, K_DRAWS)) * hold[category[first:first + rows]][
                :, None]
        return RowBlocks(stream(self.seed, self.replication, "surface"), draw, self.n)

    @cached_property
    def views(self) -> dict[str, memoryview]:
        """The one-dimensional draws as memoryviews (made once, shared by every regime's
        engine): indexing one gives a Python number at nearly the speed of a list, without a
        Python object per value. The ``(n, K_DRAWS)`` draws are read with ``.item``."""
        names = ["arrival_h", "category", "work_hours", "tolerance", "knows_owner",
                 "satisfied_within_h", "discovery_h"] + (["file_u"] if self.file_u is not None
                                                         else [])
        return {name: memoryview(np.ascontiguousarray(getattr(self, name))) for name in names}


def _trait(draws: WorldDraws, j: int) -> np.random.Generator:
    """The citizens' sub-stream ``j`` (one per trait: case i's traits do not depend on how
    many cases there are)."""
    return stream(draws.seed, draws.replication, "citizens", j)


def _gamma(rng: np.random.Generator, mean: float, cv: float, size: int) -> np.ndarray:
    if size == 0:
        return np.empty(0)
    if cv == 0.0:
        return np.full(size, mean)
    shape = 1.0 / (cv * cv)
    return rng.gamma(shape, mean / shape, size)


def _geometric_failures(rng: np.random.Generator, p: float, size: int) -> np.ndarray:
    """Failures until the first success of a per-failure probability ``p`` (>= 1; huge if 0)."""
    if p <= 0.0:
        return np.full(size, np.iinfo(np.int32).max, dtype=np.int64)
    return rng.geometric(p, size).astype(np.int64)


def failures_before_climbing(u: float, p: float) -> int:
    """Failures on a rung before the citizen climbs, for per-failure climbing probability ``p``:
    a geometric number (>= 1) by inversion of the world's uniform ``u``, so the same citizen is
    equally ready under every regime. ``p = 0`` never climbs."""
    if p <= 0.0:
        return 2**62
    if p >= 1.0:
        return 1
    return int(math.log1p(-u) / math.log1p(-p)) + 1


def draw_world(scenario: Scenario, seed: int, replication: int) -> WorldDraws:
    """Draw one replication's arrivals, work content and citizen traits.

    Arrivals are a Poisson process per category whose rate may vary by calendar month
    (``seasonal``), by day of the week (``weekday``) and from year to year (``trend_per_year``):
    the count for each day is Poisson with that day's rate
    (:meth:`~govsim.scenario.world.Category.daily_rates`) and arrival times are uniform within
    the day, which is exact for a rate that is constant within each day. A category's
    ``arrivals`` dates add one problem each on those days (time of day uniform).
    """
    world = scenario.world
    n_days = world.horizon_days
    # responsive demand: problems at the highest rate filings can reach; each regime files a
    # share of them (by the world's uniform `file_u`), so regimes share the same problems
    oversample = world.demand.max_factor if world.demand.on else 1.0

    times: list[np.ndarray] = []
    cats: list[np.ndarray] = []
    dated: list[np.ndarray] = []
    for k, cat in enumerate(world.categories.values()):
        # one sub-stream per category: a category's arrivals and work do not move when
        # another category's rate changes
        rng_a = stream(seed, replication, "arrivals", k)
        counts = rng_a.poisson(cat.daily_rates(world.start, n_days) * oversample)
        # problems that arise on given dates (a case study), once each; they come after the
        # day's random ones in the day's slots, and are marked (always filed)
        extra = np.zeros(n_days, dtype=np.int64)
        for d in cat.arrivals:
            extra[(np.datetime64(d, "D") - np.datetime64(world.start, "D")).astype(int)] += 1
        counts += extra
        total = int(counts.sum())
        day_of = np.repeat(np.arange(n_days), counts)
        slot = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        dated.append(slot >= np.repeat(counts - extra, counts))
        # times of day from their own sub-stream, so the first d days' arrivals are the same
        # whatever the horizon (a short run is the opening of a longer one)
        times.append((day_of + stream(seed, replication, "arrivals", k, 1).random(total)) * 24.0)
        cats.append(np.full(total, k, dtype=np.int64))
    arrival = np.concatenate(times) if times else np.empty(0)
    category = np.concatenate(cats) if cats else np.empty(0, dtype=np.int64)
    order = np.argsort(arrival, kind="stable")
    is_dated = (np.concatenate(dated) if dated else np.zeros(0, dtype=bool))[order]
    arrival = arrival[order]
    category = category[order]
    n = len(arrival)

    # Work content: one sub-stream per category, drawn in arrival order within the category
    work = np.empty(n)
    for k, cat in enumerate(world.categories.values()):
        mask = category == k
        work[mask] = _gamma(stream(seed, replication, "work", k), cat.work_hours, cat.work_cv,
                            int(mask.sum()))

    # one sub-stream per trait: case i's traits do not depend on how many cases there are
    # (traits 0 and 2, and the surface stream, are drawn when first read: see WorldDraws)
    c = world.citizens

    def trait(j: int) -> np.random.Generator:
        return stream(seed, replication, "citizens", j)

    tolerance = _geometric_failures(trait(1), c.give_up_prob, n)
    knows = trait(3).random(n) < c.knows_owner_prob
    satisfied_within = trait(4).exponential(c.satisfied_within_days * 24.0, n)
    discovery = trait(5).exponential(c.false_closure_discovery_days * 24.0, n)
    hold_mean = np.array([cat.surface_fix_holds_days * 24.0 for cat in world.categories.values()])
    file_u = None
    if world.demand.on:
        file_u = stream(seed, replication, "demand").random(n)
        file_u[is_dated] = 0.0  # a case study's problem is filed whatever citizens have learnt

    return WorldDraws(
        arrival_h=arrival,
        category=category,
        work_hours=work,
        tolerance=tolerance,
        knows_owner=knows,
        satisfied_within_h=satisfied_within,
        discovery_h=discovery,
        seed=seed,
        replication=replication,
        patience_mean_h=c.patience_days * 24.0,
        hold_mean_h=hold_mean,
        file_u=file_u,
    )

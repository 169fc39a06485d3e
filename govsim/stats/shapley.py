"""Shapley values: a paired difference shared out among the rules that differ.

Layer: stats. Between two regimes A and B, ``k`` rules differ. Switching a set ``S`` of them
from A's setting to B's gives a regime whose metric, in replication ``r``, is ``v_r(S)``
(``v_r({})`` is A, ``v_r(all)`` is B). A rule's Shapley value is its marginal effect
``v_r(S ∪ {i}) − v_r(S)`` averaged over every order in which the rules could be switched; the
values of the ``k`` rules add up to ``v_r(all) − v_r({})`` exactly, replication by replication,
and a rule that changes nothing gets exactly zero. Because every variant of replication ``r``
runs on the same world (common random numbers), the per-replication values are paired, and the
interval of each rule's contribution is taken over replications.

:func:`shapley_exact` needs all ``2**k`` variants; :func:`shapley_sampled` needs only the
variants on ``m`` random orders (``m·k + 1`` at most) and reports, beside the interval over
replications, the standard error that sampling the orders adds.

**Owen values** (:func:`owen_exact`, :func:`owen_sampled`): when the rules fall into groups
(rules that depend on one another, or that are named together), the groups are the players of
a Shapley value -- each switched as a whole, on top of the groups before it -- and within each
group the group's marginal is shared out among its members by a Shapley value over the orders
of its members given (:func:`feasible_orders`: those whose every step is an admissible
variant; a precedence-constrained Shapley value). With one order a member gets its marginal in
that order. A rule's Owen value averages, over the orders of the groups, its share of its
group's marginal on top of the groups before it; the values still add up to
``v(all) − v({})`` exactly. With every group a single rule they are the Shapley values, and
the functions then run :func:`shapley_exact` / :func:`shapley_sampled` themselves, so the
numbers are the same to the bit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from govsim.stats.intervals import UNBOUNDED, Bounds, difference_bounds, mean_ci

__all__ = ["shapley_exact", "shapley_sampled", "sample_orders", "contributions",
           "feasible_orders", "owen_exact", "owen_sampled"]

#: ``value(subset)`` -> one value per replication (NaN where undefined)
Value = Callable[[frozenset[str]], np.ndarray]


def shapley_exact(rules: Sequence[str], value: Value) -> dict[str, np.ndarray]:
    """Each rule's Shapley value, per replication, from the values of all ``2**k`` subsets.

    ``value`` is called once per subset (a frozenset of rule names) and returns an array with
    one entry per replication.
    """
    rules = list(rules)
    k = len(rules)
    if len(set(rules)) != k:
        raise ValueError("rule names must be distinct")
    cache = {frozenset(s): np.asarray(value(frozenset(s)), dtype=float)
             for size in range(k + 1) for s in itertools.combinations(rules, size)}
    out = {}
    for rule in rules:
        others = [r for r in rules if r != rule]
        total = np.zeros_like(cache[frozenset()])
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for s in itertools.combinations(others, size):
                base = frozenset(s)
                total = total + weight * (cache[base | {rule}] - cache[base])
        out[rule] = total
    return out


def sample_orders(rules: Sequence[str], orders: int,
                  rng: np.random.Generator) -> list[list[str]]:
    """``orders`` random orders of the rules, in antithetic pairs (each order followed by its
    reverse)."""
    if isinstance(orders, bool) or not isinstance(orders, int) or orders < 2 or orders % 2:
        raise ValueError("orders must be an even number >= 2 (orders come in reversed pairs)")
    out: list[list[str]] = []
    for _ in range(orders // 2):
        order = [str(r) for r in rng.permutation(list(rules))]
        out += [order, order[::-1]]
    return out


def shapley_sampled(rules: Sequence[str], value: Value, orders: int | Sequence[Sequence[str]],
                    rng: np.random.Generator | None = None,
                    ) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Shapley values estimated on random orders of the rules, per replication, and each
    rule's standard error from sampling the orders (of its mean over replications).

    ``orders`` is a number of orders drawn with ``rng`` (:func:`sample_orders`), or the orders
    themselves in antithetic pairs. The estimates still add up to the total difference exactly,
    in every replication.
    """
    rules = list(rules)
    if isinstance(orders, int):
        if rng is None:
            raise ValueError("a number of orders needs an rng to draw them")
        orders = sample_orders(rules, orders, rng)
    orders = [list(o) for o in orders]
    if len(orders) < 2 or len(orders) % 2:
        raise ValueError("orders must come in reversed pairs")
    v = _cached(value)
    per_order: dict[str, list[np.ndarray]] = {r: [] for r in rules}
    for seq in orders:
        done: frozenset[str] = frozenset()
        for rule in seq:
            nxt = done | {rule}
            per_order[rule].append(v(nxt) - v(done))
            done = nxt
    estimates = {r: np.mean(per_order[r], axis=0) for r in rules}
    return estimates, _pair_errors(per_order, len(orders))


def _pair_errors(per_order: Mapping[str, list[np.ndarray]], n_orders: int) -> dict[str, float]:
    """The sampling error of each mean over orders that come in reversed, dependent pairs: the
    pair means are the independent draws. NaN where a value is undefined, as in the estimates
    (callers leave such replications out first: see govsim.experiment.decomposition), or with
    no replication or a single pair to estimate from."""
    errors = {}
    for x, values in per_order.items():
        arr = np.asarray(values)
        if arr.size == 0:
            errors[x] = math.nan
            continue
        pairs = arr.reshape(n_orders // 2, 2, -1).mean(axis=(1, 2))
        errors[x] = float(np.std(pairs, ddof=1) / math.sqrt(len(pairs))) if len(pairs) > 1 \
            else math.nan
    return errors


def feasible_orders(members: Sequence[str], admissible: Callable[[frozenset[str]], bool],
                    limit: int = 40_320) -> list[tuple[str, ...]]:
    """The orders of ``members`` in which every step -- every prefix, switched -- is
    ``admissible`` (the empty set and the whole are taken as given), in lexicographic order of
    the members' positions; at most ``limit`` of them (a ``ValueError`` beyond)."""
    members = list(members)
    full = frozenset(members)
    out: list[tuple[str, ...]] = []
    ok: dict[frozenset[str], bool] = {}

    def fine(s: frozenset[str]) -> bool:
        if not s or s == full:
            return True
        if s not in ok:
            ok[s] = bool(admissible(s))
        return ok[s]

    def extend(prefix: tuple[str, ...], done: frozenset[str]) -> None:
        if len(prefix) == len(members):
            if len(out) >= limit:
                raise ValueError(f"more than {limit:,} orders of {len(members)} members")
            out.append(prefix)
            return
        for m in members:
            if m not in done and fine(done | {m}):
                extend(prefix + (m,), done | {m})

    extend((), frozenset())
    return out


def _within(members: Sequence[str], orders: Sequence[Sequence[str]] | None,
            base: frozenset[str], v: Callable[[frozenset[str]], np.ndarray],
            ) -> dict[str, np.ndarray]:
    """Each member's share of the group's marginal on top of ``base``: its mean marginal over
    ``orders`` of the members, or (``None``) its Shapley value over every order. No order at
    all: the group's marginal shared equally (a group no order of which avoids a meaningless
    variant is switched as one)."""
    if len(members) == 1:
        return {members[0]: v(base | {members[0]}) - v(base)}
    if orders is None:
        return shapley_exact(members, lambda t: v(base | t))
    if not orders:
        whole = (v(base | frozenset(members)) - v(base)) / len(members)
        return {m: whole for m in members}
    sums: dict[str, np.ndarray] = {}
    for seq in orders:
        done = base
        for m in seq:
            nxt = done | {m}
            step = v(nxt) - v(done)
            sums[m] = step if m not in sums else sums[m] + step
            done = nxt
    return {m: sums[m] / len(orders) for m in members}


def _cached(value: Value) -> Callable[[frozenset[str]], np.ndarray]:
    cache: dict[frozenset[str], np.ndarray] = {}

    def v(s: frozenset[str]) -> np.ndarray:
        if s not in cache:
            cache[s] = np.asarray(value(s), dtype=float)
        return cache[s]
    return v


def _check_groups(groups: Mapping[str, Sequence[str]]) -> None:
    seen: set[str] = set()
    for members in groups.values():
        if not members:
            raise ValueError("a group has no members")
        for m in members:
            if m in seen:
                raise ValueError(f"{m!r} is in two groups")
            seen.add(m)


def _orders(groups: Mapping[str, Sequence[str]],
            within: Mapping[str, Sequence[Sequence[str]] | None] | None,
            ) -> dict[str, list[tuple[str, ...]] | None]:
    within = within or {}
    out: dict[str, list[tuple[str, ...]] | None] = {}
    for g, members in groups.items():
        orders = within.get(g)
        if orders is not None:
            orders = [tuple(o) for o in orders]
            for o in orders:
                if sorted(o) != sorted(members):
                    raise ValueError(f"order {o!r} is not an order of group {g!r}'s members")
        out[g] = orders
    return out


def owen_exact(groups: Mapping[str, Sequence[str]], value: Value,
               within: Mapping[str, Sequence[Sequence[str]] | None] | None = None,
               ) -> dict[str, np.ndarray]:
    """Each member's Owen value, per replication: the Shapley value between the groups (all
    ``2**m`` unions of the ``m`` groups), each group's marginal shared among its members by
    the mean marginal over its orders in ``within`` (a group not in it, or given ``None``:
    every order, i.e. the Shapley value within the group).

    ``groups`` maps a group's name to its members; ``value`` is called with frozensets of
    members. Singleton groups only: :func:`shapley_exact` over the members, unchanged.
    """
    _check_groups(groups)
    names = list(groups)
    if all(len(groups[g]) == 1 for g in names):
        return shapley_exact([groups[g][0] for g in names], value)
    orders = _orders(groups, within)
    v = _cached(value)
    m = len(names)
    out: dict[str, np.ndarray] = {}
    for g in names:
        others = [h for h in names if h != g]
        totals: dict[str, np.ndarray] = {}
        for size in range(m):
            weight = math.factorial(size) * math.factorial(m - size - 1) / math.factorial(m)
            for q in itertools.combinations(others, size):
                base = frozenset(x for h in q for x in groups[h])
                for member, phi in _within(groups[g], orders[g], base, v).items():
                    step = weight * phi
                    totals[member] = step if member not in totals else totals[member] + step
        out.update(totals)
    return {x: out[x] for g in names for x in groups[g]}


def owen_sampled(groups: Mapping[str, Sequence[str]], value: Value,
                 orders: Sequence[Sequence[str]],
                 within: Mapping[str, Sequence[Sequence[str]] | None] | None = None,
                 ) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Owen values estimated on sampled ``orders`` of the groups (in antithetic pairs, as
    :func:`sample_orders` draws them), exact within each group; and each member's standard
    error from sampling the orders, as :func:`shapley_sampled` reports it. Singleton groups
    only: :func:`shapley_sampled`, unchanged."""
    _check_groups(groups)
    names = list(groups)
    if all(len(groups[g]) == 1 for g in names):
        rename = {g: groups[g][0] for g in names}
        return shapley_sampled([rename[g] for g in names], value,
                               [[rename[g] for g in o] for o in orders])
    orders = [list(o) for o in orders]
    if len(orders) < 2 or len(orders) % 2:
        raise ValueError("orders must come in reversed pairs")
    member_orders = _orders(groups, within)
    v = _cached(value)
    per_order: dict[str, list[np.ndarray]] = {x: [] for g in names for x in groups[g]}
    for seq in orders:
        base: frozenset[str] = frozenset()
        for g in seq:
            for member, phi in _within(groups[g], member_orders[g], base, v).items():
                per_order[member].append(phi)
            base = base | frozenset(groups[g])
    estimates = {x: np.mean(per_order[x], axis=0) for x in per_order}
    return estimates, _pair_errors(per_order, len(orders))


def contributions(per_replication: Mapping[str, np.ndarray], confidence: float = 0.95,
                  bounds: Bounds = UNBOUNDED,
                  sampling_error: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per rule: its mean contribution over replications with a t interval (clipped to
    the range of a difference of the metric, ``bounds`` being the metric's), ``n``, and the
    standard error from sampling the orders when they were sampled (NaN when exact)."""
    rows = []
    for rule, values in per_replication.items():
        mean, low, high, n = mean_ci(np.asarray(values, dtype=float), confidence,
                                     difference_bounds(bounds))
        rows.append({"rule": rule, "contribution": mean, "ci_low": low, "ci_high": high,
                     "n": n, "sampling_se": (sampling_error or {}).get(rule, math.nan)})
    return pd.DataFrame(rows, columns=["rule", "contribution", "ci_low", "ci_high", "n",
                                       "sampling_se"])

"""Shapley values: a paired difference shared out among the rules that differ.

Layer: analysis. Between two regimes A and B, ``k`` rules differ. Switching a set ``S`` of them
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
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from govsim.analysis.intervals import UNBOUNDED, Bounds, difference_bounds, mean_ci

__all__ = ["shapley_exact", "shapley_sampled", "sample_orders", "contributions"]

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
    cache: dict[frozenset[str], np.ndarray] = {}

    def v(s: frozenset[str]) -> np.ndarray:
        if s not in cache:
            cache[s] = np.asarray(value(s), dtype=float)
        return cache[s]

    per_order: dict[str, list[np.ndarray]] = {r: [] for r in rules}
    for seq in orders:
        done: frozenset[str] = frozenset()
        for rule in seq:
            nxt = done | {rule}
            per_order[rule].append(v(nxt) - v(done))
            done = nxt
    estimates = {r: np.mean(per_order[r], axis=0) for r in rules}
    # the orders come in dependent pairs: the pair means are the independent draws
    errors = {}
    for r in rules:
        # NaN where a value is undefined, as in the estimates (callers leave such
        # replications out first: see govsim.experiment.decomposition)
        arr = np.asarray(per_order[r])
        if arr.size == 0:  # no replication to estimate from
            errors[r] = math.nan
            continue
        pairs = arr.reshape(len(orders) // 2, 2, -1).mean(axis=(1, 2))
        errors[r] = float(np.std(pairs, ddof=1) / math.sqrt(len(pairs))) if len(pairs) > 1 \
            else math.nan
    return estimates, errors


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

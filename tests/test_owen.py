"""Owen values: Shapley values between groups of rules, and within each group over the orders
of its rules that pass through no meaningless variant (govsim.stats.shapley)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim.stats.shapley import (
    feasible_orders,
    owen_exact,
    owen_sampled,
    shapley_exact,
    shapley_sampled,
)

PLAYERS = ["a", "b", "c", "d", "e"]


def _game(values: list[float], players: list[str], reps: int = 2):  # type: ignore[no-untyped-def]
    """A value function on the subsets of ``players``: random numbers (``reps`` per subset)."""
    subsets = [frozenset(s) for n in range(len(players) + 1)
               for s in itertools.combinations(players, n)]
    table = {s: np.array(values[i * reps:(i + 1) * reps]) for i, s in enumerate(subsets)}
    return lambda s: table[frozenset(s)]


@st.composite
def games(draw):  # type: ignore[no-untyped-def]
    """A random game on 2-5 players, random groups, and for each group a random non-empty set
    of orders of its members (a stand-in for the feasible ones)."""
    k = draw(st.integers(2, 5))
    players = PLAYERS[:k]
    values = draw(st.lists(st.floats(-100, 100, allow_nan=False), min_size=2 * 2**k,
                           max_size=2 * 2**k))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=k, max_size=k))
    groups: dict[str, tuple[str, ...]] = {}
    for label in dict.fromkeys(labels):
        members = tuple(p for p, x in zip(players, labels, strict=True) if x == label)
        groups["&".join(members)] = members
    within: dict[str, list[tuple[str, ...]] | None] = {}
    for g, members in groups.items():
        orders = list(itertools.permutations(members))
        if draw(st.booleans()):
            within[g] = None  # every order
        else:
            within[g] = draw(st.lists(st.sampled_from(orders), min_size=1, unique=True))
    return players, _game(values, players), groups, within


def naive_owen(groups, value, within):  # type: ignore[no-untyped-def]
    """The definition: the mean marginal over every order of the players in which each group's
    members come together, groups in any order, members in one of their group's orders."""
    names = list(groups)
    member_orders = {g: within.get(g) or list(itertools.permutations(groups[g])) for g in names}
    sums: dict[str, np.ndarray] = {}
    count = 0
    for group_order in itertools.permutations(names):
        for inner in itertools.product(*(member_orders[g] for g in group_order)):
            count += 1
            done: frozenset[str] = frozenset()
            for seq in inner:
                for x in seq:
                    step = value(done | {x}) - value(done)
                    sums[x] = step if x not in sums else sums[x] + step
                    done = done | {x}
    return {x: s / count for x, s in sums.items()}


@settings(max_examples=150, deadline=None)
@given(games())
def test_owen_values_add_up_and_match_their_definition(game) -> None:  # type: ignore[no-untyped-def]
    players, value, groups, within = game
    values = owen_exact(groups, value, within)
    assert set(values) == set(players)
    total = value(frozenset(players)) - value(frozenset())
    np.testing.assert_allclose(sum(values.values()), total, atol=1e-9)
    expected = naive_owen(groups, value, within)
    for x in players:
        np.testing.assert_allclose(values[x], expected[x], atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(games())
def test_with_singleton_groups_they_are_the_shapley_values_to_the_bit(game) -> None:  # type: ignore[no-untyped-def]
    players, value, _, _ = game
    singles = {p: (p,) for p in players}
    owen = owen_exact(singles, value)
    shapley = shapley_exact(players, value)
    for p in players:
        assert np.array_equal(owen[p], shapley[p])
    orders = [players, players[::-1], players[1:] + players[:1], (players[1:] + players[:1])[::-1]]
    est, err = owen_sampled(singles, value, orders)
    est2, err2 = shapley_sampled(players, value, orders)
    for p in players:
        assert np.array_equal(est[p], est2[p])
        assert err[p] == err2[p] or (math.isnan(err[p]) and math.isnan(err2[p]))


@settings(max_examples=100, deadline=None)
@given(games())
def test_with_one_group_they_are_the_constrained_shapley_values_within_it(game) -> None:  # type: ignore[no-untyped-def]
    players, value, groups, within = game
    one = {"all": tuple(players)}
    orders = next((o for o in within.values() if o is not None), None)
    # orders of the whole: the given orders of some group, extended by the rest in a fixed order
    if orders is not None:
        first = next(g for g, o in within.items() if o is orders)
        rest = [p for p in players if p not in groups[first]]
        orders = [tuple(o) + tuple(rest) for o in orders]
    values = owen_exact(one, value, {"all": orders})
    if orders is None:
        expected = shapley_exact(players, value)
    else:  # the mean marginal over the orders given
        expected = {p: np.zeros(2) for p in players}
        for seq in orders:
            done: frozenset[str] = frozenset()
            for x in seq:
                expected[x] = expected[x] + (value(done | {x}) - value(done)) / len(orders)
                done = done | {x}
    for p in players:
        np.testing.assert_allclose(values[p], expected[p], atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(games())
def test_every_order_of_the_groups_sampled_is_the_exact_value(game) -> None:  # type: ignore[no-untyped-def]
    _, value, groups, within = game
    names = list(groups)
    perms = list(itertools.permutations(names))
    # every order with its reverse: the orders come in reversed pairs
    orders = [o for p in perms if p <= p[::-1] for o in (list(p), list(p[::-1]))]
    if len(orders) < 2:
        return
    est, _ = owen_sampled(groups, value, orders, within)
    exact = owen_exact(groups, value, within)
    total = value(frozenset(PLAYERS[:len(est)])) - value(frozenset())
    np.testing.assert_allclose(sum(est.values()), total, atol=1e-9)
    for x in exact:
        np.testing.assert_allclose(est[x], exact[x], atol=1e-9)


def test_symmetric_members_share_alike_and_a_null_member_gets_zero() -> None:
    # a and b are symmetric (only their count matters), c changes nothing, d adds 5 alone
    def value(s: frozenset[str]) -> np.ndarray:
        return np.array([3.0 * len(s & {"a", "b"}) ** 2 + (5.0 if "d" in s else 0.0)])

    groups = {"a&b&c": ("a", "b", "c"), "d": ("d",)}
    values = owen_exact(groups, value)
    assert values["a"] == pytest.approx(values["b"]) and values["a"][0] == pytest.approx(6.0)
    assert values["c"][0] == 0.0 and values["d"][0] == pytest.approx(5.0)


def test_one_feasible_order_gives_each_member_its_marginal_in_it() -> None:
    # b needs a: the only order passing through admissible subsets is a, then b
    orders = feasible_orders(["a", "b"], lambda s: s != frozenset({"b"}))
    assert orders == [("a", "b")]
    table = {frozenset(): 0.0, frozenset("a"): 1.0, frozenset("b"): 100.0,
             frozenset("ab"): 4.0, frozenset("c"): 10.0, frozenset("ac"): 12.0,
             frozenset("bc"): 300.0, frozenset("abc"): 20.0}
    values = owen_exact({"a&b": ("a", "b"), "c": ("c",)},
                        lambda s: np.array([table[frozenset(s)]]), {"a&b": orders})
    # between groups: a&b gets (4 - 0 + 20 - 10) / 2 = 7, c gets 13; within, a then b
    assert values["a"][0] == pytest.approx((1.0 + 2.0) / 2)
    assert values["b"][0] == pytest.approx((3.0 + 8.0) / 2)
    assert values["c"][0] == pytest.approx(13.0)
    # the meaningless subsets {b} and {b, c} were never asked for
    asked: set[frozenset[str]] = set()
    owen_exact({"a&b": ("a", "b"), "c": ("c",)},
               lambda s: asked.add(frozenset(s)) or np.zeros(1), {"a&b": orders})
    assert frozenset("b") not in asked and frozenset("bc") not in asked


def test_feasible_orders_pass_only_through_admissible_steps() -> None:
    # c needs b and b needs a: one chain; with no constraint, every order
    chain = feasible_orders(["a", "b", "c"],
                            lambda s: ("c" not in s or "b" in s) and ("b" not in s or "a" in s))
    assert chain == [("a", "b", "c")]
    assert len(feasible_orders(["a", "b", "c"], lambda s: True)) == 6
    assert feasible_orders(["a", "b"], lambda s: False) == []
    with pytest.raises(ValueError, match="more than"):
        feasible_orders(list("abcd"), lambda s: True, limit=5)

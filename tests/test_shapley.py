"""Shapley values of the rules that differ between two regimes (govsim.stats.shapley)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim.stats.shapley import contributions, shapley_exact, shapley_sampled

RULES = ["intake", "record", "routing", "funding"]


def table_value(table: dict[frozenset[str], np.ndarray]):  # type: ignore[no-untyped-def]
    return lambda s: table[s]


def random_table(rng: np.random.Generator, rules: list[str], reps: int = 6):  # type: ignore[no-untyped-def]
    return {frozenset(s): rng.normal(size=reps) for n in range(len(rules) + 1)
            for s in itertools.combinations(rules, n)}


def test_additive_effects_are_returned_exactly() -> None:
    effect = {"intake": np.array([1.0, 2.0]), "record": np.array([-3.0, 0.5]),
              "routing": np.array([0.0, 0.0])}
    base = np.array([10.0, 20.0])
    values = shapley_exact(list(effect), lambda s: base + sum((effect[r] for r in s),
                                                              np.zeros(2)))
    for rule, e in effect.items():
        np.testing.assert_allclose(values[rule], e, atol=1e-12)


def test_an_interaction_is_shared_and_a_rule_that_changes_nothing_gets_zero() -> None:
    def value(s: frozenset[str]) -> np.ndarray:
        return np.array([1.0 if {"intake", "record"} <= s else 0.0])

    values = shapley_exact(["intake", "record", "routing"], value)
    assert values["intake"][0] == pytest.approx(0.5)
    assert values["record"][0] == pytest.approx(0.5)
    assert values["routing"][0] == 0.0


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 5))
def test_contributions_add_up_to_the_paired_total_in_every_replication(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    rules = [f"r{i}" for i in range(k)]
    table = random_table(rng, rules)
    total = table[frozenset(rules)] - table[frozenset()]
    exact = shapley_exact(rules, table_value(table))
    np.testing.assert_allclose(sum(exact.values()), total, atol=1e-9)
    sampled, errors = shapley_sampled(rules, table_value(table), 4, rng)
    np.testing.assert_allclose(sum(sampled.values()), total, atol=1e-9)
    assert set(errors) == set(rules)


def test_sampled_orders_approach_the_exact_values_within_their_error() -> None:
    rng = np.random.default_rng(7)
    table = random_table(rng, RULES, reps=20)
    exact = shapley_exact(RULES, table_value(table))
    sampled, errors = shapley_sampled(RULES, table_value(table), 200, np.random.default_rng(1))
    for rule in RULES:
        gap = abs(float(np.mean(sampled[rule]) - np.mean(exact[rule])))
        assert gap <= 4 * errors[rule] + 1e-12, (rule, gap, errors[rule])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="distinct"):
        shapley_exact(["a", "a"], lambda s: np.zeros(1))
    with pytest.raises(ValueError, match="even"):
        shapley_sampled(["a", "b"], lambda s: np.zeros(1), 3, np.random.default_rng(0))


def test_the_contributions_table_has_intervals_over_replications() -> None:
    per = {"intake": np.array([0.5, 0.7, 0.6, 0.9]), "record": np.array([0.0, 0.0, 0.0, 0.0])}
    frame = contributions(per, bounds=(0.0, 1.0), sampling_error={"intake": 0.01})
    row = frame.set_index("rule").loc["intake"]
    assert row["ci_low"] < row["contribution"] < row["ci_high"] <= 1.0
    assert row["n"] == 4 and row["sampling_se"] == 0.01
    zero = frame.set_index("rule").loc["record"]
    assert zero["contribution"] == zero["ci_low"] == zero["ci_high"] == 0.0
    assert np.isnan(zero["sampling_se"])

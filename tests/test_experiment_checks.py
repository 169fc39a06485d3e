"""Argument checks every study shares (govsim.experiment.checks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _factory import category, fragmented, scenario

from govsim.errors import GovsimError
from govsim.experiment.checks import check_memory, check_warmup, resolve_scenario, whole
from govsim.scenario import Scenario, scenario_data

ROOT = Path(__file__).resolve().parents[1]


def _small() -> Scenario:
    return scenario({"f": fragmented()}, categories={"leak": category()}, horizon_days=10)


@pytest.mark.parametrize("value", [True, 1.0, "2", 0, None])
def test_whole_numbers_only(value: Any) -> None:
    with pytest.raises(GovsimError) as err:
        whole(value, 1, "replications")
    assert err.value.path == "replications"


def test_whole_accepts_a_whole_number() -> None:
    assert whole(3, 1, "replications") == 3


@pytest.mark.parametrize("value", [-1, 10, 10.5, True, "1"])
def test_warmup_must_lie_inside_the_horizon(value: Any) -> None:
    with pytest.raises(GovsimError) as err:
        check_warmup(value, _small())
    assert err.value.path == "warmup_days"


def test_a_scenario_given_three_ways_is_the_same_scenario() -> None:
    s = _small()
    assert resolve_scenario(s) is s
    assert resolve_scenario(scenario_data(s)) == s
    district = resolve_scenario(ROOT / "scenarios" / "district.toml")
    assert resolve_scenario(str(ROOT / "scenarios" / "district.toml")) == district
    assert resolve_scenario(s, 5).world.horizon_days == 5
    assert resolve_scenario(s, 10) is s  # its own horizon: nothing to change


@pytest.mark.parametrize("given, where", [
    (None, "scenario"), (42, "scenario"), ({"name": "x"}, "world")])
def test_what_is_not_a_scenario_is_named(given: Any, where: str) -> None:
    with pytest.raises(GovsimError) as err:
        resolve_scenario(given)
    assert err.value.path == where


def test_a_bad_horizon_override_is_named() -> None:
    with pytest.raises(GovsimError) as err:
        resolve_scenario(_small(), 0)
    assert err.value.path == "horizon_days"


def _crowded(rate: float) -> Scenario:
    return scenario({"f": fragmented()}, categories={"leak": category(rate_per_day=rate)},
                    horizon_days=1)


def test_a_run_that_would_exhaust_the_machine_is_refused_before_it_starts() -> None:
    import govsim

    with pytest.raises(GovsimError, match="about 10,000,000 cases per replication") as err:
        govsim.run(_crowded(1e7), replications=1)
    assert err.value.path == "memory_budget" and "raise the budget" in err.value.message
    # ten million problems in one day: refused, with the estimate (the probe that reached the
    # kernel's limit had a billion, which the schema refuses first)
    with pytest.raises(GovsimError, match="GiB of memory, over the budget of 8 GiB"):
        govsim.run(_crowded(1e7), replications=1)
    # the estimate grows with the tables kept in one process
    assert check_memory(_crowded(1e5), 2, 10, True) > check_memory(_crowded(1e5), 1, 1, False)


@pytest.mark.parametrize("budget", [0, -1.0, True, "8", float("nan"), float("inf")])
def test_a_bad_budget_is_named(budget: Any) -> None:
    with pytest.raises(GovsimError) as err:
        check_memory(_small(), 1, 1, True, budget)
    assert err.value.path == "memory_budget"


def test_a_larger_budget_lets_a_large_run_through() -> None:
    assert check_memory(_crowded(2e6), 1, 1, False, budget=100) > 8 * 2**30

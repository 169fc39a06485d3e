"""Editing a scenario by key path (govsim.scenario.edit) and choosing regimes by name
(govsim.scenario.parse)."""

from __future__ import annotations

from typing import Any

import pytest
from _factory import category, consolidated, fragmented, scenario

from govsim.errors import GovsimError
from govsim.scenario import (
    Scenario,
    check_baseline,
    check_path,
    scenario_data,
    with_overrides,
    with_values,
)


def small() -> Scenario:
    frag = fragmented(channels=[{"name": "owner line", "unit": "owner"},
                                {"name": "street line", "unit": "street"}])
    return scenario({"fragmented": frag, "consolidated": consolidated(accuracy=0.9)},
                    categories={"leak": category()}, horizon_days=10)


def test_values_are_set_by_path_index_and_name() -> None:
    s = small()
    t = with_values(s, {"regimes.consolidated.accuracy": 0.5,
                        "world.units.owner.staff": 2,
                        "regimes.fragmented.channels[1].weight": 3.0,
                        "regimes.fragmented.channels.owner line.weight": 0.5})
    assert t.regimes["consolidated"].accuracy == 0.5
    assert t.world.units["owner"].staff == 2
    assert [c.weight for c in t.regimes["fragmented"].channels] == [0.5, 3.0]
    assert s.regimes["consolidated"].accuracy == 0.9  # the original is unchanged
    assert with_values(s, {}) is s


def test_two_spellings_of_one_value_have_one_canonical_path() -> None:
    data = scenario_data(small())
    assert (check_path(data, "regimes.fragmented.channels.street line.weight")
            == check_path(data, "regimes.fragmented.channels[1].weight")
            == "regimes.fragmented.channels[1].weight")


@pytest.mark.parametrize("path, fragment", [
    ("world.units.nosuch.staff", "no key 'nosuch'"),
    ("regimes.fragmented.channels[9].weight", "out of range"),
    ("regimes.fragmented.channels.nosuch.weight", "no item named 'nosuch'"),
    ("world.units.owner", "whole table"),
    ("world..units", "not a key path"),
    ("regimes.consolidated.accuracy.x", "a value, not a table"),
])
def test_bad_paths_are_named(path: str, fragment: str) -> None:
    with pytest.raises(GovsimError, match=fragment) as err:
        with_values(small(), {path: 1})
    assert err.value.path == path


def test_a_value_the_scenario_refuses_is_named_by_its_key() -> None:
    with pytest.raises(GovsimError) as err:
        with_values(small(), {"regimes.consolidated.accuracy": 2.0})
    assert err.value.path == "regimes.consolidated.accuracy"


def test_with_overrides_is_with_values_of_the_horizon() -> None:
    s = small()
    assert with_overrides(s, horizon_days=4) == with_values(s, {"world.horizon_days": 4})
    with pytest.raises(GovsimError) as err:
        with_overrides(s, horizon_days=0)
    assert err.value.path == "world.horizon_days"


@pytest.mark.parametrize("names, minimum, fragment", [
    (["nosuch"], 1, "unknown regime 'nosuch'; the scenario has fragmented, consolidated"),
    (["fragmented", "fragmented"], 1, "named twice"),
    ([], 1, "at least one"),
    (["fragmented"], 2, "at least 2"),
])
def test_regime_names_are_checked_in_one_place(names: list[str], minimum: int,
                                               fragment: str) -> None:
    with pytest.raises(GovsimError, match=fragment) as err:
        small().check_regimes(names, minimum=minimum, where="regimes")
    assert err.value.path == "regimes"


def test_regime_defaults_and_baseline() -> None:
    s = small()
    assert s.check_regimes() == ("fragmented", "consolidated")
    assert s.check_regime() == "fragmented"
    assert s.check_regime("consolidated") == "consolidated"
    assert check_baseline(("a", "b"), None) == "a"
    with pytest.raises(GovsimError) as err:
        check_baseline(("a", "b"), "c")
    assert err.value.path == "baseline"


@pytest.mark.parametrize("name", [3, ["fragmented"]])
def test_a_regime_that_is_not_a_name_is_refused(name: Any) -> None:
    with pytest.raises(GovsimError) as err:
        small().check_regime(name)
    assert err.value.path == "regime"


@pytest.mark.parametrize("path", ["[0].weight", "regimes.fragmented.channels.².weight"])
def test_odd_paths_are_refused_not_crashed_on(path: str) -> None:
    with pytest.raises(GovsimError) as err:
        with_values(small(), {path: 1.0})
    assert err.value.path == path

"""Factors and designs (govsim.experiment.design): factorial, Latin hypercube and Sobol'
points, factor specs, and design points applied to a scenario by key path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _sweeps import ROOT, tiny

import govsim
from govsim.errors import GovsimError
from govsim.experiment.design import Design, Factor, apply_factors, design_points


def test_factorial_is_every_combination_first_factor_slowest() -> None:
    pts = design_points([Factor("a", levels=(1, 2)), Factor("b", levels=("x", "y", "z"))],
                        Design(), seed=0)
    assert list(pts.index) == list(range(6))
    assert pts["a"].tolist() == [1, 1, 1, 2, 2, 2]
    assert pts["b"].tolist() == ["x", "y", "z"] * 2


def test_latin_hypercube_puts_one_point_in_each_stratum() -> None:
    n = 12
    pts = design_points([Factor("a", low=0.0, high=1.0), Factor("b", low=10.0, high=20.0)],
                        Design("lhs", n), seed=3)
    for col, (lo, hi) in (("a", (0.0, 1.0)), ("b", (10.0, 20.0))):
        strata = np.floor((pts[col].to_numpy() - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_sampled_designs_are_reproducible_and_follow_the_seed() -> None:
    fs = [Factor("a", low=0.0, high=1.0), Factor("k", levels=(True, False)),
          Factor("s", low=1, high=4, integer=True)]
    for kind in ("lhs", "sobol"):
        one = design_points(fs, Design(kind, 16), seed=5)
        again = design_points(fs, Design(kind, 16), seed=5)
        other = design_points(fs, Design(kind, 16), seed=6)
        pd.testing.assert_frame_equal(one, again)
        assert not one.equals(other)
        assert one["s"].isin([1, 2, 3, 4]).all() and one["s"].nunique() == 4
        assert set(one["k"]) == {True, False}
        assert ((one["a"] >= 0.0) & (one["a"] < 1.0)).all()


@pytest.mark.parametrize("factors, design, where", [
    ([Factor("a", low=0.0, high=1.0)], Design(), "factors.a"),
    ([Factor("a", levels=(1,)), Factor("a", levels=(2,))], Design(), "factors.a"),
])
def test_design_refusals_name_the_factor(factors: list[Factor], design: Design, where: str) -> None:
    with pytest.raises(GovsimError) as err:
        design_points(factors, design, 0)
    assert err.value.path == where


@pytest.mark.parametrize("spec, fragment", [
    ({"levels": [1], "low": 0, "high": 1}, "not both"),
    ({"low": 2, "high": 1}, "below high"),
    ({"low": 0}, "needs levels or both"),
    ([], "at least one level"),
    ([1, "a"], "all numbers"),
    ([1, 1], "distinct"),
    ({"lo": 1}, "unknown key"),
    ("0.5", "list of levels"),
])
def test_bad_factor_specs(spec: object, fragment: str) -> None:
    with pytest.raises(GovsimError, match=fragment) as err:
        Factor.from_spec("regimes.x.y", spec)
    assert err.value.path == "factors.regimes.x.y"


def test_design_kind_and_points_are_checked() -> None:
    with pytest.raises(GovsimError, match="unknown design"):
        Design("grid")  # type: ignore[arg-type]
    with pytest.raises(GovsimError, match="needs points"):
        Design("lhs")
    with pytest.raises(GovsimError, match="takes no points"):
        Design("factorial", 4)


def test_apply_factors_sets_values_by_path_index_and_name() -> None:
    s = govsim.load_scenario(ROOT / "scenarios" / "district.toml")
    name = s.regimes["fragmented"].channels[3].name
    out = apply_factors(s, {
        "world.units.street_office.staff": 31,
        "regimes.consolidated.accuracy": 0.5,
        "regimes.fragmented.channels[0].weight": 2.5,
        f"regimes.fragmented.channels.{name}.weight": 4.0,
    })
    assert out.world.units["street_office"].staff == 31
    assert out.regimes["consolidated"].accuracy == 0.5
    assert out.regimes["fragmented"].channels[0].weight == 2.5
    assert out.regimes["fragmented"].channels[3].weight == 4.0
    # the original is untouched (scenarios are immutable)
    assert s.world.units["street_office"].staff != 31


@pytest.mark.parametrize("path, fragment", [
    ("regimes.consolidated.acuracy", "no key 'acuracy'"),
    ("world.units.street.staff", "no key 'street'"),
    ("regimes.fragmented.channels[99].weight", "out of range"),
    ("regimes.fragmented.channels.nosuch.weight", "no item named 'nosuch'"),
    ("world.units", "whole table"),
    ("world.start.day", "is a value"),
    ("regimes..accuracy", "not a key path"),
])
def test_bad_paths_are_refused_by_name(path: str, fragment: str) -> None:
    s = govsim.load_scenario(ROOT / "scenarios" / "district.toml")
    with pytest.raises(GovsimError, match=fragment) as err:
        apply_factors(s, {path: 1})
    assert err.value.path == f"factors.{path}"


def test_a_value_the_scenario_refuses_names_its_key() -> None:
    with pytest.raises(GovsimError, match="design point") as err:
        apply_factors(tiny(), {"regimes.consolidated.accuracy": 1.5})
    assert err.value.path == "regimes.consolidated.accuracy"

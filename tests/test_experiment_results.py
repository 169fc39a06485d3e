"""Sweep results read back (govsim.experiment.results): kept tables, per-point
differences, main effects on a sweep, the loader and its deprecated name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _sweeps import small_experiment, tiny

import govsim
from govsim.errors import GovsimError
from govsim.experiment import Experiment, load_sweep, sweep
from govsim.stats.effects import main_effects


def test_main_effects_average_over_the_other_factors(tmp_path: Path) -> None:
    res = sweep(small_experiment(keep=()), tmp_path / "s", executor="serial")
    eff = res.main_effects("units_per_case", "consolidated").set_index(["factor", "level"])
    m = res.metrics[res.metrics["regime"] == "consolidated"]
    for factor in res.factors:
        for level in res.points[factor].unique():
            want = m[m[factor] == level]["units_per_case"].mean()
            assert eff.loc[(factor, level), "mean"] == pytest.approx(want)
    base = eff.loc[("regimes.consolidated.accuracy", 0.6), "mean"]
    assert eff.loc[("regimes.consolidated.accuracy", 0.95), "effect"] == pytest.approx(
        eff.loc[("regimes.consolidated.accuracy", 0.95), "mean"] - base)
    # a factor that only the other regime sees has no effect at all on the fragmented one
    frag = res.main_effects("units_per_case", "fragmented").set_index(["factor", "level"])
    assert frag.loc[("regimes.consolidated.accuracy", 0.95), "effect"] == 0.0


def test_sensitivity_on_a_latin_hypercube_sweep(tmp_path: Path) -> None:
    exp = Experiment(tiny(), factors={"world.units.owner.staff": {"low": 1, "high": 4,
                                                                  "integer": True},
                                      "regimes.consolidated.accuracy": {"low": 0.5, "high": 1.0}},
                     design="lhs", points=8, replications=2, seed=4)
    res = sweep(exp, tmp_path / "s", executor="serial")
    out = res.sensitivity("resolution_days_median", "fragmented", boot=100)
    # the fragmented regime does not see accuracy; staff is what moves it
    assert out.iloc[0]["factor"] == "world.units.owner.staff"
    with pytest.raises(GovsimError, match="full factorial"):
        res.main_effects("cases")


def test_differences_per_point_are_paired(tmp_path: Path) -> None:
    res = sweep(small_experiment(keep=()), tmp_path / "s", executor="serial")
    d = res.differences(["contacts_per_case"]).set_index(["point", "regime"])
    m = res.metrics.set_index(["point", "regime", "replication"])["contacts_per_case"]
    for p in range(4):
        want = (m.loc[(p, "consolidated")] - m.loc[(p, "fragmented")]).mean()
        assert d.loc[(p, "consolidated"), "mean_diff"] == pytest.approx(want)


def test_kept_tables_and_unkept_ones(tmp_path: Path) -> None:
    res = sweep(small_experiment(keep=("cases",)), tmp_path / "s", executor="serial")
    cases = res.cases
    assert {"point", "regime", "replication", "case"} <= set(cases.columns)
    assert len(cases) == res.metrics["cases"].sum()
    with pytest.raises(GovsimError, match="did not keep 'units'"):
        res.table("units")


def test_load_sweep_refuses_a_directory_without_results(tmp_path: Path) -> None:
    with pytest.raises(GovsimError, match="no sweep results") as err:
        load_sweep(tmp_path)
    assert err.value.path == "directory"


def test_load_experiment_still_reads_a_sweep_but_warns(tmp_path: Path) -> None:
    out = tmp_path / "s"
    sweep(small_experiment(keep=(), replications=1), out, executor="serial", progress=False)
    with pytest.warns(DeprecationWarning, match="load_sweep"):
        old = govsim.load_experiment(out)
    pd.testing.assert_frame_equal(old.metrics, load_sweep(out).metrics)


def test_main_effects_refuse_a_design_without_complete_replications(tmp_path: Path) -> None:
    res = sweep(small_experiment(keep=()), tmp_path / "s", executor="serial", progress=False)
    m = res.metrics.copy()
    m.loc[m["point"] == 2, "units_per_case"] = np.nan
    with pytest.raises(GovsimError, match=r"design points \[2\]"):
        main_effects(m, res.points, "units_per_case", "consolidated")

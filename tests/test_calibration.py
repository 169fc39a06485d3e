"""Calibration: parameters are checked before anything runs, and a fit recovers a parameter
whose true value is known."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from govsim.calibration.search import calibrate
from govsim.cli import main
from govsim.errors import GovsimError
from govsim.experiment.parameters import parse_parameters
from govsim.measure.targets import parse_targets
from govsim.scenario import load_scenario, scenario_toml
from tests._factory import category, fragmented, scenario

TRUE_TREND = 0.35


def _world() -> object:
    s = scenario({"f": fragmented()}, horizon_days=456, categories={
        "a": category(rate_per_day=20.0, work_hours=0.01),
        "b": category(rate_per_day=10.0, work_hours=0.01, trend_per_year=0.1)})
    return s


def _targets(name: str) -> list:
    # the fifth quarter over the first: with one trend g for every category, (1 + g) to the
    # power 365/365.25
    base = {"scenario": name, "regime": "f", "source": "synthetic", "statistic": "mean"}
    return parse_targets({"target": [
        {**base, "name": "growth", "role": "fitted", "value": 1.35, "tolerance": 0.05,
         "observe": {"kind": "count_ratio", "base": [0, 91], "later": [365, 456]}},
        {**base, "name": "volume", "role": "input", "value": 11000.0, "tolerance": 1000.0,
         "observe": {"kind": "count", "from_day": 0, "to_day": 365}},
    ]})


def test_parameters_expand_and_are_checked() -> None:
    s = _world()
    (p,) = parse_parameters(["world.categories.*.trend_per_year=-0.2:0.8"], s)
    assert p.paths == ("world.categories.a.trend_per_year", "world.categories.b.trend_per_year")
    assert p.values(0.3) == {p.paths[0]: 0.3, p.paths[1]: 0.3}
    for bad, words in [(["x=1"], "PATH=LOW:HIGH"), (["world.citizens.patience_days=3:1"], "low < high"),
                       (["world.citizens.patience_days=0:3"], "greater than 0"),
                       (["world.nothing.*.x=0:1"], "no table"), ([], "at least one")]:
        with pytest.raises(GovsimError, match=words) as err:
            parse_parameters(bad, s)
        assert err.value.path == "params"


def test_a_fit_recovers_a_known_trend() -> None:
    s = _world()
    cal = calibrate(_targets(s.name), s, "f", ["world.categories.*.trend_per_year=-0.2:0.8"],
                    budget=10, replications=4, seed=2, executor="serial")
    fitted = cal.best["world.categories.*.trend_per_year"]
    # each replication's ratio of two Poisson counts of ~2,700 and ~3,700 has a standard
    # deviation of about 0.034; over four replications about 0.017
    assert abs(fitted - TRUE_TREND) < 0.07, fitted
    growth = cal.table.set_index("target").loc["growth"]
    assert growth["met"] and growth["ci_low"] <= 1.35 + 0.05 and growth["ci_high"] >= 1.35 - 0.05
    assert cal.table.set_index("target").loc["volume", "role"] == "input"
    # the fitted scenario holds the value at every key the parameter set
    cats = cal.fitted.world.categories
    assert cats["a"].trend_per_year == cats["b"].trend_per_year == pytest.approx(fitted)
    # the search ran under one seed; the check under fresh ones, with twice the replications
    assert set(cal.trace["stage"]) >= {"design", "check", "start"}
    assert (cal.trace.loc[cal.trace["stage"] == "design", "seed"] == 2).all()
    assert cal.trace.loc[cal.trace["stage"] == "check", "seed"].item() != 2


def test_calibrate_command_writes_a_loadable_fit(tmp_path: Path, capsys) -> None:
    s = _world()
    scen = tmp_path / "world.toml"
    scen.write_text(scenario_toml(s))
    targets = tmp_path / "targets.toml"
    rows = "\n".join(
        f'[[target]]\nname = "{t.name}"\nscenario = "{s.name}"\nregime = "f"\nvalue = {t.value}\n'
        f'source = "synthetic"\nrole = "{t.role}"\nstatistic = "mean"\ntolerance = {t.tolerance}\n'
        + ('informs = ["world.categories.*.trend_per_year=-0.2:0.8"]\n' if t.role == "fitted" else "")
        + "observe = { " + ", ".join(f"{k} = {v!r}".replace("'", '"') for k, v in t.observe.items())
        + " }\n" for t in _targets(s.name))
    targets.write_text(rows)
    out = tmp_path / "fit"
    code = main(["calibrate", str(targets), "--scenario", str(scen), "--regime", "f",
                 "--budget", "4", "-n", "2", "-j", "1", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "growth" in printed and "trend_per_year" in printed
    assert {p.name for p in out.iterdir()} == {"targets.csv", "trace.csv", "fitted.toml",
                                               "calibration.json", "trace.png"}
    fitted = load_scenario(out / "fitted.toml")
    assert fitted.world.categories["a"].trend_per_year == fitted.world.categories["b"].trend_per_year
    assert "calibrated by govsim calibrate" in (out / "fitted.toml").read_text()
    assert tomllib.loads((out / "fitted.toml").read_text())["world"]["horizon_days"] == 456
    # standard JSON: the start value of a '*' path whose keys differ is null, not NaN
    def refuse(name: str) -> None:
        raise AssertionError(f"not standard JSON: {name}")

    meta = json.loads((out / "calibration.json").read_text(), parse_constant=refuse)
    assert meta["start"]["world.categories.*.trend_per_year"] is None


@pytest.mark.parametrize(("argv", "flag"), [
    (["--regime", "nope"], "--regime"),
    (["--params", "world.citizens.zzz=0:1"], "--params"),
    (["--budget", "1"], "--budget"),
])
def test_calibrate_command_names_the_bad_flag(tmp_path: Path, capsys, argv, flag) -> None:
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "never"
    base = ["calibrate", str(root / "calibration" / "targets.toml"), "--scenario",
            str(root / "scenarios" / "shishi_12345.toml"), "--regime", "consolidated",
            "--out", str(out)]
    if "--regime" in argv:
        base = base[:5] + base[7:]
    try:
        code = main(base + argv)
    except SystemExit as exc:  # argparse's own checks
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert "error" in err and flag in err.strip().splitlines()[-1], err
    assert not out.exists()


def test_the_whole_box_must_fit_in_memory_and_abc_needs_a_budget() -> None:
    s = _world()
    with pytest.raises(GovsimError) as err:
        calibrate(_targets(s.name), s, "f", ["world.categories.*.rate_per_day=1:5000000"],
                  budget=4, replications=1, executor="serial", memory_budget=1.0)
    assert err.value.path == "memory_budget"
    with pytest.raises(GovsimError) as err:
        calibrate(_targets(s.name), s, "f", ["world.categories.*.trend_per_year=0:0.5"],
                  method="abc", budget=20, executor="serial")
    assert err.value.path == "budget"

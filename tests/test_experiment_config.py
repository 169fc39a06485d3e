"""Experiments (govsim.experiment.config): everything checked before anything runs, in
Python and from TOML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _sweeps import ROOT, tiny

from govsim.cli import main
from govsim.errors import GovsimError
from govsim.experiment import Experiment


def test_experiment_checks_every_point_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(GovsimError) as err:
        Experiment(tiny(), factors={"world.units.owner.staff": {"low": 0.5, "high": 3.0}},
                   design="lhs", points=4)
    assert err.value.path == "world.units.owner.staff"  # a non-integer staff count
    assert "add integer = true" in err.value.message
    exp_file = tmp_path / "bad.toml"
    exp_file.write_text('scenario = "../scenarios/district.toml"\n'
                        '[factors]\n"regimes.consolidated.acuracy" = [0.5]\n')
    out = tmp_path / "out"
    assert main(["sweep", str(exp_file), "--out", str(out)]) == 2
    assert not out.exists()


def test_experiment_toml_nested_factor_tables_and_relative_scenario(tmp_path: Path) -> None:
    d = tmp_path / "exps"
    d.mkdir()
    (d / "e.toml").write_text(
        'scenario = "../../../scenarios/district.toml"\n'.replace("../../..", str(ROOT))
        + 'horizon_days = 5\n'
        + '[factors.regimes.consolidated]\naccuracy = [0.8, 0.9]\n'
        + '[factors."world.units.street_office"]\nstaff = {low = 10, high = 20, integer = true}\n'
        + '[design]\nkind = "lhs"\npoints = 3\n')
    exp = Experiment.from_toml(d / "e.toml")
    assert list(exp.points.columns) == ["regimes.consolidated.accuracy",
                                        "world.units.street_office.staff"]
    assert len(exp.points) == 3 and exp.scenario.world.horizon_days == 5


@pytest.mark.parametrize("data, where", [
    ({"scenario": "x.toml", "replicas": 3}, "replicas"),
    ({}, "scenario"),
    ({"scenario": "nope.toml"}, "scenario"),
    ({"scenario": "district.toml", "design": {"kind": "lhs", "n": 3}}, "design.n"),
    ({"scenario": "district.toml", "regimes": ["central"]}, "regimes"),
    ({"scenario": "district.toml", "baseline": "x"}, "baseline"),
    ({"scenario": "district.toml", "keep": ["tables"]}, "keep"),
    ({"scenario": "district.toml", "warmup_days": 400}, "warmup_days"),
    ({"scenario": "district.toml", "replications": 0}, "replications"),
    ({"scenario": "district.toml", "precision": {"metrics": ["x"], "relative": 0.1,
                                                  "max_replications": 20}}, "precision.metrics"),
    ({"scenario": "district.toml", "precision": {"metrics": ["cases"], "relative": 0.1}},
     "precision"),
    ({"scenario": "district.toml", "precision": {"metrics": ["cases"], "relative": 1.5,
                                                  "max_replications": 20}}, "precision.relative"),
    ({"scenario": "district.toml", "replications": 30,
      "precision": {"metrics": ["cases"], "relative": 0.1, "max_replications": 20}},
     "precision.max_replications"),
])
def test_experiment_refusals_name_the_key(data: dict[str, object], where: str) -> None:
    with pytest.raises(GovsimError) as err:
        Experiment.from_dict(data, base=ROOT / "scenarios")
    assert err.value.path == where


def test_shipped_experiment_file_is_valid() -> None:
    exp = Experiment.from_toml(ROOT / "experiments" / "accuracy_staff.toml")
    assert len(exp.points) == 6 and exp.regimes == ("fragmented", "consolidated")


def test_a_misspelt_key_in_a_range_table_is_named() -> None:
    with pytest.raises(GovsimError, match="unknown key 'hight'") as err:
        Experiment.from_dict({"scenario": "district.toml", "factors": {
            "regimes.consolidated.accuracy": {"low": 0.8, "hight": 0.99}}},
            base=ROOT / "scenarios")
    assert err.value.path == "factors.regimes.consolidated.accuracy"


@pytest.mark.parametrize("factors, fragment", [
    ({"regimes.fragmented.channels[0].weight": [1], "regimes.fragmented.channels.0.weight": [2]},
     "same value"),
    ({"regimes.fragmented.channels[0].weight": [1],
      "regimes.fragmented.channels.owner line.weight": [2]}, "same value"),
    ({"regimes.fragmented.channels[0]weight": [1]}, "not a key path"),
    ({".regimes.consolidated.accuracy": [1]}, "not a key path"),
    ({"regimes[0].x": [1]}, "no key"),
])
def test_one_value_cannot_be_varied_under_two_spellings(factors: dict, fragment: str) -> None:
    with pytest.raises(GovsimError, match=fragment):
        Experiment(tiny(), factors=factors)


def test_nested_and_dotted_spellings_of_one_factor_are_refused() -> None:
    with pytest.raises(GovsimError, match="given twice") as err:
        Experiment.from_dict({"scenario": "district.toml", "factors": {
            "regimes.consolidated.accuracy": [0.8, 0.9],
            "regimes": {"consolidated": {"accuracy": [0.5]}}}}, base=ROOT / "scenarios")
    assert err.value.path == "factors.regimes.consolidated.accuracy"


def test_a_horizon_factor_must_leave_room_for_the_warmup() -> None:
    with pytest.raises(GovsimError, match="design point 0") as err:
        Experiment(tiny(), factors={"world.horizon_days": [5, 20]}, warmup_days=10)
    assert err.value.path == "warmup_days"


# ---------------------------------------------------------------------------
# scenario = a path next to the experiment file, or a shipped scenario's name
# ---------------------------------------------------------------------------

DISTRICT = ROOT / "scenarios" / "district.toml"


def _exp_file(folder: Path, scenario: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "e.toml"
    path.write_text(f'scenario = "{scenario}"\nhorizon_days = 3\nreplications = 1\n{extra}',
                    encoding="utf-8")
    return path


def _renamed_district(name: str) -> str:
    """The shipped district under another name (its top-level ``name`` key replaced)."""
    text, n = re.subn(r'^name = "[^"\n]*"$', f'name = "{name}"',
                      DISTRICT.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE)
    assert n == 1
    return text


def test_a_bare_name_is_a_shipped_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            ) -> None:
    exp_file = _exp_file(tmp_path / "exps", "district")
    # neither the working directory nor a local district.toml captures the bare name: only a
    # file named exactly "district" next to the experiment file would (as everywhere else)
    (tmp_path / "exps" / "district.toml").write_text(_renamed_district("local"), encoding="utf-8")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "district").write_text("not a scenario [", encoding="utf-8")
    monkeypatch.chdir(cwd)
    exp = Experiment.from_toml(exp_file)
    assert exp.scenario_source == "shipped:district"
    assert exp.config()["scenario_source"] == "shipped:district"
    assert exp.scenario.name == "district"
    assert exp.config()["scenario"] == Experiment(DISTRICT, horizon_days=3).config()["scenario"]


@pytest.mark.parametrize("written, local", [("district.toml", "district.toml"),
                                            ("district", "district")])
def test_a_file_next_to_the_experiment_file_comes_first(tmp_path: Path, written: str,
                                                        local: str) -> None:
    exp_file = _exp_file(tmp_path, written)
    (tmp_path / local).write_text(_renamed_district("local district"), encoding="utf-8")
    exp = Experiment.from_toml(exp_file)
    assert exp.scenario.name == "local district"
    assert exp.scenario_source == str(tmp_path / local)


@pytest.mark.parametrize("written, fragment", [
    ("distrct", "no scenario file .*distrct.* next to the experiment file, and no shipped "
                "scenario is named 'distrct' \\(did you mean 'district'\\?\\); the shipped "
                "scenarios are .*district"),
    ("mine", "'mine.toml' is there: give its suffix"),
    ("sub", "'.*sub' is a directory, not a scenario file, and no shipped scenario"),
])
def test_an_unknown_scenario_name_is_refused_at_scenario(tmp_path: Path, written: str,
                                                         fragment: str) -> None:
    exp_file = _exp_file(tmp_path, written)
    (tmp_path / "mine.toml").write_text(DISTRICT.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    with pytest.raises(GovsimError, match=fragment) as err:
        Experiment.from_toml(exp_file)
    assert err.value.path == "scenario"


def test_sweep_refuses_an_unknown_scenario_name_with_status_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exp_file = _exp_file(tmp_path, "no_such_scenario")
    out = tmp_path / "out"
    assert main(["sweep", str(exp_file), "--out", str(out), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("govsim: error: scenario: there is no scenario file")
    assert "shipped scenarios are" in err
    assert not out.exists()


def test_a_sweep_of_a_shipped_name_records_it_and_resumes_from_the_same_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    regimes = 'regimes = ["fragmented", "consolidated"]\n'
    by_name = _exp_file(tmp_path / "a", "district", regimes)
    out = tmp_path / "out"
    argv = ["--out", str(out), "--jobs", "1", "--executor", "serial"]
    assert main(["sweep", str(by_name), *argv]) == 0
    assert json.loads((out / "experiment.json").read_text())["scenario_source"] == \
        "shipped:district"
    # the same scenario reached by a path is the same experiment: how it was named does not
    # matter to a resume (the scenario itself is compared)
    by_path = _exp_file(tmp_path / "b", str(DISTRICT), regimes)
    assert main(["sweep", str(by_path), *argv, "--resume", "--replications", "2"]) == 0
    assert json.loads((out / "manifest.json").read_text())["tasks_done"] == 2
    capsys.readouterr()


def test_a_shipped_name_given_in_python_is_recorded_as_shipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Experiment("district", horizon_days=3).scenario_source == "shipped:district"
    assert Experiment(DISTRICT, horizon_days=3).scenario_source == str(DISTRICT)

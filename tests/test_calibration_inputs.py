"""Calibration refuses bad input in one sentence and loses nothing (issue 19, probes 2, 5, 8).

Every user error of ``govsim calibrate`` and :func:`govsim.calibrate` is a GovsimError at the
argument's name (the command line's flag, exit status 2, no traceback), raised before any folder
or file is made; a target that no run observes is drawn and reported, not a crash halfway
through writing; targets files and parsed tables give targets or a GovsimError, nothing else.
"""

from __future__ import annotations

import copy
import math
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govsim
from govsim.calibration import search as calibration_search
from govsim.calibration.evaluate import (
    MAX_BUDGET,
    MAX_CASES,
    MAX_REPLICATIONS_PER_POINT,
    MAX_RUNS,
    check_work,
)
from govsim.calibration.search import Calibration, calibrate
from govsim.errors import GovsimError
from govsim.experiment.parameters import parse_parameters
from govsim.figures.calibration import plot_trace, png_bytes
from govsim.measure.targets import Target, load_targets, parse_targets
from govsim.scenario import scenario_toml
from tests._factory import assert_one_sentence, category, consolidated, fragmented, scenario
from tests.test_calibration import _targets, _world
from tests.test_cli import assert_user_error, cli

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_TARGETS = ROOT / "calibration" / "targets.toml"
FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


def _tiny() -> Any:
    """Two regimes, 30 days, about 150 cases a run: a calibration of it takes a second."""
    return scenario({"f": fragmented(), "c": consolidated()}, horizon_days=30,
                    categories={"a": category(rate_per_day=5.0, work_hours=0.01)})


def _rows(name: str, meeting: bool = True) -> list[dict[str, Any]]:
    base = {"scenario": name, "regime": "f", "source": "synthetic", "statistic": "mean"}
    rows = [{**base, "name": "volume", "role": "fitted", "value": 150.0, "tolerance": 30.0,
             "informs": ["world.categories.a.rate_per_day=1:10"],
             "observe": {"kind": "count", "from_day": 0, "to_day": 30}}]
    if meeting:  # the fragmented rules of the factory never call a coordination meeting
        rows.append({**base, "name": "meeting", "role": "emergent", "value": 3.0,
                     "tolerance": 1.0, "observe": {"kind": "largest_meeting"}})
    return rows


def _toml_value(v: Any) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    return repr(v)


def _write_inputs(tmp_path: Path, meeting: bool = True) -> tuple[Path, Path]:
    s = _tiny()
    scen = tmp_path / "tiny.toml"
    scen.write_text(scenario_toml(s), encoding="utf-8")
    targets = tmp_path / "targets.toml"
    targets.write_text("\n".join(
        "[[target]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in row.items())
        for row in _rows(s.name, meeting)), encoding="utf-8")
    return targets, scen


def _argv(targets: Path, scen: Path, *extra: str) -> list[str]:
    return ["calibrate", str(targets), "--scenario", str(scen), "--regime", "f", "-j", "1",
            *extra]


# ------------------------------------------------------------- probe 1: counts are bounded
@pytest.mark.parametrize(("extra", "flag", "words"), [
    (["--budget", "1000000000000"], "--budget", f"at most {MAX_BUDGET:,} points"),
    (["-n", "100000"], "--replications", f"at most {MAX_REPLICATIONS_PER_POINT:,} replications"),
    (["--budget", "9000", "-n", "200"], "--budget", f"at most {MAX_RUNS:,} simulations"),
])
def test_a_huge_calibration_is_refused_before_its_folder_is_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra, flag, words) -> None:
    targets, scen = _write_inputs(tmp_path)
    out = tmp_path / "never"
    code, _, err = cli(_argv(targets, scen, "--out", str(out), *extra), capsys)
    assert_user_error(code, err, flag)
    # the size of a run comes from the scenario, before the box is built (not "about 0 cases")
    assert words in err and "runs of about" in err and "about 0 cases" not in err, err
    assert not out.exists()


def test_the_budget_of_the_probe_says_how_big_it_is(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    targets, scen = _write_inputs(tmp_path)
    out = tmp_path / "never"
    code, _, err = cli(_argv(targets, scen, "--budget", "1000000000000", "-n", "5",
                             "--out", str(out)), capsys)
    assert_user_error(code, err, "--budget")
    assert "a budget of 1e+12 points x 5 replications is 5e+12 runs" in err, err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_work_beyond_the_cases_or_the_memory_is_refused() -> None:
    # about 15,000 cases a run: 900,400 runs of them are 1.4e10 cases, over MAX_CASES
    s = _world()
    with pytest.raises(GovsimError) as err:
        calibrate(_targets(s.name), s, "f", ["world.categories.*.trend_per_year=0:0.5"],
                  budget=9000, replications=100, executor="serial")
    assert err.value.path == "budget"
    assert f"at most {MAX_CASES:.0e} cases" in err.value.message
    assert "days of one core" in err.value.message
    assert_one_sentence(err.value.message)
    # the results held of 100,040 runs are over a budget of 10 MiB (one run of 150 cases is not)
    called = []
    with pytest.raises(GovsimError) as err:
        calibrate([t for t in parse_targets({"target": _rows("tiny")})], _tiny(), "f",
                  budget=MAX_BUDGET, replications=10, executor="serial", memory_budget=0.01,
                  ready=lambda: called.append(1))
    assert err.value.path == "memory_budget" and "results take about" in err.value.message
    assert not called  # refused before the caller was told to make anything


def test_check_work_limits_each_count() -> None:
    assert check_work(2, 1, 100.0, 3) == 6
    for args, path in [((MAX_BUDGET + 1, 1, 1.0, 1), "budget"),
                       ((2, MAX_REPLICATIONS_PER_POINT + 1, 1.0, 1), "replications"),
                       ((10**400, 1, 1.0, 1), "budget")]:
        with pytest.raises(GovsimError) as err:
            check_work(*args)
        assert err.value.path == path
        assert_one_sentence(err.value.message)


# ------------------------------------------------- probe 2: a target that is never observed
@pytest.fixture(scope="module")
def never_observed() -> Calibration:
    s = _tiny()
    return calibrate(parse_targets({"target": _rows(s.name)}), s, "f", budget=2,
                     replications=1, executor="serial")


def test_a_target_never_observed_is_reported_and_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    targets, scen = _write_inputs(tmp_path)
    out = tmp_path / "fit"
    code, printed, err = cli(_argv(targets, scen, "--budget", "2", "-n", "1", "--out",
                                   str(out)), capsys)
    assert code == 0, err
    assert "Traceback" not in err
    # the summary is printed, the never observed target said so
    line = next(x for x in printed.splitlines() if x.startswith("meeting"))
    assert "never observed" in line and line.rstrip().endswith("NO")
    assert "'meeting' was never observed" in printed
    assert {p.name for p in out.iterdir()} == {"targets.csv", "trace.csv", "fitted.toml",
                                               "calibration.json", "trace.png"}
    assert (out / "trace.png").read_bytes().startswith(b"\x89PNG")


def test_the_trace_plot_draws_what_is_defined(never_observed: Calibration) -> None:
    text = never_observed.summary()
    assert "never observed" in text and "could not rank the points" in text
    names = [p.path for p in never_observed.parameters]
    assert not np.isfinite(never_observed.trace["distance"]).any()
    fig = plot_trace(never_observed.trace, names)
    assert png_bytes(fig).startswith(b"\x89PNG")
    assert any("never observed: meeting" in t.get_text() for t in fig.axes[0].texts)
    # some points with a distance, some without, a parameter's start unknown (NaN)
    trace = pd.DataFrame({
        "evaluation": range(6), "stage": ["start", "design", "design", "design", "simplex",
                                          "check"],
        "seed": 0, "x": [math.nan, 0.1, 0.3, 0.5, 0.4, 0.4],
        "distance": [math.inf, math.inf, 3.0, 0.0, 0.5, math.nan],
        "mean:a": [math.nan, math.nan, 1.0, 2.0, 1.5, 1.5], "mean:b": math.nan})
    fig = plot_trace(trace, ["x"])
    assert png_bytes(fig).startswith(b"\x89PNG")
    assert fig.axes[0].get_yscale() == "log"
    assert any("3 of 6 points" in t.get_text() for t in fig.axes[1].texts)


def test_writing_draws_first_and_leaves_nothing_half_written(
        never_observed: Calibration, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govsim.figures import calibration as calibration_plots

    def broken(*_: Any) -> Any:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(calibration_plots, "plot_trace", broken)
    out = tmp_path / "fit"
    with pytest.raises(RuntimeError):
        never_observed.write(out)
    assert not out.exists()
    monkeypatch.undo()
    never_observed.write(out)
    assert len(list(out.iterdir())) == 5


# ------------------------------------- probe 3: a parameter the run never reads is refused
def test_a_parameter_of_another_regime_is_refused(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    targets, scen = _write_inputs(tmp_path)
    out = tmp_path / "never"
    code, _, err = cli(_argv(targets, scen, "--params", "regimes.c.accuracy=0:1",
                             "--out", str(out)), capsys)
    assert_user_error(code, err, "--params")
    assert "regimes.c.accuracy" in err and "never reads" in err, err
    assert not out.exists()


@pytest.mark.parametrize("spec", ["regimes.c.accuracy=0:1", "regimes.*.intake_hours=0.1:1"])
def test_a_key_the_regime_does_not_read_is_named(spec: str) -> None:
    s = _tiny()
    with pytest.raises(GovsimError) as err:
        calibrate(parse_targets({"target": _rows(s.name)}), s, "f", [spec], budget=2,
                  replications=1, executor="serial")
    assert err.value.path == "parameters"
    assert spec.split("=")[0] in err.value.message
    assert_one_sentence(err.value.message)


def test_keys_the_regime_reads_are_accepted() -> None:
    s = _tiny()
    pars = parse_parameters(["regimes.f.intake_hours=0.05:0.5",
                             "world.citizens.patience_days=1:5"], s, regime="f")
    assert [p.paths for p in pars] == [("regimes.f.intake_hours",),
                                       ("world.citizens.patience_days",)]


# ---------------------------------------------- probe 4: the Python API's arguments
@pytest.mark.parametrize(("changes", "path"), [
    *[({"targets": t}, "targets") for t in (5, None, [1, 2], ["volume"], [], {"target": []},
                                             ".")],
    *[({"parameters": {"world.categories.a.rate_per_day": b}}, "parameters")
      for b in (("a", "b"), (None, 1), "ab", (1,), (1, math.inf))],
    ({"parameters": [5]}, "parameters"),
    ({"parameters": "world.categories.a.rate_per_day=1:2"}, "parameters"),
    ({"parameters": [f"world.citizens.patience_days={i}:{i + 1}" for i in range(1, 80)]},
     "parameters"),
    ({"regime": None}, "regime"), ({"regime": "nope"}, "regime"), ({"scenario": 5}, "scenario"),
    ({"method": []}, "method"), ({"budget": 2.5}, "budget"), ({"budget": True}, "budget"),
    ({"replications": 0}, "replications"), ({"seed": -1}, "seed"), ({"jobs": 0}, "jobs"),
    ({"executor": "cloud"}, "executor"), ({"memory_budget": "lots"}, "memory_budget"),
])
def test_a_bad_argument_is_a_govsim_error_naming_it(changes: dict[str, Any], path: str) -> None:
    s = _tiny()
    kwargs: dict[str, Any] = {"targets": parse_targets({"target": _rows(s.name)}),
                              "scenario": s, "regime": "f",
                              "parameters": ["world.categories.a.rate_per_day=1:10"],
                              "budget": 2, "replications": 1, "executor": "serial"}
    kwargs.update(changes)
    called = []
    with pytest.raises(GovsimError) as err:
        calibrate(**kwargs, ready=lambda: called.append(1))
    assert err.value.path == path, (err.value.path, err.value.message)
    assert_one_sentence(err.value.message)
    assert not called


# ------------------------------------------------------------- probe 5: targets files
def _deep(tmp_path: Path) -> Path:
    p = tmp_path / "deep.toml"
    p.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    return p


def _dotted(tmp_path: Path) -> Path:
    p = tmp_path / "dotted.toml"
    p.write_text(".".join(f"k{i}" for i in range(200)) + " = 1\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("make", [
    lambda tmp: tmp,                      # a directory
    _deep,                                # nested 5,000 deep
    _dotted,                              # tables 200 deep by dotted keys
    lambda tmp: Path("/dev/zero"),        # a device that never ends
    lambda tmp: tmp / "missing.toml",
], ids=["directory", "deep", "dotted", "dev-zero", "missing"])
def test_a_targets_file_that_is_no_targets_file_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make) -> None:
    if str(make(tmp_path)) == "/dev/zero" and not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    _, scen = _write_inputs(tmp_path)
    out = tmp_path / "never"
    code, _, err = cli(["calibrate", str(make(tmp_path)), "--scenario", str(scen),
                        "--regime", "f", "--out", str(out)], capsys)
    assert_user_error(code, err, "TARGETS")
    assert len(err.strip().splitlines()) == 1, err
    assert not out.exists()
    with pytest.raises(GovsimError) as e:
        load_targets(make(tmp_path))
    assert e.value.path == "targets"


@pytest.mark.parametrize("data", [
    5, None, [], "target", {1: 2, "a": 3}, {"target": 5}, {"target": [5]},
    {"target": [{"observe": {"kind": []}}]},
    {"target": [{**_rows("x")[0], "observe": {"kind": ["count"]}}]},
    {"target": [{**_rows("x")[0], "value": 10**5000}]},
    {"target": [{**_rows("x")[0], "observe": {"kind": "count_ratio", "base": [0, 10**400],
                                               "later": [0, math.nan]}}]},
    {"target": [{**_rows("x")[0], "informs": ["x=-inf:inf"]}]},
    {"target": [{**_rows("x")[0], "note": ["not", "text"]}]},
    {"target": [{**_rows("x")[0], "statistic": "rank", "rank_band": {"a": 1}}]},
])
def test_parse_targets_refuses_odd_data_with_a_govsim_error(data: Any) -> None:
    with pytest.raises(GovsimError) as err:
        parse_targets(data)
    assert_one_sentence(err.value.message)


# -------------------------------------------------------- fuzzing targets files and tables
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -1, 0, 30, 1e300, math.inf, -math.inf, math.nan, 0.5]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
    st.sampled_from(["count", "metric", "count_ratio", "largest_meeting", "years_to_first",
                     "fitted", "emergent", "mean", "rank", "x=0:1", "file", "owner"]),
)
_ANY = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12)
_KEYS = st.sampled_from(["name", "scenario", "regime", "value", "source", "role", "statistic",
                         "tolerance", "rank_band", "observe", "note", "informs", "kind",
                         "from_day", "to_day", "base", "later", "metric", "years", "unit",
                         "activity", "category_kind", "target", "extra"])


SHIPPED_ROWS = tomllib.loads(SHIPPED_TARGETS.read_text(encoding="utf-8"))["target"]


def _outcome(parse: Any, *args: Any) -> list[Target] | GovsimError:
    try:
        got = parse(*args)
    except GovsimError as exc:  # one line (a quoted value may hold anything, repr'd)
        assert exc.message and "\n" not in exc.message and len(exc.message) < 400
        return exc
    assert isinstance(got, list) and got and all(isinstance(t, Target) for t in got)
    return got


@FUZZ
@given(row=st.integers(0, len(SHIPPED_ROWS) - 1), edits=st.lists(
    st.tuples(st.booleans(), _KEYS, _ANY), min_size=1, max_size=4))
def test_fuzz_parsed_targets_are_targets_or_govsim_errors(row: int, edits: list) -> None:
    data = {"target": copy.deepcopy(SHIPPED_ROWS[row:row + 2])}
    for in_observe, key, value in edits:
        table = data["target"][0]
        if in_observe and isinstance(table.get("observe"), dict):
            table = table["observe"]
        table[key] = value
    _outcome(parse_targets, data)


@FUZZ
@given(data=_ANY)
def test_fuzz_any_table_is_targets_or_a_govsim_error(data: Any) -> None:
    _outcome(parse_targets, {"target": [data]} if isinstance(data, dict) else data)


_LINES = st.one_of(
    st.sampled_from(["[[target]]", "[target]", 'name = "a"', 'scenario = "tiny"',
                     'regime = "f"', "value = 1.5", 'source = "s"', 'role = "emergent"',
                     'statistic = "mean"', "tolerance = 0.1", "rank_band = [0.2, 0.8]",
                     'observe = { kind = "count", from_day = 0, to_day = 9 }',
                     'observe = { kind = "largest_meeting" }', "[target.observe]",
                     'kind = "metric"', 'informs = ["x=0:1"]', "x = [[[[[[", "]]]]", "{", '"',
                     "a.b.c.d = 1", "value = inf", "value = nan", "value = 1e999",
                     "\x00", "\ufeff", "= 1", "[[target]]\n[[target]]"]),
    st.text(max_size=30),
)


@FUZZ
@given(lines=st.lists(_LINES, max_size=14), raw=st.binary(max_size=20))
def test_fuzz_targets_files_are_targets_or_govsim_errors(tmp_path_factory, lines: list[str],
                                                         raw: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "targets.toml"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + raw)
    _outcome(load_targets, path)


# ----------------------------------------------------- probe 6: govsim.calibrate exported
def test_calibrate_is_exported_from_govsim_and_loaded_lazily() -> None:
    assert "calibrate" in govsim.__all__ and "Calibration" in govsim.__all__
    assert govsim.calibrate is calibration_search.calibrate
    assert govsim.Calibration is calibration_search.Calibration
    code = ("import sys, govsim\n"
            "print('govsim.calibration.search' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    assert out.stdout.strip() == "False"
    with pytest.raises(GovsimError) as err:
        govsim.calibrate(5, _tiny(), "f")
    assert err.value.path == "targets"

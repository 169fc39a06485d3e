"""Sweeps: designs, key paths, seeds, executors, the results directory, resume, failures,
precision targets and the analysis helpers (govsim.design, govsim.sweeps,
govsim.analysis.sweeps)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _factory import category, consolidated, fragmented, scenario

import govsim
import govsim.sweeps
from govsim.analysis.sweeps import main_effects, sensitivity
from govsim.cli import main
from govsim.design import Design, Factor, apply_factors, design_points
from govsim.errors import GovsimError
from govsim.progress import ProgressReporter
from govsim.sweeps import Experiment, Precision, load_experiment, sweep

ROOT = Path(__file__).resolve().parents[1]


def tiny(horizon_days: int = 20) -> govsim.Scenario:
    """Two regimes on a small, congested world: a few hundred cases per replication."""
    return scenario(
        {"fragmented": fragmented(), "consolidated": consolidated(accuracy=0.9)},
        categories={"leak": category(rate_per_day=8.0, work_hours=2.0)},
        horizon_days=horizon_days,
    )


def small_experiment(**kw: object) -> Experiment:
    args: dict[str, object] = dict(
        factors={"regimes.consolidated.accuracy": [0.6, 0.95],
                 "world.units.owner.staff": [1, 3]},
        replications=3, seed=11, keep=("cases", "units"))
    args.update(kw)
    return Experiment(tiny(), **args)  # type: ignore[arg-type]


def file_digests(root: Path) -> dict[str, str]:
    """Digest of every result file (the log holds times, so it is left out)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "log.txt"}


# ----------------------------------------------------------------------------- designs


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


# ----------------------------------------------------------------------------- key paths


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


# ----------------------------------------------------------------------------- sweeps


def test_common_random_numbers_across_points_and_regimes(tmp_path: Path) -> None:
    res = sweep(small_experiment(), tmp_path / "s", executor="serial")
    m = res.metrics
    assert len(m) == 4 * 2 * 3 and res.complete and res.failures.empty
    # accuracy touches only the consolidated regime: at equal staff, the fragmented regime's
    # numbers are identical at both accuracy levels, replication by replication
    frag = m[m["regime"] == "fragmented"].set_index(
        ["world.units.owner.staff", "regimes.consolidated.accuracy", "replication"])["cases"]
    assert (frag.xs(0.6, level=1) == frag.xs(0.95, level=1)).all()
    frag_rows = m[m["regime"] == "fragmented"]
    acc = frag_rows["regimes.consolidated.accuracy"]
    full = frag_rows.drop(columns=["point", "regimes.consolidated.accuracy"])
    a = full[acc == 0.6].reset_index(drop=True)
    b = full[acc == 0.95].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    # every point and regime of a replication saw the same world
    assert m.groupby("replication")["cases"].nunique().eq(1).all()
    # and accuracy does change the consolidated regime
    cons = m[m["regime"] == "consolidated"]
    assert cons.groupby("regimes.consolidated.accuracy")["units_per_case"].mean().diff().abs().iloc[1] > 0


def test_results_match_compare_at_each_point(tmp_path: Path) -> None:
    exp = small_experiment(keep=())
    res = sweep(exp, tmp_path / "s", executor="serial")
    cmp = govsim.compare(exp.scenario_at(2), replications=3, seed=11, jobs=1, record_events=False)
    got = res.metrics[res.metrics["point"] == 2].drop(columns=["point", *res.factors])
    got = got.reset_index(drop=True)
    want = cmp.metrics.sort_values(["regime", "replication"]).reset_index(drop=True)
    got = got.sort_values(["regime", "replication"]).reset_index(drop=True)
    got["regime"] = got["regime"].astype(str)
    want["regime"] = want["regime"].astype(str)
    pd.testing.assert_frame_equal(got[want.columns], want)


def test_serial_local_and_dask_give_identical_frames_and_files(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    exp = small_experiment()
    serial = sweep(exp, tmp_path / "serial", executor="serial")
    local = sweep(exp, tmp_path / "local", executor="local", jobs=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        dask = sweep(exp, tmp_path / "dask", executor="dask", scheduler=cluster.scheduler_address)
    for other in (local, dask):
        pd.testing.assert_frame_equal(serial.metrics, other.metrics)
        pd.testing.assert_frame_equal(serial.cases, other.cases)
        pd.testing.assert_frame_equal(serial.units, other.units)
        pd.testing.assert_frame_equal(serial.points, other.points)
    digests = file_digests(tmp_path / "serial")
    assert digests == file_digests(tmp_path / "local") == file_digests(tmp_path / "dask")
    assert "log.txt" in os.listdir(tmp_path / "dask")


def test_any_executor_instance_is_accepted(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        threaded = sweep(small_experiment(keep=()), tmp_path / "t", executor=pool)
    serial = sweep(small_experiment(keep=()), tmp_path / "s", executor="serial")
    pd.testing.assert_frame_equal(threaded.metrics, serial.metrics)


def test_a_failed_replication_is_recorded_and_the_rest_go_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import govsim.sweeps as sweep_module

    real = sweep_module.run_replication

    def flaky(scenario, regimes, seed, replication, **kw):  # type: ignore[no-untyped-def]
        if replication == 1 and scenario.world.units["owner"].staff == 3:
            raise RuntimeError("boom in replication 1")
        return real(scenario, regimes, seed, replication, **kw)

    monkeypatch.setattr(sweep_module, "run_replication", flaky)
    out = tmp_path / "s"
    res = sweep(small_experiment(), out, executor="serial")
    assert not res.complete and res.manifest["state"] == "incomplete"
    assert sorted(res.failures["point"]) == [1, 3]
    assert (res.failures["replication"] == 1).all()
    assert res.failures["traceback"].str.contains("boom in replication 1").all()
    record = json.loads((out / "failures" / "p0001-r0001.json").read_text())
    assert record["factors"] == {"regimes.consolidated.accuracy": 0.6, "world.units.owner.staff": 3}
    assert type(record["factors"]["world.units.owner.staff"]) is int
    assert record["seed"] == 11 and record["regimes"] == ["fragmented", "consolidated"]
    assert len(res.metrics) == (4 * 3 - 2) * 2
    # the CLI reports it with exit status 1; a resume without the fault completes the sweep
    monkeypatch.setattr(sweep_module, "run_replication", real)
    again = sweep(small_experiment(), out, executor="serial", resume=True)
    assert again.complete and again.failures.empty
    assert not list((out / "failures").iterdir())
    clean = sweep(small_experiment(), tmp_path / "clean", executor="serial")
    pd.testing.assert_frame_equal(again.metrics, clean.metrics)


def test_directory_rules(tmp_path: Path) -> None:
    out = tmp_path / "s"
    sweep(small_experiment(keep=()), out, executor="serial")
    before = file_digests(out)
    with pytest.raises(GovsimError, match="--resume") as err:
        sweep(small_experiment(keep=()), out, executor="serial")
    assert err.value.path == "--out"
    with pytest.raises(GovsimError, match="different experiment .*seed") as err:
        sweep(small_experiment(keep=(), seed=12), out, executor="serial", resume=True)
    assert file_digests(out) == before  # nothing lost or rewritten
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(GovsimError, match="not empty"):
        sweep(small_experiment(keep=()), other, executor="serial")
    assert (other / "notes.txt").read_text() == "mine"


def test_resume_can_extend_the_replications(tmp_path: Path) -> None:
    out = tmp_path / "s"
    sweep(small_experiment(keep=(), replications=2), out, executor="serial")
    res = sweep(small_experiment(keep=(), replications=3), out, executor="serial", resume=True)
    fresh = sweep(small_experiment(keep=(), replications=3), tmp_path / "f", executor="serial")
    pd.testing.assert_frame_equal(res.metrics, fresh.metrics)
    assert "2 tasks" not in (out / "log.txt").read_text().splitlines()[-1]
    assert "4 tasks run" in (out / "log.txt").read_text().splitlines()[-1]


def _count(folder: Path) -> int:
    return len(list(folder.glob("p*-r*.parquet"))) if folder.is_dir() else 0


def test_sigkill_midway_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    exp_file = tmp_path / "e.toml"
    exp_file.write_text(
        f'scenario = "{(ROOT / "scenarios" / "shishi_12345.toml").as_posix()}"\n'
        'replications = 6\nseed = 3\nhorizon_days = 15\nkeep = ["units"]\n'
        '[factors]\n"regimes.consolidated.accuracy" = [0.8, 0.95]\n')
    out = tmp_path / "s"
    cmd = [sys.executable, "-m", "govsim.cli", "sweep", str(exp_file), "--out", str(out),
           "--executor", "serial"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _count(out / "metrics") < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = _count(out / "metrics")
    assert 3 <= done < 12
    assert not load_experiment(out).complete
    rc = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=300)
    assert rc.returncode == 0, rc.stderr
    res = load_experiment(out)
    assert res.complete
    keys = res.metrics[["point", "regime", "replication"]]
    assert not keys.duplicated().any() and len(keys) == 2 * 2 * 6
    assert _count(out / "units") == 12 and _count(out / "metrics") == 12
    assert not list(out.rglob("*.tmp"))
    log = (out / "log.txt").read_text().splitlines()
    assert f"{done} tasks already done" in log[-2] and f"{12 - done} tasks run" in log[-1]
    # and the result is the one an uninterrupted sweep gives
    whole = tmp_path / "whole"
    subprocess.run([*cmd[:-4], "--out", str(whole), "--executor", "serial"], check=True,
                   capture_output=True, timeout=300)
    assert file_digests(out) == file_digests(whole)


# ----------------------------------------------------------------------------- precision


def test_precision_target_easy_stops_at_the_first_batch(tmp_path: Path) -> None:
    prec = Precision(metrics=("cases",), relative=0.5, max_replications=20)
    res = sweep(small_experiment(keep=(), precision=prec), tmp_path / "s", executor="serial")
    assert res.manifest["planned_replications"] == {str(p): 3 for p in range(4)}


def test_precision_target_unreachable_stops_at_the_maximum(tmp_path: Path) -> None:
    prec = Precision(metrics=("resolution_days_median",), relative=0.001, max_replications=6,
                     min_batch=2)
    res = sweep(small_experiment(keep=(), precision=prec), tmp_path / "s", executor="serial")
    assert res.manifest["planned_replications"] == {str(p): 6 for p in range(4)}
    assert res.metrics.groupby("point")["replication"].nunique().eq(6).all()


def test_precision_target_met_where_it_stopped_early(tmp_path: Path) -> None:
    prec = Precision(metrics=("contacts_per_case", "units_per_case"), relative=0.02,
                     max_replications=40, min_batch=2)
    exp = small_experiment(keep=(), replications=2, precision=prec)
    res = sweep(exp, tmp_path / "s", executor="serial")
    planned = {int(p): n for p, n in res.manifest["planned_replications"].items()}
    summ = res.summary(list(prec.metrics)).set_index(["point", "regime", "metric"])
    for p, n in planned.items():
        rel = (summ.loc[p]["half_width"] / summ.loc[p]["mean"].abs()).max()
        if n < prec.max_replications:
            assert rel <= prec.adjusted
        assert (summ.loc[p]["n"] == n).all()
    assert any(n > 2 for n in planned.values())
    # the procedure is deterministic: the local executor plans the same replications
    local = sweep(exp, tmp_path / "l", executor="local", jobs=2)
    assert local.manifest["planned_replications"] == res.manifest["planned_replications"]
    pd.testing.assert_frame_equal(local.metrics, res.metrics)


# ----------------------------------------------------------------------------- analysis


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


def test_main_effects_need_a_full_factorial() -> None:
    points = pd.DataFrame({"a": [0.1, 0.5, 0.9]}, index=pd.RangeIndex(3, name="point"))
    points["b"] = [1.0, 2.0, 3.0]
    metrics = pd.DataFrame({"point": [0, 1, 2], "regime": "r", "replication": 0, "y": 1.0})
    with pytest.raises(GovsimError, match="full factorial"):
        main_effects(metrics, points, "y", "r")


def test_sensitivity_ranks_the_influential_factor_first() -> None:
    rng = np.random.default_rng(1)
    n = 40
    points = pd.DataFrame({"weak": rng.random(n), "strong": rng.random(n),
                           "none": rng.random(n)}, index=pd.RangeIndex(n, name="point"))
    rows = []
    for p, x in points.iterrows():
        for r in range(3):
            y = 10.0 * x["strong"] + 1.0 * x["weak"] + rng.normal(0.0, 0.05)
            rows.append({"point": p, "regime": "r", "replication": r, "y": y})
    out = sensitivity(pd.DataFrame(rows), points, "y", "r", boot=200)
    assert out["factor"].tolist()[:2] == ["strong", "weak"]
    strong = out.iloc[0]
    assert strong["prcc"] > 0.9 and strong["prcc_ci_low"] > 0.8
    none = out.set_index("factor").loc["none"]
    assert none["prcc_ci_low"] < 0.0 < none["prcc_ci_high"]
    assert out["r2_rank"].iloc[0] > 0.8


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


# ----------------------------------------------------------------------------- CLI, progress


def test_cli_sweep_prints_tables_and_writes_the_directory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exp_file = tmp_path / "e.toml"
    exp_file.write_text(
        f'scenario = "{(ROOT / "scenarios" / "district.toml").as_posix()}"\n'
        'replications = 2\nhorizon_days = 3\n[factors]\n"regimes.consolidated.accuracy" = [0.8, 0.9]\n')
    out = tmp_path / "s"
    assert main(["sweep", str(exp_file), "--out", str(out), "--executor", "serial",
                 "--metrics", "cases,resolved_share", "--seed", "4"]) == 0
    text = capsys.readouterr().out
    assert "cases (cases)" in text and "resolved_share (share)" in text
    assert "consolidated - fragmented" in text
    assert load_experiment(out).config["seed"] == 4
    assert main(["sweep", str(exp_file), "--out", str(out), "--executor", "serial"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", str(exp_file), "--out", str(out), "--metrics", "nope"]) == 2
    assert main(["sweep", str(exp_file), "--out", str(tmp_path / "x"), "--executor", "serial",
                 "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_progress_degrades_to_plain_lines() -> None:
    import io

    stream = io.StringIO()
    rep = ProgressReporter("sweep", 4, stream=stream, every=0.0, quiet_for=0.0)
    for k in range(1, 5):
        rep(k, 4 if k < 3 else 6)
    rep(6, 6)
    rep.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "sweep: 1/4 replications (0 s)"
    assert lines[-1].startswith("sweep: 6/6 replications")


def test_load_experiment_refuses_a_directory_without_one(tmp_path: Path) -> None:
    with pytest.raises(GovsimError, match="no experiment"):
        load_experiment(tmp_path)


def test_shipped_experiment_file_is_valid() -> None:
    exp = Experiment.from_toml(ROOT / "experiments" / "accuracy_staff.toml")
    assert len(exp.points) == 6 and exp.regimes == ("fragmented", "consolidated")


def test_a_short_run_is_the_opening_of_a_long_one() -> None:
    """World draws do not depend on the horizon, so with one seed the first days of a long
    run are the short run (common random numbers hold across horizon_days too)."""
    s = govsim.load_scenario(ROOT / "scenarios" / "district.toml")
    short = govsim.compare(s, replications=1, seed=3, horizon_days=5, jobs=1)
    long = govsim.compare(s, replications=1, seed=3, horizon_days=9, jobs=1)
    cut = pd.Timestamp(s.world.start) + pd.Timedelta(days=5)
    for regime in ("fragmented", "consolidated"):
        a = short.cases[short.cases["regime"] == regime].set_index("case")
        b = long.cases[long.cases["regime"] == regime].set_index("case")
        assert len(b) > len(a) > 500
        b = b.loc[a.index]
        pd.testing.assert_series_equal(a["first_filing"], b["first_filing"])
        pd.testing.assert_series_equal(a["category"], b["category"])
        done = a["resolved"]
        pd.testing.assert_series_equal(a["ended"][done], b["ended"][done])
        ea = short.events[short.events["regime"] == regime].reset_index(drop=True)
        eb = long.events[(long.events["regime"] == regime)
                         & (long.events["time:timestamp"] <= cut)].reset_index(drop=True)
        pd.testing.assert_frame_equal(ea, eb)
        assert (ea["time:timestamp"] <= cut).all()


def test_dead_workers_stop_the_sweep_with_a_clear_error_and_resume_finishes_it(
        tmp_path: Path) -> None:
    from concurrent.futures import BrokenExecutor

    class Dying(govsim.sweeps.SerialExecutor):
        """Runs two tasks, then behaves like a pool whose processes died."""

        def __init__(self) -> None:
            self.left = 2

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            if self.left == 0:
                raise BrokenExecutor("a child process terminated abruptly")
            self.left -= 1
            return super().submit(fn, *args, **kwargs)

    out = tmp_path / "s"
    with pytest.raises(RuntimeError, match="--resume runs the rest"):
        sweep(small_experiment(keep=()), out, executor=Dying())
    res = load_experiment(out)
    assert res.manifest["state"] == "incomplete" and len(res.metrics) == 2 * 2
    assert "2 tasks run" in (out / "log.txt").read_text().splitlines()[-1]
    again = sweep(small_experiment(keep=()), out, executor="serial", resume=True)
    assert again.complete and len(again.metrics) == 4 * 3 * 2


def test_precision_ignores_a_metric_a_regime_does_not_define(tmp_path: Path) -> None:
    # the reply share is NaN under the fragmented rules: only the consolidated regime counts
    prec = Precision(metrics=("reply_share", "cases"), relative=0.5,
                     max_replications=12)
    res = sweep(small_experiment(keep=(), precision=prec), tmp_path / "s", executor="serial",
                progress=False)
    assert res.manifest["planned_replications"] == {str(p): 3 for p in range(4)}
    assert all(v["met"] for v in res.manifest["precision"]["points"].values())


def test_precision_projection_uses_the_t_quantile_and_at_most_doubles() -> None:
    from govsim.sweeps import _precision

    rng = np.random.default_rng(0)
    values = rng.normal(100.0, 10.0, 5)
    rel, need = _precision(values, 0.01, 0.95, 1000)
    assert rel > 0.01 and 5 < need < 1000
    sd, mean = values.std(ddof=1), values.mean()
    from scipy import stats

    t = stats.t.ppf(0.975, need - 1)
    assert t * sd / np.sqrt(need) <= 0.01 * mean
    assert stats.t.ppf(0.975, need - 2) * sd / np.sqrt(need - 1) > 0.01 * mean
    assert _precision(np.array([np.nan, np.nan]), 0.01, 0.95, 50) == (np.inf, 50)
    assert _precision(np.array([-1.0, 1.0]), 0.01, 0.95, 50) == (np.inf, 50)
    # replications without a value (a median not reached) scale the projection up
    _, with_gaps = _precision(np.append(values, [np.nan] * 5), 0.01, 0.95, 1000)
    assert with_gaps == min(1000, int(np.ceil(need * 2)))


def test_resume_may_not_drop_replications_but_may_move_the_scenario_path(tmp_path: Path) -> None:
    out = tmp_path / "s"
    district = ROOT / "scenarios" / "district.toml"
    exp = Experiment(district, replications=2, horizon_days=2, seed=1)
    sweep(exp, out, executor="serial", progress=False)
    with pytest.raises(GovsimError, match="add replications, not drop them"):
        sweep(Experiment(district, replications=1, horizon_days=2, seed=1), out,
              executor="serial", resume=True)
    moved = Experiment(ROOT / "scenarios" / ".." / "scenarios" / "district.toml",
                       replications=2, horizon_days=2, seed=1)
    assert sweep(moved, out, executor="serial", resume=True, progress=False).complete


def test_a_misspelt_key_in_a_range_table_is_named() -> None:
    with pytest.raises(GovsimError, match="unknown key 'hight'") as err:
        Experiment.from_dict({"scenario": "district.toml", "factors": {
            "regimes.consolidated.accuracy": {"low": 0.8, "hight": 0.99}}},
            base=ROOT / "scenarios")
    assert err.value.path == "factors.regimes.consolidated.accuracy"


def test_an_unreachable_dask_scheduler_writes_nothing(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    out = tmp_path / "s"
    with pytest.raises(GovsimError) as err:
        sweep(small_experiment(keep=()), out, executor="dask", scheduler="tcp://127.0.0.1:9")
    assert err.value.path == "--scheduler"
    assert not out.exists()


def test_two_interrupts_stop_a_local_sweep_promptly(tmp_path: Path) -> None:
    exp_file = tmp_path / "e.toml"
    exp_file.write_text(
        f'scenario = "{(ROOT / "scenarios" / "district.toml").as_posix()}"\n'
        'replications = 8\nhorizon_days = 20\n')
    out = tmp_path / "s"
    proc = subprocess.Popen([sys.executable, "-m", "govsim.cli", "sweep", str(exp_file),
                             "--out", str(out), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _count(out / "metrics") < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the sweep did not stop within 30 s of two interrupts")
    # 130 from the CLI, or death by SIGINT when the second interrupt lands in the handling
    assert rc in (130, -signal.SIGINT)
    assert not load_experiment(out).complete
    # what was written is whole, and --resume finishes the sweep from it
    done = _count(out / "metrics")
    res = sweep(Experiment.from_toml(exp_file), out, executor="local", jobs=2, resume=True,
                progress=False)
    assert res.complete and len(res.metrics) == 2 * 8
    assert f"{done} tasks already done" in (out / "log.txt").read_text()
    assert not list(out.rglob("*.tmp"))  # a write cut short is cleared on resume


# ----------------------------------------------------------------------------- review fixes


def test_resume_refuses_reordered_factors_and_another_version(tmp_path: Path) -> None:
    out = tmp_path / "s"
    a = {"regimes.consolidated.accuracy": [0.6, 0.95], "world.units.owner.staff": [1, 3]}
    b = {"world.units.owner.staff": [1, 3], "regimes.consolidated.accuracy": [0.6, 0.95]}
    sweep(Experiment(tiny(5), factors=a, replications=1, seed=2), out, executor="serial",
          progress=False)
    with pytest.raises(GovsimError, match="different experiment"):
        sweep(Experiment(tiny(5), factors=b, replications=1, seed=2), out, executor="serial",
              resume=True)
    config = json.loads((out / "experiment.json").read_text())
    config["govsim_version"] = "0.0.1"
    (out / "experiment.json").write_text(json.dumps(config))
    with pytest.raises(GovsimError, match="govsim_version differs"):
        sweep(Experiment(tiny(5), factors=a, replications=1, seed=2), out, executor="serial",
              resume=True)


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


def test_uncommitted_tables_and_stale_records_are_not_results(tmp_path: Path) -> None:
    out = tmp_path / "s"
    exp = small_experiment(keep=("cases",), replications=2)
    res = sweep(exp, out, executor="serial", progress=False)
    full = len(res.cases)
    # as if killed between a task's tables and its metrics: the table is not a result
    (out / "metrics" / "p0001-r0001.parquet").unlink()
    # as if killed after the commit mark but before the failure record was removed
    (out / "failures" / "p0000-r0000.json").write_text('{"point": 0, "replication": 0, '
                                                       '"traceback": "old"}')
    (out / ".manifest.json.x.tmp").write_text("half")
    partial = load_experiment(out)
    assert partial.failures.empty
    assert len(partial.metrics) == (4 * 2 - 1) * 2
    assert len(partial.cases) == partial.metrics["cases"].sum() < full
    again = sweep(exp, out, executor="serial", resume=True, progress=False)
    assert again.complete and len(again.cases) == full
    assert not list(out.rglob("*.tmp"))


def test_a_sweep_where_every_task_fails_reports_it_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("nothing works")

    monkeypatch.setattr(govsim.sweeps, "run_replication", broken)
    exp_file = tmp_path / "e.toml"
    exp_file.write_text(f'scenario = "{(ROOT / "scenarios" / "district.toml").as_posix()}"\n'
                        'replications = 2\nhorizon_days = 2\n')
    assert main(["sweep", str(exp_file), "--out", str(tmp_path / "s"), "--executor",
                 "serial"]) == 1
    assert "2 replications failed" in capsys.readouterr().err
    res = load_experiment(tmp_path / "s")
    assert res.metrics.empty and "resolution_days_median" in res.metrics.columns
    assert res.summary(["cases"]).empty


def test_main_effects_refuse_a_design_without_complete_replications(tmp_path: Path) -> None:
    res = sweep(small_experiment(keep=()), tmp_path / "s", executor="serial", progress=False)
    m = res.metrics.copy()
    m.loc[m["point"] == 2, "units_per_case"] = np.nan
    with pytest.raises(GovsimError, match=r"design points \[2\]"):
        main_effects(m, res.points, "units_per_case", "consolidated")


def test_precision_does_not_ignore_a_metric_missing_at_one_point_only(tmp_path: Path) -> None:
    from govsim.sweeps import _next_batch, _Store

    exp = small_experiment(keep=(), replications=3,
                           precision=Precision(("resolution_days_median",), relative=0.5,
                                               max_replications=9))
    out = tmp_path / "s"
    sweep(small_experiment(keep=(), replications=3), out, executor="serial", progress=False)
    # make point 0's median unreached in every replication
    f = out / "metrics" / "p0000-r0000.parquet"
    for r in range(3):
        f = out / "metrics" / f"p0000-r{r:04d}.parquet"
        frame = pd.read_parquet(f)
        frame["resolution_days_median"] = np.nan
        frame.to_parquet(f, index=False)
    store = _Store(out, ())
    planned = {p: 3 for p in range(4)}
    done = {(p, r) for p in range(4) for r in range(3)}
    still = _next_batch(exp, store, planned, set(range(4)), done)
    assert 0 in still and planned[0] == 6
    assert store.precision["0"]["met"] is False and store.ignored == []

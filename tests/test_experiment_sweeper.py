"""The sweep's run loop (govsim.experiment.sweeper): common random numbers across points and
regimes, executors giving identical files, failures, dead workers and interrupts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from _factory import default_sigint
from _sweeps import ROOT, count_files, file_digests, small_experiment

import govsim
import govsim.experiment.sweeper
from govsim.cli import main
from govsim.errors import GovsimError
from govsim.experiment import Experiment, load_sweep, sweep
from govsim.experiment.executors import SerialExecutor


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
    import govsim.experiment.sweeper as sweep_module

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
    assert "cases (cases)" in text and "truly resolved (share)" in text
    assert "One number, 12345 - Many hotlines" in text
    assert load_sweep(out).config["seed"] == 4
    assert main(["sweep", str(exp_file), "--out", str(out), "--executor", "serial"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", str(exp_file), "--out", str(out), "--metrics", "nope"]) == 2
    assert main(["sweep", str(exp_file), "--out", str(tmp_path / "x"), "--executor", "serial",
                 "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_dead_workers_stop_the_sweep_with_a_clear_error_and_resume_finishes_it(
        tmp_path: Path) -> None:
    from concurrent.futures import BrokenExecutor

    class Dying(SerialExecutor):
        """Runs two tasks, then behaves like a pool whose processes died."""

        def __init__(self) -> None:
            self.left = 2

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            if self.left == 0:
                raise BrokenExecutor("a child process terminated abruptly")
            self.left -= 1
            return super().submit(fn, *args, **kwargs)

    out = tmp_path / "s"
    with pytest.raises(RuntimeError, match="runs the rest"):
        sweep(small_experiment(keep=()), out, executor=Dying())
    res = load_sweep(out)
    assert res.manifest["state"] == "incomplete" and len(res.metrics) == 2 * 2
    assert "2 tasks run" in (out / "log.txt").read_text().splitlines()[-1]
    again = sweep(small_experiment(keep=()), out, executor="serial", resume=True)
    assert again.complete and len(again.metrics) == 4 * 3 * 2


def test_an_unreachable_dask_scheduler_writes_nothing(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    out = tmp_path / "s"
    with pytest.raises(GovsimError) as err:
        sweep(small_experiment(keep=()), out, executor="dask", scheduler="tcp://127.0.0.1:9")
    assert err.value.path == "scheduler"
    assert not out.exists()


def test_two_interrupts_stop_a_local_sweep_promptly(tmp_path: Path) -> None:
    exp_file = tmp_path / "e.toml"
    exp_file.write_text(
        f'scenario = "{(ROOT / "scenarios" / "district.toml").as_posix()}"\n'
        'regimes = ["fragmented", "consolidated"]\nreplications = 8\nhorizon_days = 20\n')
    out = tmp_path / "s"
    proc = subprocess.Popen([sys.executable, "-m", "govsim.cli", "sweep", str(exp_file),
                             "--out", str(out), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_sigint)
    deadline = time.monotonic() + 120
    while count_files(out / "metrics") < 1 and time.monotonic() < deadline and proc.poll() is None:
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
    assert not load_sweep(out).complete
    # what was committed is whole, and --resume finishes the sweep from it (a metrics file
    # written just before the interrupt, without its commit mark, is not counted: it runs again)
    from govsim.experiment.store import committed

    done = len(committed(out))
    res = sweep(Experiment.from_toml(exp_file), out, executor="local", jobs=2, resume=True,
                progress=False)
    assert res.complete and len(res.metrics) == 2 * 8
    assert f"{done} tasks already done" in (out / "log.txt").read_text()
    assert not list(out.rglob("*.tmp"))  # a write cut short is cleared on resume


def test_a_sweep_where_every_task_fails_reports_it_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("nothing works")

    monkeypatch.setattr(govsim.experiment.sweeper, "run_replication", broken)
    exp_file = tmp_path / "e.toml"
    exp_file.write_text(f'scenario = "{(ROOT / "scenarios" / "district.toml").as_posix()}"\n'
                        'replications = 2\nhorizon_days = 2\n')
    assert main(["sweep", str(exp_file), "--out", str(tmp_path / "s"), "--executor",
                 "serial"]) == 1
    assert "2 replications failed" in capsys.readouterr().err
    res = load_sweep(tmp_path / "s")
    assert res.metrics.empty and "resolution_days_median" in res.metrics.columns
    assert res.summary(["cases"]).empty

"""The results directory (govsim.experiment.store): which directories a sweep may write,
resume, kills, and what is not a result."""

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
from _sweeps import ROOT, count_files, file_digests, small_experiment, tiny

from govsim.errors import GovsimError
from govsim.experiment import Experiment, load_sweep, sweep
from govsim.experiment.store import committed


def test_directory_rules(tmp_path: Path) -> None:
    out = tmp_path / "s"
    sweep(small_experiment(keep=()), out, executor="serial")
    before = file_digests(out)
    with pytest.raises(GovsimError, match="--resume") as err:
        sweep(small_experiment(keep=()), out, executor="serial")
    assert err.value.path == "out"
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
    while len(committed(out)) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(committed(out))  # a metrics file without its commit mark is not done
    assert 3 <= done < 12
    assert not load_sweep(out).complete
    rc = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=300)
    assert rc.returncode == 0, rc.stderr
    res = load_sweep(out)
    assert res.complete
    keys = res.metrics[["point", "regime", "replication"]]
    assert not keys.duplicated().any() and len(keys) == 2 * 2 * 6
    assert count_files(out / "units") == 12 and count_files(out / "metrics") == 12
    assert not list(out.rglob("*.tmp"))
    log = (out / "log.txt").read_text().splitlines()
    assert f"{done} tasks already done" in log[-2] and f"{12 - done} tasks run" in log[-1]
    # and the result is the one an uninterrupted sweep gives
    whole = tmp_path / "whole"
    subprocess.run([*cmd[:-4], "--out", str(whole), "--executor", "serial"], check=True,
                   capture_output=True, timeout=300)
    assert file_digests(out) == file_digests(whole)


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


def test_uncommitted_tables_and_stale_records_are_not_results(tmp_path: Path) -> None:
    out = tmp_path / "s"
    exp = small_experiment(keep=("cases",), replications=2)
    res = sweep(exp, out, executor="serial", progress=False)
    full = len(res.cases)
    # as if killed between a task's tables and its metrics: the table is not a result (and the
    # task has no record, which comes after its metrics)
    (out / "metrics" / "p0001-r0001.parquet").unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    for rel in ("metrics/p0001-r0001.parquet", "cases/p0001-r0001.parquet"):
        del manifest["files"][rel]
    (out / "manifest.json").write_text(json.dumps(manifest))
    # as if killed after the commit mark but before the failure record was removed
    (out / "failures" / "p0000-r0000.json").write_text('{"point": 0, "replication": 0, '
                                                       '"traceback": "old"}')
    (out / ".manifest.json.x.tmp").write_text("half")
    partial = load_sweep(out)
    assert partial.failures.empty
    assert len(partial.metrics) == (4 * 2 - 1) * 2
    assert len(partial.cases) == partial.metrics["cases"].sum() < full
    again = sweep(exp, out, executor="serial", resume=True, progress=False)
    assert again.complete and len(again.cases) == full
    assert not list(out.rglob("*.tmp"))


def test_a_disk_that_fills_during_a_sweep_keeps_what_was_committed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from govsim.experiment.store import ResultsStore

    reference = tmp_path / "ref"
    sweep(small_experiment(), reference, executor="serial", progress=False)
    out = tmp_path / "s"
    real = ResultsStore.write_result
    calls = {"n": 0}

    def fills(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ResultsStore, "write_result", fills)
    with pytest.raises(GovsimError, match="the 4 tasks committed before it are kept") as err:
        sweep(small_experiment(), out, executor="serial", progress=False)
    assert err.value.path == "out" and "No space left on device" in err.value.message
    partial = load_sweep(out)
    assert not partial.complete and len(partial.metrics) == 4 * 2
    monkeypatch.setattr(ResultsStore, "write_result", real)
    sweep(small_experiment(), out, executor="serial", resume=True, progress=False)
    assert file_digests(out) == file_digests(reference)


def test_a_disk_that_fills_while_a_task_commits(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The task's files are written; the disk fills as its commit mark is appended."""
    import errno

    from govsim.experiment.integrity import Records

    reference = tmp_path / "ref"
    sweep(small_experiment(), reference, executor="serial", progress=False)
    out = tmp_path / "s"
    real = Records.commit
    calls = {"n": 0}

    def fills(self, task, paths):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, task, paths)

    monkeypatch.setattr(Records, "commit", fills)
    with pytest.raises(GovsimError, match="failed .No space left on device") as err:
        sweep(small_experiment(), out, executor="serial", progress=False)
    assert err.value.path == "out"
    assert len(load_sweep(out).metrics) == 2 * 2  # the third task's files are not results
    monkeypatch.setattr(Records, "commit", real)
    sweep(small_experiment(), out, executor="serial", resume=True, progress=False)
    assert file_digests(out) == file_digests(reference)

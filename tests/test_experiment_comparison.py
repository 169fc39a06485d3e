"""Runs and paired comparisons (govsim.experiment.comparison): the same bytes on every
executor, the regime and baseline checks, dead workers, and a prompt stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import BrokenExecutor, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from _factory import category, consolidated, default_sigint, fragmented, scenario

import govsim
from govsim.cli import main
from govsim.errors import GovsimError
from govsim.experiment.executors import SerialExecutor, WorkersDied
from govsim.scenario import Scenario, scenario_data

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = ROOT / "scenarios" / "district.toml"


def small() -> Scenario:
    return scenario({"fragmented": fragmented(), "consolidated": consolidated(accuracy=0.9)},
                    categories={"leak": category(rate_per_day=6.0, work_hours=2.0)},
                    horizon_days=15)


def test_every_executor_gives_the_same_frames() -> None:
    s = small()
    serial = govsim.compare(s, replications=3, seed=5, executor="serial")
    local = govsim.compare(s, replications=3, seed=5, executor="local", jobs=2)
    with ThreadPoolExecutor(max_workers=2) as threads:
        threaded = govsim.compare(s, replications=3, seed=5, executor=threads)
    for other in (local, threaded):
        for table in ("metrics", "cases", "events", "units", "ledger", "lights"):
            pd.testing.assert_frame_equal(getattr(serial, table), getattr(other, table))


def test_dask_by_name_gives_the_same_metrics() -> None:
    pytest.importorskip("dask.distributed")
    s = small()
    serial = govsim.run(s, replications=2, seed=1, executor="serial")
    dask = govsim.run(s, replications=2, seed=1, executor="dask", jobs=1)
    pd.testing.assert_frame_equal(serial.metrics, dask.metrics)


def test_cli_compare_on_a_dask_local_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("dask.distributed")
    args = ["compare", str(DISTRICT), "-n", "2", "--horizon-days", "3", "--no-events", "--json"]
    assert main([*args, "--executor", "serial"]) == 0
    serial = capsys.readouterr().out
    assert main([*args, "--executor", "dask", "--jobs", "2"]) == 0
    assert capsys.readouterr().out == serial


def test_cli_refuses_a_scheduler_without_dask(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(DISTRICT), "-n", "1", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "govsim: error: --scheduler: " in capsys.readouterr().err


def test_a_plain_mapping_is_a_scenario() -> None:
    s = small()
    a = govsim.run(scenario_data(s), replications=1, seed=2)
    b = govsim.run(s, replications=1, seed=2)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)


@pytest.mark.parametrize("call, where", [
    (lambda s: govsim.run(s, "nosuch", replications=1), "regime"),
    (lambda s: govsim.compare(s, ["fragmented", "nosuch"], replications=1), "regimes"),
    (lambda s: govsim.compare(s, ["fragmented"], replications=1), "regimes"),
    (lambda s: govsim.compare(s, ["fragmented", "fragmented"], replications=1), "regimes"),
    (lambda s: govsim.compare(s, baseline="nosuch", replications=1), "baseline"),
    (lambda s: govsim.compare(s, replications=0), "replications"),
    (lambda s: govsim.compare(s, replications=1, seed=-1), "seed"),
    (lambda s: govsim.compare(s, replications=1, executor="threads"), "executor"),
    (lambda s: govsim.compare(s, replications=1, warmup_days=99), "warmup_days"),
    (lambda s: govsim.compare(s, replications=1, horizon_days=0), "horizon_days"),
])
def test_errors_name_the_parameter(call, where: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GovsimError) as err:
        call(small())
    assert err.value.path == where


def test_dead_workers_stop_a_comparison_with_a_clear_error() -> None:
    class Dying(SerialExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise BrokenExecutor("a child process terminated abruptly")

    with pytest.raises(WorkersDied, match="__main__"):
        govsim.compare(small(), replications=2, executor=Dying())


def _tagged_processes(tag: str) -> list[int]:
    """Processes whose environment carries ``tag`` (this test's workers and their parent)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if tag.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize("command", ["compare", "run", "sweep"])
def test_ctrl_c_stops_promptly_and_leaves_no_workers(command: str, tmp_path: Path) -> None:
    """Interrupted while both workers are busy: exit 130 within 2 s (measured: about 0.3 s,
    `benchmarks/interrupt_latency.py`), no worker left, nothing half-written."""
    tag = f"GOVSIM_TEST_TAG={uuid.uuid4().hex}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    if command == "sweep":
        exp = tmp_path / "e.toml"
        exp.write_text(f'scenario = "{DISTRICT.as_posix()}"\nreplications = 8\n'
                       'horizon_days = 60\n')
        args = ["sweep", str(exp), "--out", str(tmp_path / "s"), "-j", "2"]
    else:
        args = [command, str(DISTRICT), "-n", "8", "-j", "2", "--horizon-days", "60",
                "--no-events", "--out", str(tmp_path / "s")]
    proc = subprocess.Popen([sys.executable, "-m", "govsim.cli", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=default_sigint)
    deadline = time.monotonic() + 60
    # wait until both workers are up (the parent, the forkserver and two workers carry the tag)
    while len(_tagged_processes(tag)) < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(1.0)
    assert proc.poll() is None, f"{command} ended before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"{command} did not stop within 15 s of Ctrl-C")
    stopped_after = time.monotonic() - sent
    assert rc in (130, -signal.SIGINT)
    assert stopped_after < 2.0, f"took {stopped_after:.1f} s"
    time.sleep(0.5)
    assert _tagged_processes(tag) == [], "worker processes outlived the interrupt"
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    assert not list((tmp_path / "s").rglob("*.tmp"))  # nothing half-written


def test_no_interval_claims_the_impossible_on_the_docs_example() -> None:
    """The probe of a hostile user: the small city of docs/scenarios.md, 2 replications of 20
    days, 20 seeds -- shares and their intervals within [0, 1], costs and times >= 0, share
    differences within [-1, 1]."""
    import tomllib

    from _factory import minimal_example_toml

    from govsim.measure.metrics import FEASIBLE

    data = tomllib.loads(minimal_example_toml())
    for seed in range(20):
        cmp = govsim.compare(data, replications=2, seed=seed, horizon_days=20, jobs=1,
                             record_events=False)
        summ = cmp.summary().dropna(subset=["ci_low"])
        lo = summ["metric"].map(lambda m: FEASIBLE[m][0])
        hi = summ["metric"].map(lambda m: FEASIBLE[m][1])
        assert ((summ["ci_low"] >= lo) & (summ["ci_high"] <= hi)).all(), seed
        diff = cmp.differences().dropna(subset=["ci_low"])
        width = diff["metric"].map(lambda m: FEASIBLE[m][1] - FEASIBLE[m][0])
        assert ((diff["ci_low"] >= -width) & (diff["ci_high"] <= width)).all(), seed


@pytest.mark.parametrize("kwargs, where", [
    ({"replications": 1.5}, "replications"), ({"replications": "2"}, "replications"),
    ({"replications": True}, "replications"), ({"seed": 1.5}, "seed"), ({"seed": True}, "seed"),
    ({"jobs": -2}, "jobs"), ({"jobs": 0}, "jobs"), ({"jobs": 1.0}, "jobs"),
    ({"regimes": "fragmented"}, "regimes"), ({"regimes": [1, 2]}, "regimes"),
    ({"baseline": 3}, "baseline"), ({"record_events": "yes"}, "record_events"),
    ({"progress": "bar"}, "progress"), ({"scheduler": 8786}, "scheduler"),
    ({"warmup_days": True}, "warmup_days"), ({"horizon_days": 2.5}, "horizon_days"),
    ({"memory_budget": 0}, "memory_budget"),
])
def test_every_argument_is_checked_and_named(kwargs: dict, where: str) -> None:
    with pytest.raises(GovsimError) as err:
        govsim.compare(small(), **{"replications": 1, **kwargs})
    assert err.value.path == where


@pytest.mark.parametrize("given", [None, 3, ["a"], b"name = 'x'"])
def test_what_is_not_a_scenario_is_a_govsim_error(given: object) -> None:
    for call in (govsim.run, govsim.compare):
        with pytest.raises(GovsimError) as err:
            call(given, replications=1)  # type: ignore[arg-type]
        assert err.value.path == "scenario"


def test_a_dict_scenario_with_a_problem_names_its_key() -> None:
    data = scenario_data(small())
    data["world"]["units"]["owner"]["staff"] = 0
    with pytest.raises(GovsimError) as err:
        govsim.compare(data, replications=1)
    assert err.value.path == "world.units.owner.staff"

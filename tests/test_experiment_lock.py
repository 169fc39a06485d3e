"""One writer per results directory (govsim.experiment.lock)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from _sweeps import file_digests, small_experiment

from govsim.errors import GovsimError
from govsim.experiment import sweep
from govsim.experiment.lock import LOCK, locked


def test_a_second_writer_is_refused_and_told_who_holds_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "s"
    sweep(small_experiment(keep=(), replications=1), out, executor="serial", progress=False)
    before = file_digests(out)
    with locked(out):  # as if another `govsim sweep --resume` were running
        held = json.loads((out / LOCK).read_text())
        assert held["pid"] == os.getpid()
        holder = re.escape(f"another sweep (process {os.getpid()} on ")
        with pytest.raises(GovsimError, match=holder) as err:
            sweep(small_experiment(keep=(), replications=2), out, executor="serial",
                  resume=True, progress=False)
        assert err.value.path == "out"
    assert file_digests(out) == before  # the refused writer wrote nothing
    # released: the next one goes ahead
    res = sweep(small_experiment(keep=(), replications=2), out, executor="serial", resume=True,
                progress=False)
    assert res.complete and (out / LOCK).read_bytes() == b""


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "s"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, pathlib\n"
         "from govsim.experiment.lock import locked\n"
         "with locked(pathlib.Path(sys.argv[1])):\n"
         "    print('held', flush=True)\n"
         "    time.sleep(600)\n", str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(GovsimError, match=f"process {holder.pid} on "):
            sweep(small_experiment(keep=(), replications=1), out, executor="serial",
                  progress=False)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # killed while holding it: the file still names the dead process, the lock is free
    assert json.loads((out / LOCK).read_text())["pid"] == holder.pid
    res = sweep(small_experiment(keep=(), replications=1), out, executor="serial",
                progress=False)
    assert res.complete


def test_the_lock_file_alone_does_not_make_a_directory_foreign(tmp_path: Path) -> None:
    out = tmp_path / "s"
    with locked(out):
        pass
    assert [p.name for p in out.iterdir()] == [LOCK]
    sweep(small_experiment(keep=(), replications=1), out, executor="serial", progress=False)

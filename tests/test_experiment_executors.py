"""One way to open and drive executors (govsim.experiment.executors): names and objects,
bounded queues, dead workers, and prompt stops when the caller is interrupted."""

from __future__ import annotations

import os
import time
from concurrent.futures import BrokenExecutor, Future, ThreadPoolExecutor
from typing import Any

import pytest

from govsim.errors import GovsimError
from govsim.experiment.executors import (
    Pool,
    SerialExecutor,
    WorkersDied,
    check_executor,
    open_executor,
    run_tasks,
)


def _square(x: int) -> int:
    return x * x


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@pytest.mark.parametrize("executor, scheduler, where", [
    ("threads", None, "executor"),
    ("serial", "tcp://127.0.0.1:1", "scheduler"),
    (SerialExecutor(), "tcp://127.0.0.1:1", "scheduler"),
])
def test_bad_executor_arguments_name_the_parameter(executor: Any, scheduler: str | None,
                                                   where: str) -> None:
    with pytest.raises(GovsimError) as err:
        check_executor(executor, scheduler)
    assert err.value.path == where


@pytest.mark.parametrize("jobs", [0, -2, 1.5, True, "2"])
def test_bad_jobs_are_refused(jobs: Any) -> None:
    with pytest.raises(GovsimError) as err, open_executor("serial", jobs=jobs):
        pass
    assert err.value.path == "jobs"


def test_serial_and_local_pools() -> None:
    with open_executor("serial") as pool:
        assert isinstance(pool.executor, SerialExecutor) and pool.slots == 1
    with open_executor("local", jobs=4, tasks=2) as pool:  # never more workers than tasks
        assert pool.slots == 2 and pool.described == "local (2 processes)"
        assert pool.executor.submit(_square, 7).result() == 49


def test_an_executor_object_is_used_as_it_is_and_left_open() -> None:
    with ThreadPoolExecutor(max_workers=3) as threads:
        with open_executor(threads) as pool:
            assert pool.executor is threads and pool.slots == 3
        assert threads.submit(_square, 3).result() == 9  # still open: its owner closes it


def test_run_tasks_gives_every_result_once_and_keeps_the_queue_short() -> None:
    ex = ThreadPoolExecutor(max_workers=2)
    pool = Pool(ex, 2, "threads", ex.shutdown)
    seen: dict[int, int] = {}
    in_flight: list[int] = []
    submitted = 0

    def tasks():  # type: ignore[no-untyped-def]
        nonlocal submitted
        for k in range(40):
            submitted += 1
            in_flight.append(submitted - len(seen))
            yield k, k

    run_tasks(pool, _square, tasks(), lambda k, f: seen.__setitem__(k, f.result()))
    pool.release()
    assert seen == {k: k * k for k in range(40)}
    assert max(in_flight) <= 2 * 2 + 2  # never more than 2 x slots + 2 waiting


def test_dead_workers_are_reported_with_what_to_do() -> None:
    class Dying(SerialExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise BrokenExecutor("a child process terminated abruptly")

    pool = Pool(Dying(), 1, "dying", lambda: None)
    with pytest.raises(WorkersDied, match="__main__") as err:
        run_tasks(pool, _square, [(0, 1)], lambda k, f: None, hint="Try again.")
    assert "terminated abruptly" in str(err.value) and "Try again." in str(err.value)

    class DyingLater(SerialExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            f: Future[Any] = Future()
            f.set_exception(BrokenExecutor("worker killed"))
            return f

    with pytest.raises(WorkersDied, match="worker killed"):
        run_tasks(Pool(DyingLater(), 1, "x", lambda: None), _square, [(0, 1)],
                  lambda k, f: None)


def test_an_interrupt_ends_local_workers_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), open_executor("local", jobs=2) as pool:
        futures = [pool.executor.submit(_sleep, 60.0) for _ in range(4)]
        # the workers are busy with the first two (on a loaded machine they take a while to
        # start: wait for them rather than for a fixed time)
        deadline = time.monotonic() + 15.0
        while len(pool.executor._processes) < 2 and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        time.sleep(0.5)
        processes = list(pool.executor._processes.values())  # type: ignore[attr-defined]
        raise KeyboardInterrupt
    assert time.monotonic() - started < 35.0
    assert processes and not any(p.is_alive() for p in processes)
    assert all(f.done() for f in futures)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
def test_dask_local_cluster_opens_and_closes() -> None:
    pytest.importorskip("dask.distributed")
    with open_executor("dask", jobs=1) as pool:
        assert pool.executor.submit(_square, 5).result() == 25
        assert pool.described.startswith("dask (LocalCluster")


def test_dask_killed_workers_are_dead_workers_too() -> None:
    killed = type("KilledWorker", (Exception,), {"__module__": "distributed.scheduler"})

    class Killing(SerialExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            f: Future[Any] = Future()
            f.set_exception(killed("task p0-r0 was running on two workers that died"))
            return f

    with pytest.raises(WorkersDied, match="workers that died"):
        run_tasks(Pool(Killing(), 1, "x", lambda: None), _square, [(0, 1)], lambda k, f: None)


def test_queued_tasks_are_cancelled_when_the_loop_stops_early() -> None:
    ex = ThreadPoolExecutor(max_workers=1)
    pool = Pool(ex, 1, "one thread", ex.shutdown)
    futures: list[Future[Any]] = []
    real_submit = ex.submit

    def submit(fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        f = real_submit(fn, *args, **kwargs)
        futures.append(f)
        return f

    ex.submit = submit  # type: ignore[method-assign]

    def fail(key: int, future: Future[Any]) -> None:
        raise RuntimeError("cannot handle the result")

    with pytest.raises(RuntimeError, match="cannot handle"):
        run_tasks(pool, _sleep, [(k, 0.2) for k in range(10)], fail)
    ex.shutdown(wait=True)
    assert len(futures) == 4  # 2 x slots + 2 were queued, no more
    assert sum(f.cancelled() for f in futures) >= 2  # what had not started was cancelled

"""Where replications run: one way to open serial, local, Dask or any executor, and to drive it.

Layer: experiment. :func:`open_executor` turns a name (``"serial"``, ``"local"``, ``"dask"``)
or any :class:`concurrent.futures.Executor` into a :class:`Pool` -- the executor, how many tasks
it runs at once, and how to release it -- as a context manager that, when the block raises
(Ctrl-C included), stops local worker processes at once instead of waiting for queued work.
:func:`run_tasks` keeps every slot busy with a short queue behind it, hands each result back as
it arrives, and reports workers that died with a sentence saying what to do. Every study
(:mod:`~govsim.experiment.comparison`, :mod:`~govsim.experiment.sweeper`, ...) runs through these
two functions, so they all accept the same executors and behave alike on interrupts.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from govsim.errors import GovsimError
from govsim.version import __version__

__all__ = ["EXECUTORS", "SerialExecutor", "Pool", "WorkersDied", "check_executor",
           "open_executor", "run_tasks", "run_all", "start_method"]

#: executor names accepted by ``executor=`` and ``--executor``
EXECUTORS = ("local", "serial", "dask")

K = TypeVar("K")


class SerialExecutor(Executor):
    """Runs each task in the calling process when it is submitted (for debugging: breakpoints
    and tracebacks work as usual)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        f: Future[Any] = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            f.set_exception(exc)
        return f


class WorkersDied(RuntimeError):
    """The executor's worker processes died (killed, out of memory, or a script without the
    ``if __name__ == "__main__":`` guard)."""


@dataclass
class Pool:
    """An opened executor: the executor itself, how many tasks it runs at once, a description
    for logs, and how to release it (``abort``: at once, after an interrupt)."""

    executor: Executor
    slots: int
    described: str
    release: Callable[[], None]
    abort: Callable[[], None] | None = None


def start_method() -> str:
    """forkserver where it exists (safe with threads, works in Jupyter), else spawn."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def check_executor(executor: Any, scheduler: str | None = None) -> None:
    """Raise :class:`GovsimError` (at ``executor`` or ``scheduler``) unless ``executor`` is a
    known name or an :class:`~concurrent.futures.Executor` and ``scheduler`` goes with it."""
    if isinstance(executor, Executor):
        if scheduler is not None:
            raise GovsimError("a scheduler address goes with executor 'dask'", "scheduler")
        return
    if executor not in EXECUTORS:
        raise GovsimError(f"unknown executor {executor!r}; expected one of {', '.join(EXECUTORS)}"
                          " or a concurrent.futures.Executor", "executor")
    if scheduler is not None and not isinstance(scheduler, str):
        raise GovsimError(f"must be an address such as 'tcp://HOST:8786', got {scheduler!r}",
                          "scheduler")
    if scheduler is not None and executor != "dask":
        raise GovsimError("a scheduler address goes with executor 'dask'", "scheduler")


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a process pool now: cancel what is queued, end the running workers, and wait until
    every future is done (no public way to reach the workers or the pool's manager thread)."""
    processes = list(getattr(pool, "_processes", {}).values())
    # the thread that sees the dead workers and fails their running tasks; shutdown() forgets
    # it, so take it first
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)
    if manager is not None:
        manager.join(timeout=10)


def _govsim_version() -> str:
    """This process's govsim version (run on each Dask worker to compare)."""
    return __version__


def _open_dask(workers: int, scheduler: str | None) -> Pool:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise GovsimError("the dask executor needs Dask: pip install 'govsim[dask]'",
                          "executor") from None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)

        def close_local() -> None:
            client.close()
            cluster.close()

        # pure=False: every task is new work (no hashing of scenarios for Dask's cache)
        return Pool(client.get_executor(pure=False), workers,
                    f"dask (LocalCluster, {workers} workers)", close_local)
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise GovsimError(f"cannot reach a Dask scheduler at {scheduler!r} ({exc})",
                          "scheduler") from None
    try:
        versions = set(client.run(_govsim_version).values())
    except Exception as exc:  # noqa: BLE001 - e.g. govsim not importable on a worker
        client.close()
        raise GovsimError(f"the Dask workers cannot import govsim ({exc}); install govsim "
                          f"{__version__} on every worker", "scheduler") from None
    problem = None
    if not versions:
        problem = f"no workers are connected to the Dask scheduler at {scheduler!r}"
    elif versions != {__version__}:
        problem = (f"the Dask workers run govsim {', '.join(sorted(versions))}, this process "
                   f"{__version__}; results would not be comparable")
    if problem is not None:
        client.close()
        raise GovsimError(problem, "scheduler")
    threads = sum(client.nthreads().values()) or 1
    return Pool(client.get_executor(pure=False), threads,
                f"dask ({scheduler}, {threads} threads)", client.close)


def _open(executor: str | Executor, jobs: int | None, scheduler: str | None,
          tasks: int | None) -> Pool:
    check_executor(executor, scheduler)
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise GovsimError(f"must be a whole number >= 1, got {jobs!r}", "jobs")
    if isinstance(executor, Executor):
        slots = getattr(executor, "_max_workers", None) or os.cpu_count() or 1
        return Pool(executor, slots, type(executor).__name__, lambda: None)
    if executor == "serial":
        return Pool(SerialExecutor(), 1, "serial", lambda: None)
    workers = jobs or os.cpu_count() or 1
    if tasks is not None:
        workers = max(1, min(workers, tasks))  # no idle processes for a short run
    if executor == "dask":
        return _open_dask(workers, scheduler)
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context(start_method()))
    return Pool(pool, workers, f"local ({workers} processes)",
                lambda: pool.shutdown(cancel_futures=True), lambda: _stop_pool(pool))


@contextmanager
def open_executor(executor: str | Executor = "local", *, jobs: int | None = None,
                  scheduler: str | None = None, tasks: int | None = None) -> Iterator[Pool]:
    """Open an executor for the length of a ``with`` block.

    When the block raises (an interrupt included), local workers are ended at once and queued
    tasks cancelled; otherwise the executor is shut down after its running tasks.

    Parameters
    ----------
    executor:
        ``"local"`` (a process pool of ``jobs`` processes, default one per core, never more
        than ``tasks``; forkserver where it exists, else spawn), ``"serial"`` (in this
        process), ``"dask"`` (the cluster at ``scheduler``, or a
        :class:`dask.distributed.LocalCluster` on 127.0.0.1 with ``jobs`` workers), or any
        :class:`concurrent.futures.Executor` (left open: its owner closes it).
    jobs, scheduler, tasks:
        As above; an unreachable scheduler, or one whose workers run another govsim version,
        is a :class:`GovsimError` before anything runs.
    """
    pool = _open(executor, jobs, scheduler, tasks)
    try:
        yield pool
    except BaseException:
        (pool.abort or pool.release)()
        raise
    pool.release()


def _workers_died(exc: BaseException | None) -> bool:
    """A process pool's broken state, or Dask's ``KilledWorker`` (a task whose workers kept
    dying), without importing Dask."""
    return isinstance(exc, BrokenExecutor) or (
        type(exc).__name__ == "KilledWorker" and type(exc).__module__.startswith("distributed"))


_DIED = ("the executor's workers died ({exc}).{hint} In a script, call govsim under "
         "`if __name__ == \"__main__\":` (worker processes import the main module)")


def run_tasks(pool: Pool, fn: Callable[[Any], Any], tasks: Iterable[tuple[K, Any]],
              on_result: Callable[[K, Future[Any]], None], *, hint: str = "") -> None:
    """Run ``fn(arg)`` for every ``(key, arg)`` of ``tasks`` on ``pool`` and call
    ``on_result(key, future)`` as each one finishes (in order of completion).

    At most ``2 × slots + 2`` tasks are submitted at a time (one at a time on a serial
    executor), so the caller holds few arguments and results however many tasks there are;
    when the loop stops early (an interrupt, an error) the tasks still queued are cancelled.
    Dead workers -- a broken process pool, or Dask's ``KilledWorker`` -- raise
    :class:`WorkersDied` with a sentence on what to do (``hint`` is added to it).
    """
    limit = 1 if isinstance(pool.executor, SerialExecutor) else 2 * pool.slots + 2
    pending: dict[Future[Any], K] = {}
    queue = iter(tasks)
    hint = f" {hint}" if hint else ""

    def top_up() -> None:
        for key, arg in queue:
            try:
                pending[pool.executor.submit(fn, arg)] = key
            except BrokenExecutor as exc:
                raise WorkersDied(_DIED.format(exc=exc, hint=hint)) from exc
            if len(pending) >= limit:
                break

    try:
        top_up()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                key = pending.pop(f)
                exc = None if f.cancelled() else f.exception()
                if _workers_died(exc):
                    raise WorkersDied(_DIED.format(exc=exc, hint=hint)) from exc
                on_result(key, f)
            top_up()
    except BaseException:
        # stopped (an interrupt, dead workers, a result that could not be handled): what is
        # still queued is not wanted -- on any executor, not only the local pool
        for f in pending:
            f.cancel()
        raise


def run_all(fn: Callable[[Any], Any], tasks: Iterable[tuple[int, Any]], total: int, *,
            executor: str | Executor, jobs: int | None = None, scheduler: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> list[Any]:
    """Open ``executor`` for ``total`` tasks, run ``fn(arg)`` for every ``(key, arg)`` of
    ``tasks`` (:func:`run_tasks`), report ``progress(done, total)`` as each finishes, and
    return the results in the order of their keys (whatever order they finished in)."""
    if progress is not None and not callable(progress):
        raise GovsimError(f"must be a function (done, total) or None, got {progress!r}",
                          "progress")
    done: dict[int, Any] = {}

    def collect(key: int, future: Future[Any]) -> None:
        done[key] = future.result()
        if progress:
            progress(len(done), total)

    with open_executor(executor, jobs=jobs, scheduler=scheduler, tasks=total) as pool:
        run_tasks(pool, fn, tasks, collect)
    return [done[key] for key in sorted(done)]

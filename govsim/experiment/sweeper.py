"""The sweep: regimes × design points × replications, on any executor, into a directory.

Layer: experiment. One *task* is one design point × one replication: the world of replication
``r`` is drawn once and every regime runs on it. Random streams are addressed by
``(seed, r, stream name)`` only (:func:`govsim.model.draws.stream`), so every design point and
every regime of replication ``r`` sees the same citizens, problems and work content, and the
same regime-side stream: differences between regimes *and* between design points are paired
replication by replication (common random numbers).

Workers only compute; this process writes each result as it arrives
(:class:`~govsim.experiment.store.ResultsStore`). With a precision target
(:mod:`govsim.experiment.sequential`) tasks run in batches until every point meets it.
"""

from __future__ import annotations

import os
import time
import traceback
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from govsim.atomic import check_destination
from govsim.errors import GovsimError
from govsim.experiment.checks import check_memory, output_bytes
from govsim.experiment.config import Experiment
from govsim.experiment.executors import Pool, check_executor, open_executor, run_tasks
from govsim.experiment.lock import locked
from govsim.experiment.replication import run_replication
from govsim.experiment.results import SweepResults, load_sweep
from govsim.experiment.sequential import next_batch
from govsim.experiment.store import ResultsStore, committed, stem
from govsim.progress import Progress
from govsim.scenario import Scenario
from govsim.scenario.edit import plain

__all__ = ["sweep", "check_directory"]

_RESUME_HINT = ("The tasks already written are kept; resuming the sweep (resume=True; --resume on "
                "the command line) runs the rest.")


@dataclass(frozen=True)
class _Task:
    point: int
    replication: int
    scenario: Scenario
    regimes: tuple[str, ...]
    seed: int
    warmup_days: float
    keep: tuple[str, ...]


@dataclass
class _TaskResult:
    metrics: pd.DataFrame | None
    tables: dict[str, pd.DataFrame]
    error: str | None = None


def _run_task(task: _Task) -> _TaskResult:
    """One design point × one replication, every regime on the same world. Runs in a worker;
    an exception becomes a recorded failure rather than stopping the sweep."""
    try:
        # only the metrics and the tables over time: a run that keeps nothing else
        metrics_only = not set(task.keep) - {"daily", "cohorts"}
        out = run_replication(task.scenario, task.regimes, task.seed, task.replication,
                              record_events="events" in task.keep, warmup_days=task.warmup_days,
                              recording="metrics" if metrics_only else "tables")
        metrics = pd.DataFrame(out.metrics)
        metrics.insert(0, "point", task.point)
        metrics["regime"] = metrics["regime"].astype(str)
        kept = {}
        for name in task.keep:
            frame = pd.concat(getattr(out, name), ignore_index=True)
            frame.insert(0, "point", task.point)
            frame["regime"] = frame["regime"].astype(str)
            kept[name] = frame
        return _TaskResult(metrics, kept)
    except Exception:  # noqa: BLE001 - recorded with its traceback, the sweep goes on
        return _TaskResult(None, {}, traceback.format_exc())


def check_directory(experiment: Experiment, out: str | os.PathLike[str], resume: bool) -> None:
    """Raise :class:`~govsim.errors.GovsimError` if :func:`sweep` would refuse ``out``
    (writes nothing)."""
    ResultsStore(Path(out), experiment.keep).check(experiment, resume)


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def sweep(experiment: Experiment | str | os.PathLike[str], out: str | os.PathLike[str], *,
          executor: str | Executor = "local", jobs: int | None = None,
          scheduler: str | None = None, resume: bool = False,
          progress: bool | Progress | None = True,
          memory_budget: float | None = None) -> SweepResults:
    """Run an experiment into the directory ``out`` and return its results.

    Parameters
    ----------
    experiment:
        An :class:`~govsim.experiment.config.Experiment` or the path of an experiment file.
    out:
        The results directory (created; must be new or empty unless ``resume``).
    executor, jobs, scheduler:
        Where tasks run (see :func:`~govsim.experiment.executors.open_executor`): ``"local"``
        (a process pool over ``jobs`` or all cores), ``"serial"``, ``"dask"`` (the cluster at
        ``scheduler``, or a ``LocalCluster`` on 127.0.0.1), or any
        :class:`concurrent.futures.Executor`. Results do not depend on the choice.
    resume:
        Complete a sweep already in ``out`` (same experiment; more replications allowed):
        tasks with results on disk are skipped, failed ones are run again.
    progress:
        ``True`` (default) for a bar on stderr (plain lines every 10 s when stderr is not a
        terminal, nothing for runs under 2 s), ``False`` for silence, or a callable
        ``(done, total)``.
    memory_budget:
        GiB one worker may be expected to use (default 8): a design point whose estimate is
        larger is refused before anything runs.

    Returns
    -------
    SweepResults
        As :func:`~govsim.experiment.results.load_sweep` gives it. Failed tasks are in
        ``.failures``; a sweep with failures is still returned (check ``.complete``).

    Examples
    --------
    >>> import govsim, tempfile
    >>> exp = govsim.Experiment("district", {"regimes.consolidated.accuracy": [0.8, 0.97]},
    ...                         regimes=["fragmented", "consolidated"], horizon_days=10,
    ...                         replications=2)
    >>> res = govsim.sweep(exp, tempfile.mkdtemp(), executor="serial", progress=False)
    >>> res.complete, len(res.metrics)       # 2 points x 2 regimes x 2 replications
    (True, 8)
    >>> res.differences(["tickets_per_case"])[["point", "regime", "mean_diff"]].round(2)
       point        regime  mean_diff
    0      0  consolidated      -0.54
    1      1  consolidated      -0.68
    """
    if not isinstance(experiment, Experiment | str | os.PathLike):
        raise GovsimError("must be an Experiment or the path of an experiment file, got "
                          f"{type(experiment).__name__}", "experiment")
    exp = experiment if isinstance(experiment, Experiment) else Experiment.from_toml(experiment)
    if not isinstance(out, str | os.PathLike):
        raise GovsimError(f"must be a directory path, got {out!r}", "out")
    check_executor(executor, scheduler)  # before anything is written
    if not isinstance(resume, bool):
        raise GovsimError(f"must be true or false, got {resume!r}", "resume")
    if not (isinstance(progress, bool) or progress is None or callable(progress)):
        raise GovsimError(f"must be true, false or a function (done, total), got {progress!r}",
                          "progress")
    for point in range(len(exp.points)):  # a worker holds one task's tables at a time
        check_memory(exp.scenario_at(point), len(exp.regimes), 1, "events" in exp.keep,
                     memory_budget)
    store = ResultsStore(Path(out), exp.keep)
    store.check(exp, resume)
    # an unreachable cluster writes nothing; an interrupt ends local workers at once; one
    # writer at a time (checked again under the lock: another may have written meanwhile)
    with open_executor(executor, jobs=jobs, scheduler=scheduler) as pool:
        if exp.keep:  # this process holds the kept tables of every task in flight
            for point in range(len(exp.points)):
                check_memory(exp.scenario_at(point), len(exp.regimes), 2 * pool.slots + 2,
                             "events" in exp.keep, memory_budget, running=False)
        check_destination(store.root, "out", _disk_need(exp, store))
        with locked(store.root):
            store.check(exp, resume)
            try:
                store.prepare(exp)
                _run(exp, store, pool, resume, progress)
            except OSError as exc:  # a full disk, a directory gone: what is committed stays
                raise GovsimError(
                    f"writing into {str(store.root)!r} failed ({exc.strerror or exc}); every "
                    "task committed before it is kept and verified: make room and resume the "
                    "sweep (resume=True; --resume on the command line)", "out") from None
    return load_sweep(out)


def _disk_need(exp: Experiment, store: ResultsStore) -> int:
    """A rough estimate of the bytes a sweep still has to write: the metrics and kept tables
    of the tasks not yet committed."""
    total = len(exp.points) * exp.replications
    left = max(0, total - len(committed(store.root))) / total if store.root.is_dir() else 1.0
    need = total * 8192
    if exp.keep:
        need += sum(output_bytes(exp.scenario_at(p), len(exp.regimes), exp.replications,
                                 "events" in exp.keep) for p in range(len(exp.points)))
    return int(need * left)


def _run(exp: Experiment, store: ResultsStore, pool: Pool, resume: bool,
         progress: bool | Progress | None) -> None:
    """The run loop: batches until done, the manifest and the log kept true throughout."""
    points = range(len(exp.points))
    planned = {p: exp.replications for p in points}
    done = store.done()
    failed: set[tuple[int, int]] = set()
    report: Progress | None = progress if callable(progress) else None
    bar = None
    if progress is True:
        from govsim.progress import ProgressReporter

        # a task is one design point x one replication (every regime)
        bar = report = ProgressReporter(f"govsim sweep {exp.name}", sum(planned.values()),
                                        noun="tasks")
    started, done_before = time.monotonic(), len(done)
    store.log(f"{_stamp()} start: {pool.described}, {len(done)} tasks already done, "
              f"resume={resume}")
    if store.adopted:
        store.log(f"{_stamp()} {len(store.adopted)} tasks had no records (the directory was "
                  "written before they were kept, or its manifest was lost): their files read "
                  "back whole and are now recorded")
    if store.set_aside:
        store.log(f"{_stamp()} set aside (damaged after they were written; their tasks run "
                  f"again): {', '.join(store.set_aside)}")
    state, word = "incomplete", "stopped"
    try:
        active = set(points)
        while True:
            # a batch: every planned task of the active points that is not on disk
            todo = [(p, r) for p in sorted(active) for r in range(planned[p])
                    if (p, r) not in done and (p, r) not in failed]
            store.manifest(exp, planned, done, failed, "running")
            _run_batch(pool, exp, store, todo, done, failed, planned, report)
            if exp.precision is None:
                break
            finished = [(p, r) for p in sorted(active) for r in range(planned[p])
                        if (p, r) in done]
            active = next_batch(exp.precision, exp.regimes, store.read_metrics(finished),
                                planned, active, store.precision)
            if not active:
                break
        word = "end"
        if not failed and all((p, r) in done for p in points for r in range(planned[p])):
            state = "complete"
    finally:
        # the manifest and the log say how far the sweep got, even when it was stopped
        if bar is not None:
            bar.close()
        try:
            store.manifest(exp, planned, done, failed, state)
            store.log(f"{_stamp()} {word}: {len(done) - done_before + len(failed)} tasks run "
                      f"in {time.monotonic() - started:.1f} s, {len(failed)} failed, {state}")
        except OSError as exc:
            if word == "end":  # nothing else went wrong: this is the error to report
                raise GovsimError(f"writing the manifest of {str(store.root)!r} failed "
                                  f"({exc.strerror or exc}); every committed task is recorded "
                                  "in committed.jsonl: make room and resume the sweep",
                                  "out") from None
            # already stopping for another reason (say, the same full disk): the commit
            # records in the journal still say what is done, and resuming rewrites these


def _run_batch(pool: Pool, exp: Experiment, store: ResultsStore, todo: list[tuple[int, int]],
               done: set[tuple[int, int]], failed: set[tuple[int, int]],
               planned: dict[int, int], report: Progress | None) -> None:
    """Run ``todo`` and write each result as it arrives."""
    total = sum(planned.values())

    def task(key: tuple[int, int]) -> _Task:
        return _Task(key[0], key[1], exp.scenario_at(key[0]), exp.regimes, exp.seed,
                     exp.warmup_days, exp.keep)

    def write(key: tuple[int, int], future: Future[_TaskResult]) -> None:
        p, r = key
        try:
            result = future.result()
        except Exception:  # noqa: BLE001 - the task could not run: record it, go on
            result = _TaskResult(None, {}, traceback.format_exc())
        try:
            if result.error is None:
                assert result.metrics is not None
                store.write_result(p, r, result.metrics, result.tables)
                done.add(key)
                failed.discard(key)
            else:
                store.write_failure(p, r, {
                    "point": p, "replication": r, "seed": exp.seed, "regimes": list(exp.regimes),
                    "factors": {c: plain(exp.points[c].iloc[p]) for c in exp.points.columns},
                    "traceback": result.error})
                failed.add(key)
        except OSError as exc:  # a full disk, a directory gone: what is committed stays
            raise GovsimError(
                f"writing the results of {stem(p, r)} into {str(store.root)!r} failed "
                f"({exc.strerror or exc}); the {len(done)} tasks committed before it are kept "
                "and verified: make room and resume the sweep (resume=True; --resume on the "
                "command line) to run the rest", "out") from None
        if report is not None:
            report(len(done) + len(failed), total)

    run_tasks(pool, _run_task, ((key, task(key)) for key in todo), write, hint=_RESUME_HINT)

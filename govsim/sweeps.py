"""Sweeps: regimes × design points × replications, on disk, on any executor.

Layer: experiment. An :class:`Experiment` names a scenario, the regimes, the factors to vary
and a design (see :mod:`govsim.design`), replications and a root seed; :func:`sweep` runs it
into a directory and :func:`load_experiment` reads it back.

One *task* is one design point × one replication: the world of replication ``r`` is drawn once
and every regime runs on it. Random streams are addressed by ``(seed, r, stream name)`` only
(:func:`govsim.model.world.stream`): every design point and every regime of replication ``r``
sees the same citizens, problems and work content, and the same regime-side stream, so
differences between regimes *and* between design points are paired replication by
replication (common random numbers). Replications are independent of each other.

Results directory::

    DIR/experiment.json     the resolved configuration (the whole scenario included)
    DIR/points.parquet      the design points: point, then one column per factor (and .csv)
    DIR/manifest.json       what is planned and what is done (rewritten as the sweep goes)
    DIR/metrics/p0003-r0007.parquet   one per design point × replication (all regimes)
    DIR/<table>/p0003-r0007.parquet   the kept tables (``keep``: cases, units, ...)
    DIR/failures/p0003-r0007.json     a failed task: its configuration and traceback
    DIR/log.txt             one line per session (start, executor, tasks run, time)

Every file is written atomically, and a task's metrics file is written after its tables, so
a task counts as done exactly when its metrics file exists: ``resume=True`` runs the rest.
The parent process writes every file (workers only compute), so a Dask cluster need not share
the results directory's file system.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import time
import tomllib
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim import __version__
from govsim._io import atomic_write_frame, atomic_write_text
from govsim.analysis.metrics import METRICS
from govsim.analysis.stats import mean_ci
from govsim.design import Design, Factor, apply_factors, design_points, scenario_data
from govsim.errors import GovsimError
from govsim.experiment import check_warmup, run_replication
from govsim.model import build_calendar
from govsim.scenario import Scenario, load_scenario, with_overrides

__all__ = [
    "Experiment",
    "Precision",
    "SweepResults",
    "SerialExecutor",
    "sweep",
    "load_experiment",
    "KEEPABLE",
    "EXECUTORS",
]

#: tables a sweep can keep besides the metrics
KEEPABLE = ("cases", "units", "ledger", "lights", "events")
#: names accepted by ``executor=`` and ``--executor``
EXECUTORS = ("local", "serial", "dask")

Progress = Callable[[int, int], None]


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Precision:
    """A precision target: add replications until every chosen metric's confidence interval
    is narrow enough (the sequential procedure in ``docs/experiments.md``).

    Parameters
    ----------
    metrics:
        Metric names (see :data:`govsim.analysis.metrics.METRICS`).
    relative:
        Target relative half-width γ: stop a design point once, for every regime and metric,
        ``half_width / |mean| <= γ / (1 + γ)``.
    max_replications:
        Never run more than this many replications of a design point.
    min_batch:
        Add at least this many replications at a time.
    confidence:
        Confidence level of the intervals.
    """

    metrics: tuple[str, ...]
    relative: float
    max_replications: int
    min_batch: int = 2
    confidence: float = 0.95

    def __post_init__(self) -> None:
        metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
        object.__setattr__(self, "metrics", metrics)
        if not self.metrics:
            raise GovsimError("name at least one metric", "precision.metrics")
        for m in self.metrics:
            if m not in METRICS:
                raise GovsimError(f"unknown metric {m!r}", "precision.metrics")
        if not (isinstance(self.relative, int | float) and 0.0 < self.relative < 1.0):
            raise GovsimError(f"must be a number between 0 and 1, got {self.relative!r}",
                              "precision.relative")
        _whole(self.max_replications, 2, "precision.max_replications")
        _whole(self.min_batch, 1, "precision.min_batch")
        if not (isinstance(self.confidence, float) and 0.5 <= self.confidence < 1.0):
            raise GovsimError(f"must be a number from 0.5 to below 1, got {self.confidence!r}",
                              "precision.confidence")

    @property
    def adjusted(self) -> float:
        """γ' = γ / (1 + γ): the half-width target on the estimate that makes γ a bound on
        the relative error to the true mean (Law, *Simulation Modeling and Analysis*, §9.4.1)."""
        return self.relative / (1.0 + self.relative)


def _whole(value: Any, minimum: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GovsimError(f"must be a whole number >= {minimum}, got {value!r}", where)
    return value


@dataclass(frozen=True)
class Experiment:
    """A sweep's definition. Everything is checked when it is made: scenario, regimes, factor
    paths, and every design point as a scenario -- nothing runs before that.

    Parameters
    ----------
    scenario:
        A :class:`~govsim.scenario.Scenario` or the path of a scenario TOML file.
    factors:
        ``{path: levels}`` or ``{path: {"low": .., "high": .., "integer": ..}}``, or a sequence
        of :class:`~govsim.design.Factor`.
    design:
        ``"factorial"`` (default), or a :class:`~govsim.design.Design` (``lhs``/``sobol`` with
        ``points``); a string with ``points=`` for the sampled kinds.
    regimes, baseline:
        Regimes to run (default: all, in file order) and the one paired differences subtract
        (default: the first).
    replications:
        Replications per design point (the first batch, with a precision target).
    seed:
        Root seed: worlds, regime-side streams and the design sample all derive from it.
    horizon_days:
        Override the scenario's horizon (before the factors are applied).
    warmup_days:
        Cases arriving earlier are left out of every table and metric.
    keep:
        Tables to store besides the metrics (any of :data:`KEEPABLE`).
    precision:
        A :class:`Precision` target, or ``None`` for a fixed number of replications.
    name:
        A label for reports.
    """

    scenario: Scenario
    factors: tuple[Factor, ...] = ()
    design: Design = field(default_factory=Design)
    regimes: tuple[str, ...] = ()
    baseline: str = ""
    replications: int = 10
    seed: int = 0
    horizon_days: int | None = None
    warmup_days: float = 0.0
    keep: tuple[str, ...] = ()
    precision: Precision | None = None
    name: str = ""
    scenario_source: str = ""

    def __init__(self, scenario: Scenario | str | os.PathLike[str],
                 factors: Mapping[str, Any] | Sequence[Factor] = (),
                 design: Design | str = "factorial", *, points: int | None = None,
                 regimes: Sequence[str] | None = None, baseline: str | None = None,
                 replications: int = 10, seed: int = 0, horizon_days: int | None = None,
                 warmup_days: float = 0.0, keep: Sequence[str] = (),
                 precision: Precision | Mapping[str, Any] | None = None, name: str = "",
                 scenario_source: str | None = None) -> None:
        put = object.__setattr__
        if isinstance(scenario, Scenario):
            s, source = scenario, scenario_source or ""
        else:
            try:
                s = load_scenario(scenario)
            except GovsimError as exc:
                if exc.path == "SCENARIO":  # the file itself: name the experiment's key
                    raise GovsimError(exc.message, "scenario") from None
                raise
            source = scenario_source or str(scenario)
        if horizon_days is not None:
            _whole(horizon_days, 1, "horizon_days")
            if horizon_days == s.world.horizon_days:
                horizon_days = None  # the scenario's own: the same experiment either way
            else:
                s = with_overrides(s, horizon_days=horizon_days)
        build_calendar(s)  # a horizon beyond the holiday data is refused here, once
        put(self, "scenario", s)
        put(self, "scenario_source", source)
        put(self, "horizon_days", horizon_days)
        if isinstance(factors, Mapping):
            fs = tuple(Factor.from_spec(p, v) for p, v in factors.items())
        else:
            fs = tuple(factors)
        put(self, "factors", fs)
        if isinstance(design, str):
            design = Design(design, points)  # type: ignore[arg-type]
        elif points is not None:
            raise GovsimError("give points inside the Design", "points")
        put(self, "design", design)
        names = tuple(regimes) if regimes is not None else tuple(s.regime_names)
        if not names:
            raise GovsimError("name at least one regime", "regimes")
        for n in names:
            if n not in s.regimes:
                raise GovsimError(f"unknown regime {n!r}; the scenario has "
                                  f"{', '.join(s.regime_names)}", "regimes")
        if len(set(names)) != len(names):
            raise GovsimError("a regime is named twice", "regimes")
        put(self, "regimes", names)
        base = baseline if baseline is not None else names[0]
        if base not in names:
            raise GovsimError(f"baseline {base!r} is not among the regimes run", "baseline")
        put(self, "baseline", base)
        put(self, "replications", _whole(replications, 1, "replications"))
        put(self, "seed", _whole(seed, 0, "seed"))
        put(self, "warmup_days", check_warmup(warmup_days, s))
        for k in keep:
            if k not in KEEPABLE:
                raise GovsimError(f"unknown table {k!r}; expected some of {', '.join(KEEPABLE)}",
                                  "keep")
        put(self, "keep", tuple(k for k in KEEPABLE if k in keep))
        if isinstance(precision, Mapping):
            unknown = set(precision) - {"metrics", "relative", "max_replications", "min_batch",
                                        "confidence"}
            if unknown:
                raise GovsimError(f"unknown key {sorted(unknown)[0]!r}", "precision")
            missing = {"metrics", "relative", "max_replications"} - set(precision)
            if missing:
                raise GovsimError(f"{sorted(missing)[0]} is required", "precision")
            precision = Precision(**precision)
        if precision is not None and precision.max_replications < self.replications:
            raise GovsimError(f"is below replications ({self.replications})",
                              "precision.max_replications")
        put(self, "precision", precision)
        put(self, "name", name or s.name)
        data = scenario_data(s)
        from govsim.design import check_path

        seen: dict[str, str] = {}
        for f in fs:
            key = check_path(data, f.path)
            if key in seen:
                raise GovsimError(f"names the same value as {seen[key]!r} ({key})",
                                  f"factors.{f.path}")
            seen[key] = f.path
        table = design_points(fs, design, self.seed)
        put(self, "_points", table)
        scenarios = []
        for point, row in enumerate(table.to_dict("records")):
            try:
                sc = apply_factors(s, {p: v for p, v in row.items()})
            except GovsimError as exc:
                hint = [f.path for f in fs if f.levels is None and not f.integer
                        and f.path == exc.path]
                if hint and "integer" in exc.message:
                    raise GovsimError(f"{exc.message}; add integer = true to the range of "
                                      f"factors.{hint[0]}", exc.path) from None
                raise
            if sc is not s:
                # a factor may move the horizon: the calendar and the warm-up must still fit
                try:
                    build_calendar(sc)
                    check_warmup(warmup_days, sc)
                except GovsimError as exc:
                    raise GovsimError(f"{exc.message} (at design point {point})",
                                      exc.path) from None
            scenarios.append(sc)
        put(self, "_scenarios", tuple(scenarios))

    @property
    def points(self) -> pd.DataFrame:
        """The design points: index ``point``, one column per factor path."""
        return self._points.copy()  # type: ignore[attr-defined]

    def scenario_at(self, point: int) -> Scenario:
        """The scenario of design point ``point`` (factors applied, validated)."""
        return self._scenarios[point]  # type: ignore[attr-defined]

    def config(self) -> dict[str, Any]:
        """The resolved configuration as JSON-ready data (what ``experiment.json`` holds)."""
        return {
            "govsim_version": __version__,
            "name": self.name,
            "scenario_source": self.scenario_source,
            "regimes": list(self.regimes),
            "baseline": self.baseline,
            "replications": self.replications,
            "seed": self.seed,
            "horizon_days": self.horizon_days,
            "warmup_days": self.warmup_days,
            "keep": list(self.keep),
            "design": {"kind": self.design.kind, "points": self.design.points},
            # a list: the order of the factors numbers the design points
            "factors": [{"path": f.path, **f.to_spec()} for f in self.factors],
            "precision": None if self.precision is None else {
                "metrics": list(self.precision.metrics), "relative": self.precision.relative,
                "max_replications": self.precision.max_replications,
                "min_batch": self.precision.min_batch,
                "confidence": self.precision.confidence},
            "scenario": self.scenario.model_dump(mode="json"),
        }

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], **overrides: Any) -> Experiment:
        """Read an experiment file (format in ``docs/experiments.md``); ``scenario`` is a path
        relative to the experiment file. ``overrides`` replace top-level keys of the file
        (``replications=20``, ``seed=3``); ``None`` values are ignored."""
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise GovsimError(f"experiment file {str(p)!r} does not exist", "EXPERIMENT") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise GovsimError(f"{p} is not valid TOML ({exc})", "EXPERIMENT") from None
        data.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(data, base=p.parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: str | os.PathLike[str] = ".") -> Experiment:
        """An experiment from parsed TOML (see :meth:`from_toml`)."""
        known = {"name", "description", "scenario", "regimes", "baseline", "replications",
                 "seed", "horizon_days", "warmup_days", "keep", "design", "factors", "precision"}
        for key in data:
            if key not in known:
                raise GovsimError(f"unknown key; expected some of {', '.join(sorted(known))}", key)
        if "scenario" not in data:
            raise GovsimError("is required (the path of a scenario file)", "scenario")
        if not isinstance(data["scenario"], str):
            raise GovsimError("must be the path of a scenario file", "scenario")
        scenario_path = Path(base) / data["scenario"]
        design = data.get("design", {})
        if not isinstance(design, Mapping):
            raise GovsimError("must be a table with kind (and points)", "design")
        for key in design:
            if key not in ("kind", "points"):
                raise GovsimError("unknown key; expected kind or points", f"design.{key}")
        factors = data.get("factors", {})
        if not isinstance(factors, Mapping):
            raise GovsimError("must be a table of key path = levels or range", "factors")
        for key, kind in (("regimes", list), ("keep", list), ("precision", Mapping),
                          ("name", str), ("baseline", str)):
            if key in data and not isinstance(data[key], kind):
                raise GovsimError(f"has the wrong type ({type(data[key]).__name__})", key)
        return cls(
            scenario_path,
            factors=_flatten_factors(factors),
            design=Design(design.get("kind", "factorial"), design.get("points")),
            regimes=data.get("regimes"),
            baseline=data.get("baseline"),
            replications=data.get("replications", 10),
            seed=data.get("seed", 0),
            horizon_days=data.get("horizon_days"),
            warmup_days=data.get("warmup_days", 0.0),
            keep=data.get("keep", ()),
            precision=data.get("precision"),
            name=data.get("name", ""),
            scenario_source=str(data["scenario"]),
        )


_FACTOR_KEYS = {"levels", "low", "high", "integer"}


def check_directory(experiment: Experiment, out: str | os.PathLike[str], resume: bool) -> None:
    """Raise :class:`GovsimError` if :func:`sweep` would refuse ``out`` (writes nothing)."""
    _Store(Path(out), experiment.keep).check(experiment, resume)


def _flatten_factors(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``[factors]`` may use quoted dotted keys or nested tables; a table whose keys are
    ``levels``/``low``/``high``/``integer`` is one factor's range."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else key
        found = (_flatten_factors(value, path)
                 if isinstance(value, Mapping) and value and not set(value) & _FACTOR_KEYS
                 else {path: value})
        for p, v in found.items():
            if p in out:
                raise GovsimError("is given twice (as a dotted key and in a nested table)",
                                  f"factors.{p}")
            out[p] = v
    return out


# ----------------------------------------------------------------------------- tasks


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
    point: int
    replication: int
    metrics: pd.DataFrame | None
    tables: dict[str, pd.DataFrame]
    error: str | None = None


def _run_task(task: _Task) -> _TaskResult:
    """One design point × one replication, every regime on the same world. Runs in a worker;
    an exception becomes a recorded failure rather than stopping the sweep."""
    try:
        out = run_replication(task.scenario, task.regimes, task.seed, task.replication,
                              record_events="events" in task.keep, warmup_days=task.warmup_days)
        metrics = pd.DataFrame(out.metrics)
        metrics.insert(0, "point", task.point)
        metrics["regime"] = metrics["regime"].astype(str)
        kept = {}
        for name in task.keep:
            frame = pd.concat(getattr(out, name), ignore_index=True)
            frame.insert(0, "point", task.point)
            frame["regime"] = frame["regime"].astype(str)
            kept[name] = frame
        return _TaskResult(task.point, task.replication, metrics, kept)
    except Exception:  # noqa: BLE001 - recorded with its traceback, the sweep goes on
        return _TaskResult(task.point, task.replication, None, {}, traceback.format_exc())


def _stem(point: int, replication: int) -> str:
    return f"p{point:04d}-r{replication:04d}"


def _parse_stem(stem: str) -> tuple[int, int] | None:
    try:
        p, r = stem.split("-")
        if p[0] == "p" and r[0] == "r":
            return int(p[1:]), int(r[1:])
    except (ValueError, IndexError):
        pass
    return None


# ----------------------------------------------------------------------------- executors


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


def _start_method() -> str:
    """forkserver where it exists (safe with threads, works in Jupyter), else spawn."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _govsim_version() -> str:
    import govsim

    return govsim.__version__


def _check_executor(executor: str | Executor, scheduler: str | None) -> None:
    if isinstance(executor, Executor):
        if scheduler is not None:
            raise GovsimError("a scheduler address goes with executor='dask'", "--scheduler")
        return
    if executor not in EXECUTORS:
        raise GovsimError(f"unknown executor {executor!r}; expected one of {', '.join(EXECUTORS)}",
                          "--executor")
    if scheduler is not None and executor != "dask":
        raise GovsimError("a scheduler address goes with --executor dask", "--scheduler")


@dataclass
class _Opened:
    executor: Executor
    release: Callable[[], None]
    described: str
    slots: int  # tasks it can run at once
    #: release after an interrupt: stop at once rather than wait for running tasks
    abort: Callable[[], None] | None = None


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a process pool now: cancel what is queued and end the running workers."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to reach them
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)


def _open_executor(executor: str | Executor, jobs: int | None, scheduler: str | None) -> _Opened:
    """The executor, a function that releases it, a description for the log, and its slots."""
    _check_executor(executor, scheduler)
    if isinstance(executor, Executor):
        slots = getattr(executor, "_max_workers", None) or os.cpu_count() or 1
        return _Opened(executor, lambda: None, type(executor).__name__, slots)
    if executor == "serial":
        return _Opened(SerialExecutor(), lambda: None, "serial", 1)
    workers = jobs or os.cpu_count() or 1
    if executor == "local":
        pool = ProcessPoolExecutor(max_workers=workers,
                                   mp_context=multiprocessing.get_context(_start_method()))
        return _Opened(pool, lambda: pool.shutdown(cancel_futures=True),
                       f"local ({workers} processes)", workers, lambda: _stop_pool(pool))
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise GovsimError("the dask executor needs Dask: pip install 'govsim[dask]'",
                          "--executor") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise GovsimError(f"cannot reach a Dask scheduler at {scheduler!r} ({exc})",
                              "--scheduler") from None

        def close_remote() -> None:
            client.close()

        # pure=False: every task is new work (no hashing of scenarios for Dask's cache)
        try:
            versions = set(client.run(_govsim_version).values())
        except Exception as exc:  # noqa: BLE001 - e.g. govsim not importable on a worker
            client.close()
            raise GovsimError(f"the Dask workers cannot import govsim ({exc}); install govsim "
                              f"{__version__} on every worker", "--scheduler") from None
        if not versions:
            client.close()
            raise GovsimError(f"no workers are connected to the Dask scheduler at {scheduler!r}",
                              "--scheduler")
        if versions != {__version__}:
            client.close()
            raise GovsimError(f"the Dask workers run govsim {', '.join(sorted(versions))}, this "
                              f"process {__version__}; results would not be comparable",
                              "--scheduler")
        threads = sum(client.nthreads().values()) or 1
        return _Opened(client.get_executor(pure=False), close_remote,
                       f"dask ({scheduler}, {threads} threads)", threads)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)

    def close_local() -> None:
        client.close()
        cluster.close()

    return _Opened(client.get_executor(pure=False), close_local,
                   f"dask (LocalCluster, {workers} workers)", workers)


# ----------------------------------------------------------------------------- the store


class _Store:
    """The results directory (layout in the module docstring)."""

    def __init__(self, root: Path, keep: Sequence[str]) -> None:
        self.root = root
        self.keep = tuple(keep)
        #: per design point, how precise the last check found it (precision targets only)
        self.precision: dict[str, dict[str, Any]] = {}
        #: regime:metric pairs left out of the precision target (no value anywhere so far)
        self.ignored: list[str] = []

    def path(self, table: str, point: int, replication: int, ext: str = "parquet") -> Path:
        return self.root / table / f"{_stem(point, replication)}.{ext}"

    def done(self) -> set[tuple[int, int]]:
        folder = self.root / "metrics"
        if not folder.is_dir():
            return set()
        found = (_parse_stem(f.name[: -len(".parquet")]) for f in folder.glob("p*-r*.parquet"))
        return {k for k in found if k is not None}

    def write(self, result: _TaskResult, task: _Task, experiment: Experiment) -> None:
        p, r = result.point, result.replication
        if result.error is not None:
            record = {
                "point": p,
                "replication": r,
                "seed": task.seed,
                "regimes": list(task.regimes),
                "factors": {c: _json_value(experiment.points[c].iloc[p])
                            for c in experiment.points.columns},
                "traceback": result.error,
            }
            atomic_write_text(json.dumps(record, indent=2) + "\n", self.path("failures", p, r, "json"))
            return
        self.path("failures", p, r, "json").unlink(missing_ok=True)
        for name, frame in result.tables.items():
            atomic_write_frame(frame, self.path(name, p, r))
        assert result.metrics is not None
        atomic_write_frame(result.metrics, self.path("metrics", p, r))  # last: the commit mark

    def check(self, experiment: Experiment, resume: bool) -> None:
        """Refuse a directory the sweep must not write into (nothing is written here)."""
        root = self.root
        if root.exists() and not root.is_dir():
            raise GovsimError(f"{str(root)!r} exists and is not a directory", "--out")
        config = experiment.config()
        stored = root / "experiment.json"
        if stored.exists():
            try:
                old = json.loads(stored.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise GovsimError(f"{stored} cannot be read ({exc})", "--out") from None
            if not resume:
                raise GovsimError(f"{str(root)!r} already holds an experiment; pass --resume to "
                                  "complete it, or choose another directory", "--out")
            diff = _first_difference(_identity(old), _identity(config))
            if diff is not None:
                raise GovsimError(f"{str(root)!r} holds a different experiment ({diff} differs); "
                                  "choose another directory", "--out")
            stored_points = root / "points.parquet"
            if stored_points.exists():
                old_points = pd.read_parquet(stored_points)
                new_points = experiment.points.reset_index()
                if not (old_points.shape == new_points.shape
                        and list(old_points.columns) == list(new_points.columns)
                        and old_points.astype(str).equals(new_points.astype(str))):
                    raise GovsimError(f"{str(root)!r} holds other design points; choose another "
                                      "directory", "--out")
            if config["replications"] < old.get("replications", 0):
                raise GovsimError(f"{str(root)!r} holds {old['replications']} replications per "
                                  f"point; a resume may add replications, not drop them",
                                  "replications")
        elif root.is_dir() and any(root.iterdir()):
            raise GovsimError(f"{str(root)!r} is not empty and holds no experiment; choose an "
                              "empty or new directory", "--out")

    def prepare(self, experiment: Experiment) -> None:
        """Create the directory and write the configuration and design points."""
        root = self.root
        config = experiment.config()
        stored = root / "experiment.json"
        try:
            root.mkdir(parents=True, exist_ok=True)
            # the configuration first: a directory holding it is this experiment's
            # (replications and the precision target may change on resume, to extend a sweep)
            atomic_write_text(json.dumps(config, indent=2) + "\n", stored)
            for sub in ("metrics", "failures", *self.keep):
                (root / sub).mkdir(exist_ok=True)
        except OSError as exc:
            raise GovsimError(f"cannot create {str(root)!r} ({exc.strerror})", "--out") from None
        # a write interrupted by a kill leaves a temporary file behind: it was never a result
        for stale in [*root.glob(".*.tmp"), *root.glob("*/.*.tmp")]:
            stale.unlink(missing_ok=True)
        # tables of a task whose metrics (the commit mark) never came were never a result
        done = {_stem(p, r) for p, r in self.done()}
        for table in KEEPABLE:
            for f in (root / table).glob("p*-r*.parquet"):
                if f.name[: -len(".parquet")] not in done:
                    f.unlink(missing_ok=True)
        points = experiment.points.reset_index()
        atomic_write_frame(points, root / "points.parquet")  # typed, for load_experiment
        atomic_write_frame(points, root / "points.csv", "csv")  # for people

    def manifest(self, experiment: Experiment, planned: Mapping[int, int],
                 done: set[tuple[int, int]], failed: set[tuple[int, int]], state: str) -> None:
        data = {
            "govsim_version": __version__,
            "name": experiment.name,
            "state": state,
            "points": len(planned),
            "regimes": list(experiment.regimes),
            "planned_replications": {str(p): n for p, n in sorted(planned.items())},
            "tasks_planned": sum(planned.values()),
            "tasks_done": len(done),
            "tasks_failed": sorted(_stem(p, r) for p, r in failed),
            "tables": ["metrics", *self.keep],
        }
        if experiment.precision is not None:
            data["precision"] = {"target_relative_half_width": experiment.precision.adjusted,
                                 "ignored_undefined": self.ignored,
                                 "points": dict(sorted(self.precision.items(),
                                                       key=lambda kv: int(kv[0])))}
        atomic_write_text(json.dumps(data, indent=2) + "\n", self.root / "manifest.json")

    def log(self, line: str) -> None:
        with open(self.root / "log.txt", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def _identity(config: Mapping[str, Any]) -> dict[str, Any]:
    """What must match for a resume: everything but the replications, the precision target
    and how the scenario's path was written (the scenario itself is compared, key by key)."""
    return {k: v for k, v in config.items()
            if k not in ("replications", "precision", "scenario_source")}


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path}.{k}".lstrip(".")
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d is not None:
                return d.lstrip(".")
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d is not None:
                return d
        return None
    return None if a == b else (path.lstrip(".") or "the configuration")


def _json_value(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


# ----------------------------------------------------------------------------- the sweep


def sweep(experiment: Experiment | str | os.PathLike[str], out: str | os.PathLike[str], *,
          executor: str | Executor = "local", jobs: int | None = None,
          scheduler: str | None = None, resume: bool = False,
          progress: bool | Progress | None = True) -> SweepResults:
    """Run an experiment into the directory ``out`` and return its results.

    Parameters
    ----------
    experiment:
        An :class:`Experiment` or the path of an experiment TOML file.
    out:
        The results directory (created; must be new or empty unless ``resume``).
    executor:
        ``"local"`` (a process pool over ``jobs`` or all cores), ``"serial"`` (in this
        process), ``"dask"`` (a Dask cluster at ``scheduler``, or a
        :class:`dask.distributed.LocalCluster` on 127.0.0.1 when none is given), or any
        :class:`concurrent.futures.Executor`. Results do not depend on the choice.
    resume:
        Complete a sweep already in ``out`` (same experiment; more replications allowed):
        tasks with results on disk are skipped, failed ones are run again.
    progress:
        ``True`` (default) for a bar on stderr (plain lines every 10 s when stderr is not a
        terminal, nothing for runs under 2 s), ``False`` for silence, or a callable
        ``(done, total)``.

    Returns
    -------
    SweepResults
        As :func:`load_experiment` gives it. Failed tasks are in ``.failures``; a sweep with
        failures is still returned (check ``.complete``).
    """
    exp = experiment if isinstance(experiment, Experiment) else Experiment.from_toml(experiment)
    if jobs is not None:
        _whole(jobs, 1, "--jobs")
    _check_executor(executor, scheduler)  # before anything is written
    store = _Store(Path(out), exp.keep)
    store.check(exp, resume)
    opened = _open_executor(executor, jobs, scheduler)  # an unreachable cluster writes nothing
    try:
        store.prepare(exp)
    except BaseException:
        opened.release()
        raise
    points = range(len(exp.points))
    planned = {p: exp.replications for p in points}
    done = store.done()
    failed: set[tuple[int, int]] = set()
    report: Progress | None
    closer: Callable[[], None] = lambda: None  # noqa: E731
    if progress is True:
        from govsim.progress import ProgressReporter

        # a task is one design point x one replication (every regime)
        bar = ProgressReporter(f"govsim sweep {exp.name}", sum(planned.values()), noun="tasks")
        report, closer = bar, bar.close
    else:
        report = progress or None

    started = time.monotonic()
    done_before = len(done)
    store.log(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} start: {opened.described}, "
              f"{len(done)} tasks already done, resume={resume}")
    state = "incomplete"
    try:
        active = set(points)
        while True:
            # a batch: every planned task of the active points that is not on disk
            todo = [(p, r) for p in sorted(active) for r in range(planned[p])
                    if (p, r) not in done and (p, r) not in failed]
            store.manifest(exp, planned, done, failed, "running")
            _run_batch(opened.executor, opened.slots, exp, store, todo, done, failed, planned,
                       report)
            if exp.precision is None:
                break
            active = _next_batch(exp, store, planned, active, done)
            if not active:
                break
        state = "complete" if not failed and all(
            (p, r) in done for p in points for r in range(planned[p])) else "incomplete"
    except BaseException:
        # interrupted (Ctrl-C) or stopped: end the workers now; what was written stays
        closer()
        try:
            (opened.abort or opened.release)()
        finally:
            store.manifest(exp, planned, done, failed, "incomplete")
            store.log(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} stopped: "
                      f"{len(done) - done_before + len(failed)} tasks run in "
                      f"{time.monotonic() - started:.1f} s, {len(failed)} failed, incomplete")
        raise
    else:
        closer()
        try:
            opened.release()
        finally:
            # the manifest and the log say how far the sweep got, even when it was stopped
            store.manifest(exp, planned, done, failed, state)
            ran = len(done) - done_before + len(failed)
            store.log(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} end: {ran} tasks run in "
                      f"{time.monotonic() - started:.1f} s, {len(failed)} failed, {state}")
    return load_experiment(out)


_BROKEN = ("the executor's workers died ({exc}); the tasks already written are kept and "
           "--resume runs the rest. In a script, call sweep() under "
           "`if __name__ == \"__main__\":` (worker processes import the main module)")


def _run_batch(ex: Executor, slots: int, exp: Experiment, store: _Store,
               todo: list[tuple[int, int]],
               done: set[tuple[int, int]], failed: set[tuple[int, int]],
               planned: Mapping[int, int], report: Progress | None) -> None:
    """Submit ``todo`` and write each result as it arrives."""
    if not todo:
        return
    tasks = {key: _Task(key[0], key[1], exp.scenario_at(key[0]), exp.regimes, exp.seed,
                        exp.warmup_days, exp.keep) for key in todo}
    total = sum(planned.values())
    pending: dict[Future[Any], tuple[int, int]] = {}
    queue = iter(todo)
    # keep every slot busy with a short queue behind it: the parent holds few task arguments
    # and results at a time however large the sweep, and a kill loses only the running tasks
    limit = 1 if isinstance(ex, SerialExecutor) else 2 * slots + 2

    def top_up() -> None:
        for key in queue:
            try:
                pending[ex.submit(_run_task, tasks[key])] = key
            except BrokenExecutor as exc:
                raise RuntimeError(_BROKEN.format(exc=exc)) from exc
            if len(pending) >= limit:
                break

    top_up()
    while pending:
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for f in finished:
            key = pending.pop(f)
            try:
                result = f.result()
            except BrokenExecutor as exc:
                raise RuntimeError(_BROKEN.format(exc=exc)) from exc
            except Exception:  # noqa: BLE001 - the task could not run: record it, go on
                result = _TaskResult(key[0], key[1], None, {}, traceback.format_exc())
            store.write(result, tasks[key], exp)
            if result.error is None:
                done.add(key)
                failed.discard(key)
            else:
                failed.add(key)
            if report is not None:
                report(len(done) + len(failed), total)
        top_up()


def _next_batch(exp: Experiment, store: _Store, planned: dict[int, int], active: set[int],
                done: set[tuple[int, int]]) -> set[int]:
    """The sequential step of a precision target: for each active point, stop if every
    regime × metric meets the relative half-width, or raise its planned replications."""
    prec = exp.precision
    assert prec is not None
    frames = [pd.read_parquet(store.path("metrics", p, r)) for p in sorted(active)
              for r in range(planned[p]) if (p, r) in done]
    metrics = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    target = prec.adjusted
    # a metric with no value at any point and replication of a regime so far is undefined
    # under its rules (e.g. deadline breaches without limits): it is left out for that regime
    defined = {(regime, m) for regime in exp.regimes for m in prec.metrics
               if len(metrics) and np.isfinite(
                   metrics.loc[metrics["regime"] == regime, m].to_numpy(dtype=float)).any()}
    store.ignored = sorted(f"{r}:{m}" for r in exp.regimes for m in prec.metrics
                           if (r, m) not in defined)
    still: set[int] = set()
    for p in sorted(active):
        part = metrics[metrics["point"] == p] if len(metrics) else metrics
        worst, wanted = 0.0, 0
        for regime in exp.regimes:
            rows = part[part["regime"] == regime] if len(part) else part
            for m in prec.metrics:
                if (regime, m) not in defined:
                    continue
                values = rows[m].to_numpy(dtype=float) if len(rows) else np.empty(0)
                rel, need = _precision(values, target, prec.confidence, prec.max_replications)
                worst, wanted = max(worst, rel), max(wanted, need)
        exp_precision = store.precision.setdefault(str(p), {})
        exp_precision.update({"relative_half_width": None if math.isinf(worst) else worst,
                              "met": worst <= target})
        if worst <= target or planned[p] >= prec.max_replications:
            continue
        n = planned[p]
        # at least min_batch more, at most double, never past the maximum
        planned[p] = min(prec.max_replications, max(n + prec.min_batch, min(wanted, 2 * n)))
        still.add(p)
    return still


def _precision(values: np.ndarray, target: float, confidence: float,
               n_max: int) -> tuple[float, int]:
    """The relative half-width of ``values`` and the replications that would bring it to
    ``target`` if mean and spread hold (Law's projection with the t quantile of the larger n).

    NaN values (a median not reached in that replication) are left out, and the projection is
    scaled up by the share of replications that gave a value. Fewer than two values, or a mean
    of 0 with some spread, can never meet a relative target: ``(inf, n_max)``.
    """
    finite = values[np.isfinite(values)]
    n = len(finite)
    if n < 2:
        return math.inf, n_max
    mean, low, high, _ = mean_ci(finite, confidence)
    half = (high - low) / 2.0
    if half == 0.0:
        return 0.0, n
    if mean == 0.0:
        return math.inf, n_max
    rel = half / abs(mean)
    from scipy import stats

    sd = float(np.std(finite, ddof=1))
    grid = np.arange(n + 1, n_max + 1)
    if not len(grid):
        return rel, n_max
    q = stats.t.ppf(0.5 + confidence / 2.0, grid - 1)
    ok = np.nonzero(q * sd / np.sqrt(grid) <= target * abs(mean))[0]
    if not len(ok):
        return rel, n_max
    return rel, min(n_max, math.ceil(int(grid[ok[0]]) * len(values) / n))


# ----------------------------------------------------------------------------- results


@dataclass
class SweepResults:
    """A sweep's results as read from its directory.

    Attributes
    ----------
    config:
        The resolved configuration (``experiment.json``).
    points:
        Design points: index ``point``, one column per factor path.
    metrics:
        One row per design point × regime × replication (columns ``point, regime,
        replication``, then the factor columns, then every metric), sorted.
    failures:
        One row per failed task: ``point, replication, traceback``.
    manifest:
        ``manifest.json`` as a dict (``state`` is ``complete`` when every planned task ran).
    """

    directory: Path
    config: dict[str, Any]
    points: pd.DataFrame
    metrics: pd.DataFrame
    failures: pd.DataFrame
    manifest: dict[str, Any]

    @property
    def regimes(self) -> list[str]:
        return list(self.config["regimes"])

    @property
    def baseline(self) -> str:
        return str(self.config["baseline"])

    @property
    def factors(self) -> list[str]:
        return list(self.points.columns)

    @property
    def complete(self) -> bool:
        """Every planned task has results (none failed, none missing)."""
        return self.manifest.get("state") == "complete"

    def table(self, name: str) -> pd.DataFrame:
        """A kept table (``cases``, ``units``, ...) over every design point and replication,
        read from disk on demand."""
        if name not in self.config["keep"]:
            kept = ", ".join(self.config["keep"]) or "none"
            raise GovsimError(f"the sweep did not keep {name!r} (kept: {kept})", "keep")
        return _read_folder(self.directory / name, self.regimes,
                            _committed(self.directory))

    @property
    def cases(self) -> pd.DataFrame:
        """The ``cases`` table (when kept)."""
        return self.table("cases")

    @property
    def units(self) -> pd.DataFrame:
        """The ``units`` table (when kept)."""
        return self.table("units")

    def summary(self, metrics: Sequence[str] | None = None,
                confidence: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval per design point, regime and metric (with the
        factor values of each point)."""
        from govsim.analysis.sweeps import point_summary

        return point_summary(self.metrics, self.points, _names(metrics), confidence)

    def differences(self, metrics: Sequence[str] | None = None,
                    confidence: float = 0.95) -> pd.DataFrame:
        """Paired differences (regime − baseline) per design point, mean and CI."""
        from govsim.analysis.sweeps import point_differences

        return point_differences(self.metrics, self.points, _names(metrics), self.baseline,
                                 confidence)

    def main_effects(self, metric: str, regime: str | None = None,
                     confidence: float = 0.95) -> pd.DataFrame:
        """Main effect of each factor on ``metric`` under ``regime`` (see
        :func:`govsim.analysis.sweeps.main_effects`)."""
        from govsim.analysis.sweeps import main_effects

        return main_effects(self.metrics, self.points, metric, regime or self.baseline,
                            confidence)

    def sensitivity(self, metric: str, regime: str | None = None, *, boot: int = 1000,
                    seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
        """Global sensitivity ranking of the factors for ``metric`` under ``regime`` (see
        :func:`govsim.analysis.sweeps.sensitivity`)."""
        from govsim.analysis.sweeps import sensitivity

        return sensitivity(self.metrics, self.points, metric, regime or self.baseline,
                           boot=boot, seed=seed, confidence=confidence)


def _names(metrics: Sequence[str] | None) -> list[str]:
    return list(metrics) if metrics is not None else list(METRICS)


def _committed(root: Path) -> set[str]:
    """Stems of the tasks whose metrics file (the commit mark) exists."""
    return {f.name[: -len(".parquet")] for f in (root / "metrics").glob("p*-r*.parquet")}


def _read_folder(folder: Path, regimes: Sequence[str],
                 only: set[str] | None = None) -> pd.DataFrame:
    files = sorted(f for f in folder.glob("p*-r*.parquet")
                   if only is None or f.name[: -len(".parquet")] in only)
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    frame["regime"] = pd.Categorical(frame["regime"].astype(str), categories=list(regimes))
    keys = [k for k in ("point", "regime", "replication") if k in frame]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def load_experiment(directory: str | os.PathLike[str]) -> SweepResults:
    """Read a sweep's results directory back: configuration, design points, metrics (with
    each point's factor values), failures and manifest.

    Only tasks whose metrics file exists are included, so a directory from an interrupted
    sweep loads too (``.complete`` is then false).
    """
    root = Path(directory)
    try:
        config = json.loads((root / "experiment.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GovsimError(f"{str(root)!r} holds no experiment (no experiment.json)",
                          "DIR") from None
    points = pd.read_parquet(root / "points.parquet").set_index("point")
    manifest_path = root / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    metrics = _read_folder(root / "metrics", config["regimes"])
    lead = ["point", "regime", "replication", *points.columns]
    if len(metrics):
        # replications beyond the plan (left by an earlier, longer plan) are not part of it
        plan = manifest.get("planned_replications")
        if plan:
            limit = metrics["point"].map(lambda p: plan.get(str(p), 0))
            metrics = metrics[metrics["replication"] < limit].reset_index(drop=True)
        metrics = metrics.join(points, on="point")
        metrics = metrics[lead + [c for c in metrics.columns if c not in lead]]
    else:
        metrics = pd.DataFrame(columns=[*lead, *METRICS])
    committed = _committed(root)
    rows = []
    for f in sorted((root / "failures").glob("p*-r*.json")):
        if f.name[: -len(".json")] in committed:
            continue  # retried with success; the record outlived a kill
        rec = json.loads(f.read_text(encoding="utf-8"))
        rows.append({"point": rec["point"], "replication": rec["replication"],
                     "traceback": rec["traceback"]})
    failures = pd.DataFrame(rows, columns=["point", "replication", "traceback"])
    return SweepResults(root, config, points, metrics, failures, manifest)

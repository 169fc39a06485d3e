"""The results directory of a sweep: atomic writes, resume, failure records, manifest.

Layer: experiment. Layout::

    DIR/experiment.json     the resolved configuration (the whole scenario included)
    DIR/points.parquet      the design points: point, then one column per factor (and .csv)
    DIR/manifest.json       what is planned and what is done (rewritten as the sweep goes)
    DIR/metrics/p0003-r0007.parquet   one per design point × replication (all regimes)
    DIR/<table>/p0003-r0007.parquet   the kept tables (``keep``: cases, units, ...)
    DIR/failures/p0003-r0007.json     a failed task: its configuration and traceback
    DIR/committed.jsonl     records (size, SHA-256) of files committed since the manifest's
    DIR/set_aside/...       files found damaged on resume, moved here before their task reran
    DIR/log.txt             one line per session (start, executor, tasks run, time)
    DIR/.lock               held while a sweep writes (:mod:`govsim.experiment.lock`)

Every file is written atomically (:mod:`govsim.atomic`): a task's tables, then its metrics, then
the record of their sizes and checksums (:mod:`govsim.experiment.integrity`), which is the
task's commit mark. Only the parent process writes, so a Dask cluster need not share the
directory's file system.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from govsim.atomic import atomic_write_frame, atomic_write_text
from govsim.errors import GovsimError
from govsim.experiment.integrity import Records
from govsim.experiment.lock import LOCK
from govsim.experiment.replication import TABLES
from govsim.experiment.sequential import PrecisionState
from govsim.version import __version__

if TYPE_CHECKING:
    from govsim.experiment.config import Experiment

__all__ = ["ResultsStore", "stem", "parse_stem", "committed"]


def stem(point: int, replication: int) -> str:
    """The file name (without extension) of one task's files."""
    return f"p{point:04d}-r{replication:04d}"


def parse_stem(name: str) -> tuple[int, int] | None:
    """``p0003-r0007`` → ``(3, 7)``; ``None`` for any other name."""
    try:
        p, r = name.split("-")
        if p[0] == "p" and r[0] == "r":
            return int(p[1:]), int(r[1:])
    except (ValueError, IndexError):
        pass
    return None


def present(root: Path, table: str = "metrics") -> set[str]:
    """Stems of the task files of ``table`` on disk."""
    return {f.name[: -len(".parquet")] for f in (root / table).glob("p*-r*.parquet")}


def committed(root: Path, records: Records | None = None) -> set[str]:
    """Stems of the committed tasks: a metrics file with a record -- or, where the records are
    not whole (a directory written before they were kept, or whose manifest was lost), any
    metrics file on disk, to be verified by reading it."""
    records = records if records is not None else Records.read(root)
    on_disk = present(root)
    return on_disk & records.tasks() if records.authoritative else on_disk


class ResultsStore:
    """One sweep's results directory (layout in the module docstring)."""

    def __init__(self, root: Path, keep: tuple[str, ...]) -> None:
        self.root = root
        self.keep = keep
        #: what the precision rule found last (precision targets only)
        self.precision = PrecisionState()
        #: sizes and checksums of the committed files (read by :meth:`prepare`)
        self.records = Records(root)
        #: files :meth:`prepare` found damaged and moved to ``set_aside/``
        self.set_aside: list[str] = []
        #: tasks :meth:`prepare` found without records and verified by reading them
        self.adopted: list[str] = []

    def path(self, table: str, point: int, replication: int, ext: str = "parquet") -> Path:
        return self.root / table / f"{stem(point, replication)}.{ext}"

    def done(self) -> set[tuple[int, int]]:
        """The committed tasks."""
        if not (self.root / "metrics").is_dir():
            return set()
        found = (parse_stem(s) for s in committed(self.root, self.records))
        return {k for k in found if k is not None}

    def read_metrics(self, tasks: list[tuple[int, int]]) -> pd.DataFrame:
        """The metrics files of ``tasks``, one frame."""
        frames = [pd.read_parquet(self.path("metrics", p, r)) for p, r in tasks]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def write_result(self, point: int, replication: int, metrics: pd.DataFrame,
                     tables: Mapping[str, pd.DataFrame]) -> None:
        """A task's kept tables, then its metrics (the commit mark); its failure record goes."""
        self.path("failures", point, replication, "json").unlink(missing_ok=True)
        paths = []
        for name, frame in [*tables.items(), ("metrics", metrics)]:
            paths.append(self.path(name, point, replication))
            atomic_write_frame(frame, paths[-1])
        self.records.commit(stem(point, replication), paths)  # the commit mark

    def write_failure(self, point: int, replication: int, record: Mapping[str, Any]) -> None:
        """A failed task's configuration and traceback (plain JSON data)."""
        atomic_write_text(json.dumps(record, indent=2) + "\n",
                          self.path("failures", point, replication, "json"))

    def check(self, experiment: Experiment, resume: bool) -> None:
        """Refuse a directory the sweep must not write into (nothing is written here)."""
        root = self.root
        if root.exists() and not root.is_dir():
            raise GovsimError(f"{str(root)!r} exists and is not a directory", "out")
        stored = root / "experiment.json"
        if not stored.exists():
            if root.is_dir() and any(p.name != LOCK for p in root.iterdir()):
                raise GovsimError(f"{str(root)!r} is not empty and holds no experiment; choose an "
                                  "empty or new directory", "out")
            return
        try:
            old = json.loads(stored.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GovsimError(f"{stored} cannot be read ({exc})", "out") from None
        if not resume:
            raise GovsimError(f"{str(root)!r} already holds an experiment; resume it to complete "
                              "it (resume=True; --resume on the command line), or choose "
                              "another directory", "out")
        config = experiment.config()
        diff = _first_difference(_identity(old), _identity(config))
        if diff is not None:
            raise GovsimError(f"{str(root)!r} holds a different experiment ({diff} differs); "
                              "choose another directory", "out")
        stored_points = root / "points.parquet"
        if stored_points.exists():
            old_points = pd.read_parquet(stored_points)
            new_points = experiment.points.reset_index()
            if not (old_points.shape == new_points.shape
                    and list(old_points.columns) == list(new_points.columns)
                    and old_points.astype(str).equals(new_points.astype(str))):
                raise GovsimError(f"{str(root)!r} holds other design points; choose another "
                                  "directory", "out")
        if config["replications"] < old.get("replications", 0):
            raise GovsimError(f"{str(root)!r} holds {old['replications']} replications per "
                              f"point; a resume may add replications, not drop them",
                              "replications")

    def prepare(self, experiment: Experiment) -> None:
        """Create the directory, write the configuration and design points, and clear what an
        interrupted session left that was never a result."""
        root = self.root
        try:
            root.mkdir(parents=True, exist_ok=True)
            # the configuration first: a directory holding it is this experiment's
            # (replications and the precision target may change on resume, to extend a sweep)
            atomic_write_text(json.dumps(experiment.config(), indent=2) + "\n",
                              root / "experiment.json")
            for sub in ("metrics", "failures", *self.keep):
                (root / sub).mkdir(exist_ok=True)
        except OSError as exc:
            raise GovsimError(f"cannot create {str(root)!r} ({exc.strerror})", "out") from None
        # a write interrupted by a kill leaves a temporary file behind: it was never a result
        for stale in [*root.glob(".*.tmp"), *root.glob("*/.*.tmp")]:
            stale.unlink(missing_ok=True)
        self.records = Records.read(root)
        self.set_aside = self._set_aside_damaged()
        if not self.records.authoritative:
            self.adopted = self._adopt_unrecorded()
        # files of a task whose commit mark never came were never a result
        done = committed(root, self.records)
        for table in (*TABLES, "metrics"):
            for f in (root / table).glob("p*-r*.parquet"):
                if f.name[: -len(".parquet")] not in done:
                    f.unlink(missing_ok=True)
        points = experiment.points.reset_index()
        atomic_write_frame(points, root / "points.parquet")  # typed, for loading
        atomic_write_frame(points, root / "points.csv", "csv")  # for people

    def _set_aside_damaged(self) -> list[str]:
        """Move every file of a committed task whose files differ from their records (cut
        short, changed) to ``set_aside/``, so the task runs again; return their names."""
        moved: list[str] = []
        damaged = sorted(task for task in self.records.tasks()
                         if any(self.records.damaged(rel) for rel in self.records.files_of(task)))
        for task in damaged:
            moved += self._move_aside(self.records.files_of(task))
            self.records.forget(task)
        return moved

    def _move_aside(self, relatives: list[str]) -> list[str]:
        """Move these result files to ``set_aside/`` (never over an earlier one)."""
        moved = []
        for rel in relatives:
            source = self.root / rel
            if not source.exists():
                continue
            target = self.root / "set_aside" / rel
            n = 1
            while target.exists():
                target = self.root / "set_aside" / f"{rel}.{n}"
                n += 1
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)
            moved.append(rel)
        return moved

    def _adopt_unrecorded(self) -> list[str]:
        """Where the records are not whole (a directory from before they were kept, a manifest
        lost or damaged), read every unrecorded task's files: record the ones that read back
        as tables, set aside the others. Returns the tasks adopted."""
        adopted = []
        for task in sorted(present(self.root) - self.records.tasks()):
            files = [self.root / t / f"{task}.parquet" for t in (*self.keep, "metrics")]
            files = [f for f in files if f.exists()]
            try:
                for f in files:
                    pd.read_parquet(f)
            except Exception:  # noqa: BLE001 - any reader error: not a result
                self.set_aside += self._move_aside(
                    [f.relative_to(self.root).as_posix() for f in files])
                continue
            self.records.commit(task, files)
            adopted.append(task)
        return adopted

    def manifest(self, experiment: Experiment, planned: Mapping[int, int],
                 done: set[tuple[int, int]], failed: set[tuple[int, int]], state: str) -> None:
        """Rewrite ``manifest.json``: the plan, what is done and failed, and the state."""
        data = {
            "govsim_version": __version__,
            "name": experiment.name,
            "state": state,
            "points": len(planned),
            "regimes": list(experiment.regimes),
            "planned_replications": {str(p): n for p, n in sorted(planned.items())},
            "tasks_planned": sum(planned.values()),
            "tasks_done": len(done),
            "tasks_failed": sorted(stem(p, r) for p, r in failed),
            "tables": ["metrics", *self.keep],
        }
        if experiment.precision is not None:
            data["precision"] = {"target_relative_half_width": experiment.precision.adjusted,
                                 "ignored_undefined": self.precision.ignored,
                                 "points": dict(sorted(self.precision.points.items(),
                                                       key=lambda kv: int(kv[0])))}
        data["files"] = self.records.as_manifest()
        atomic_write_text(json.dumps(data, indent=2) + "\n", self.root / "manifest.json")
        self.records.clear_journal()  # the manifest now holds every record

    def log(self, line: str) -> None:
        """Add a line to ``log.txt``."""
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

"""A sweep's results, read back from its directory.

Layer: experiment. :func:`load_sweep` reads what :mod:`~govsim.experiment.sweeper` wrote
(configuration, design points, the metrics of every committed task, failures, manifest) into a
:class:`SweepResults`, whose methods summarise it per design point, pair regimes, and estimate
the factors' effects (:mod:`govsim.stats.effects`). Kept tables are read on demand.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.errors import GovsimError
from govsim.experiment.integrity import Records
from govsim.experiment.store import committed
from govsim.measure.metrics import FEASIBLE, METRICS
from govsim.scenario.parse import Scenario

__all__ = ["SweepResults", "load_sweep", "load_experiment", "SHOWN_METRICS"]

#: the metrics a sweep shows when printed or displayed, without a precision target to name them
SHOWN_METRICS = ("resolution_days_median", "street_office_shifted_cost_yuan")


@dataclass(repr=False)
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

    Examples
    --------
    >>> import govsim, tempfile
    >>> exp = govsim.Experiment("district", {"regimes.consolidated.accuracy": [0.8, 0.97]},
    ...                         regimes=["fragmented", "consolidated"], horizon_days=10,
    ...                         replications=2)
    >>> res = govsim.sweep(exp, tempfile.mkdtemp(), executor="serial", progress=False)
    >>> res.factors, res.regimes, res.baseline
    (['regimes.consolidated.accuracy'], ['fragmented', 'consolidated'], 'fragmented')
    >>> res.metrics[["point", "regime", "replication", "regimes.consolidated.accuracy"]].head(3)
       point        regime  replication  regimes.consolidated.accuracy
    0      0    fragmented            0                            0.8
    1      0    fragmented            1                            0.8
    2      0  consolidated            0                            0.8
    >>> res.manifest["state"], res.failures.empty
    ('complete', True)
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

    @functools.cached_property
    def scenario(self) -> Scenario:
        """The scenario the sweep varied, as ``experiment.json`` records it (its own values,
        before any factor): what names its regimes in tables."""
        # stored as JSON (dates as text, tuples as lists): read back leniently, it was
        # validated when the sweep was made
        return Scenario.model_validate(self.config["scenario"], strict=False)

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
        return _read_table(self.directory, name, self.regimes, Records.read(self.directory))

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
        factor values of each point); ``regime`` is categorical in the order of
        :attr:`regimes`, so a pivot keeps it."""
        from govsim.stats.effects import point_summary

        return _in_order(point_summary(self.metrics, self.points, _names(metrics), confidence,
                                       bounds=FEASIBLE), self.regimes)

    def differences(self, metrics: Sequence[str] | None = None,
                    confidence: float = 0.95) -> pd.DataFrame:
        """Paired differences (regime − baseline) per design point, mean and CI; ``regime``
        is categorical in the order of :attr:`regimes` (the baseline left out)."""
        from govsim.stats.effects import point_differences

        return _in_order(point_differences(self.metrics, self.points, _names(metrics),
                                           self.baseline, confidence, bounds=FEASIBLE),
                         [r for r in self.regimes if r != self.baseline])

    def _shown(self) -> list[str]:
        """The metrics a printed or displayed sweep shows: its precision target's, else
        :data:`SHOWN_METRICS`."""
        precision = self.config.get("precision") or {}
        return [m for m in precision.get("metrics", SHOWN_METRICS) if m in METRICS]

    def _head(self) -> str:
        done = self.metrics.groupby("point")["replication"].nunique() if len(self.metrics) \
            else pd.Series(dtype=int)
        reps = (f"{done.min()}" if len(done) and done.min() == done.max()
                else f"{done.min()} to {done.max()}" if len(done) else "no")
        failed = f", {len(self.failures)} failed" if len(self.failures) else ""
        name = self.config.get("name") or self.directory.name
        return (f"sweep {name!r} in {str(self.directory)!r}: {len(self.points)} design points x "
                f"{len(self.regimes)} regimes ({', '.join(self.regimes)}; baseline "
                f"{self.baseline}), {reps} replications a point{failed}; "
                f"{self.manifest.get('state', 'unknown state')}")

    def __repr__(self) -> str:
        return f"<SweepResults: {self._head()}; print() it for the tables>"

    def __str__(self) -> str:
        """The text table of each shown metric (:func:`govsim.report.text.sweep_table`)."""
        from govsim.report.text import sweep_table

        if not len(self.metrics):
            return self._head()
        return "\n\n".join([self._head(), *(sweep_table(self, m) for m in self._shown())])

    def _repr_html_(self) -> str:
        """A table per shown metric as styled HTML, for Jupyter."""
        from govsim.report.html_tables import sweep_html

        return sweep_html(self, self._shown() if len(self.metrics) else [], self._head())

    def main_effects(self, metric: str, regime: str | None = None,
                     confidence: float = 0.95) -> pd.DataFrame:
        """Main effect of each factor on ``metric`` under ``regime`` (see
        :func:`govsim.stats.effects.main_effects`)."""
        from govsim.stats.effects import main_effects

        return main_effects(self.metrics, self.points, metric, regime or self.baseline,
                            confidence, bounds=FEASIBLE)

    def sensitivity(self, metric: str, regime: str | None = None, *, boot: int = 1000,
                    seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
        """Global sensitivity ranking of the factors for ``metric`` under ``regime`` (see
        :func:`govsim.stats.effects.sensitivity`)."""
        from govsim.stats.effects import sensitivity

        return sensitivity(self.metrics, self.points, metric, regime or self.baseline,
                           boot=boot, seed=seed, confidence=confidence)


def _in_order(frame: pd.DataFrame, regimes: Sequence[str]) -> pd.DataFrame:
    """``frame`` with its ``regime`` column (if any) categorical in the order of ``regimes``
    (any other value after them, never lost)."""
    if "regime" in frame:
        values = frame["regime"].astype(str)
        order = list(regimes) + [v for v in dict.fromkeys(values) if v not in regimes]
        frame["regime"] = pd.Categorical(values, categories=order)
    return frame


def _names(metrics: Sequence[str] | None) -> list[str]:
    return list(metrics) if metrics is not None else list(METRICS)


def _read_table(root: Path, table: str, regimes: Sequence[str],
                records: Records) -> pd.DataFrame:
    """The committed files of one table, each checked against its record first (a recorded
    file that is missing counts as damaged)."""
    done = committed(root, records)
    names = {f"{table}/{task}.parquet" for task in done if (root / table / f"{task}.parquet").exists()}
    if records.authoritative:
        names |= {rel for rel in records.files if rel.startswith(f"{table}/")}
    frames = []
    for rel in sorted(names):
        f = root / rel
        if records.damaged(rel):
            raise GovsimError(f"{rel} in {str(root)!r} differs from the record made when it was "
                              "written (cut short or changed); resume the sweep (resume=True; "
                              "--resume on the command line) to set it aside and run its task "
                              "again", "directory")
        try:
            frames.append(pd.read_parquet(f))
        except Exception as exc:  # noqa: BLE001 - any reader error: the file is not a result
            raise GovsimError(f"{rel} in {str(root)!r} cannot be read ({type(exc).__name__}); "
                              "resume the sweep to run its task again", "directory") from None
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    frame["regime"] = pd.Categorical(frame["regime"].astype(str), categories=list(regimes))
    keys = [k for k in ("point", "regime", "replication") if k in frame]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def load_sweep(directory: str | os.PathLike[str]) -> SweepResults:
    """Read a sweep's results directory back: configuration, design points, metrics (with
    each point's factor values), failures and manifest.

    Only committed tasks are included, so a directory from an interrupted sweep loads too
    (``.complete`` is then false). Every file read is first compared with the size and
    checksum recorded when it was written: one that differs is a
    :class:`~govsim.errors.GovsimError` naming it (a resumed sweep sets it aside and reruns it).

    Examples
    --------
    >>> import govsim, tempfile
    >>> exp = govsim.Experiment("district", {"regimes.consolidated.accuracy": [0.8, 0.97]},
    ...                         regimes=["fragmented", "consolidated"], horizon_days=10,
    ...                         replications=2)
    >>> out = tempfile.mkdtemp()
    >>> _ = govsim.sweep(exp, out, executor="serial", progress=False)
    >>> res = govsim.load_sweep(out)      # later, in another session
    >>> res  # doctest: +ELLIPSIS
    <SweepResults: sweep 'district' in '...': 2 design points x 2 regimes (...), ...; complete; ...>
    >>> len(res.metrics), list(res.points["regimes.consolidated.accuracy"])
    (8, [0.8, 0.97])
    """
    if not isinstance(directory, str | os.PathLike):
        raise GovsimError(f"must be the path of a results directory, got {directory!r}",
                          "directory")
    root = Path(directory)
    try:
        config = json.loads((root / "experiment.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GovsimError(f"{str(root)!r} holds no sweep results (no experiment.json)",
                          "directory") from None
    points = pd.read_parquet(root / "points.parquet").set_index("point")
    manifest_path = root / "manifest.json"
    try:
        manifest = (json.loads(manifest_path.read_text(encoding="utf-8"))
                    if manifest_path.exists() else {})
    except ValueError:
        raise GovsimError(f"manifest.json in {str(root)!r} cannot be read (cut short or "
                          "changed), so nothing in the directory can be vouched for; resume the "
                          "sweep (resume=True; --resume on the command line) to check every "
                          "file and rewrite it", "directory") from None
    records = Records.read(root, manifest if manifest_path.exists() else None)
    if records.manifest_damaged:
        raise GovsimError(f"manifest.json in {str(root)!r} holds damaged records; resume the "
                          "sweep to check every file and rewrite it", "directory")
    metrics = _read_table(root, "metrics", config["regimes"], records)
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
    done = committed(root, records)
    rows = []
    for f in sorted((root / "failures").glob("p*-r*.json")):
        if f.name[: -len(".json")] in done:
            continue  # retried with success; the record outlived a kill
        rec = json.loads(f.read_text(encoding="utf-8"))
        rows.append({"point": rec["point"], "replication": rec["replication"],
                     "traceback": rec["traceback"]})
    failures = pd.DataFrame(rows, columns=["point", "replication", "traceback"])
    return SweepResults(root, config, points, metrics, failures, manifest)


def load_experiment(directory: str | os.PathLike[str]) -> SweepResults:
    """Deprecated name of :func:`load_sweep` (it reads a sweep's results directory, not an
    experiment file: that is :meth:`Experiment.from_toml <govsim.Experiment.from_toml>`)."""
    warnings.warn("govsim.load_experiment is deprecated; use govsim.load_sweep (it reads a "
                  "sweep's results directory)", DeprecationWarning, stacklevel=2)
    return load_sweep(directory)

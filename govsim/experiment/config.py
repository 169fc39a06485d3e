"""An experiment: what a sweep runs, checked in full before anything runs.

Layer: experiment. :class:`Experiment` names a scenario, the regimes, the factors to vary and a
design (:mod:`govsim.experiment.design`), replications, a root seed, the warm-up, the tables to
keep and an optional precision target (:mod:`govsim.experiment.sequential`). It is made in
Python or read from an experiment TOML file (:meth:`Experiment.from_toml`; the format is in
``docs/experiments.md``), whose ``scenario`` is a path relative to the file or, as everywhere
else, the name of a shipped scenario (:mod:`govsim.scenario.catalogue`). Every design point is
validated as a scenario when the experiment is made, so a sweep never starts on a point that
cannot run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import as_file
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.errors import GovsimError
from govsim.experiment.checks import MAX_REPLICATIONS, check_warmup, resolve_scenario, whole
from govsim.experiment.design import Design, Factor, apply_factors, design_points
from govsim.experiment.replication import TABLES
from govsim.experiment.sequential import Precision
from govsim.inputs import read_toml
from govsim.scenario import Scenario, check_baseline, check_path, load_scenario, scenario_data
from govsim.scenario.catalogue import is_dir, is_file, is_scenario_name, shipped_file
from govsim.version import __version__

__all__ = ["Experiment", "KEEPABLE"]

#: tables a sweep can keep besides the metrics
KEEPABLE = TABLES
_FILE_KEYS = ("name", "description", "scenario", "regimes", "baseline", "replications", "seed",
              "horizon_days", "warmup_days", "keep", "design", "factors", "precision")
_FACTOR_KEYS = {"levels", "low", "high", "integer"}


@dataclass(frozen=True)
class Experiment:
    """A sweep's definition. Everything is checked when it is made: scenario, regimes, factor
    paths, and every design point as a scenario -- nothing runs before that.

    Parameters
    ----------
    scenario:
        A :class:`~govsim.scenario.Scenario`, a plain mapping, the path of a scenario file or
        the name of a shipped scenario (``"district"``: a string with no path separator and no
        ``.toml`` suffix that is not an existing file).
    factors:
        ``{path: levels}`` or ``{path: {"low": .., "high": .., "integer": ..}}``, or a sequence
        of :class:`~govsim.experiment.design.Factor`.
    design:
        ``"factorial"`` (default), or a :class:`~govsim.experiment.design.Design`
        (``lhs``/``sobol`` with ``points``); a string with ``points=`` for the sampled kinds.
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
        A :class:`~govsim.experiment.sequential.Precision` target (or its table), or ``None``
        for a fixed number of replications.
    name:
        A label for reports.
    scenario_source:
        Where the scenario came from, as recorded in ``experiment.json`` (default: the path as
        given, ``shipped:NAME`` for a shipped scenario's name, empty for a scenario object).

    Examples
    --------
    >>> import govsim
    >>> exp = govsim.Experiment("district", {"regimes.consolidated.accuracy": [0.8, 0.97]},
    ...                         regimes=["fragmented", "consolidated"], horizon_days=10,
    ...                         replications=2)
    >>> exp.points  # doctest: +NORMALIZE_WHITESPACE
           regimes.consolidated.accuracy
    point
    0                               0.80
    1                               0.97
    >>> exp.scenario_at(1).regimes["consolidated"].accuracy
    0.97
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

    def __init__(self, scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
                 factors: Mapping[str, Any] | Sequence[Factor] = (),
                 design: Design | str = "factorial", *, points: int | None = None,
                 regimes: Sequence[str] | None = None, baseline: str | None = None,
                 replications: int = 10, seed: int = 0, horizon_days: int | None = None,
                 warmup_days: float = 0.0, keep: Sequence[str] = (),
                 precision: Precision | Mapping[str, Any] | None = None, name: str = "",
                 scenario_source: str | None = None) -> None:
        put = object.__setattr__
        s = resolve_scenario(scenario)
        if horizon_days is not None and whole(horizon_days, 1, "horizon_days") == s.world.horizon_days:
            horizon_days = None  # the scenario's own: the same experiment either way
        s = resolve_scenario(s, horizon_days)
        source = scenario_source or _source(scenario)
        names = s.check_regimes(regimes)
        put(self, "scenario", s)
        put(self, "scenario_source", source)
        put(self, "horizon_days", horizon_days)
        put(self, "factors", _factors(factors, s))
        put(self, "design", _design(design, points))
        put(self, "regimes", names)
        put(self, "baseline", check_baseline(names, baseline))
        put(self, "replications", whole(replications, 1, "replications", MAX_REPLICATIONS))
        put(self, "seed", whole(seed, 0, "seed"))
        put(self, "warmup_days", check_warmup(warmup_days, s))
        put(self, "keep", _keep(keep))
        put(self, "precision", _precision(precision, self.replications))
        put(self, "name", name or s.name)
        table = design_points(self.factors, self.design, self.seed)
        put(self, "_points", table)
        put(self, "_scenarios", _point_scenarios(s, self.factors, table, warmup_days))

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
            "precision": None if self.precision is None else self.precision.to_spec(),
            "scenario": self.scenario.model_dump(mode="json"),
        }

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], **overrides: Any) -> Experiment:
        """Read an experiment file (format in ``docs/experiments.md``); ``scenario`` is a path
        relative to the experiment file or a shipped scenario's name (see :meth:`from_dict`).
        ``overrides`` replace top-level keys of the file (``replications=20``, ``seed=3``);
        ``None`` values are ignored."""
        data = read_toml(path, "experiment file", "experiment")
        p = Path(path)
        data.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.from_dict(data, base=p.parent)
        except GovsimError as exc:
            if getattr(exc, "source", None) is None:
                exc.source = str(p)  # type: ignore[attr-defined] # a problem in this file
            raise

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: str | os.PathLike[str] = ".") -> Experiment:
        """An experiment from parsed TOML (see :meth:`from_toml`).

        ``scenario`` is read as a path relative to ``base`` (the experiment file's folder)
        when that file exists; otherwise a string with no path separator and no ``.toml``
        suffix names a shipped scenario (``"district"``), as everywhere else; otherwise it is a
        :class:`GovsimError` at ``scenario``. ``scenario_source`` records which: the path read
        or ``shipped:NAME``."""
        for key in data:
            if key not in _FILE_KEYS:
                raise GovsimError(f"unknown key; expected some of {', '.join(sorted(_FILE_KEYS))}",
                                  key)
        if "scenario" not in data:
            raise GovsimError("is required (the path of a scenario file or a shipped scenario's "
                              "name)", "scenario")
        if not isinstance(data["scenario"], str) or not data["scenario"]:
            raise GovsimError("must be the path of a scenario file or a shipped scenario's name",
                              "scenario")
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
        scenario, source = _file_scenario(data["scenario"], Path(base))
        return cls(
            scenario,
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
            scenario_source=source,
        )


def _file_scenario(written: str, base: Path) -> tuple[Path | Scenario, str]:
    """The scenario an experiment file's ``scenario`` names and its ``scenario_source``: the
    file ``base / written`` when it exists (an existing file comes first) or ``written`` is
    written as a path; else the shipped scenario of that name (``shipped:NAME``); else a
    :class:`GovsimError` at ``scenario`` listing the shipped names."""
    path = base / written
    if not is_scenario_name(written) or is_file(path):
        return path, str(path)  # a missing file is refused when it is read, at "scenario"
    try:
        found = shipped_file(written, "scenario")
    except GovsimError as exc:  # its message lists the shipped names
        what = (f"{str(path)!r} is a directory, not a scenario file" if is_dir(path)
                else f"there is no scenario file {str(path)!r} next to the experiment file")
        if is_file(base / (written + ".toml")):
            what += f" (but {written + '.toml'!r} is there: give its suffix)"
        raise GovsimError(f"{what}, and {exc.message}", "scenario") from None
    # read from the installation itself, never through the working directory
    with as_file(found) as shipped:
        return load_scenario(shipped), f"shipped:{written}"


def _source(scenario: object) -> str:
    """How a scenario given in Python is recorded: its path, ``shipped:NAME``, or empty."""
    if isinstance(scenario, Scenario | Mapping):
        return ""
    if is_scenario_name(scenario) and not is_file(Path(scenario)):
        return f"shipped:{scenario}"  # load_scenario has read the shipped one
    return str(scenario)


def _factors(factors: Mapping[str, Any] | Sequence[Factor], s: Scenario) -> tuple[Factor, ...]:
    """The factors, each path checked against the scenario, no value named twice."""
    if isinstance(factors, Mapping):
        fs = tuple(Factor.from_spec(p, v) for p, v in factors.items())
    else:
        fs = tuple(factors)
    data = scenario_data(s)
    seen: dict[str, str] = {}
    for f in fs:
        key = check_path(data, f.path, where=f"factors.{f.path}")
        if key in seen:
            raise GovsimError(f"names the same value as {seen[key]!r} ({key})", f"factors.{f.path}")
        seen[key] = f.path
    return fs


def _design(design: Design | str, points: int | None) -> Design:
    if isinstance(design, str):
        return Design(design, points)  # type: ignore[arg-type]
    if points is not None:
        raise GovsimError("give points inside the Design", "points")
    return design


def _keep(keep: Sequence[str]) -> tuple[str, ...]:
    for k in keep:
        if k not in KEEPABLE:
            raise GovsimError(f"unknown table {k!r}; expected some of {', '.join(KEEPABLE)}", "keep")
    return tuple(k for k in KEEPABLE if k in keep)


def _precision(precision: Precision | Mapping[str, Any] | None,
               replications: int) -> Precision | None:
    if isinstance(precision, Mapping):
        precision = Precision.from_spec(precision)
    if precision is not None and precision.max_replications < replications:
        raise GovsimError(f"is below replications ({replications})", "precision.max_replications")
    return precision


def _point_scenarios(s: Scenario, factors: tuple[Factor, ...], table: pd.DataFrame,
                     warmup_days: float) -> tuple[Scenario, ...]:
    """Every design point as a validated scenario (a refusal names the factor and the point)."""
    scenarios = []
    for point, row in enumerate(table.to_dict("records")):
        try:
            sc = apply_factors(s, dict(row))
        except GovsimError as exc:
            hint = [f.path for f in factors if f.levels is None and not f.integer
                    and f.path == exc.path]
            if hint and "integer" in exc.message:
                raise GovsimError(f"{exc.message}; add integer = true to the range of "
                                  f"factors.{hint[0]}", exc.path) from None
            raise
        if sc is not s:
            # a factor may move the horizon: the warm-up must still fit (the calendar is
            # checked when the point's scenario is parsed)
            try:
                check_warmup(warmup_days, sc)
            except GovsimError as exc:
                raise GovsimError(f"{exc.message} (at design point {point})", exc.path) from None
        scenarios.append(sc)
    return tuple(scenarios)


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

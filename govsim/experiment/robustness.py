"""Robustness: does a comparison's conclusion hold across horizons, funding and assumptions?

Layer: experiment. For two regimes A and B of a scenario, the paired difference B − A of each
metric (common random numbers within a replication) is taken

1. at several horizons (the scenario's calendar data bounds the longest);
2. with B's funding as the scenario writes it and as B's preset sets it (skipped, and said so,
   when they are the same);
3. at the points of a Latin hypercube over every parameter the scenario labels an assumption
   (its ``[assumptions]`` table, :mod:`govsim.scenario.assumptions`), within its bounds: the
   share of points whose mean difference has the sign it has at the scenario's own values (with
   a Wilson interval), the points where it flips, and the partial rank correlation of each
   assumption with the difference (:func:`govsim.stats.effects.sensitivity`, bootstrap
   intervals over points).

One task is one (horizon, point, replication): the replication's world drawn once, A and B (and
B with its preset's funding, at the scenario's own values) run on it. Every check, and every
scenario to run, is made before anything runs. The tables and the text are in
:mod:`govsim.report.robustness`; the result type, :class:`Robustness`, in
:mod:`govsim.experiment.robustness_result`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from govsim.calendar import working_day_table
from govsim.errors import GovsimError, shown
from govsim.experiment.checks import (
    MAX_REPLICATIONS,
    check_memory,
    check_work,
    metric_names,
    resolve_scenario,
    whole,
)
from govsim.experiment.comparison import ScenarioLike
from govsim.experiment.design import Design, Factor, design_points
from govsim.experiment.executors import run_all
from govsim.experiment.parameters import Parameter, parse_parameters
from govsim.experiment.replication import ReplicationOutput, run_replication
from govsim.experiment.robustness_result import Robustness
from govsim.measure.metrics import FEASIBLE, METRICS
from govsim.progress import Progress
from govsim.scenario import PRESETS, Scenario, scenario_data, with_values
from govsim.scenario.edit import get_path
from govsim.stats.intervals import difference_bounds, mean_ci

__all__ = ["robustness", "plan", "execute", "Plan", "Robustness", "ROBUSTNESS_METRICS",
           "DEFAULT_HORIZONS", "MAX_POINTS", "MAX_HORIZONS", "BOOTSTRAP"]

#: the headline metrics, those of them that exist: time to resolution, the share resolved, and
#: the street office's cost (its whole burden and the part shifted onto it)
ROBUSTNESS_METRICS = [m for m in ("resolution_days_median", "resolution_days_rmst30",
                                  "resolved_share", "street_office_burden_yuan",
                                  "street_office_shifted_cost_yuan")
                      if m in METRICS]
#: 90 days, a year and two years
DEFAULT_HORIZONS = (90, 365, 730)
#: the most Latin hypercube points
MAX_POINTS = 10_000
#: the most horizons
MAX_HORIZONS = 16
#: bootstrap resamples of the design points for each PRCC interval
BOOTSTRAP = 1000



@dataclass
class Plan:
    """A checked robustness study, ready to run: every scenario it runs, one per horizon
    (``base``: with B's preset-funding variant when it differs) and per horizon and point."""

    scenario: Scenario
    source: str
    target: str
    #: the regime name of B with its preset's funding, or None when that is B's funding
    preset_funding: str | None
    funding_note: str
    metrics: list[str]
    horizons: list[int]
    replications: int
    seed: int
    confidence: float
    parameters: list[Parameter]
    design: pd.DataFrame
    base: dict[int, Scenario]
    points: dict[tuple[int, int], Scenario] = field(repr=False)

    @property
    def tasks(self) -> list[tuple[int, int, int]]:
        """(horizon, point, replication), point -1 being the scenario's own values."""
        return [(h, p, r) for h in self.horizons for p in [-1, *self.design.index]
                for r in range(self.replications)]


def _task(args: tuple[Scenario, tuple[str, ...], int, int]) -> ReplicationOutput:
    scenario, names, seed, replication = args
    return run_replication(scenario, names, seed, replication, record_events=False,
                           recording="metrics")


def _horizons(horizons: Any, s: Scenario) -> list[int]:
    if isinstance(horizons, str | bytes) or not isinstance(horizons, Sequence) or not horizons:
        raise GovsimError(f"must be a non-empty list of days, got {shown(horizons)}", "horizons")
    if len(horizons) > MAX_HORIZONS:
        raise GovsimError(f"names {len(horizons)} horizons, at most {MAX_HORIZONS}", "horizons")
    out = [whole(h, 1, "horizons") for h in horizons]
    if len(set(out)) != len(out):
        raise GovsimError("a horizon is named twice", "horizons")
    return out


def _at_horizon(s: Scenario, h: int) -> Scenario:
    """The scenario at horizon ``h``, or one sentence at ``horizons`` saying why not."""
    try:
        return resolve_scenario(s, h)
    except GovsimError as exc:
        if exc.path != "world.calendar":
            raise GovsimError(f"a horizon of {h} days: {exc.message}", "horizons") from None
    end = s.world.start + dt.timedelta(days=h - 1)
    raise GovsimError(f"a horizon of {h} days runs to {end}, past the scenario's calendar data "
                      f"(at most {_calendar_days(s)} days from {s.world.start})",
                      "horizons") from None


def _calendar_days(s: Scenario) -> int:
    """The longest horizon the scenario's calendar data covers (whole years from its start)."""
    w, cal = s.world, s.world.calendar
    year = w.start.year
    while year < w.start.year + 100:
        days = (dt.date(year + 1, 1, 1) - w.start).days
        try:
            working_day_table(w.start, days, country=cal.country,
                              extra_holidays=cal.extra_holidays, extra_workdays=cal.extra_workdays)
        except GovsimError:
            break
        year += 1
    return (dt.date(year, 1, 1) - w.start).days


def _funding(s: Scenario, target: str) -> tuple[Any, str]:
    """B with its preset's funding rule (None when that is B's funding) and a sentence."""
    b = s.regimes[target]
    preset = b.preset
    rule = PRESETS[preset]["funding"]
    variant = type(b).model_validate({**b.model_dump(), "funding": dict(rule)})

    mine, theirs = b.funding.model_dump(), variant.funding.model_dump()
    keys = [k for k in mine if k in ("mode", "when") or mine[k] != theirs[k]]

    def said(f: Any) -> str:
        return ", ".join(f"{k} = {f.model_dump()[k]!r}" for k in keys)

    if variant.funding == b.funding:
        return None, (f"{target}'s funding is what its preset {preset!r} sets ({said(b.funding)}): "
                      "the funding choice is skipped")
    return variant, (f"{target}'s funding as written: {said(b.funding)}; as its preset "
                     f"{preset!r} sets it: {said(variant.funding)}")


def plan(scenario: ScenarioLike, source: str, target: str, *,
         metrics: Sequence[str] | None = None, horizons: Sequence[int] = DEFAULT_HORIZONS,
         points: int = 32, replications: int = 10, seed: int = 0, confidence: float = 0.95,
         memory_budget: float | None = None) -> Plan:
    """Every check of :func:`robustness`, and every scenario it will run, before anything runs."""
    s = resolve_scenario(scenario)
    a_name = s.check_regime(source, where="source")
    b_name = s.check_regime(target, where="target")
    if a_name == b_name:
        raise GovsimError("must name a regime other than source", "target")
    names = metric_names(metrics, ROBUSTNESS_METRICS)
    hs = _horizons(horizons, s)
    replications = whole(replications, 2, "replications", MAX_REPLICATIONS)
    points = whole(points, 0, "points", MAX_POINTS)
    seed = whole(seed, 0, "seed")
    if isinstance(confidence, bool) or not isinstance(confidence, float | int) \
            or not 0.0 < confidence < 1.0:
        raise GovsimError(f"must be a number between 0 and 1, got {shown(confidence)}",
                          "confidence")
    variant, note = _funding(s, b_name)
    regimes = {a_name: s.regimes[a_name], b_name: s.regimes[b_name]}
    preset_name = None
    if variant is not None:
        preset_name = f"{b_name} (preset funding)"
        regimes[preset_name] = variant
    base = {h: _at_horizon(s, h).model_copy(update={"regimes": regimes}) for h in hs}
    labelled = dict(s.assumptions or {})
    parameters: list[Parameter] = []
    if labelled and points:
        # both ends of every box make a valid scenario (and no key is set twice)
        parameters = parse_parameters({p: (a.low, a.high) for p, a in labelled.items()}, s,
                                      "assumptions")
    data = scenario_data(s)
    factors = [Factor(par.path, low=par.low, high=par.high,
                      integer=all(isinstance(get_path(data, p), int) for p in par.paths))
               for par in parameters]
    design = (design_points(factors, Design("lhs", points), seed) if factors else
              pd.DataFrame(index=pd.RangeIndex(0, name="point")))
    # the size of the study, before its scenarios are built
    longest = base[max(hs)]
    check_memory(longest, 1, 0, False, memory_budget)
    runs = sum(base[h].expected_cases() * replications * (len(regimes) + 2 * len(design))
               for h in hs) / max(longest.expected_cases(), 1.0)
    check_work(longest, math.ceil(runs), "points",
               f"{replications:,} replications at {len(hs)} horizons and {len(design):,} points")
    at_points: dict[tuple[int, int], Scenario] = {}
    for p, row in design.iterrows():
        values = {c: row[par.path] for par in parameters for c in par.paths}
        for h in hs:
            try:
                pt = with_values(s, {**values, "world.horizon_days": h})
            except GovsimError as exc:
                raise GovsimError(f"design point {p} ({_shown_point(row)}) is no valid scenario: "
                                  f"{exc.path}: {exc.message}", "assumptions") from None
            at_points[h, int(p)] = pt.model_copy(update={"regimes": {
                a_name: pt.regimes[a_name], b_name: pt.regimes[b_name]}})
    return Plan(scenario=s, source=a_name, target=b_name, preset_funding=preset_name,
                funding_note=note, metrics=names, horizons=hs, replications=replications,
                seed=seed, confidence=float(confidence), parameters=parameters, design=design,
                base=base, points=at_points)


def _shown_point(row: pd.Series) -> str:
    return ", ".join(f"{k} = {v:.4g}" for k, v in row.items())


def robustness(scenario: ScenarioLike, source: str, target: str, *,
               metrics: Sequence[str] | None = None, horizons: Sequence[int] = DEFAULT_HORIZONS,
               points: int = 32, replications: int = 10, seed: int = 0,
               confidence: float = 0.95, jobs: int | None = None,
               progress: Progress | None = None, executor: str | Executor | None = None,
               scheduler: str | None = None, memory_budget: float | None = None) -> Robustness:
    """Where the sign of each metric's paired difference ``target`` − ``source`` holds:
    across ``horizons`` (days), B's funding as written and as its preset sets it, and
    ``points`` points of a Latin hypercube over the scenario's ``[assumptions]`` within their
    bounds (0: none), each at ``replications`` replications under common random numbers.

    ``metrics`` default to :data:`ROBUSTNESS_METRICS`; ``seed``, ``jobs``, ``progress``,
    ``executor``, ``scheduler`` and ``memory_budget`` are as in
    :func:`~govsim.experiment.compare`. The same seed gives the same result on every executor.

    Examples
    --------
    >>> import govsim
    >>> rob = govsim.robustness("district", "fragmented", "consolidated", horizons=[10],
    ...                         points=0, replications=2, metrics=["contacts_per_case"], jobs=1)
    >>> rob.frames["horizons"][["horizon", "funding", "sign", "settled"]]
       horizon     funding sign  settled
    0       10  as written    -     True
    1       10      preset    -     True
    """
    p = plan(scenario, source, target, metrics=metrics, horizons=horizons, points=points,
             replications=replications, seed=seed, confidence=confidence,
             memory_budget=memory_budget)
    return execute(p, jobs=jobs, progress=progress, executor=executor, scheduler=scheduler)


def execute(p: Plan, *, jobs: int | None = None, progress: Progress | None = None,
            executor: str | Executor | None = None,
            scheduler: str | None = None) -> Robustness:
    """Run a :class:`Plan` and tabulate it (see :func:`robustness`)."""
    tasks = p.tasks

    def arg(h: int, pt: int, r: int) -> tuple[Scenario, tuple[str, ...], int, int]:
        s = p.base[h] if pt < 0 else p.points[h, pt]
        return s, tuple(s.regimes), p.seed, r

    if executor is None:
        executor = "serial" if jobs == 1 else "local"
    outs = run_all(_task, ((i, arg(*t)) for i, t in enumerate(tasks)), len(tasks),
                   executor=executor, jobs=jobs, scheduler=scheduler, progress=progress)
    rows = [{"horizon": h, "point": pt, **m}
            for (h, pt, _), out in zip(tasks, outs, strict=True) for m in out.metrics]
    runs = pd.DataFrame(rows)
    notes = [p.funding_note]
    horizon_rows, hold_rows, prcc_rows, point_rows = [], [], [], []
    for h in p.horizons:
        at_h = runs[runs["horizon"] == h]
        base = at_h[at_h["point"] == -1]
        for m in p.metrics:
            bounds = difference_bounds(FEASIBLE[m])
            a = _series(base, p.source, m)
            fundings = [("as written", p.target)] + (
                [("preset", p.preset_funding)] if p.preset_funding else [])
            for label, regime in fundings:
                b = _series(base, regime, m)
                mean, low, high, n = mean_ci((b - a).to_numpy(), p.confidence, bounds)
                horizon_rows.append({
                    "horizon": h, "funding": label, "metric": m, "source": _mean(a),
                    "target": _mean(b), "difference": mean, "ci_low": low, "ci_high": high,
                    "n": n, "sign": _sign(mean), "settled": bool(low > 0 or high < 0)})
            base_mean = horizon_rows[-len(fundings)]["difference"]
            if not len(p.design):
                continue
            diffs = {}
            for pt in p.design.index:
                at_p = at_h[at_h["point"] == pt]
                d = (_series(at_p, p.target, m) - _series(at_p, p.source, m)).to_numpy()
                diffs[pt] = d
                mean, low, high, n = mean_ci(d, p.confidence, bounds)
                point_rows.append({"horizon": h, "point": int(pt), "metric": m,
                                   "difference": mean, "ci_low": low, "ci_high": high, "n": n,
                                   "sign": _sign(mean)})
            hold, prcc = _holds(p, h, m, base_mean, diffs)
            hold_rows.append(hold)
            prcc_rows.extend(prcc)
    if not len(p.design):
        notes.append("the scenario labels no assumptions ([assumptions]): the Latin hypercube is "
                     "skipped" if not p.scenario.assumptions else
                     "no design points were asked for: the Latin hypercube is skipped")
    elif len(p.design) < len(p.parameters) + 3:
        notes.append(f"{len(p.design)} points are too few for the partial rank correlations of "
                     f"{len(p.parameters)} assumptions (they need at least "
                     f"{len(p.parameters) + 3})")
    frames = {"horizons": pd.DataFrame(horizon_rows), "holds": pd.DataFrame(hold_rows),
              "prcc": pd.DataFrame(prcc_rows), "points": pd.DataFrame(point_rows),
              "design": p.design.reset_index(), "runs": runs}
    assumptions = {k: v.model_dump() for k, v in (p.scenario.assumptions or {}).items()}
    return Robustness(scenario=p.scenario, source=p.source, target=p.target,
                      preset_funding=p.preset_funding, funding_note=p.funding_note,
                      metrics=p.metrics, horizons=p.horizons, replications=p.replications,
                      seed=p.seed, confidence=p.confidence, assumptions=assumptions,
                      notes=notes, frames=frames)


def _holds(p: Plan, h: int, m: str, base_mean: float,
           diffs: dict[int, np.ndarray]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The share of points with the base sign and the PRCC of each assumption."""
    from govsim.stats.effects import sensitivity

    means = {pt: _mean(pd.Series(d)) for pt, d in diffs.items()}
    defined = [pt for pt, v in means.items() if math.isfinite(v)]
    base_sign = _sign(base_mean)
    same = [pt for pt in defined if _sign(means[pt]) == base_sign]
    flips = [int(pt) for pt in defined if _sign(means[pt]) != base_sign]
    n = len(defined) if base_sign != "?" else 0
    share = len(same) / n if n else math.nan
    low, high = _wilson(len(same), n, p.confidence)
    prcc_rows: list[dict[str, Any]] = []
    drivers: list[str] = []
    if len(defined) >= len(p.parameters) + 3:
        frame = pd.DataFrame([{"point": pt, "regime": "B-A", "replication": r, m: v}
                              for pt, d in diffs.items() for r, v in enumerate(d)])
        sens = sensitivity(frame, p.design, m, "B-A", boot=BOOTSTRAP, seed=p.seed,
                           confidence=p.confidence)
        for row in sens.to_dict("records"):
            excludes = bool(row["prcc_ci_low"] > 0 or row["prcc_ci_high"] < 0)
            prcc_rows.append({"horizon": h, "metric": m, "assumption": row["factor"],
                              "rank": row["rank"], "prcc": row["prcc"],
                              "ci_low": row["prcc_ci_low"], "ci_high": row["prcc_ci_high"],
                              "excludes_zero": excludes, "r2_rank": row["r2_rank"],
                              "boot_used": row["boot_used"]})
            if excludes:
                drivers.append(str(row["factor"]))
    return {"horizon": h, "metric": m, "base_difference": base_mean, "base_sign": base_sign,
            "points": len(diffs), "defined": len(defined), "same_sign": len(same),
            "share": share, "share_ci_low": low, "share_ci_high": high,
            "flips": " ".join(map(str, flips)), "drivers": ", ".join(drivers)}, prcc_rows


def _series(frame: pd.DataFrame, regime: str, metric: str) -> pd.Series:
    """``metric`` of ``regime`` by replication."""
    rows = frame[frame["regime"] == regime]
    return pd.Series(rows[metric].to_numpy(dtype=float), index=rows["replication"].to_numpy())


def _mean(values: pd.Series) -> float:
    defined = values.to_numpy(dtype=float)
    defined = defined[np.isfinite(defined)]
    return float(defined.mean()) if len(defined) else math.nan


def _sign(value: float) -> str:
    """``+``, ``-``, ``0``, or ``?`` for an undefined value."""
    if not math.isfinite(value):
        return "?"
    return "+" if value > 0 else ("-" if value < 0 else "0")


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``k / n`` (NaN when ``n`` is 0)."""
    if n == 0:
        return math.nan, math.nan
    from scipy import stats

    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    phat = k / n
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)

"""Try it yourself: a lesson's levers, run as the file writes them and as a student sets them.

Layer: experiment. A :class:`Lever` is one value of a scenario a student may change (its key
path and a label in full words); :class:`WhatIfLesson` runs a regime with the levers'
values through :func:`govsim.what_if` (the scenario as written and changed, on the same draws
of chance) and shows :func:`change_table`: each metric as written, changed, and the paired
difference with its interval, in words ("lower", "cannot be told from chance"), and optionally
the changed regime against another regime run on the same worlds. Its sliders are in
:mod:`govsim.experiment.lesson_widgets`, the tables of the lesson's case study in
:mod:`govsim.measure.lesson`.

Example
-------
>>> from govsim.experiment.lesson import CENTRE_LEVERS, WhatIfLesson
>>> centre = WhatIfLesson("district", "consolidated", CENTRE_LEVERS,
...                       ["resolution_days_median"], replications=3, horizon_days=60)
>>> centre(accuracy=0.8).table      # as written, changed, the difference  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import pandas as pd

from govsim.errors import GovsimError, shown
from govsim.experiment.checks import metric_names, resolve_scenario, whole
from govsim.experiment.comparison import Comparison, Results, ScenarioLike
from govsim.experiment.whatif import BASE, CHANGED, what_if
from govsim.lang import check_lang, metric_label
from govsim.measure.lesson import verdict
from govsim.measure.metrics import FEASIBLE, METRICS
from govsim.report.text import interval_text as _cell
from govsim.scenario import Scenario, check_path, display_names, scenario_data
from govsim.scenario.edit import get_path
from govsim.stats.intervals import SMALL_SAMPLE
from govsim.stats.summary import paired_differences

__all__ = ["Lever", "ROOF_LEVERS", "CENTRE_LEVERS", "lever_values", "change_table",
           "ChangeView", "WhatIfLesson"]


@dataclass(frozen=True)
class Lever:
    """A value of a scenario a student may change.

    ``name`` is the keyword it is set by, ``path`` its key path in the scenario, ``label``
    what a slider says, in full. A lever with ``low`` and ``high`` is a number between them
    (in steps of ``step``); one without is a yes/no value.
    """

    name: str
    path: str
    label: str
    low: float | None = None
    high: float | None = None
    step: float | None = None


#: the many-hotlines rules of the Shanghai leak (shipped ``shanghai_leak``) a class may change
ROOF_LEVERS: tuple[Lever, ...] = (
    Lever("fund_open", "world.funds.maintenance_fund.available",
          "The building's maintenance fund is open (case study: it never was)"),
    Lever("referral_lost", "regimes.fragmented.deflection.referral_lost_prob",
          "Chance that a case passed on to another unit is lost on the way", 0.0, 1.0, 0.05),
    Lever("false_solved", "regimes.fragmented.false_closure_prob",
          "Chance that a stalled ticket is marked 'solved' while nothing is done",
          0.0, 1.0, 0.05),
    Lever("repaid", "regimes.fragmented.funding.recovery_prob",
          "Chance that the street office ever gets its advance back", 0.0, 1.0, 0.05),
)

#: the 12345 centre of the shipped ``district`` a class may change
CENTRE_LEVERS: tuple[Lever, ...] = (
    Lever("coverage", "regimes.consolidated.kb_coverage",
          "Share of questions 12345's database answers on the spot", 0.0, 1.0, 0.05),
    Lever("accuracy", "regimes.consolidated.accuracy",
          "Share of cases 12345 sends to the right unit first time", 0.3, 1.0, 0.02),
)


def lever_values(scenario: ScenarioLike, levers: Sequence[Lever]) -> dict[str, Any]:
    """Each lever's value as the scenario's file writes it, by the lever's name.

    Example
    -------
    >>> lever_values("district", CENTRE_LEVERS)
    {'coverage': 0.6, 'accuracy': 0.92}
    """
    data = scenario_data(resolve_scenario(scenario))
    return {lv.name: get_path(data, lv.path, where=f"levers.{lv.name}") for lv in levers}


def change_table(cmp: Comparison, metrics: Sequence[str], lang: str = "en",
                 reference: Results | None = None,
                 reference_regime: str | None = None) -> pd.DataFrame:
    """A :func:`govsim.what_if` comparison for a student: per metric, its mean [95% CI] as
    written and changed, the paired difference changed − as written with its interval, and
    that difference in words (:func:`govsim.measure.lesson.verdict`).

    Parameters
    ----------
    cmp:
        The result of :func:`govsim.what_if` (regimes ``as_written`` and ``changed``).
    metrics:
        The metrics to show, one row each (named in ``lang``: :func:`govsim.lang.metric_label`).
    lang:
        ``"en"``, ``"zh"`` or ``"keys"`` for the metrics' names; the column headers are English.
    reference, reference_regime:
        Results holding ``reference_regime`` run with the same seed, replications and horizon
        (so on the same worlds): two more columns give the changed regime minus it, paired,
        and in words.

    Example
    -------
    >>> cmp = govsim.what_if("district", {"regimes.consolidated.accuracy": 0.8},
    ...                      "consolidated", replications=3, horizon_days=60)  # doctest: +SKIP
    >>> change_table(cmp, ["street_office_shifted_cost_yuan"])               # doctest: +SKIP
    """
    check_lang(lang)
    names = metric_names(metrics)
    if list(cmp.regimes) != [BASE, CHANGED]:
        raise GovsimError(f"must be the result of govsim.what_if (regimes {BASE!r} and "
                          f"{CHANGED!r}), got regimes {shown(list(cmp.regimes))}", "cmp")
    summ = cmp.summary(names).set_index(["regime", "metric"])
    diff = cmp.differences(names).set_index("metric")
    rows: dict[str, dict[str, str]] = {}
    vs = None
    if reference is not None:
        label, vs = _reference_differences(cmp, names, reference, reference_regime)
    for m in names:
        a, b, d = summ.loc[(BASE, m)], summ.loc[(CHANGED, m)], diff.loc[m]
        row = {"as written": _cell(a["mean"], a["ci_low"], a["ci_high"]),
               "changed": _cell(b["mean"], b["ci_low"], b["ci_high"]),
               "changed − as written": _cell(d["mean_diff"], d["ci_low"], d["ci_high"]),
               "the change": verdict(d["mean_diff"], d["ci_low"], d["ci_high"])}
        if vs is not None:
            r = vs.loc[m]
            row[f"changed − {label}"] = _cell(r["mean_diff"], r["ci_low"], r["ci_high"])
            row[f"against {label}"] = verdict(r["mean_diff"], r["ci_low"], r["ci_high"])
        rows[metric_label(m, METRICS[m][0], lang)] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("metric")


def _check_reference(reference: Results, regime: str | None, seed: int, replications: int,
                     horizon_days: int, world: Any = None, where: str = "reference") -> None:
    """A :class:`GovsimError` at ``where`` unless ``reference`` holds ``regime`` and was run
    on the same worlds: the same seed, replications and horizon (and ``world``, if given)."""
    if not isinstance(reference, Results):
        raise GovsimError(f"must be the results of govsim.run or govsim.compare, got "
                          f"{type(reference).__name__}", where)
    if regime is None or regime not in reference.regimes:
        raise GovsimError(f"must be one of the regimes of {where} "
                          f"({', '.join(reference.regimes)}), got {shown(regime)}",
                          f"{where}_regime" if where == "reference" else where)
    theirs = (reference.seed, reference.replications, reference.scenario.world.horizon_days)
    if theirs != (seed, replications, horizon_days):
        raise GovsimError(
            f"was run with seed {theirs[0]}, {theirs[1]} replications and {theirs[2]} days, the "
            f"lesson with seed {seed}, {replications} and {horizon_days}: they must be the same "
            "to be paired", where)
    if world is not None and reference.scenario.world != world:
        raise GovsimError("was run on another world than the lesson's scenario", where)


def _reference_differences(cmp: Comparison, metrics: list[str], reference: Results,
                           regime: str | None) -> tuple[str, pd.DataFrame]:
    """The reference regime's short name and changed − it, paired by replication."""
    _check_reference(reference, regime, cmp.seed, cmp.replications,
                     cmp.scenario.world.horizon_days)
    ours = cmp.metrics[cmp.metrics["regime"] == CHANGED]
    theirs = reference.metrics[reference.metrics["regime"] == regime]
    frame = pd.concat([ours.assign(regime="changed"), theirs.assign(regime="reference")],
                      ignore_index=True)
    diffs = paired_differences(frame, "regime", "replication", metrics, "reference",
                               cmp.confidence, FEASIBLE).set_index("metric")
    return display_names(reference.scenario, "en").regime(str(regime)), diffs


@dataclass(frozen=True, repr=False)
class ChangeView:
    """What a lesson shows after a run: a caption, the :func:`change_table` and the
    :class:`~govsim.experiment.comparison.Comparison` behind it."""

    caption: str
    table: pd.DataFrame
    #: ``None`` when nothing was run (the file's values, shown from the lesson's ``as_written``)
    comparison: Comparison | None = field(repr=False)

    def __str__(self) -> str:
        return f"{self.caption}\n{self.table.to_string()}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return f"<p>{self.caption}</p>{self.table.to_html()}"


@dataclass(frozen=True)
class WhatIfLesson:
    """A regime of a scenario, the levers a student may move, and what to show.

    Calling it (``lesson(accuracy=0.8)``; a lever not given keeps the file's value) runs
    :func:`govsim.what_if` with the levers' values and returns a :class:`ChangeView`.
    Everything is checked when it is made: the scenario (a name such as ``"district"``, a
    path or a :class:`~govsim.scenario.Scenario`), the regime, every lever's path, the
    metrics, and that ``reference`` was run on the same worlds.

    Parameters
    ----------
    scenario, regime, levers, metrics:
        What to run and show.
    replications, seed, horizon_days:
        As in :func:`govsim.run` (``horizon_days=None``: the scenario's own).
    reference, reference_regime:
        Optional results to set the changed regime against (:func:`change_table`).
    as_written:
        Optional results holding ``regime`` run as the file writes it, on the same worlds
        (same seed, replications and horizon): a call at the file's values then runs nothing
        and shows them (changed = as written, no difference), so a notebook's Run All does
        not run the same thing twice.
    lang:
        How the metrics are named.

    Example
    -------
    >>> roof = WhatIfLesson("shanghai_leak", "fragmented", ROOF_LEVERS,
    ...                     ["resolved_share"], replications=20, seed=1)
    >>> roof(fund_open=True).table                                  # doctest: +SKIP
    """

    scenario: Scenario
    regime: str
    levers: tuple[Lever, ...]
    metrics: tuple[str, ...]
    replications: int = 10
    seed: int = 0
    horizon_days: int | None = None
    reference: Results | None = field(default=None, repr=False)
    reference_regime: str | None = None
    as_written: Results | None = field(default=None, repr=False)
    lang: str = "en"

    def __init__(self, scenario: ScenarioLike, regime: str, levers: Sequence[Lever],
                 metrics: Sequence[str], *, replications: int = 10, seed: int = 0,
                 horizon_days: int | None = None, reference: Results | None = None,
                 reference_regime: str | None = None, as_written: Results | None = None,
                 lang: str = "en") -> None:
        s = resolve_scenario(scenario, horizon_days)
        put = object.__setattr__
        put(self, "scenario", s)
        put(self, "regime", s.check_regime(regime))
        levers = tuple(levers)
        if not levers or not all(isinstance(lv, Lever) for lv in levers):
            raise GovsimError(f"must be a non-empty list of Lever, got {shown(levers)}", "levers")
        data = scenario_data(s)
        for lv in levers:
            check_path(data, lv.path, where=f"levers.{lv.name}")
        put(self, "levers", levers)
        put(self, "metrics", tuple(metric_names(list(metrics))))
        put(self, "replications", whole(replications, 2, "replications"))
        put(self, "seed", whole(seed, 0, "seed"))
        put(self, "horizon_days", s.world.horizon_days)
        put(self, "reference", reference)
        put(self, "reference_regime", reference_regime)
        put(self, "lang", check_lang(lang))
        if reference is not None:
            _check_reference(reference, reference_regime, seed, self.replications,
                             s.world.horizon_days, s.world)
        if as_written is not None:
            _check_reference(as_written, self.regime, seed, self.replications,
                             s.world.horizon_days, s.world, where="as_written")
            if as_written.scenario.regimes[self.regime] != s.regimes[self.regime]:
                raise GovsimError(f"ran another {self.regime!r} than the lesson's scenario's",
                                  "as_written")
        put(self, "as_written", as_written)

    def defaults(self) -> dict[str, Any]:
        """The levers' values as the scenario's file writes them."""
        return lever_values(self.scenario, self.levers)

    def changes(self, **values: Any) -> dict[str, Any]:
        """The key paths and values of ``values`` (by lever name), the file's for the rest."""
        known = {lv.name: lv for lv in self.levers}
        unknown = set(values) - set(known)
        if unknown:
            raise GovsimError(f"no lever named {sorted(unknown)[0]!r} (the levers are "
                              f"{', '.join(known)})", "values")
        chosen = {**self.defaults(), **values}
        return {known[name].path: _plain(known[name], value) for name, value in chosen.items()}

    def run(self, **values: Any) -> Comparison:
        """:func:`govsim.what_if` of the regime with the levers at ``values``."""
        return what_if(self.scenario, self.changes(**values), self.regime,
                       replications=self.replications, seed=self.seed, record_events=False,
                       executor="serial")

    def __call__(self, **values: Any) -> ChangeView:
        started = time.perf_counter()
        label = display_names(self.scenario, "en").regime(self.regime)
        head = f"{label}, {self.replications} replications of {self.horizon_days} days"
        if self.replications < SMALL_SAMPLE:
            head += f" (fewer than {SMALL_SAMPLE}: the intervals are rough)"
        if self.as_written is not None and _same(self.changes(**values), self.changes()):
            cmp = self._unchanged()
            table = change_table(cmp, self.metrics, self.lang, self.reference,
                                 self.reference_regime)
            caption = (f"{head} with the file's values (seed {self.seed}), from the run above: "
                       f"nothing changed yet, so nothing new was run; mean [95% interval] over "
                       f"replications.")
            return ChangeView(caption=caption, table=table, comparison=None)
        cmp = self.run(**values)
        table = change_table(cmp, self.metrics, self.lang, self.reference, self.reference_regime)
        caption = (f"{head}, each run with the file's values and with yours on the same draws "
                   f"of chance (seed {self.seed}); mean [95% interval] over replications "
                   f"({time.perf_counter() - started:.1f} s).")
        return ChangeView(caption=caption, table=table, comparison=cmp)

    def _unchanged(self) -> Comparison:
        """A what-if of no change from :attr:`as_written`'s metrics (its other tables empty)."""
        assert self.as_written is not None
        m = self.as_written.metrics
        mine = m[m["regime"] == self.regime]
        both = pd.concat([mine.assign(regime=BASE), mine.assign(regime=CHANGED)],
                         ignore_index=True)
        empty = pd.DataFrame()
        return Comparison(scenario=self.scenario, regimes=[BASE, CHANGED], seed=self.seed,
                          replications=self.replications, cases=empty, events=empty,
                          units=empty, ledger=empty, lights=empty, metrics=both,
                          confidence=self.as_written.confidence, baseline=BASE)


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two sets of lever values are the same (numbers to within rounding: a slider's 0.92
    may come back as 0.9200000000000002)."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] if isinstance(a[k], bool) or isinstance(b[k], bool)
        else math.isclose(float(a[k]), float(b[k]), rel_tol=1e-9, abs_tol=1e-12) for k in a)


def _plain(lever: Lever, value: Any) -> Any:
    """A widget's value as the scenario wants it: a yes/no lever's as bool, a number's as
    float (a whole number stays whole)."""
    if lever.low is None:
        return bool(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise GovsimError(f"must be a number, got {shown(value)}", f"values.{lever.name}")
    return int(value) if isinstance(value, Integral) else float(value)

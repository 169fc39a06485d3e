"""Decomposition: the paired gap between two regimes, attributed rule by rule.

Layer: experiment. Between regimes A and B, the rule groups of
:data:`govsim.scenario.RULES` whose settings differ are the players. Every regime that switches
a subset of them from A's setting to B's (:func:`govsim.scenario.hybrid`) runs on the same
worlds (common random numbers), and each rule's Shapley value
(:mod:`govsim.stats.shapley`) is its marginal effect averaged over the orders in which the
rules could be switched -- exactly, over all ``2**k`` subsets, when few rules differ, or on
sampled orders (antithetic pairs) when many do. Per replication the contributions add up to the
paired difference B − A exactly; intervals are taken over replications. Each rule's effect
switched alone (from A) and switched last (into B) is reported beside it: where they differ,
the rule interacts with others.

Some variants would be regimes nobody describes: ``non_owner = "return"`` under
``routing = "citizen"`` returns cases to the citizen, as no dispatcher re-routes them
(:mod:`govsim.scenario.dependencies`). So the rules linked by a requirement that a variant could
break are **grouped** (with any named ``together``), and the contributions are **Owen values**
(:func:`govsim.stats.shapley.owen_exact`, :func:`~govsim.stats.shapley.owen_sampled`):
Shapley values between the groups, each switched as a whole, and within a group each member's
share over the orders of its members that pass through no meaningless variant (with one such
order, each member's marginal in it). No meaningless variant is run, and the contributions still
add up to the paired difference. With no group of two or more rules they are the Shapley values,
computed as before.

The plan -- the checks, the groups and the variants to run -- is made in
:mod:`govsim.experiment.decomposition_plan`; this module runs it and holds the result,
:class:`Decomposition`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from govsim.experiment.comparison import ScenarioLike
from govsim.experiment.decomposition_plan import (
    DECOMPOSE_METRICS,
    EXACT_MAX_RULES,
    Plan,
    _key,
    plan,
)
from govsim.experiment.executors import run_all
from govsim.experiment.replication import ReplicationOutput, run_replication
from govsim.lang import check_lang
from govsim.measure.metrics import FEASIBLE
from govsim.progress import Progress
from govsim.scenario import Scenario
from govsim.scenario.dependencies import Requirement
from govsim.stats.intervals import difference_bounds, mean_ci
from govsim.stats.shapley import contributions, owen_exact, owen_sampled

__all__ = ["decompose", "plan", "execute", "Plan", "Decomposition", "DECOMPOSE_METRICS",
           "EXACT_MAX_RULES"]

#: variants run in one task (one replication's world is drawn once per task)
_CHUNK = 8



@dataclass(repr=False)
class Decomposition:
    """The result of :func:`decompose`.

    Attributes
    ----------
    contributions:
        One row per metric and rule: ``metric, rule, group`` (the group it was switched with,
        named ``a&b``; the rule itself when alone), ``contribution, ci_low, ci_high, n,
        sampling_se`` (NaN when exact), ``alone`` (the rule switched alone, from A) and
        ``last`` (switched last, into B), means over replications; ``alone`` or ``last`` is
        NaN where that variant would be meaningless (it is not run).
    totals:
        One row per metric: the paired difference B − A with its interval, which the rules'
        contributions add up to, and ``left_out``: replications left out because the metric is
        undefined in some variant.
    variants:
        The metrics of every variant run (``subset`` names its switched rules, ``+``-joined;
        ``""`` is A with nothing switched), one row per variant and replication.
    groups:
        Group name -> its rules, for every group (a rule alone is a group of one); the groups
        are the players between which the values are Shapley values.
    group_notes:
        For each group of two or more rules, why it was formed: the requirements that link
        its rules (:data:`govsim.scenario.dependencies.REQUIREMENTS`) and ``together``.
    within:
        For each group of two or more rules, the orders of its rules that pass through no
        meaningless variant (``None``: every order).
    group_effects:
        One row per metric and group of two or more rules: the group's contribution (the sum
        of its rules') with its interval, and the group switched alone and last.
    notes:
        Sentences about the pair: an endpoint that itself leaves a requirement unmet.

    Examples
    --------
    >>> import govsim
    >>> dec = govsim.decompose("district", "fragmented", "fragmented_one_record",
    ...                        metrics=["contacts_per_case"], replications=2, horizon_days=10,
    ...                        jobs=1)
    >>> dec.groups
    {'case_record': ('case_record',)}
    >>> dec.totals[["metric", "difference", "n"]].round(3)
                  metric  difference  n
    0  contacts_per_case      -0.043  2
    >>> print(dec.table())  # doctest: +ELLIPSIS
    scenario 'district': Many hotlines with one case record - Many hotlines (paired), ...
    """

    scenario: Scenario
    source: str
    target: str
    rules: list[str]
    exact: bool
    orders: int
    seed: int
    replications: int
    confidence: float
    contributions: pd.DataFrame
    totals: pd.DataFrame
    variants: pd.DataFrame = field(repr=False)
    #: the sampled orders of the groups (empty when exact)
    order_list: list[list[str]] = field(default_factory=list)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    group_notes: dict[str, list[str]] = field(default_factory=dict)
    within: dict[str, list[list[str]] | None] = field(default_factory=dict)
    group_effects: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: list[str] = field(default_factory=list)
    #: the requirements behind each group (``group_notes`` in words)
    group_requirements: dict[str, list[Requirement]] = field(default_factory=dict, repr=False)

    @property
    def owen(self) -> bool:
        """Whether some group holds two or more rules (Owen values, not plain Shapley)."""
        return any(len(m) > 1 for m in self.groups.values())

    def table(self, lang: str = "en") -> str:
        """A plain-text table: for each metric, each rule's contribution with its interval;
        ``lang="zh"`` writes it in Chinese."""
        from govsim.report.decomposition import decomposition_table

        return decomposition_table(self, check_lang(lang))

    def __str__(self) -> str:
        """The text table (what ``print`` shows)."""
        return self.table()

    def __repr__(self) -> str:
        return (f"<Decomposition of {self.scenario.name!r}: {self.target} - {self.source}, "
                f"{len(self.rules)} differing rules, {self.replications} replications, seed "
                f"{self.seed}; print() it for the table>")

    def _repr_html_(self) -> str:
        """The tables as styled HTML, for Jupyter."""
        from govsim.report.html_tables import decomposition_html

        return decomposition_html(self, "en")

    def to_json(self) -> str:
        """The decomposition as JSON (contributions and totals; NaN as null)."""
        def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                     for k, v in row.items()} for row in frame.to_dict("records")]

        return json.dumps({
            "scenario": self.scenario.name, "from": self.source, "to": self.target,
            "rules": self.rules, "attribution": "owen" if self.owen else "shapley",
            "groups": [{"group": g, "rules": list(m), "why": self.group_notes.get(g, []),
                        "orders": self.within.get(g)}
                       for g, m in self.groups.items() if len(m) > 1],
            "exact": self.exact, "orders": self.orders,
            "order_list": self.order_list, "seed": self.seed,
            "replications": self.replications, "confidence": self.confidence,
            "notes": self.notes,
            "totals": rows(self.totals), "contributions": rows(self.contributions),
            "group_effects": rows(self.group_effects),
        }, indent=2)



def _task(args: tuple[Scenario, tuple[str, ...], int, int, float]) -> ReplicationOutput:
    scenario, names, seed, replication, warmup = args
    return run_replication(scenario, names, seed, replication, record_events=False,
                           warmup_days=warmup, recording="metrics")



def decompose(scenario: ScenarioLike, source: str, target: str, *,
              metrics: Sequence[str] | None = None, replications: int = 10, seed: int = 0,
              horizon_days: int | None = None, warmup_days: float = 0.0,
              exact: bool | None = None, orders: int = 8, confidence: float = 0.95,
              together: Sequence[Sequence[str]] = (),
              jobs: int | None = None, progress: Progress | None = None,
              executor: str | Executor | None = None, scheduler: str | None = None,
              memory_budget: float | None = None) -> Decomposition:
    """Attribute the paired difference ``target`` − ``source`` of each metric to the rules
    that differ between the two regimes (Shapley values under common random numbers).

    Parameters
    ----------
    scenario, replications, seed, horizon_days, warmup_days, jobs, progress, executor, scheduler, memory_budget:
        As in :func:`~govsim.experiment.compare` (one task is one replication's world and a
        handful of variants).
    source, target:
        The regimes A (nothing switched) and B (every differing rule switched).
    metrics:
        The metrics to decompose (default :data:`DECOMPOSE_METRICS`).
    exact:
        Run every union of the ``m`` groups of differing rules (default: when ``m`` is at most
        :data:`~govsim.experiment.decomposition_plan.EXACT_MAX_RULES`); otherwise sample
        ``orders`` orders of the groups (an even number: antithetic pairs, drawn from
        ``seed``), each rule's sampling error reported beside its interval. With the default 8
        orders that error rests on 4 independent pairs. Within a group the values are always
        exact.
    confidence:
        Level of the intervals over replications.
    together:
        Groups of rules to switch as a whole between the groups (e.g.
        ``[["intake", "case_record"]]``, shown as ``intake&case_record``); they are merged with
        the groups the requirements form, and within each the rules still get their shares.

    Notes
    -----
    Rules linked by a requirement that a variant would break
    (:data:`govsim.scenario.dependencies.REQUIREMENTS`, e.g. ``non_owner = "return"`` needs
    ``routing = "triage"``) are grouped; the values are then Owen values (see the module) and
    no meaningless variant is run. ``Decomposition.groups``, ``group_notes`` and its table say
    which groups were formed and why.

    A replication in which a metric is undefined in any variant (a Kaplan-Meier median not
    reached, say) is left out of that metric's contributions *and* its total, so they still add
    up; ``n`` says how many replications each row rests on.

    Examples
    --------
    >>> import govsim
    >>> dec = govsim.decompose("district", "consolidated", "consolidated_no_adjudication",
    ...                        metrics=["street_office_shifted_cost_yuan"], replications=2,
    ...                        horizon_days=10, seed=1, jobs=1)
    >>> dec.rules            # the rules that differ between the two regimes
    ['overlap']
    >>> dec.contributions[["metric", "rule", "contribution"]].round(-2)
                                metric     rule  contribution
    0  street_office_shifted_cost_yuan  overlap       -9000.0
    """
    p = plan(scenario, source, target, metrics=metrics, replications=replications, seed=seed,
             horizon_days=horizon_days, warmup_days=warmup_days, exact=exact, orders=orders,
             confidence=confidence, together=together, memory_budget=memory_budget)
    return execute(p, jobs=jobs, progress=progress, executor=executor, scheduler=scheduler)


def execute(p: Plan, *, jobs: int | None = None, progress: Progress | None = None,
            executor: str | Executor | None = None,
            scheduler: str | None = None) -> Decomposition:
    """Run a :class:`Plan` and compute its decomposition (see :func:`decompose`)."""
    rules = p.rules
    outs = _run(p.world, p.keys, p.seed, p.replications, p.warmup_days, jobs, progress,
                executor, scheduler)
    table = pd.DataFrame([m for o in outs for m in o.metrics]).rename(columns={"regime": "subset"})
    table = table.sort_values(["subset", "replication"], kind="stable").reset_index(drop=True)
    by_key = {key: frame.set_index("replication").sort_index()
              for key, frame in table.groupby("subset", sort=False)}
    full = frozenset(rules)
    groups = p.groups or {r: (r,) for r in rules}
    group_of = {r: g for g, members in groups.items() for r in members}
    rows, totals, effects = [], [], []
    for metric in p.metrics:
        values = np.vstack([by_key[key][metric].to_numpy(dtype=float) for key in p.keys])
        # the replications where the metric is defined in every variant: contributions and
        # total are taken over the same ones, so they add up
        keep = np.isfinite(values).all(axis=0)

        def value(x: frozenset[str], metric: str = metric, keep: np.ndarray = keep) -> np.ndarray:
            return by_key[_key(x, rules)][metric].to_numpy(dtype=float)[keep]

        def step(x: frozenset[str], y: frozenset[str],
                 value: Callable[[frozenset[str]], np.ndarray] = value) -> float:
            """The mean of ``v(y) - v(x)``; NaN when either was not run (meaningless)."""
            if _key(x, rules) not in by_key or _key(y, rules) not in by_key:
                return math.nan
            return _mean(value(y) - value(x))

        if p.exact:
            per_rep = owen_exact(groups, value, p.within)
            errors = None
        else:
            per_rep, errors = owen_sampled(groups, value, p.order_list, p.within)
        frame = contributions(per_rep, p.confidence, FEASIBLE[metric], errors)
        frame.insert(0, "metric", metric)
        frame.insert(2, "group", [group_of[r] for r in frame["rule"]])
        frame["alone"] = [step(frozenset(), frozenset([r])) for r in rules]
        frame["last"] = [step(full - {r}, full) for r in rules]
        rows.append(frame)
        for g, members in groups.items():
            if len(members) < 2:
                continue
            together = np.sum([per_rep[r] for r in members], axis=0)
            mean, low, high, n = mean_ci(together, p.confidence,
                                         difference_bounds(FEASIBLE[metric]))
            effects.append({"metric": metric, "group": g, "rules": ", ".join(members),
                            "contribution": mean, "ci_low": low, "ci_high": high, "n": n,
                            "alone": step(frozenset(), frozenset(members)),
                            "last": step(full - set(members), full)})
        diff = value(full) - value(frozenset())
        mean, low, high, n = mean_ci(diff, p.confidence, difference_bounds(FEASIBLE[metric]))
        totals.append({"metric": metric, "source": _mean(value(frozenset())),
                       "target": _mean(value(full)), "difference": mean,
                       "ci_low": low, "ci_high": high, "n": n,
                       "left_out": int(p.replications - keep.sum())})
    return Decomposition(
        scenario=p.scenario, source=p.source, target=p.target, rules=rules, exact=p.exact,
        orders=p.orders, seed=p.seed, replications=p.replications, confidence=p.confidence,
        contributions=pd.concat(rows, ignore_index=True), totals=pd.DataFrame(totals),
        variants=table, order_list=p.order_list, groups=dict(groups),
        group_notes=p.group_notes, within=p.within,
        group_effects=pd.DataFrame(effects, columns=[
            "metric", "group", "rules", "contribution", "ci_low", "ci_high", "n", "alone",
            "last"]),
        notes=p.notes, group_requirements=p.group_requirements)


def _run(world: Scenario, keys: list[str], seed: int, replications: int, warm: float,
         jobs: int | None, progress: Progress | None, executor: str | Executor | None,
         scheduler: str | None) -> list[ReplicationOutput]:
    chunks = [tuple(keys[i:i + _CHUNK]) for i in range(0, len(keys), _CHUNK)]
    tasks = [(r, chunk) for r in range(replications) for chunk in chunks]
    if executor is None:
        executor = "serial" if jobs == 1 else "local"
    return run_all(_task, ((i, (world, chunk, seed, r, warm)) for i, (r, chunk) in enumerate(tasks)),
                   len(tasks), executor=executor, jobs=jobs, scheduler=scheduler,
                   progress=progress)


def _mean(values: np.ndarray) -> float:
    """The mean of the defined values (NaN, quietly, when there are none)."""
    defined = values[np.isfinite(values)]
    return float(defined.mean()) if len(defined) else math.nan

"""Decomposition: the paired gap between two regimes, attributed rule by rule.

Layer: experiment. Between regimes A and B, the rule groups of
:data:`govsim.scenario.RULES` whose settings differ are the players. Every regime that switches
a subset of them from A's setting to B's (:func:`govsim.scenario.hybrid`) runs on the same
worlds (common random numbers), and each rule's Shapley value
(:mod:`govsim.analysis.shapley`) is its marginal effect averaged over the orders in which the
rules could be switched -- exactly, over all ``2**k`` subsets, when few rules differ, or on
sampled orders (antithetic pairs) when many do. Per replication the contributions add up to the
paired difference B − A exactly; intervals are taken over replications. Each rule's effect
switched alone (from A) and switched last (into B) is reported beside it: where they differ,
the rule interacts with others.
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

from govsim.analysis.intervals import difference_bounds, mean_ci
from govsim.analysis.metrics import FEASIBLE
from govsim.analysis.shapley import contributions, sample_orders, shapley_exact, shapley_sampled
from govsim.errors import GovsimError, shown
from govsim.experiment.checks import (
    MAX_REPLICATIONS,
    check_memory,
    check_warmup,
    check_work,
    metric_names,
    resolve_scenario,
    whole,
)
from govsim.experiment.comparison import ScenarioLike
from govsim.experiment.executors import run_all
from govsim.experiment.replication import ReplicationOutput, run_replication
from govsim.lang import check_lang
from govsim.scenario import Scenario, differing_rules, hybrid

__all__ = ["decompose", "plan", "execute", "Plan", "Decomposition", "DECOMPOSE_METRICS",
           "EXACT_MAX_RULES"]

#: the metrics decomposed by default: the comparison's two headline questions
DECOMPOSE_METRICS = ["resolution_days_median", "street_office_shifted_cost_yuan"]

#: with at most this many differing rules every subset is run (exact Shapley values)
EXACT_MAX_RULES = 5
#: the most subsets ``exact`` runs per replication (all subsets of 10 rules); more rules are
#: sampled (``orders``) or grouped (``together``)
MAX_EXACT_VARIANTS = 2**10
#: the most sampled orders (each adds up to one variant per rule)
MAX_ORDERS = 1_000

#: variants run in one task (one replication's world is drawn once per task)
_CHUNK = 8

Progress = Callable[[int, int], None]


@dataclass
class Decomposition:
    """The result of :func:`decompose`.

    Attributes
    ----------
    contributions:
        One row per metric and rule: ``metric, rule, contribution, ci_low, ci_high, n,
        sampling_se`` (NaN when exact), ``alone`` (the rule switched alone, from A) and
        ``last`` (switched last, into B), means over replications.
    totals:
        One row per metric: the paired difference B − A with its interval, which the rules'
        contributions add up to, and ``left_out``: replications left out because the metric is
        undefined in some variant.
    variants:
        The metrics of every variant run (``subset`` names its switched rules, ``+``-joined;
        ``""`` is A with nothing switched), one row per variant and replication.
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
    #: the sampled orders of the rules (empty when exact)
    order_list: list[list[str]] = field(default_factory=list)

    def table(self, lang: str = "en") -> str:
        """A plain-text table: for each metric, each rule's contribution with its interval;
        ``lang="zh"`` writes it in Chinese."""
        from govsim.experiment.report import decomposition_table

        return decomposition_table(self, check_lang(lang))

    def to_json(self) -> str:
        """The decomposition as JSON (contributions and totals; NaN as null)."""
        def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                     for k, v in row.items()} for row in frame.to_dict("records")]

        return json.dumps({
            "scenario": self.scenario.name, "from": self.source, "to": self.target,
            "rules": self.rules, "exact": self.exact, "orders": self.orders,
            "order_list": self.order_list, "seed": self.seed,
            "replications": self.replications, "confidence": self.confidence,
            "totals": rows(self.totals), "contributions": rows(self.contributions),
        }, indent=2)


def _key(subset: frozenset[str], rules: Sequence[str]) -> str:
    return "+".join(r for r in rules if r in subset)


def _task(args: tuple[Scenario, tuple[str, ...], int, int, float]) -> ReplicationOutput:
    scenario, names, seed, replication, warmup = args
    return run_replication(scenario, names, seed, replication, record_events=False,
                           warmup_days=warmup, keep_tables=False)


@dataclass
class Plan:
    """A checked decomposition, ready to run: the differing rules, the orders (when sampled),
    and the scenario whose regimes are the variants (one per subset to run, named by
    :func:`_key`). :func:`plan` makes it; :func:`execute` runs it."""

    scenario: Scenario
    world: Scenario
    source: str
    target: str
    rules: list[str]
    exact: bool
    orders: int
    order_list: list[list[str]]
    keys: list[str]
    metrics: list[str]
    replications: int
    seed: int
    warmup_days: float
    confidence: float


def plan(scenario: ScenarioLike, source: str, target: str, *,
         metrics: Sequence[str] | None = None, replications: int = 10, seed: int = 0,
         horizon_days: int | None = None, warmup_days: float = 0.0, exact: bool | None = None,
         orders: int = 8, confidence: float = 0.95, together: Sequence[Sequence[str]] = (),
         memory_budget: float | None = None) -> Plan:
    """Every check of :func:`decompose`, and the variants it will run, before anything runs."""
    s = resolve_scenario(scenario, horizon_days)
    a_name = s.check_regime(source, where="source")
    b_name = s.check_regime(target, where="target")
    if a_name == b_name:
        raise GovsimError("must name a regime other than source", "target")
    names = metric_names(metrics, DECOMPOSE_METRICS)
    whole(replications, 2, "replications", MAX_REPLICATIONS)
    whole(seed, 0, "seed")
    warm = check_warmup(warmup_days, s)
    if isinstance(confidence, bool) or not isinstance(confidence, float | int) \
            or not 0.0 < confidence < 1.0:
        raise GovsimError(f"must be a number between 0 and 1, got {shown(confidence)}", "confidence")
    if exact is not None and not isinstance(exact, bool):
        raise GovsimError(f"must be true, false or None, got {shown(exact)}", "exact")
    a, b = s.regimes[a_name], s.regimes[b_name]
    differing = differing_rules(a, b)
    if not differing:
        raise GovsimError(f"regimes {shown(a_name)} and {shown(b_name)} set every rule alike: there is "
                          "no difference to decompose", "target")
    members = _players(differing, together)
    rules = list(members)  # the players: rules, or groups of rules attributed together
    k = len(rules)
    if exact is None:
        exact = k <= EXACT_MAX_RULES
    if exact and 2**k > MAX_EXACT_VARIANTS:
        raise GovsimError(f"{k} rules differ, and every subset of them is {2**k:,} variants per "
                          f"replication ({2**k * replications:,} runs), over the "
                          f"{MAX_EXACT_VARIANTS:,} an exact decomposition runs: sample orders "
                          "instead, or attribute some rules together", "exact")
    if not exact:
        whole(orders, 2, "orders", MAX_ORDERS)
        if orders % 2:
            raise GovsimError(f"must be even (orders come in reversed pairs), got {orders}",
                              "orders")
    # the subsets to run: all of them, or those on the sampled orders plus each rule alone and
    # each rule last (which show interactions). The orders are drawn from the seed (a stream of
    # their own), so the same seed gives the same orders on every executor.
    order_list: list[list[str]] = []
    if exact:
        subsets = {frozenset(r for i, r in enumerate(rules) if m >> i & 1) for m in range(2 ** k)}
    else:
        rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(k, 1011)))
        order_list = sample_orders(rules, orders, rng)
        subsets = {frozenset(o[:j]) for o in order_list for j in range(k + 1)}
    full = frozenset(rules)
    subsets |= {frozenset([r]) for r in rules} | {full - {r} for r in rules}
    ordered = sorted(subsets, key=lambda x: (len(x), _key(x, rules)))
    keys = [_key(x, rules) for x in ordered]
    variants = {key: hybrid(a, b, [m for player in x for m in members[player]],
                            label=key or a_name) for key, x in zip(keys, ordered, strict=True)}
    world = s.model_copy(update={"regimes": variants})
    check_memory(world, 1, 0, False, memory_budget)
    check_work(s, len(keys) * replications, "replications",
               f"{replications:,} replications of {len(keys):,} variants")
    return Plan(scenario=s, world=world, source=a_name, target=b_name, rules=rules, exact=exact,
                orders=0 if exact else orders, order_list=order_list, keys=keys, metrics=names,
                replications=replications, seed=seed, warmup_days=warm,
                confidence=float(confidence))


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
    scenario, replications, seed, horizon_days, warmup_days, jobs, progress, executor,
    scheduler, memory_budget:
        As in :func:`~govsim.experiment.compare` (one task is one replication's world and a
        handful of variants).
    source, target:
        The regimes A (nothing switched) and B (every differing rule switched).
    metrics:
        The metrics to decompose (default :data:`DECOMPOSE_METRICS`).
    exact:
        Run all ``2**k`` subsets of the ``k`` differing rules (default: when ``k`` is at most
        :data:`EXACT_MAX_RULES`); otherwise sample ``orders`` orders (an even number: antithetic
        pairs, drawn from ``seed``), each rule's sampling error reported beside its interval.
        With the default 8 orders that error rests on 4 independent pairs.
    confidence:
        Level of the intervals over replications.
    together:
        Groups of rules to switch and attribute as one (e.g. ``[["routing", "non_owner"]]``,
        reported as ``routing&non_owner``): for rules whose effects only make sense together.

    A replication in which a metric is undefined in any variant (a Kaplan-Meier median not
    reached, say) is left out of that metric's contributions *and* its total, so they still add
    up; ``n`` says how many replications each row rests on.
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
    rows, totals = [], []
    for metric in p.metrics:
        values = np.vstack([by_key[key][metric].to_numpy(dtype=float) for key in p.keys])
        # the replications where the metric is defined in every variant: contributions and
        # total are taken over the same ones, so they add up
        keep = np.isfinite(values).all(axis=0)

        def value(x: frozenset[str], metric: str = metric, keep: np.ndarray = keep) -> np.ndarray:
            return by_key[_key(x, rules)][metric].to_numpy(dtype=float)[keep]

        if p.exact:
            per_rep = shapley_exact(rules, value)
            errors = None
        else:
            per_rep, errors = shapley_sampled(rules, value, p.order_list)
        frame = contributions(per_rep, p.confidence, FEASIBLE[metric], errors)
        frame.insert(0, "metric", metric)
        frame["alone"] = [_mean(value(frozenset([r])) - value(frozenset())) for r in rules]
        frame["last"] = [_mean(value(full) - value(full - {r})) for r in rules]
        rows.append(frame)
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
        variants=table, order_list=p.order_list)


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


def _players(differing: list[str], together: Sequence[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Player name -> its rules: each differing rule alone, except the groups named in
    ``together``, which are switched and attributed as one (named ``a&b``)."""
    if isinstance(together, str) or not isinstance(together, Sequence):
        raise GovsimError(f"must be a list of groups of rule names, got {shown(together)}", "together")
    group_of: dict[str, int] = {}
    for i, group in enumerate(together):
        if isinstance(group, str) or not isinstance(group, Sequence) or len(group) < 2:
            raise GovsimError(f"each group names two or more rules, got {shown(group)}", "together")
        for rule in group:
            if not isinstance(rule, str) or rule not in differing:
                raise GovsimError(f"{shown(rule)} is not a rule in which the two regimes differ "
                                  f"(they differ in: {', '.join(differing)})", "together")
            if group_of.get(rule) == i:
                raise GovsimError(f"{shown(rule)} is named twice in one group", "together")
            if rule in group_of:
                raise GovsimError(f"{shown(rule)} is named in two groups", "together")
            group_of[rule] = i
    players: dict[str, tuple[str, ...]] = {}
    for rule in differing:  # in RULES order; a group stands where its first rule does
        if rule not in group_of:
            players[rule] = (rule,)
            continue
        group = tuple(r for r in differing if group_of.get(r) == group_of[rule])
        if rule == group[0]:
            players["&".join(group)] = group
    return players



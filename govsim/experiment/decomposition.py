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

Some variants would be regimes nobody describes: ``non_owner = "return"`` under
``routing = "citizen"`` returns cases to the citizen, as no dispatcher re-routes them
(:mod:`govsim.scenario.dependencies`). So the rules linked by a requirement that a variant could
break are **grouped** (with any named ``together``), and the contributions are **Owen values**
(:func:`govsim.analysis.shapley.owen_exact`, :func:`~govsim.analysis.shapley.owen_sampled`):
Shapley values between the groups, each switched as a whole, and within a group each member's
share over the orders of its members that pass through no meaningless variant (with one such
order, each member's marginal in it). No meaningless variant is run, and the contributions still
add up to the paired difference. With no group of two or more rules they are the Shapley values,
computed as before.
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
from govsim.analysis.shapley import (
    contributions,
    feasible_orders,
    owen_exact,
    owen_sampled,
    sample_orders,
)
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
from govsim.scenario.dependencies import Requirement, linked_groups, unmet_requirements

__all__ = ["decompose", "plan", "execute", "Plan", "Decomposition", "DECOMPOSE_METRICS",
           "EXACT_MAX_RULES"]

#: the metrics decomposed by default: the comparison's two headline questions
DECOMPOSE_METRICS = ["resolution_days_median", "resolution_days_rmst30",
                     "street_office_burden_yuan", "street_office_shifted_cost_yuan"]

#: with at most this many groups of differing rules every union of groups is run (exact
#: values between the groups; within a group they are always exact)
EXACT_MAX_RULES = 5
#: the most subsets ``exact`` runs per replication (all subsets of 10 rules); more rules are
#: sampled (``orders``) or grouped (``together``)
MAX_EXACT_VARIANTS = 2**10
#: the most sampled orders (each adds up to one variant per rule)
MAX_ORDERS = 1_000
#: the most orders of one group's members enumerated (8 members, every order)
MAX_GROUP_ORDERS = 40_320

#: variants run in one task (one replication's world is drawn once per task)
_CHUNK = 8

Progress = Callable[[int, int], None]


@dataclass
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
        from govsim.experiment.report import decomposition_table

        return decomposition_table(self, check_lang(lang))

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


def _key(subset: frozenset[str], rules: Sequence[str]) -> str:
    return "+".join(r for r in rules if r in subset)


def _task(args: tuple[Scenario, tuple[str, ...], int, int, float]) -> ReplicationOutput:
    scenario, names, seed, replication, warmup = args
    return run_replication(scenario, names, seed, replication, record_events=False,
                           warmup_days=warmup, keep_tables=False)


@dataclass
class Plan:
    """A checked decomposition, ready to run: the differing rules and their groups, the orders
    (when sampled), and the scenario whose regimes are the variants (one per subset to run,
    named by :func:`_key`; every one meaningful unless an endpoint is not). :func:`plan`
    makes it; :func:`execute` runs it."""

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
    #: group name -> its rules (the players between groups), see :class:`Decomposition`
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    group_notes: dict[str, list[str]] = field(default_factory=dict)
    within: dict[str, list[list[str]] | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    group_requirements: dict[str, list[Requirement]] = field(default_factory=dict)


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
    metric_list = metric_names(metrics, DECOMPOSE_METRICS)
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
    groups, group_requirements, together_named = _groups(a, b, differing, together)
    group_notes = {g: [req.sentence() for req in reqs]
                   + (["named together"] if g in together_named else [])
                   for g, reqs in group_requirements.items()}
    rules = [r for members in groups.values() for r in members]
    names = list(groups)
    k, m = len(rules), len(names)
    if exact is None:
        exact = m <= EXACT_MAX_RULES
    if exact and 2**m > MAX_EXACT_VARIANTS:
        _too_many(k, m, 2**m, replications)
    if not exact:
        whole(orders, 2, "orders", MAX_ORDERS)
        if orders % 2:
            raise GovsimError(f"must be even (orders come in reversed pairs), got {orders}",
                              "orders")
    # a variant is meaningful when it leaves no requirement unmet beyond those the two
    # regimes themselves leave unmet (a regime named as an endpoint is run as it is)
    allowed = set(unmet_requirements(a)) | set(unmet_requirements(b))
    notes = [f"{name} itself leaves a requirement unmet: {req.sentence()}; its variants keep it"
             for name, regime in ((a_name, a), (b_name, b))
             for req in unmet_requirements(regime)]

    def admissible(x: frozenset[str]) -> bool:
        return set(unmet_requirements(hybrid(a, b, x))) <= allowed

    within: dict[str, list[list[str]] | None] = {}
    for g, members in groups.items():
        if len(members) < 2:
            continue
        if not group_requirements[g]:  # only named together: every order
            within[g] = None
            continue
        try:
            feasible = feasible_orders(members, admissible, MAX_GROUP_ORDERS)
        except ValueError:
            raise GovsimError(f"group {g} has over {MAX_GROUP_ORDERS:,} orders of its "
                              "rules to enumerate: name fewer rules together", "together") from None
        within[g] = None if len(feasible) == math.factorial(len(members)) \
            else [list(o) for o in feasible]
        if not feasible:
            group_notes[g].append("no order of its rules avoids a meaningless variant: it is "
                                  "switched as one and its contribution shared equally")
    # the subsets to run: those the values ask for -- all unions of groups, or those on the
    # sampled orders of the groups (drawn from the seed, a stream of their own, so the same seed
    # gives the same orders on every executor), each with its group's steps within -- plus each
    # rule and each group switched alone and switched last (which show interactions)
    order_list: list[list[str]] = []
    if not exact:
        rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(m, 1011)))
        order_list = sample_orders(names, orders, rng)
    subsets: set[frozenset[str]] = set()

    def record(x: frozenset[str]) -> np.ndarray:
        subsets.add(frozenset(x))
        return np.zeros(1)

    if exact:
        owen_exact(groups, record, within)
        if len(subsets) > MAX_EXACT_VARIANTS:
            _too_many(k, m, len(subsets), replications)
    else:
        owen_sampled(groups, record, order_list, within)
    full = frozenset(rules)
    for members in groups.values():
        subsets |= {frozenset(members), full - set(members)}
    for r in rules:
        subsets |= {x for x in (frozenset([r]), full - {r}) if admissible(x)}
    ordered = sorted(subsets, key=lambda x: (len(x), _key(x, rules)))
    keys = [_key(x, rules) for x in ordered]
    variants = {key: hybrid(a, b, x, label=key or a_name) for key, x in zip(keys, ordered, strict=True)}
    for key, regime in variants.items():  # never a variant the model considers meaningless
        if not set(unmet_requirements(regime)) <= allowed:
            raise RuntimeError(f"variant {key!r} is meaningless: {unmet_requirements(regime)}")
    world = s.model_copy(update={"regimes": variants})
    check_memory(world, 1, 0, False, memory_budget)
    check_work(s, len(keys) * replications, "replications",
               f"{replications:,} replications of {len(keys):,} variants")
    return Plan(scenario=s, world=world, source=a_name, target=b_name, rules=rules, exact=exact,
                orders=0 if exact else orders, order_list=order_list, keys=keys,
                metrics=metric_list, replications=replications, seed=seed, warmup_days=warm,
                confidence=float(confidence), groups=groups, group_notes=group_notes,
                within=within, notes=notes, group_requirements=group_requirements)


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
        Run every union of the ``m`` groups of differing rules (default: when ``m`` is at most
        :data:`EXACT_MAX_RULES`); otherwise sample ``orders`` orders of the groups (an even
        number: antithetic pairs, drawn from ``seed``), each rule's sampling error reported
        beside its interval. With the default 8 orders that error rests on 4 independent
        pairs. Within a group the values are always exact.
    confidence:
        Level of the intervals over replications.
    together:
        Groups of rules to switch as a whole between the groups (e.g.
        ``[["intake", "case_record"]]``, shown as ``intake&case_record``); they are merged with
        the groups the requirements form, and within each the rules still get their shares.

    Rules linked by a requirement that a variant would break
    (:data:`govsim.scenario.dependencies.REQUIREMENTS`, e.g. ``non_owner = "return"`` needs
    ``routing = "triage"``) are grouped; the values are then Owen values (see the module) and
    no meaningless variant is run. ``Decomposition.groups``, ``group_notes`` and its table say
    which groups were formed and why.

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


def _too_many(k: int, m: int, n: int, replications: int) -> None:
    grouped = f" in {m} groups" if m != k else ""
    raise GovsimError(f"{k} rules differ{grouped}, and every subset of them is {n:,} variants per "
                      f"replication ({n * replications:,} runs), over the "
                      f"{MAX_EXACT_VARIANTS:,} an exact decomposition runs: sample orders "
                      "instead, or attribute some rules together", "exact")


def _check_together(differing: list[str], together: Sequence[Sequence[str]]) -> dict[str, int]:
    """Rule -> the index of the ``together`` group naming it, every group checked."""
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
    return group_of


def _groups(a: Any, b: Any, differing: list[str], together: Sequence[Sequence[str]],
            ) -> tuple[dict[str, tuple[str, ...]], dict[str, list[Requirement]], set[str]]:
    """The groups of differing rules: the rules linked by a requirement that some variant
    would break (:func:`govsim.scenario.dependencies.linked_groups`), merged with the groups
    named in ``together``; every other rule alone. Returns group name (``a&b``, or the rule)
    -> its rules, in :data:`~govsim.scenario.RULES` order, a group standing where its first
    rule does; the requirements that link each group's rules; and the groups that hold a
    ``together`` group."""
    group_of = _check_together(differing, together)
    parent = {r: r for r in differing}

    def root(r: str) -> str:
        while parent[r] != r:
            r = parent[r]
        return r

    def join(x: str, y: str) -> None:
        parent[root(x)] = root(y)

    linked = linked_groups(a, b, differing)
    for members, _ in linked:
        for r in members[1:]:
            join(r, members[0])
    for group in together:
        for r in group[1:]:
            join(r, group[0])
    by_root: dict[str, list[str]] = {}
    for r in differing:
        by_root.setdefault(root(r), []).append(r)
    groups: dict[str, tuple[str, ...]] = {}
    reasons: dict[str, list[Requirement]] = {}
    named: set[str] = set()
    for r in differing:
        members = tuple(by_root[root(r)])
        if r != members[0]:
            continue
        name = "&".join(members)
        groups[name] = members
        if len(members) < 2:
            continue
        reasons[name] = [req for ms, rs in linked if set(ms) <= set(members) for req in rs]
        if any(r in group_of for r in members):
            named.add(name)
    return groups, reasons, named

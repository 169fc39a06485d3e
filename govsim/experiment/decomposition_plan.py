"""A decomposition's plan: the differing rules, their groups and the variants to run.

Layer: experiment. Between regimes A and B, the rule groups of :data:`govsim.scenario.RULES`
whose settings differ are the players; the rules linked by a requirement that a variant could
break (:func:`govsim.scenario.dependencies.linked_groups`), and any named ``together``, are
grouped. :func:`plan` makes every check of :func:`govsim.experiment.decomposition.decompose`
and chooses the subsets of rules to switch -- every union of groups, or those on sampled orders
of the groups (:func:`govsim.stats.shapley.sample_orders`), each with its group's feasible
orders within (:func:`govsim.stats.shapley.feasible_orders`), plus each rule and each group
switched alone and last -- and builds each as a regime (:func:`govsim.scenario.hybrid`),
refusing a meaningless one, before anything runs. Its :class:`Plan` is what
:func:`govsim.experiment.decomposition.execute` runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
from govsim.scenario import Scenario, differing_rules, hybrid
from govsim.scenario.dependencies import Requirement, linked_groups, unmet_requirements
from govsim.stats.shapley import feasible_orders, owen_exact, owen_sampled, sample_orders

__all__ = ["plan", "Plan", "DECOMPOSE_METRICS", "EXACT_MAX_RULES", "MAX_EXACT_VARIANTS",
           "MAX_ORDERS", "MAX_GROUP_ORDERS"]

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


def _key(subset: frozenset[str], rules: Sequence[str]) -> str:
    return "+".join(r for r in rules if r in subset)


@dataclass
class Plan:
    """A checked decomposition, ready to run: the differing rules and their groups, the orders
    (when sampled), and the scenario whose regimes are the variants (one per subset to run,
    named by ``_key``; every one meaningful unless an endpoint is not). :func:`plan`
    makes it; :func:`govsim.experiment.decomposition.execute` runs it."""

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
    #: group name -> its rules (the players between groups), see
    #: :class:`~govsim.experiment.decomposition.Decomposition`
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
    """Every check of :func:`~govsim.experiment.decomposition.decompose`, and the variants it
    will run, before anything runs."""
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

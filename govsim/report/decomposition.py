"""A decomposition's plain-text table: each rule's contribution, its interactions and notes.

Layer: report (a view of :class:`~govsim.experiment.decomposition.Decomposition`; it reads
it, and :meth:`Decomposition.table <govsim.experiment.decomposition.Decomposition.table>`
imports it only lazily). The cells and notes apart from their layout
(:func:`decomposition_parts`: which rules were grouped and why, the variants not run as
meaningless), so the HTML report shows the very cells the terminal does; cells are written as in
:mod:`govsim.report.text`, in English or Chinese.
"""

from __future__ import annotations

import math

from govsim.lang import lookup, metric_name, tr
from govsim.report.text import _cell, _fmt, _metric_label, _notes, _render
from govsim.report.views import DecompositionView
from govsim.scenario.names import display_names
from govsim.scenario.rules import rule_name

__all__ = ["decomposition_table", "decomposition_parts"]

#: the decomposition table's sentences about groups and Owen values: (English, Chinese)
_OWEN: dict[str, tuple[str, str]] = {
    "exact": ("Owen values: exact between {m} groups of {k} differing rules, and within each group",
              "Owen 值：{k} 条不同规则分为 {m} 组，组间与组内均精确计算"),
    "sampled": ("Owen values: {orders} sampled orders of {m} groups of {k} differing rules, exact "
                "within each group",
                "Owen 值：{k} 条不同规则分为 {m} 组，组间抽样 {orders} 种次序，组内精确计算"),
    "group_head": ("group", "组"),
    "group": ("Group {group}: {why}. It is switched as a whole between the groups; {orders}. "
              "Together: {effects}.",
              "组 {group}：{why}。组与组之间整体切换；{orders}。合计：{effects}。"),
    "together": ("named together", "按 together 合为一组"),
    "one_order": ("its rules share its part in the one order that passes through no meaningless "
                  "variant ({order}), each its marginal there",
                  "组内规则按唯一不经过无意义变体的次序（{order}）切换，各得其边际贡献"),
    "some_orders": ("its rules share its part over the {n} of {all} orders that pass through no "
                    "meaningless variant",
                    "组内规则按 {all} 种次序中不经过无意义变体的 {n} 种分摊其贡献"),
    "every_order": ("its rules share its part over every order (Shapley values within it)",
                    "组内规则按所有次序分摊其贡献（组内 Shapley 值）"),
    "no_order": ("no order of its rules avoids a meaningless variant: they share its part equally",
                 "组内规则的任何次序都会经过无意义变体：平分其贡献"),
    "then": (", then ", "，再 "),
    "not_run": ("-: that variant would be one the model considers meaningless, and was not run.",
                "-：该变体为模型视为无意义的规则组合，未运行。"),
}


def _group_label(members: tuple[str, ...] | list[str], lang: str) -> str:
    """A group of rules by its members' names: ``routing&non_owner`` by key, ``how cases are
    routed & what a non-owner does`` in words."""
    return (" & " if lang == "en" else "&").join(rule_name(r, lang) for r in members)


def decomposition_table(dec: DecompositionView, lang: str = "en") -> str:
    """Rule × metric: each rule's Shapley (or Owen) contribution to the paired difference, with
    its interval; the total it adds up to; each rule (and each group) switched alone and
    switched last; and the groups formed, with why. ``lang`` as in :mod:`govsim.lang`."""
    head, rows, inter_title, inter, more = decomposition_parts(dec, lang)
    return (head + "\n\n" + _render(rows) + "\n\n" + inter_title + "\n\n" + _render(inter)
            + _notes(rows, *more, lang=lang))


def decomposition_parts(dec: DecompositionView, lang: str = "en") -> tuple[
        str, list[list[str]], str, list[list[str]], list[str]]:
    """The pieces of :func:`decomposition_table`: its heading, the contributions' cells, the
    interactions' heading and cells, and the notes particular to it (among them each group of
    rules switched together, with why and its contribution)."""
    metrics = list(dict.fromkeys(dec.contributions["metric"]))
    contrib = dec.contributions.set_index(["metric", "rule"])
    totals = dec.totals.set_index("metric")
    names = display_names(dec.scenario, lang)
    src, tgt = names.regime(dec.source), names.regime(dec.target)
    w = dec.scenario.world
    groups = {g: tuple(m) for g, m in getattr(dec, "groups", {}).items() if len(m) > 1}
    group_of = {r: g for g, m in groups.items() for r in m}
    if groups:
        how = (lookup(_OWEN, "exact", lang, m=len(dec.groups), k=len(dec.rules)) if dec.exact
               else lookup(_OWEN, "sampled", lang, orders=dec.orders, m=len(dec.groups),
                           k=len(dec.rules)))
    else:
        how = (tr("dec.exact", lang, k=len(dec.rules)) if dec.exact else
               tr("dec.sampled", lang, orders=dec.orders, k=len(dec.rules)))
    head = tr("dec.head", lang, name=dec.scenario.name, a=src, b=tgt, how=how,
              n=dec.replications, seed=dec.seed, days=w.horizon_days,
              pct=round(dec.confidence * 100))

    # with groups, a column names each rule's group (empty for a rule on its own)
    group_col: list[list[str]] = [[lookup(_OWEN, "group_head", lang)]] if groups else []

    def cells(rule: str) -> list[str]:
        if not groups:
            return []
        return [_group_label(groups[group_of[rule]], lang) if rule in group_of else ""]

    rows = [[tr("rule", lang), *(group_col[0] if groups else []),
             *(_metric_label(m, lang) for m in metrics)]]
    for rule in dec.rules:
        rows.append([rule_name(rule, lang), *cells(rule),
                     *(_cell(contrib.loc[(m, rule)], "contribution") for m in metrics)])
    blank = [""] if groups else []
    rows.append([tr("dec.total", lang, a=src, b=tgt), *blank,
                 *(_cell(totals.loc[m], "difference") for m in metrics)])
    rows.append([src, *blank, *(_fmt(totals.loc[m, "source"]) for m in metrics)])
    rows.append([tgt, *blank, *(_fmt(totals.loc[m, "target"]) for m in metrics)])

    run = set(dec.variants["subset"]) if "subset" in dec.variants else set()

    def ran(switched: set[str]) -> bool:
        return "+".join(r for r in dec.rules if r in switched) in run

    def pair(alone: float, last: float, rule: str | None = None) -> str:
        if rule is None or rule not in group_of:
            return f"{_fmt(alone)} / {_fmt(last)}"
        return (f"{_fmt(alone) if ran({rule}) else '-'} / "
                f"{_fmt(last) if ran(set(dec.rules) - {rule}) else '-'}")

    inter = [[tr("rule", lang),
              *(tr("dec.alone_last", lang, metric=metric_name(m, lang)) for m in metrics)]]
    effects = dec.group_effects.set_index(["metric", "group"]) if groups else None
    for rule in dec.rules:
        inter.append([rule_name(rule, lang),
                      *(pair(contrib.loc[(m, rule), "alone"], contrib.loc[(m, rule), "last"],
                             rule) for m in metrics)])
        g = group_of.get(rule)
        if g is not None and rule == groups[g][-1] and effects is not None:
            inter.append([_group_label(groups[g], lang),
                          *(pair(effects.loc[(m, g), "alone"], effects.loc[(m, g), "last"])
                            for m in metrics)])
    more = [tr("dec.adds_up", lang)]
    if any(cell.startswith("- /") or cell.endswith("/ -")
           for row in inter[1:] for cell in row[1:]):
        more.append(lookup(_OWEN, "not_run", lang))
    for g, members in groups.items():
        reqs = getattr(dec, "group_requirements", {}).get(g, [])
        why = [req.sentence(lang) for req in reqs]
        if "named together" in dec.group_notes.get(g, []):
            why.append(lookup(_OWEN, "together", lang))
        orders = dec.within.get(g)
        if orders is None:
            said = lookup(_OWEN, "every_order", lang)
        elif not orders:
            said = lookup(_OWEN, "no_order", lang)
        elif len(orders) == 1:
            said = lookup(_OWEN, "one_order", lang, order=lookup(_OWEN, "then", lang).join(
                rule_name(r, lang) for r in orders[0]))
        else:
            said = lookup(_OWEN, "some_orders", lang, n=len(orders),
                          all=math.factorial(len(members)))
        parts = [f"{metric_name(m, lang)} {_cell(effects.loc[(m, g)], 'contribution')}"
                 for m in metrics] if effects is not None else []
        more.append(lookup(_OWEN, "group", lang, group=_group_label(members, lang),
                           why="; ".join(why), orders=said, effects=", ".join(parts)))
    more.extend(getattr(dec, "notes", []))
    for m in metrics:
        dropped = int(totals.loc[m, "left_out"]) if "left_out" in totals else 0
        if dropped:
            more.append(tr("dec.left_out", lang, metric=metric_name(m, lang), k=dropped,
                           n=dec.replications))
    if not dec.exact:
        se = dec.contributions["sampling_se"]
        more.append(tr("dec.sampling", lang, se=_fmt(float(se.max()))))
    return head, rows, tr("dec.inter", lang, a=src, b=tgt), inter, more

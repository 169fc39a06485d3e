"""The words of an HTML report: the scenario described, its rules side by side, provenance.

Layer: report (used by :mod:`govsim.report.html`). Every sentence exists in
English and Chinese (:data:`TEXT`); the scenario's things are named as
:func:`govsim.scenario.display_names` names them.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from govsim.lang import lookup
from govsim.scenario import RULES, Names, Scenario, scenario_toml
from govsim.scenario.rules import rule_name
from govsim.version import __version__

__all__ = ["TEXT", "t", "scenario_words", "rules_rows", "scenario_hash", "provenance",
           "over_time_words"]

#: key -> (English, Chinese)
TEXT: dict[str, tuple[str, str]] = {
    "title": ("govsim report: scenario {name!r}", "govsim 报告：情景“{name}”"),
    "lead": ("Regimes compared on one simulated world: {regimes}.", "在同一个模拟世界上比较的规则体系：{regimes}。"),
    "s.scenario": ("The scenario", "情景"),
    "s.comparison": ("Comparison", "比较"),
    "s.decomposition": ("The gap, rule by rule", "差距的逐条规则分解"),
    "s.figures": ("Figures", "图表"),
    "s.over_time": ("Over time", "随时间的变化"),
    "s.provenance": ("Provenance", "来源与可重复性"),
    "world": ("The world: {units} units and {cats} kinds of problem, about {rate:,.1f} new problems "
              "a day ({cases:,.0f} expected over {days} days from {start}).",
              "世界：{units} 个单位、{cats} 类诉求，平均每天约 {rate:,.1f} 件新问题（自 {start} 起 {days} "
              "天内预计共 {cases:,.0f} 件）。"),
    "citizens": ("Citizens file again about {patience:g} days after a failed attempt, give up with "
                 "probability {give_up:g} after each failure, and know which unit owns their problem "
                 "with probability {knows:g}.",
                 "市民在一次反映未果后平均约 {patience:g} 天再次反映，每次未果后放弃的概率为 {give_up:g}，"
                 "知道问题归哪个单位负责的概率为 {knows:g}。"),
    "crn": ("Every replication draws one world and runs every regime on it (common random numbers), "
            "so the differences between regimes are paired and come from the rules alone.",
            "每次重复抽取一个世界，并让所有规则体系都在这个世界上运行（共同随机数），因此规则体系之间的差异是配对的，"
            "且只来自规则本身。"),
    "rules.caption": ("Each regime's rules, by rule group (only what differs between the regimes "
                      "shown; every other setting is shared).",
                      "各规则体系按规则组列出的设置（只列出所示规则体系之间不同的设置；其余设置相同）。"),
    "rules.same": ("The regimes shown share every rule setting.", "所示规则体系的所有规则设置都相同。"),
    "rule": ("rule", "规则"),
    "categories": ("Kinds of problem", "诉求类别"),
    "category": ("category", "类别"),
    "per_day": ("new a day (at random)", "每天新增（随机）"),
    "on_dates": ("on given dates", "指定日期发生"),
    "dated": ("Besides, {n} problem(s) arise on given dates (the case study's own).",
              "此外，有 {n} 个问题在指定日期发生（案例本身的问题）。"),
    "owners": ("owners", "责任单位"),
    "dec.none": ("No decomposition on this page: none was asked for, or every regime compared "
                 "shares the baseline's rules.", "本页没有分解：未要求分解，或所比较的规则体系与基准的规则完全相同。"),
    "dec.lead": ("How much of the gap {b} − {a} each rule makes: Shapley values over the rules that "
                 "differ, under common random numbers, with intervals over replications.",
                 "差距 {b} − {a} 中每条规则各占多少：对不同规则计算 Shapley 值，采用共同随机数，并给出各次重复的置信区间。"),
    "fig.survival": ("Resolution time: the share of problems not yet truly resolved, by day.",
                     "解决用时：每天尚未真正解决的问题比例。"),
    "fig.costs": ("Who pays, and what the street office bears for others.", "谁来付费，以及街道为他人承担了多少。"),
    "fig.waterfall": ("{metric}, built up rule by rule.", "{metric}，逐条规则累积。"),
    "fig.workload": ("Workload of the busiest units.", "工作量最大的单位。"),
    "fig.over_time": ("The street office's cumulative burden per regime at the end of each "
                      "{period}, by component, and the median resolution time of the cases "
                      "filed in each {period}.",
                      "各规则体系下街道在每{period}结束时的累计负担（按构成划分），以及每{period}反映的案件"
                      "真正解决用时中位数。"),
    "ot.W": ("week", "周"), "ot.M": ("month", "月"), "ot.Q": ("quarter", "季度"),
    "ot.more": ("more", "更多"), "ot.less": ("less", "更少"),
    "ot.zero": ("{b} − {a}: the street office's cumulative burden is the same under both at "
                "the end of every {period}.",
                "{b} − {a}：每{period}结束时街道的累计负担在两者下都相同。"),
    "ot.keeps": ("{b} − {a}: the paired difference in the street office's cumulative burden "
                 "keeps one sign over the whole horizon: {b} puts {side} on it at the end of "
                 "every {period} (at the horizon {diff:+,.0f} yuan, {pct}% CI [{lo:+,.0f}, "
                 "{hi:+,.0f}]).",
                 "{b} − {a}：街道累计负担的配对差在整个模拟期内符号不变：每{period}结束时{b}都让街道"
                 "承担{side}（期末 {diff:+,.0f} 元，{pct}% 置信区间 [{lo:+,.0f}, {hi:+,.0f}]）。"),
    "ot.turns": ("{b} − {a}: the paired difference in the street office's cumulative burden "
                 "changes sign {k} time(s), the last time by the {period} ending {date}: "
                 "{b} puts {before} on it before then and {after} from then on (at the horizon "
                 "{diff:+,.0f} yuan, {pct}% CI [{lo:+,.0f}, {hi:+,.0f}]).",
                 "{b} − {a}：街道累计负担的配对差改变符号 {k} 次，最后一次在截至 {date} 的"
                 "{period}：此前{b}让街道承担{before}，此后承担{after}（期末 {diff:+,.0f} 元，"
                 "{pct}% 置信区间 [{lo:+,.0f}, {hi:+,.0f}]）。"),
    "fig.lights": ("Monitoring lights per month.", "每月监控亮灯数。"),
    "fig.process": ("Process map of {regime} (all replications pooled).",
                    "{regime}的流程图（汇总所有重复）。"),
    "fig.swimlane": ("The case with the most contacts under {regime} (replication 0, case {case}).",
                     "{regime}下反映次数最多的案件（第 0 次重复，案件 {case}）。"),
    "p.version": ("govsim version", "govsim 版本"),
    "p.python": ("Python and libraries", "Python 与依赖库"),
    "p.scenario": ("scenario", "情景"),
    "p.source": ("scenario source", "情景来源"),
    "p.hash": ("scenario SHA-256 (the resolved scenario as TOML)", "情景 SHA-256（解析后情景的 TOML 文本）"),
    "p.seed": ("seed", "随机种子"),
    "p.replications": ("replications", "重复次数"),
    "p.horizon": ("horizon", "模拟时长"),
    "p.horizon_value": ("{days} days from {start}", "自 {start} 起 {days} 天"),
    "p.warmup": ("warm-up left out", "剔除的预热期"),
    "p.regimes": ("regimes", "规则体系"),
    "p.baseline": ("baseline (differences are taken from it)", "基准（差值相对于它）"),
    "p.orders": ("sampled orders (when more than 5 rules differ)", "抽样次序数（多于 5 条规则不同时）"),
    "p.decomposition": ("decomposition", "分解"),
    "p.command": ("command", "命令"),
    "p.note": ("The page holds no time stamp: the same inputs give the same bytes.",
               "本页不含时间戳：相同输入得到完全相同的文件。"),
}


def t(key: str, lang: str, **fields: object) -> str:
    """The report's sentence ``key`` in ``lang``."""
    return lookup(TEXT, key, lang, **fields)


def scenario_words(s: Scenario, names: Names, lang: str) -> list[str]:
    """Paragraphs that say what the scenario is: its description, its world, its citizens,
    and how regimes are compared on it."""
    w = s.world
    dated = sum(len(cat.arrivals) for cat in w.categories.values())
    drawn = s.expected_cases() - dated
    out = [names.description] if names.description else []
    out.append(t("world", lang, units=len(w.units), cats=len(w.categories),
                 rate=drawn / w.horizon_days, cases=drawn, days=w.horizon_days, start=w.start))
    if dated:
        out.append(t("dated", lang, n=dated))
    c = w.citizens
    out.append(t("citizens", lang, patience=c.patience_days, give_up=c.give_up_prob,
                 knows=c.knows_owner_prob))
    out.append(t("crn", lang))
    return out


def over_time_words(differences: Any, turns: Any, names: Names, lang: str, freq: str,
                    pct: int) -> list[str]:
    """One sentence per regime compared with the baseline: where (if anywhere) the paired
    difference of the street office's cumulative burden changes sign, from
    ``differences`` (:func:`govsim.measure.over_time.over_time_differences` of
    ``street_office_burden_yuan``) and ``turns`` (its
    :func:`~govsim.measure.over_time.crossings`)."""
    period = t(f"ot.{'M' if freq == 'ME' else freq}", lang)
    d = differences[differences["metric"] == "street_office_burden_yuan"]
    out = []
    for regime, part in d.groupby(d["regime"].astype(str), sort=False):
        part = part.sort_values("period")
        if not len(part):
            continue
        last = part.iloc[-1]
        a, b = names.regime(str(last["baseline"])), names.regime(regime)
        values = {"diff": float(last["mean_diff"]), "lo": float(last["ci_low"]),
                  "hi": float(last["ci_high"]), "pct": pct}
        if values["lo"] != values["lo"]:  # one replication: no interval
            values["lo"] = values["hi"] = values["diff"]
        side = {1: t("ot.more", lang), -1: t("ot.less", lang)}
        mine = turns[turns["regime"].astype(str) == regime]
        signs = [s for s in (float(x) for x in part["mean_diff"]) if s == s and s != 0.0]
        if len(mine):
            turn = mine.iloc[-1]
            out.append(t("ot.turns", lang, a=a, b=b, k=len(mine), period=period,
                         date=f"{turn['period_end']:%Y-%m-%d}", before=side[int(turn["before"])],
                         after=side[int(turn["after"])], **values))
        elif signs:
            out.append(t("ot.keeps", lang, a=a, b=b, period=period,
                         side=side[1 if signs[-1] > 0 else -1], **values))
        else:
            out.append(t("ot.zero", lang, a=a, b=b, period=period))
    return out


def category_rows(s: Scenario, names: Names, lang: str) -> list[list[str]]:
    """One row per kind of problem: its name, mean new problems a day (drawn at random), the
    problems that arise on given dates, its owners."""
    w = s.world
    rows = [[t("category", lang), t("per_day", lang), t("on_dates", lang), t("owners", lang)]]
    for key, cat in w.categories.items():
        rate = float(cat.daily_rates(w.start, w.horizon_days).mean())
        rows.append([names.category(key), f"{rate:,.2f}", str(len(cat.arrivals)),
                     ", ".join(names.unit(o) for o in cat.owners)])
    return rows


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every scalar inside ``value`` by its path (``escalation[1].compel_prob``)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_leaves(v, f"{path}.{k}" if path else str(k)))
        return out
    if isinstance(value, list | tuple):
        out = {}
        for i, v in enumerate(value):
            out.update(_leaves(v, f"{path}[{i}]"))
        return out or {path: "—"}
    return {path: value}


def _shown(value: Any, s: Scenario, names: Names) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if value is None or value == "—":
        return "—"
    if isinstance(value, str) and value in s.world.units:
        return names.unit(value)
    return str(value)


def _element(v: Any, s: Scenario, names: Names) -> str:
    """One channel or rung in a few words: its name and its unit."""
    if not isinstance(v, Mapping):
        return _shown(v, s, names)
    name, unit = v.get("name"), v.get("unit")
    if name and unit:
        return f"{name} ({_shown(unit, s, names)})"
    return _shown(name or unit, s, names)


def _setting(key: str, values: dict[str, Any], s: Scenario, names: Names) -> dict[str, str]:
    """How one regime key is shown for each regime: the leaves that differ (tables, and
    lists of the same length), or the whole list in a few words when lengths differ."""
    lists = [v for v in values.values() if isinstance(v, list | tuple)]
    if lists and len({len(v) for v in lists}) > 1:
        join = " → " if key == "escalation" else ", "
        return {r: f"{key}: " + (join.join(_element(e, s, names) for e in v) or "—")
                for r, v in values.items()}
    leaves = {r: _leaves(v, key) for r, v in values.items()}
    paths = dict.fromkeys(p for r in leaves for p in leaves[r])
    differing = [p for p in paths if len({repr(leaves[r].get(p, "—")) for r in leaves}) > 1]
    return {r: "; ".join(f"{p}: {_shown(leaves[r].get(p, '—'), s, names)}" for p in differing)
            for r in values}


def rules_rows(s: Scenario, regimes: list[str], names: Names, lang: str) -> list[list[str]]:
    """Rule group × regime: in each group where the regimes differ, every setting that
    differs (by its key path; a list of channels or rungs of another length in a few words),
    with each regime's value (header row first; only the header when they share every
    setting)."""
    dumps = {r: s.regimes[r].model_dump() for r in regimes}
    rows = [[t("rule", lang), *(names.regime(r) for r in regimes)]]
    for group, keys in RULES.items():
        shown = [_setting(k, {r: dumps[r][k] for r in regimes}, s, names) for k in keys
                 if len({repr(dumps[r][k]) for r in regimes}) > 1]
        if shown:
            rows.append([rule_name(group, lang),
                         *("; ".join(x[r] for x in shown if x[r]) for r in regimes)])
    return rows


def scenario_hash(s: Scenario) -> str:
    """SHA-256 of the resolved scenario written as TOML (every key, defaults included)."""
    return hashlib.sha256(scenario_toml(s).encode("utf-8")).hexdigest()


def _versions() -> str:
    parts = [f"Python {platform.python_version()}"]
    for package in ("numpy", "pandas", "scipy", "simpy", "matplotlib"):
        try:
            parts.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(parts)


def provenance(s: Scenario, lang: str, *, source: str, seed: int, replications: int,
               regimes: list[str], baseline: str, warmup_days: float, decomposition: str,
               orders: int, command: str) -> list[tuple[str, str]]:
    """What it takes to make the page again: versions, inputs, the scenario's hash."""
    w = s.world
    items = [(t("p.version", lang), __version__), (t("p.python", lang), _versions()),
             (t("p.scenario", lang), s.name)]
    if source:
        items.append((t("p.source", lang), source))
    items += [(t("p.hash", lang), scenario_hash(s)), (t("p.seed", lang), str(seed)),
              (t("p.replications", lang), str(replications)),
              (t("p.horizon", lang), t("p.horizon_value", lang, days=w.horizon_days,
                                       start=w.start)),
              (t("p.warmup", lang), f"{warmup_days:g}"),
              (t("p.regimes", lang), ", ".join(regimes)),
              (t("p.baseline", lang), baseline),
              (t("p.decomposition", lang), decomposition or "—"),
              (t("p.orders", lang), str(orders))]
    if command:
        items.append((t("p.command", lang), command))
    return items

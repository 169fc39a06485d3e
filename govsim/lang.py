"""The languages govsim writes its tables, figures and reports in: English and Chinese.

Layer: shared utilities (no imports from the rest of govsim but :mod:`govsim.errors`).

Every sentence a table, figure or report prints is looked up here by a short key
(:func:`tr`), in English (``"en"``, the default) or simplified Chinese (``"zh"``). What the
scenario names -- units, categories, regimes, funds -- is shown in Chinese from the scenario's
own ``label_zh`` keys (:func:`govsim.scenario.display_names`); a thing without one keeps its key.
Machine-readable output (JSON, CSV, Parquet, XES) never changes with the language.

Chinese terms follow the case study's own vocabulary where it has one (12345, 街道, 工单,
协调会, 回访, 亮灯); see ``docs/case-study.md``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from govsim.errors import GovsimError
from govsim.moved import renamed

__all__ = ["LANGS", "VOCABULARIES", "KEYS", "check_lang", "tr", "metric_name", "unit_name", "add_names",
           "activity_name", "metric_label", "outcome_name", "outcome_meaning", "display_width",
           "pad", "lookup"]

#: the languages every table, figure and report can be written in
LANGS = ("en", "zh")

#: English with every thing named by its key (``street_office_shifted_cost_yuan``,
#: ``fragmented``), as the scenario file and the machine-readable outputs name them
KEYS = "keys"

#: what ``lang=`` accepts: a language of :data:`LANGS`, or :data:`KEYS`
VOCABULARIES = (*LANGS, KEYS)


def check_lang(lang: object, where: str = "lang") -> str:
    """``lang`` if it is one of :data:`VOCABULARIES`, else a :class:`GovsimError` at
    ``where``."""
    if not isinstance(lang, str) or lang not in VOCABULARIES:
        raise GovsimError(f"must be one of {', '.join(VOCABULARIES)}, got {lang!r}", where)
    return lang


#: metric -> its English name (``lang="keys"``: the metric's own key)
_METRICS_EN: dict[str, str] = {
    "cases": "cases",
    "resolution_days_median": "time to true resolution, median",
    "resolution_days_p90": "time to true resolution, 90th percentile",
    "resolution_days_rmst30": "time to true resolution, mean capped at 30 days",
    "resolved_share": "truly resolved",
    "abandoned_share": "given up by the citizen",
    "open_share": "still open at the end",
    "contacts_per_case": "contacts per case",
    "tickets_per_case": "tickets per case",
    "units_per_case": "units per case",
    "escalated_share": "escalated",
    "surface_fixes_per_case": "surface repairs per case",
    "street_office_burden_yuan": "street office: whole burden",
    "street_office_own_duty_yuan": "street office: its own duty",
    "street_office_assigned_duty_yuan": "street office: duty assigned by ruling",
    "street_office_assigned_duty_hours": "street office: hours of duty assigned by ruling",
    "street_office_shifted_cost_yuan": "street office: cost shifted onto it",
    "street_office_shifted_handling_yuan": "shifted: handling others' cases",
    "street_office_shifted_meeting_yuan": "shifted: coordination meetings",
    "street_office_shifted_advance_yuan": "shifted: advances never repaid",
    "street_office_shifted_adjudication_yuan": "shifted: adjudication",
    "street_office_shifted_other_yuan": "shifted: other",
    "street_office_shifted_money_yuan": "shifted: money",
    "street_office_shifted_hours": "shifted: staff hours",
    "public_cost_yuan": "public cost",
    "fix_money_yuan": "repair money, every payer",
    "fund_money_yuan": "repair money from funds",
    "cost_per_resolved_case_yuan": "public cost per resolved case",
    "citizen_hours_per_case": "citizen's own time per case",
    "citizen_cost_yuan": "citizens' own time, valued",
    "open_cases": "cases open at the end",
    "staff_hours": "staff hours",
    "deadline_breach_share": "deadline breached",
    "satisfied_share": "resolved in the time the citizen accepts, of those resolved",
    "reply_share": "citizen got a reply",
    "callback_satisfaction": "satisfied at the callback",
    "suggestion_adoption_share": "suggestions adopted",
}

#: metric -> its Chinese name
_METRICS_ZH: dict[str, str] = {
    "cases": "案件数",
    "resolution_days_median": "真正解决用时中位数",
    "resolution_days_p90": "真正解决用时第90百分位",
    "resolution_days_rmst30": "真正解决平均用时（30天内受限均值）",
    "resolved_share": "真正解决比例",
    "abandoned_share": "市民放弃比例",
    "open_share": "期末未结比例",
    "contacts_per_case": "每件诉求的反映次数",
    "tickets_per_case": "每件诉求的工单数",
    "units_per_case": "每件诉求经手单位数",
    "escalated_share": "逐级反映比例",
    "surface_fixes_per_case": "每件诉求的表面维修次数",
    "street_office_burden_yuan": "街道的全部负担",
    "street_office_own_duty_yuan": "其中：本职职责",
    "street_office_assigned_duty_yuan": "其中：裁定指派的职责",
    "street_office_assigned_duty_hours": "裁定指派给街道的工时",
    "street_office_shifted_cost_yuan": "转嫁给街道的成本",
    "street_office_shifted_handling_yuan": "其中：处理非本职诉求",
    "street_office_shifted_meeting_yuan": "其中：协调会",
    "street_office_shifted_advance_yuan": "其中：垫付未收回",
    "street_office_shifted_adjudication_yuan": "其中：权责裁定",
    "street_office_shifted_other_yuan": "其中：其他",
    "street_office_shifted_money_yuan": "转嫁成本中的资金",
    "street_office_shifted_hours": "转嫁给街道的工时",
    "public_cost_yuan": "公共成本",
    "fix_money_yuan": "维修费用（全部付费方）",
    "fund_money_yuan": "其中：基金支付",
    "cost_per_resolved_case_yuan": "每件真正解决诉求的公共成本",
    "citizen_hours_per_case": "每件诉求的市民耗时",
    "citizen_cost_yuan": "市民时间成本",
    "open_cases": "期末未结案件",
    "staff_hours": "工作人员工时",
    "deadline_breach_share": "超时比例",
    "satisfied_share": "满意比例",
    "reply_share": "答复比例",
    "callback_satisfaction": "回访满意率",
    "suggestion_adoption_share": "建议采纳率",
}

#: a metric's unit -> its Chinese name
_UNITS_ZH: dict[str, str] = {
    "cases": "件", "days": "天", "share": "比例", "contacts": "次", "tickets": "张",
    "units": "个", "repairs": "次", "yuan": "元", "hours": "小时",
}

#: event-log activity -> its English name (``lang="keys"``: the activity itself)
_ACTIVITIES_EN: dict[str, str] = {
    "file": "filing", "ticket": "ticket opened", "deflect": "'not ours'", "refer": "referred",
    "referral_lost": "referral lost", "surface_fix": "surface repair",
    "recurrence": "problem back", "stall": "stalled for money",
    "false_closure": "false 'resolved'", "escalate": "went higher",
    "meeting": "coordination meeting", "advance": "money advanced", "recovery": "advance repaid",
    "resolved": "truly resolved", "abandon": "citizen gave up",
    "kb_answer": "answered from the database", "handoff": "handed to a firm or organisation",
    "dispatch": "dispatched", "sign": "signed for", "return": "sent back",
    "contact": "citizen called back", "dispute": "ownership disputed", "adjudicate": "ruling",
    "fund_release": "fund released", "callback": "satisfaction callback", "reopen": "reopened",
    "finish": "reported finished", "work_start": "work started",
    "call_abandoned": "call not answered", "close_unresolved": "closed unresolved",
    "share_done": "its share done", "no_result": "no result", "adopted": "suggestion adopted",
    "start": "start", "end": "end",
}

#: event-log activity -> its Chinese name
_ACTIVITIES_ZH: dict[str, str] = {
    "file": "市民反映", "ticket": "立工单", "deflect": "推诿", "refer": "转交",
    "referral_lost": "转交遗失", "surface_fix": "表面维修", "recurrence": "问题复发",
    "stall": "资金缺口搁置", "false_closure": "虚假办结", "escalate": "逐级反映",
    "meeting": "协调会", "advance": "垫付", "recovery": "收回垫款", "resolved": "真正解决",
    "abandon": "市民放弃", "kb_answer": "知识库当场答复", "handoff": "转市场/社会组织",
    "dispatch": "派单", "sign": "签收", "return": "退单", "contact": "联系市民",
    "dispute": "权责争议", "adjudicate": "裁定", "fund_release": "基金启用",
    "callback": "满意度回访", "reopen": "重新办理", "finish": "办结", "work_start": "开始办理",
    "call_abandoned": "来电未接通", "close_unresolved": "未解决即关闭", "share_done": "完成分担部分",
    "no_result": "无结果", "adopted": "建议被采纳", "start": "开始", "end": "结束",
}


#: case-study quantity (``govsim.measure.casestudy.OUTCOMES``) -> (Chinese name, meaning)
_OUTCOMES_ZH: dict[str, tuple[str, str]] = {
    "fixed_share": ("真正修好的比例", "到模拟结束时真正修好的案件比例"),
    "years_to_fix": ("修好所用年数", "自首次反映到真正修好的年数（Kaplan–Meier；模拟结束时删失）"),
    "reports": ("反映次数", "整个模拟期内的反映（投诉）次数"),
    "reports_by": ("前 N 年反映次数", "首次反映后前 N 年内的反映次数"),
    "surface_repairs": ("表面维修次数", "表面维修的次数"),
    "false_closures": ("虚假办结次数", "问题仍在却被标记为已解决的工单数"),
    "top_rung": ("最高反映层级", "逐级反映达到的最高层级（0 = 普通渠道）"),
    "meeting_held": ("召开过协调会", "为该案件召开过协调会（案件比例）"),
    "largest_meeting": ("最大会议单位数", "该案件最大一次会议（如有协调会即为协调会）的参会单位数"),
    "attendee_hours": ("会议工时", "该案件所有会议耗费的工时"),
    "advance_yuan": ("垫付金额（元）", "非责任单位垫付的资金"),
    "unrecovered_yuan": ("未收回垫付（元）", "其中到模拟结束时仍未归还的部分"),
}


#: case-study quantity -> its English name (``lang="keys"``: the quantity itself)
_OUTCOMES_EN: dict[str, str] = {
    "fixed_share": "truly fixed", "years_to_fix": "years to the fix", "reports": "reports",
    "reports_by": "reports within N years", "surface_repairs": "surface repairs",
    "false_closures": "false 'resolved'", "top_rung": "highest rung reached",
    "meeting_held": "coordination meeting held", "largest_meeting": "units at the largest meeting",
    "attendee_hours": "staff hours at meetings", "advance_yuan": "money advanced (yuan)",
    "unrecovered_yuan": "advances never repaid (yuan)",
}


def outcome_name(quantity: str, lang: str = "en") -> str:
    """A case-study quantity's name in ``lang`` (``"keys"``: the quantity itself)."""
    if lang == "zh":
        return _OUTCOMES_ZH.get(quantity, (quantity, ""))[0]
    return quantity if lang == KEYS else _OUTCOMES_EN.get(quantity, quantity)


def outcome_meaning(quantity: str, english: str, lang: str = "en") -> str:
    """What a case-study quantity means, in ``lang`` (``english`` is its English meaning)."""
    return _OUTCOMES_ZH.get(quantity, ("", english))[1] if lang == "zh" else english


def _words(key: str) -> str:
    """A key written as words: ``work_start`` -> ``work start``."""
    return key.replace("_", " ")


def activity_name(activity: str, lang: str = "en") -> str:
    """An event-log activity's name in ``lang`` (``"keys"``: the activity itself)."""
    if lang == "zh":
        return _ACTIVITIES_ZH.get(activity, activity)
    if lang == KEYS:
        return activity
    return _ACTIVITIES_EN.get(activity) or _words(activity)


def metric_name(metric: str, lang: str = "en") -> str:
    """The metric's name in ``lang``: plain words in English and Chinese, the metric's key
    with ``"keys"``."""
    if lang == "zh":
        return _METRICS_ZH.get(metric, metric)
    if lang == KEYS:
        return metric
    return _METRICS_EN.get(metric) or _words(metric)


def unit_name(unit: str, lang: str = "en") -> str:
    """A metric unit's name in ``lang`` (``"days"`` is ``"天"`` in Chinese)."""
    return _UNITS_ZH.get(unit, unit) if lang == "zh" else unit


def metric_label(metric: str, unit: str = "", lang: str = "en") -> str:
    """``name (unit)`` in ``lang`` (a Chinese share needs no unit; no unit: the name)."""
    if lang == "zh":
        name = metric_name(metric, lang)
        return name if unit in ("", "share") else f"{name}（{unit_name(unit, lang)}）"
    name = metric_name(metric, lang)
    return f"{name} ({unit})" if unit else name


def add_names(kind: str, names: Mapping[str, str], lang: str = "zh") -> None:
    """Add names in ``lang`` of ``kind`` ``"activity"`` or ``"metric"`` (a plug-in rule
    group's, :mod:`govsim.scenario.rules.registry`); a name already known is kept."""
    table = {("activity", "zh"): _ACTIVITIES_ZH, ("metric", "zh"): _METRICS_ZH,
             ("activity", "en"): _ACTIVITIES_EN, ("metric", "en"): _METRICS_EN}[kind, lang]
    for key, name in names.items():
        if name:
            table.setdefault(key, name)


#: key -> (English, Chinese); ``{name}`` fields are filled by :func:`tr`
_TEXT: dict[str, tuple[str, str]] = {
    # tables
    "metric": ("metric", "指标"),
    "rule": ("rule", "规则"),
    "paired": ("{a} - {b} (paired)", "{a} − {b}（配对差）"),
    "head.scenario": ("scenario {name!r}: ", "情景“{name}”："),
    "head.horizon": ("seed {seed}, horizon {days} days from {start}; ",
                     "随机种子 {seed}，自 {start} 起模拟 {days} 天；"),
    "head.one": ("1 replication, ", "1 次重复，"),
    "head.one_tail": ("values of that one replication (no confidence interval: run at least 2 "
                      "replications)", "仅一次重复的取值（无置信区间：请至少运行 2 次重复）"),
    "head.many": ("{n} replications, ", "{n} 次重复，"),
    "head.mean_ci": ("mean [{pct}% CI] over replications", "各次重复的均值 [{pct}% 置信区间]"),
    "note.ci": ("CI: Student t over replications, clipped to what the metric can be (a share lies "
                "in [0, 1], a difference of shares in [-1, 1]; counts, times and costs are >= 0).",
                "置信区间：按各次重复的 Student t 区间，并截断到指标可能的取值范围（比例在 [0, 1] "
                "之间，比例之差在 [-1, 1] 之间；计数、时间和成本不小于 0）。"),
    "note.small": ("*: an interval from fewer than {k} replications is rough (it leans on "
                   "near-normal per-replication values): run more replications.",
                   "*：少于 {k} 次重复得出的区间较粗略（依赖各次重复的取值近似正态）：请增加重复次数。"),
    "note.km": ("The median time to true resolution (resolution_days_median) is a Kaplan-Meier "
                "median: cases unresolved at the horizon are censored, not dropped.",
                "真正解决用时中位数为 Kaplan–Meier 中位数：期末尚未解决的案件作删失处理，而非剔除。"),
    "note.na": ("n/a: the metric is undefined under those rules (e.g. no working-day limits).",
                "n/a：该规则下此指标无定义（例如未设工作日时限）。"),
    "dec.head": ("scenario {name!r}: {b} - {a} (paired), attributed rule by rule; {how}; {n} "
                 "replications, seed {seed}, horizon {days} days; mean [{pct}% CI] over "
                 "replications",
                 "情景“{name}”：{b} − {a}（配对差），按规则逐条归因；{how}；{n} 次重复，随机种子 "
                 "{seed}，模拟 {days} 天；各次重复的均值 [{pct}% 置信区间]"),
    "dec.exact": ("exact Shapley values over {k} differing rules",
                  "对 {k} 条不同规则计算精确 Shapley 值"),
    "dec.sampled": ("Shapley values on {orders} sampled orders of {k} differing rules",
                    "对 {k} 条不同规则抽样 {orders} 种次序估计 Shapley 值"),
    "dec.total": ("total = {b} - {a}", "合计 = {b} − {a}"),
    "dec.alone_last": ("{metric}: alone / last", "{metric}：单独切换 / 最后切换"),
    "dec.inter": ("Interactions -- each rule switched alone (from {a}) and switched last (into "
                  "{b}); where they differ the rule interacts with others:",
                  "交互作用——每条规则单独切换（从{a}出发）与最后切换（切换为{b}）；两者不同之处，"
                  "说明该规则与其他规则相互影响："),
    "dec.adds_up": ("Contributions add up to the total in every replication. A rule whose settings "
                    "differ but that changes nothing gets exactly 0 (common random numbers).",
                    "在每次重复中，各规则的贡献之和等于合计。设置不同但不改变任何结果的规则贡献恰为 "
                    "0（共同随机数）。"),
    "dec.left_out": ("{metric}: {k} of {n} replications left out (the metric is undefined in some "
                     "variant there); the rest add up.",
                     "{metric}：{n} 次重复中有 {k} 次未计入（某些变体下该指标无定义）；其余相加一致。"),
    "dec.sampling": ("Orders were sampled: each contribution also carries a sampling standard error "
                     "(largest here {se}); run with more orders, or exact, to shrink it.",
                     "次序为抽样：每项贡献另有抽样标准误（此处最大为 {se}）；增加次序数或精确计算可减小它。"),
    "cd.head": ("regime {regime!r}: each case's outcome over {n} replications (p10/median/p90 "
                "across cases and replications)",
                "规则体系“{regime}”：{n} 次重复中每个案件的结果（各案件与各次重复的第10百分位/中位数/第90百分位）"),
    "cd.quantity": ("quantity", "指标"),
    "cd.mean": ("mean", "均值"),
    "cd.median": ("median", "中位数"),
    "jr.head": ("case {case} ({category}), replication {rep}, regime {regime!r}: {state}, "
                "{contacts} contacts, {units} units",
                "案件 {case}（{category}），第 {rep} 次重复，规则体系“{regime}”：{state}，反映 "
                "{contacts} 次，经手 {units} 个单位"),
    "state.open": ("open", "未结"), "state.resolved": ("resolved", "已真正解决"),
    "state.abandoned": ("abandoned", "市民已放弃"),
    "ct.contact": ("contact", "反映序号"), "ct.time": ("time", "时间"), "ct.day": ("day", "天"),
    "ct.unit": ("unit", "受理单位"), "ct.outcome": ("outcome", "结果"),
    "ct.units": ("units", "经手单位"), "ct.steps": ("steps", "步骤数"),
    # figures
    "fig.regime": ("regime", "规则体系"),
    "fig.surv.x": ("days since the first filing", "自首次反映起的天数"),
    "fig.surv.y": ("share not yet truly resolved", "尚未真正解决的比例"),
    "fig.surv.title": ("Resolution time by regime (Kaplan–Meier; band: {pct}% CI over {n} "
                       "replications)", "各规则体系下的解决用时（Kaplan–Meier；阴影：{n} 次重复的 "
                       "{pct}% 置信区间）"),
    "fig.cost.y": ("cost, million yuan (mean over replications)", "成本，百万元（各次重复的均值）"),
    "fig.cost.all": ("every payer (error bar: 95% CI of the total)", "全部付费方（误差线：合计的 95% 置信区间）"),
    "fig.cost.y_street": ("thousand yuan", "千元"),
    "fig.cost.street": ("the street office: shifted cost and own duty", "街道：被转嫁的成本与本职支出"),
    "fig.cost.title": ("Who pays: cost by payer", "谁来付费：按付费方划分的成本"),
    "payer.street office: shifted handling": ("street office: shifted handling", "街道：处理非本职诉求"),
    "payer.street office: shifted meetings": ("street office: shifted meetings", "街道：协调会"),
    "payer.street office: unrecovered advances": ("street office: unrecovered advances", "街道：垫付未收回"),
    "payer.street office: shifted adjudication": ("street office: shifted adjudication", "街道：权责裁定"),
    "payer.street office: other shifted": ("street office: other shifted", "街道：其他被转嫁"),
    "payer.street office: own duty": ("street office: own duty", "街道：本职"),
    "payer.other public units": ("other public units", "其他公共单位"),
    "payer.private units": ("private units", "非公共单位"),
    "payer.public funds": ("public funds", "公共基金"),
    "fig.wf.title": ("{metric}: {a} → {b}, rule by rule", "{metric}：{a} → {b}，逐条规则"),
    "fig.work.hours": ("staff hours (mean over replications)", "工时（各次重复的均值）"),
    "fig.work.tickets": ("tickets (mean over replications)", "工单数（各次重复的均值）"),
    "fig.work.title": ("Workload of the {n} busiest units", "工作量最大的 {n} 个单位"),
    "fig.lights.y": ("lights a month", "每月亮灯数"),
    "fig.lights.yellow": ("yellow", "黄灯"),
    "fig.lights.red": ("red", "红灯"),
    "fig.lights.title": ("Monitoring lights over time (mean over replications)",
                         "监控亮灯随时间的变化（各次重复的均值）"),
    "fig.pm.of": (" of {regime}", "（{regime}）"),
    "fig.pm.hours": ("{h:.3g} h", "{h:.3g} 小时"),
    "fig.sweep.title": ("{metric} against {factor}\n(mean and 95% CI over replications{vary})",
                        "{metric} 随 {factor} 的变化\n（各次重复的均值与 95% 置信区间{vary}）"),
    "fig.sweep.vary": ("; the other factors vary", "；其他因素同时变化"),
    "fig.ot.title": ("The street office's burden over time (mean; band: {pct}% CI over {n} "
                     "replications)", "街道负担随时间的变化（均值；阴影：{n} 次重复的 {pct}% 置信区间）"),
    "fig.ot.cumulative": ("{metric}, cumulative", "{metric}（累计）"),
    "fig.ot.y_million": ("million yuan", "百万元"),
    "fig.ot.median": ("median days to true resolution of the cases filed in each {period}",
                      "每{period}反映的案件真正解决用时中位数"),
    "fig.ot.median_y": ("days (Kaplan–Meier, censored at the horizon)",
                        "天（Kaplan–Meier，期末删失）"),
    "fig.ot.components": ("{regime}: cumulative burden by component (mean)",
                          "{regime}：按构成划分的累计负担（均值）"),
    "fig.ot.assigned": ("street office: duty assigned by adjudication", "街道：裁定指派的职责"),
    "fig.ot.W": ("week", "周"), "fig.ot.M": ("month", "月"), "fig.ot.Q": ("quarter", "季度"),
}


def lookup(catalogue: Mapping[str, tuple[str, str]], key: str, lang: str,
           **fields: object) -> str:
    """Sentence ``key`` of a catalogue of (English, Chinese) pairs, in ``lang``, filled in."""
    en, zh = catalogue[key]
    return (zh if lang == "zh" else en).format(**fields)


def tr(key: str, lang: str = "en", **fields: object) -> str:
    """The sentence ``key`` of the tables and figures in ``lang``, with ``fields`` filled in."""
    return lookup(_TEXT, key, lang, **fields)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide and full-width characters (Chinese) take
    two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (on the left if ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill

__getattr__ = renamed(__name__)  # rule_name, for one release (govsim.moved.RENAMED)

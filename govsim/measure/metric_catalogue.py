"""The metric catalogue: every metric's name, unit, meaning, and which way is better.

Layer: measure. :data:`~govsim.measure.metrics.METRICS` holds each metric's unit and meaning;
this module adds the direction a reader should call an improvement (:data:`BETTER`) and says
why where it needs a word of caution or there is none, and :func:`metric_catalogue` gathers it
all in one table, in English or Chinese. A rule plug-in's metric may declare its direction with
a ``better`` attribute (one of :data:`DIRECTIONS`); without one it is ``"neither"``.
"""

from __future__ import annotations

import pandas as pd

from govsim.errors import GovsimError
from govsim.lang import check_lang, metric_name, unit_name
from govsim.measure.metrics import METRICS, RULE_METRICS

__all__ = ["DIRECTIONS", "BETTER", "metric_catalogue"]

#: the directions a metric can be better in: ``"neither"`` when a change either way is not by
#: itself an improvement (a count the world sets, work that is someone's duty)
DIRECTIONS = ("lower", "higher", "neither")

#: govsim's own metric -> the direction that is better, and, where the direction needs a word of
#: caution or there is none, why (English, Chinese)
_BETTER: dict[str, tuple[str, str, str]] = {
    "cases": ("neither", "problems that arose: the world sets them (responsive demand adds filings "
              "where service is good), no regime's merit", "问题数由世界设定（响应性需求下服务好反而"
              "反映更多），不是规则体系的优劣"),
    "resolution_days_median": ("lower", "", ""),
    "resolution_days_p90": ("lower", "", ""),
    "resolution_days_rmst30": ("lower", "", ""),
    "resolved_share": ("higher", "", ""),
    "abandoned_share": ("lower", "", ""),
    "open_share": ("lower", "", ""),
    "contacts_per_case": ("lower", "", ""),
    "tickets_per_case": ("lower", "every extra ticket is a case passed on again", "多出的工单即案件"
                         "再次被转手"),
    "units_per_case": ("lower", "a case some owners share must touch each of them",
                       "多个责任单位共有的案件必须经过每一个"),
    "escalated_share": ("lower", "", ""),
    "surface_fixes_per_case": ("lower", "", ""),
    "street_office_burden_yuan": ("lower", "for the street office; its own duty is part of it, so "
                                  "the shifted cost is the part to cut", "对街道而言；其中包括本职"
                                  "职责，应削减的是被转嫁的成本"),
    "street_office_own_duty_yuan": ("neither", "its own job: spending less may mean doing less of it",
                                    "本职工作：花得少可能意味着做得少"),
    "street_office_assigned_duty_yuan": ("neither", "work a ruling gave it: someone must do it (where "
                                         "it is named lead, the shift the case study calls "
                                         "街道办越位)", "裁定交给它的工作总要有人做（被指定为牵头"
                                         "单位时即案例中的“街道办越位”）"),
    "street_office_assigned_duty_hours": ("neither", "as the duty assigned by ruling",
                                          "同裁定指派的职责"),
    "street_office_shifted_cost_yuan": ("lower", "", ""),
    "street_office_shifted_handling_yuan": ("lower", "", ""),
    "street_office_shifted_meeting_yuan": ("lower", "", ""),
    "street_office_shifted_advance_yuan": ("lower", "", ""),
    "street_office_shifted_adjudication_yuan": ("lower", "", ""),
    "street_office_shifted_other_yuan": ("lower", "", ""),
    "street_office_shifted_money_yuan": ("lower", "", ""),
    "street_office_shifted_hours": ("lower", "", ""),
    "public_cost_yuan": ("lower", "at the same service: a regime that resolves more may cost more "
                         "(read it with the resolved share, or the cost per resolved case)",
                         "须在服务相同的前提下比较：解决得多的规则体系可能花得多（结合真正解决比例"
                         "或每件真正解决诉求的公共成本来看）"),
    "fix_money_yuan": ("neither", "money for repairs is how problems get fixed: less is not better "
                       "by itself", "维修费用是解决问题的手段：少花本身并不更好"),
    "fund_money_yuan": ("neither", "who pays, not how much", "说明由谁付费，而非花费多少"),
    "cost_per_resolved_case_yuan": ("lower", "", ""),
    "citizen_hours_per_case": ("lower", "", ""),
    "citizen_cost_yuan": ("lower", "a total: it grows with the cases filed", "总量：随反映的案件数"
                          "增长"),
    "open_cases": ("lower", "", ""),
    "staff_hours": ("neither", "work done, not waste: read it with what it achieved",
                    "这是完成的工作而非浪费：应结合其成效来看"),
    "deadline_breach_share": ("lower", "", ""),
    "satisfied_share": ("higher", "", ""),
    "reply_share": ("higher", "", ""),
    "callback_satisfaction": ("higher", "", ""),
    "suggestion_adoption_share": ("higher", "", ""),
}
# every metric of govsim's own has a direction here (tests/test_result_views.py checks it too)
assert set(_BETTER) | {m.name for m in RULE_METRICS} == set(METRICS)

#: a rule plug-in's metric says which way is better by a ``better`` attribute of
#: :class:`~govsim.scenario.rules.Metric` (one of :data:`DIRECTIONS`); without one, "neither"
_UNDECLARED = ("the rule group that adds it declares no direction",
               "添加该指标的规则组未声明方向")

#: metric -> the direction that is better (:data:`DIRECTIONS`), rule groups' metrics included
BETTER: dict[str, str] = {k: v[0] for k, v in _BETTER.items()}
for _m in RULE_METRICS:
    _dir = getattr(_m, "better", "") or "neither"
    if _dir not in DIRECTIONS:
        raise GovsimError(f"a rule group's metric {_m.name!r} says better is {_dir!r}; expected "
                          f"one of {', '.join(DIRECTIONS)}", "govsim.rules")
    BETTER[_m.name] = _dir


def metric_catalogue(lang: str = "en") -> pd.DataFrame:
    """Every metric, what it is called and measured in, what it means, and which way is better.

    Parameters
    ----------
    lang:
        ``"en"`` (default) or ``"zh"``: the language of ``name``, ``unit`` and ``note``
        (``meaning`` is English in both); ``"keys"``: ``name`` is the metric's key.

    Returns
    -------
    pandas.DataFrame
        One row per metric of :data:`~govsim.measure.metrics.METRICS` (govsim's own, then
        the rule groups'), in that order, with columns ``key, name, unit, meaning, better, note``: ``better`` is
        ``"lower"``, ``"higher"`` or ``"neither"`` (:data:`BETTER`), and ``note`` says why
        where the direction needs a word of caution or there is none (``""`` otherwise).

    Examples
    --------
    >>> from govsim.measure.metric_catalogue import metric_catalogue
    >>> cat = metric_catalogue()
    >>> cat.set_index("key").loc["resolved_share", "better"]
    'higher'
    >>> sorted(set(cat["better"]))
    ['higher', 'lower', 'neither']
    """
    lang = check_lang(lang)
    declared = {m.name: bool(getattr(m, "better", "")) for m in RULE_METRICS}
    rows = []
    for key, (unit, meaning) in METRICS.items():
        if key in declared:
            en, zh = ("", "") if declared[key] else _UNDECLARED
        else:
            en, zh = _BETTER[key][1:]
        rows.append({"key": key, "name": metric_name(key, lang), "unit": unit_name(unit, lang),
                     "meaning": meaning, "better": BETTER[key],
                     "note": zh if lang == "zh" else en})
    return pd.DataFrame(rows, columns=["key", "name", "unit", "meaning", "better", "note"])

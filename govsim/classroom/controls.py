"""The classroom page's controls: a regime's rules as switches and sliders with plain labels.

Layer: interfaces. :func:`controls_for` lists the controls that apply to one regime of a
scenario: the rules of :data:`RULES` that the regime's own settings make meaningful (the
database's coverage only where a centre triages, the advance's repayment only where someone
advances), a switch for each fund of the world, then the scenario's labelled assumptions
(``[assumptions]``, :mod:`govsim.scenario.assumptions`) as sliders within their bounds. A
control whose values the scenario would refuse is left out, so no position of the page makes
an invalid scenario. :func:`changes_from` turns the page's positions into the key-path changes
:func:`govsim.what_if` takes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govsim.errors import GovsimError, shown
from govsim.lang import check_lang
from govsim.scenario import Scenario
from govsim.scenario.assumptions import expand_assumption
from govsim.scenario.edit import get_path, scenario_data, with_values
from govsim.scenario.names import short_label

__all__ = ["Control", "controls_for", "changes_from", "RULES"]


@dataclass(frozen=True)
class Control:
    """One switch or slider of the page.

    ``key`` is the key path it sets. A switch sets ``key`` to ``on`` or ``off`` (and, when on,
    the other key paths of ``also``); a slider sets ``key`` to a number from ``low`` to
    ``high`` in steps of ``step``. ``written`` is its position in the scenario as written.
    """

    name: str
    kind: str  # "switch" or "slider"
    key: str
    label: str
    written: Any
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    on: Any = True
    off: Any = False
    also: Mapping[str, Any] = field(default_factory=dict)
    group: str = "rules"  # "rules" (the regime's) or "world" (the same under every regime)

    def as_json(self) -> dict[str, Any]:
        """What the page needs to draw it (values as JSON numbers and booleans)."""
        out = {"name": self.name, "kind": self.kind, "label": self.label,
               "written": self.written, "group": self.group}
        if self.kind == "slider":
            out.update(low=self.low, high=self.high, step=self.step,
                       percent=self.low >= 0.0 and self.high <= 1.0)
        return out


@dataclass(frozen=True)
class Rule:
    """A rule the page may offer: where it sits in a regime, how it is labelled, and when it
    applies (``applies(regime_data)``)."""

    name: str
    kind: str
    key: str  # under regimes.<regime>.
    label: tuple[str, str]
    applies: Callable[[Mapping[str, Any]], bool] = lambda r: True
    low: float = 0.0
    high: float = 1.0
    on: Any = True
    off: Any = False
    also: Mapping[str, Any] = field(default_factory=dict)


def _triage(r: Mapping[str, Any]) -> bool:
    return r.get("routing") == "triage"


#: the rules of a regime the page offers, in the order shown (labels: English, Chinese)
RULES: tuple[Rule, ...] = (
    Rule("kb_coverage", "slider", "kb_coverage",
         ("Questions the 12345 database answers on the spot", "12345 知识库当场答复的咨询比例"),
         _triage),
    Rule("accuracy", "slider", "accuracy",
         ("Cases sent to the right unit the first time", "首次即派给正确单位的案件比例"),
         _triage, low=0.5),
    Rule("adjudication", "switch", "overlap",
         ("An adjudication group rules who owns shared duty", "裁定组裁定交叉职责的归属"),
         on="adjudicate", off="deflect"),
    Rule("tracking", "switch", "record",
         ("One case record follows each problem (a tracking number)",
          "每个问题一份案件记录（跟踪编号）"), on="tracking", off="per_filing"),
    Rule("time_limits", "switch", "time_limits",
         ("Working-day time limits, with yellow and red lights", "工作日时限与黄灯、红灯督办")),
    Rule("callback", "switch", "callback",
         ("A satisfaction callback after every result", "每个结果都回访满意度")),
    Rule("real_fix", "switch", "reopened_requires_real_fix",
         ("A reopened case must be fixed for real, not patched",
          "重新打开的案件必须真正修好，不能再修补")),
    Rule("referral_lost", "slider", "deflection.referral_lost_prob",
         ("A case passed on is lost (nobody follows it up)", "转交的案件无人跟进而丢失"),
         lambda r: r.get("non_owner") == "deflect"),
    Rule("false_resolved", "slider", "false_closure_prob",
         ("A unit marks a ticket “resolved” while nothing happened",
          "单位把工单标为“已解决”而实际上什么也没做"), high=0.6),
    Rule("fund_released", "switch", "funding.mode",
         ("The fund's manager must release the money (under supervision)",
          "基金管理方必须（在督办下）拨付资金"),
         on="release", also={"funding.when": "ticket"}),
    Rule("advance_repaid", "slider", "funding.recovery_prob",
         ("The street office's advance is repaid", "街道垫付的钱得到偿还"),
         lambda r: r.get("funding", {}).get("mode") == "advance"),
)

#: Chinese labels of the assumptions of the shipped scenarios (others show their note)
_ASSUMPTIONS_ZH = {
    "world.behaviour.urged_response": "被督办的单位少敷衍、少推诿、少“纸面结案”的程度",
    "world.behaviour.assessed_response": "亮红灯后单位对所有案件的同样改进",
    "world.behaviour.assessment_memory_days": "红灯考核持续的天数",
    "world.citizens.patience_days": "一次失败后，市民再次反映前平均等待的天数",
    "world.citizens.give_up_prob": "每次失败后市民放弃的概率",
    "world.citizens.escalate_prob": "每次失败后市民决定向上一级反映的概率",
    "world.citizens.knows_owner_prob": "知道问题归哪个单位管的市民比例",
    "world.citizens.satisfied_within_days": "结果仍令人满意的平均期限（天）",
}


def _step(low: float, high: float) -> float:
    """A slider's step: about a fiftieth of its range, rounded to 1, 2 or 5 times a power of 10."""
    import math

    raw = (high - low) / 50
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _valid(scenario: Scenario, values: Mapping[str, Any]) -> bool:
    try:
        with_values(scenario, values)
    except GovsimError:
        return False
    return True


def _rule_controls(scenario: Scenario, regime: str, data: Mapping[str, Any],
                   lang: str) -> list[Control]:
    rules = data["regimes"][regime]
    found = []
    for rule in RULES:
        key = f"regimes.{regime}.{rule.key}"
        if not rule.applies(rules):
            continue
        written = get_path(data, key)
        label = rule.label[lang == "zh"]
        if rule.kind == "switch":
            off = rule.off
            if rule.name == "fund_released":  # off: who pays as written, or nobody
                off = written if written != rule.on else "stall"
            also = {f"regimes.{regime}.{k}": v for k, v in rule.also.items()}
            control = Control(rule.name, "switch", key, label, written == rule.on, on=rule.on,
                              off=off, also=also)
            tries = [{key: off}, {key: rule.on, **also}]
        else:
            bounds = _bounds(scenario, key) or (rule.low, rule.high)
            low, high = min(bounds[0], written), max(bounds[1], written)
            control = Control(rule.name, "slider", key, label, written, low, high,
                              _step(low, high))
            tries = [{key: low}, {key: high}]
        if all(_valid(scenario, t) for t in tries):
            found.append(control)
    return found


def _bounds(scenario: Scenario, key: str) -> tuple[float, float] | None:
    """The bounds the scenario's ``[assumptions]`` give ``key`` (its own or a ``*`` entry)."""
    data = scenario.model_dump()
    for path, a in (scenario.assumptions or {}).items():
        try:
            if key in expand_assumption(data, path):
                return a.low, a.high
        except ValueError:
            continue
    return None


def _world_controls(scenario: Scenario, regime: str, data: Mapping[str, Any], lang: str,
                    taken: set[str]) -> list[Control]:
    found = []
    for fund, spec in data["world"].get("funds", {}).items():
        key = f"world.funds.{fund}.available"
        name = (spec.get("label_zh") or spec.get("label") or fund) if lang == "zh" else \
            short_label(spec.get("label") or fund)
        label = f"{name}可以动用" if lang == "zh" else f"{name}: open (its money can be used)"
        found.append(Control(f"fund_open.{fund}", "switch", key, label,
                             bool(spec.get("available")), group="world"))
    plain = scenario.model_dump()
    for path, a in (scenario.assumptions or {}).items():
        try:
            keys = expand_assumption(plain, path)
        except ValueError:
            continue
        # of a regime's keys (a "*" names every regime's), only this regime's
        keys = [k for k in keys if k not in taken
                and (not k.startswith("regimes.") or k.startswith(f"regimes.{regime}."))]
        for key in keys:
            written = get_path(data, key)
            low, high = min(a.low, written), max(a.high, written)
            label = _ASSUMPTIONS_ZH.get(key, a.note or key) if lang == "zh" else (a.note or key)
            label = label[:1].upper() + label[1:]
            control = Control(f"assume.{key}", "slider", key, label, written, low, high,
                              _step(low, high), group="world")
            if _valid(scenario, {key: low}) and _valid(scenario, {key: high}):
                found.append(control)
                taken.add(key)
    return found


def controls_for(scenario: Scenario, regime: str, lang: str = "en") -> list[Control]:
    """The controls of ``regime`` of ``scenario``, labelled in ``lang`` (``"en"`` or ``"zh"``).

    First the rules of :data:`RULES` that apply to the regime, then a switch for each fund of
    the world and a slider for each labelled assumption (``[assumptions]``) the rules did not
    already cover, within its bounds. Every control's extreme positions make a valid scenario.

    Example::

        >>> import govsim
        >>> from govsim.classroom import controls_for
        >>> s = govsim.load_scenario("district")
        >>> [c.name for c in controls_for(s, "consolidated")][:2]
        ['kb_coverage', 'accuracy']
    """
    lang = check_lang(lang)
    if lang not in ("en", "zh"):
        raise GovsimError(f"must be 'en' or 'zh', got {shown(lang)}", "lang")
    name = scenario.check_regime(regime)
    data = scenario_data(scenario)
    rules = _rule_controls(scenario, name, data, lang)
    return rules + _world_controls(scenario, name, data, lang, {c.key for c in rules})


def changes_from(controls: list[Control], values: Any) -> dict[str, Any]:
    """The key-path changes (for :func:`govsim.what_if`) that ``values`` (control name → a
    switch's true/false or a slider's number) make; a control at its written position, or not
    named, changes nothing. An unknown name or a value out of range is a
    :class:`~govsim.errors.GovsimError` naming it.

    Example::

        >>> import govsim
        >>> from govsim.classroom import controls_for, changes_from
        >>> s = govsim.load_scenario("shanghai_leak")
        >>> changes_from(controls_for(s, "fragmented"), {"fund_open.maintenance_fund": True})
        {'world.funds.maintenance_fund.available': True}
    """
    if not isinstance(values, Mapping):
        raise GovsimError(f"must be a mapping of control names to values, got {shown(values)}",
                          "values")
    by_name = {c.name: c for c in controls}
    changes: dict[str, Any] = {}
    for name, value in values.items():
        control = by_name.get(name)
        where = f"values.{name}"
        if control is None:
            raise GovsimError(f"no control is called {shown(name)}", where)
        if control.kind == "switch":
            if not isinstance(value, bool):
                raise GovsimError(f"a switch is true or false, got {shown(value)}", where)
            if value != control.written:
                changes[control.key] = control.on if value else control.off
                if value:
                    changes.update(control.also)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not control.low <= value <= control.high:
            raise GovsimError(f"must be a number from {control.low:g} to {control.high:g}, "
                              f"got {shown(value)}", where)
        if value != control.written:
            changes[control.key] = float(value)
    return changes

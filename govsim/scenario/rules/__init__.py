"""Rule groups: each one module that declares everything about it that is data.

Layer: scenario (no SimPy here). A rule group is a set of regime keys a decomposition switches
together. Each of govsim's own is one module here -- ``intake``, ``case_record``, ``routing``,
``non_owner``, ``overlap``, ``false_closure``, ``time_limits``, ``callbacks``, ``funding``,
``escalation``, ``learning``, ``staffing`` -- declaring a :class:`RuleGroup`: its keys with
their types, bounds and defaults, the presets' settings for them, its Chinese name, and, where
it needs them, the per-case columns, activities, metrics and behaviour it adds
(:mod:`~govsim.scenario.rules.group`). A group from outside the package is installed under the
``govsim.rules`` entry point (:mod:`~govsim.scenario.rules.registry`). :class:`Regime`, the
presets and the rule groups of :mod:`govsim.scenario.presets` are built from the
declarations (:mod:`~govsim.scenario.rules.regime`).

A plug-in's module imports only this vocabulary (and the number types of
:mod:`govsim.scenario.base`) at its top: the groups are gathered while it is imported, so what
its ``behaviour`` needs of the model it imports inside ``behaviour``.

A new rule touches four files: its declaration here, the model code that acts on it (a mixin
of :mod:`govsim.model` dispatched on its mode, or its ``behaviour``), its test, and
``docs/scenarios.md``.
"""

from __future__ import annotations

from govsim.lazy import lazy
from govsim.scenario.rules.escalation import Meeting, Rung
from govsim.scenario.rules.funding import Funding
from govsim.scenario.rules.group import NO_DEFAULT, Activity, CaseColumn, Metric, RuleGroup
from govsim.scenario.rules.intake import CallCentre, Channel
from govsim.scenario.rules.non_owner import Deflection
from govsim.scenario.rules.overlap import Adjudication
from govsim.scenario.rules.time_limits import Limits, Supervision

__all__ = ["Channel", "CallCentre", "Deflection", "Rung", "Meeting", "Funding", "Limits",
           "Supervision", "Adjudication", "Regime", "RegimeBase", "RuleGroup", "CaseColumn",
           "Activity", "Metric", "NO_DEFAULT", "GROUPS", "PRESET_NAMES", "rule_name"]

# what depends on every group, plug-ins included, is read when first asked for: a plug-in's
# module imports its vocabulary (RuleGroup, CaseColumn, ...) from here while the groups are
# being gathered
__getattr__, __dir__ = lazy(__name__, {
    "Regime": f"{__name__}.regime", "RegimeBase": f"{__name__}.regime",
    "GROUPS": f"{__name__}.registry", "PRESET_NAMES": f"{__name__}.registry",
    "rule_name": f"{__name__}.registry"})

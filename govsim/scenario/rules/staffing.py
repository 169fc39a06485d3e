"""Rule group ``staffing``: units costed for every open hour rather than for the hours they
work.

Layer: scenario. A unit named in ``salaried`` costs its staff's every open hour, worked or
not (:mod:`govsim.recording`'s ``units`` table).
"""

from __future__ import annotations

from govsim.scenario.base import Name
from govsim.scenario.rules.group import RuleGroup

__all__ = ["GROUP"]

GROUP = RuleGroup(
    name="staffing",
    label="staffing",
    label_zh="人员配置",
    order=120,
    keys={"salaried": (tuple[Name, ...], ())},
)

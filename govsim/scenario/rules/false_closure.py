"""Rule group ``false_closure``: a ticket closed as resolved when nothing was fixed.

Layer: scenario. With probability ``false_closure_prob`` an owner closes a ticket on paper;
the citizen finds out later. Behaviour: :meth:`govsim.model.duty.Duty.owner_acts`.
"""

from __future__ import annotations

from govsim.scenario.base import Probability
from govsim.scenario.rules.group import RuleGroup

__all__ = ["GROUP"]

GROUP = RuleGroup(
    name="false_closure",
    label="false 'resolved'",
    label_zh="虚假办结",
    order=60,
    keys={"false_closure_prob": (Probability, 0.0)},
)

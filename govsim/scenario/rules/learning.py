"""Rule group ``learning``: the knowledge base grows, and suggestions are adopted.

Layer: scenario. The knowledge base's coverage rises from ``kb_coverage`` to
``kb_coverage_final`` over ``kb_growth_days``; a suggestion is adopted with probability
``suggestion_adoption_prob``. Behaviour: :meth:`govsim.model.routing.Routing.triage` and
:meth:`govsim.model.duty.Duty.owner_acts`.
"""

from __future__ import annotations

from govsim.scenario.base import PositiveDays, Probability
from govsim.scenario.rules.group import RuleGroup

__all__ = ["GROUP"]

GROUP = RuleGroup(
    name="learning",
    label="database and suggestions",
    label_zh="知识库与建议",
    order=110,
    keys={
        "kb_coverage_final": (Probability | None, None),
        "kb_growth_days": (PositiveDays, 365.0),
        "suggestion_adoption_prob": (Probability, 0.0),
    },
)

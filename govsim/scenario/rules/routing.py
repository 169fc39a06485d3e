"""Rule group ``routing``: how a filing reaches a unit that can act on it.

Layer: scenario. ``routing = "citizen"``: the citizen chooses where to file, by belief;
``"triage"``: the centre answers from its knowledge base (``kb_coverage``), hands market and
social demands off, and dispatches the rest within ``dispatch_within_working_days``, to the
right unit with probability ``accuracy``. Behaviour: :meth:`govsim.model.routing.Routing.triage`,
:meth:`~govsim.model.routing.Routing.dispatch`, :meth:`~govsim.model.routing.Routing.by_citizen`.
"""

from __future__ import annotations

from typing import Literal

from govsim.scenario.base import Days, Hours, Probability
from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["GROUP"]

GROUP = RuleGroup(
    name="routing",
    label="how cases are routed",
    label_zh="分派方式",
    order=30,
    keys={
        "routing": (Literal["citizen", "triage"], NO_DEFAULT),
        "kb_coverage": (Probability, 0.5),
        "dispatch_within_working_days": (Days, 1.0),
        "accuracy": (Probability, 0.9),
        "sign_hours": (Hours, 0.1),
        "contact_hours": (Hours, 0.2),
    },
    presets={
        # the citizen chooses where to file, by belief
        "fragmented": {"routing": "citizen"},
        # knowledge base, market/social hand-off, dispatch
        "consolidated": {"routing": "triage"},
    },
)

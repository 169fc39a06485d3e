"""Rule group ``case_record``: what a repeat contact attaches to.

Layer: scenario. ``record = "per_filing"``: every filing opens a new ticket with no shared
history; ``"tracking"``: one record per case (a tracking number), and repeat contacts attach to
it. Behaviour: :meth:`govsim.model.routing.Routing.contact`.
"""

from __future__ import annotations

from typing import Literal

from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["GROUP"]

GROUP = RuleGroup(
    name="case_record",
    label="one case record",
    label_zh="案件记录",
    order=20,
    keys={"record": (Literal["per_filing", "tracking"], NO_DEFAULT)},
    presets={"fragmented": {"record": "per_filing"}, "consolidated": {"record": "tracking"}},
)

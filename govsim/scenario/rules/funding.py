"""Rule group ``funding``: who pays when a fix needs money from a source that is not available.

Layer: scenario. ``mode = "stall"``: the fix waits; ``"advance"``: the ``advancer`` pays and
may recover the money later; ``"release"``: the fund is opened after
``release_working_days``. ``when``: only at a coordination meeting that can fund, or as soon as
an owner holds the ticket. Behaviour: :meth:`govsim.model.duty.Duty.provide_money` and
:mod:`govsim.model.money`.
"""

from __future__ import annotations

from typing import Literal

from govsim.scenario.base import Days, PositiveDays, Probability, Strict
from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["Funding", "GROUP"]


class Funding(Strict):
    """Who pays when a fix needs money from a source that is not available."""

    mode: Literal["stall", "advance", "release"]
    #: where the rule applies: only at a coordination meeting that can fund, or as soon as an
    #: owner holds the ticket (a meeting that can fund applies it either way)
    when: Literal["meeting", "ticket"] = "ticket"
    advancer: str | None = None
    release_working_days: Days = 20.0
    recovery_prob: Probability = 0.0
    recovery_days: PositiveDays = 365.0


GROUP = RuleGroup(
    name="funding",
    label="paying for the fix",
    label_zh="资金缺口",
    order=90,
    keys={"funding": (Funding, NO_DEFAULT)},
    # a table: a regime's own keys are laid over the preset's, key by key
    presets={"fragmented": {"funding": {"mode": "stall", "when": "meeting"}},
             "consolidated": {"funding": {"mode": "release", "when": "ticket"}}},
)

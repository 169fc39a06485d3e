"""Rule group ``non_owner``: what a unit does with a filing it does not own.

Layer: scenario. ``non_owner = "deflect"``: refer it on (the referral may be lost), close it
unresolved, or tell the citizen "not ours" (:class:`Deflection`); ``"return"``: send it back
to whoever routed it, for re-dispatch. Behaviour:
:meth:`govsim.model.duty.Duty.non_owner_acts`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from govsim.scenario.base import Hours, Probability, Strict
from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["Deflection", "GROUP"]


class Deflection(Strict):
    """What a unit does with a filing it does not own (fragmented regime): refer it on
    (``refer_prob``; the referral may be lost), open a ticket and close it unresolved
    (``close_prob``), or otherwise tell the citizen "not ours"."""

    refer_prob: Probability = 0.3
    referral_lost_prob: Probability = 0.5
    close_prob: Probability = 0.0

    @model_validator(mode="after")
    def _total(self) -> Deflection:
        if self.refer_prob + self.close_prob > 1.0 + 1e-12:
            raise ValueError("refer_prob + close_prob must not exceed 1")
        return self


GROUP = RuleGroup(
    name="non_owner",
    label="what a non-owner does",
    label_zh="非责任单位的处理",
    order=40,
    keys={
        "non_owner": (Literal["deflect", "return"], NO_DEFAULT),
        "deflection": (Deflection, Deflection()),
        "return_hours": (Hours, 0.5),
    },
    presets={
        # refer on (maybe lost), close unresolved, or "not ours"
        "fragmented": {"non_owner": "deflect"},
        # a wrong unit returns the case for re-dispatch
        "consolidated": {"non_owner": "return"},
    },
)

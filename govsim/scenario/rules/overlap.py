"""Rule group ``overlap``: duty that falls to several units.

Layer: scenario. ``overlap = "deflect"``: a partial owner may deflect the case
(``overlap_deflect_prob``) or do only its share; ``"adjudicate"``: a dispute goes to the
standing adjudication group (:class:`Adjudication`), whose ruling names the owner and becomes
precedent for the category. Behaviour: :meth:`govsim.model.duty.Duty.do_share` and
:meth:`~govsim.model.duty.Duty.adjudicate`.
"""

from __future__ import annotations

from typing import Literal

from govsim.scenario.base import Hours, Name, PositiveDays, Probability, Strict
from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["Adjudication", "GROUP"]


class Adjudication(Strict):
    """A standing group that names the owner of disputed cases and records the precedent."""

    meets_every_working_days: PositiveDays = 10.0
    hours_per_case: Hours = 2.0
    members: tuple[Name, ...] = ()
    dispute_prob: Probability = 0.5


GROUP = RuleGroup(
    name="overlap",
    label="shared duties",
    label_zh="职责交叉",
    order=50,
    keys={
        "overlap": (Literal["deflect", "adjudicate"], NO_DEFAULT),
        "overlap_deflect_prob": (Probability, 0.6),
        "overlap_acts_on_share": (bool, True),
        "adjudication": (Adjudication, Adjudication()),
    },
    presets={
        # a partial owner may deflect, or does only its share
        "fragmented": {"overlap": "deflect"},
        # disputes go to the adjudication group (precedent)
        "consolidated": {"overlap": "adjudicate"},
    },
)

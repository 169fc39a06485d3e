"""Rule group ``escalation``: the ladder a citizen climbs when the ordinary channels fail.

Layer: scenario. Each :class:`Rung` is a unit above the ordinary channels (another line, a
newspaper, a supervisory office) that compels the owner with some probability, and may call a
:class:`Meeting` of units. Any regime may have a ladder. Behaviour:
:mod:`govsim.model.ladder`.
"""

from __future__ import annotations

from pydantic import Field

from govsim.scenario.base import Days, Hours, Name, Probability, Strict
from govsim.scenario.rules.group import RuleGroup

__all__ = ["Meeting", "Rung", "GROUP"]


class Meeting(Strict):
    """An ad hoc meeting of units about one case: every attendee's hours are costed.

    A coordination meeting (``can_fund = true``) agrees a plan and budget and applies the
    regime's funding rule; a convening without authority over money (``can_fund = false``, e.g.
    by a residents' committee) can only get a fix that needs no missing money. Either may end
    without result (``success_prob``).
    """

    attendees: tuple[Name, ...] = Field(min_length=1)
    attend_prob: Probability = 1.0
    hours_each: Hours = 3.0
    delay_days: Days = 30.0
    success_prob: Probability = 1.0
    can_fund: bool = True


class Rung(Strict):
    """One step of a regime's escalation ladder above the ordinary channels (in
    ``scenarios/district.toml`` the fragmented regime climbs through other lines to the
    newspaper and the supervisory office, the consolidated one from the newspaper on).

    ``climb_prob`` is the per-failure chance that a citizen at this rung decides to climb to
    the next one (default: the citizens' ``escalate_prob``).
    """

    name: Name
    unit: Name
    response_days: Days = 10.0
    compel_prob: Probability = 0.3
    meeting: Meeting | None = None
    climb_prob: Probability | None = None


GROUP = RuleGroup(
    name="escalation",
    label="going higher",
    label_zh="逐级反映",
    order=100,
    keys={"escalation": (tuple[Rung, ...], ())},
)

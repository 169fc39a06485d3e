"""Rule group ``intake``: who answers a citizen's contact.

Layer: scenario. Under ``intake = "channels"`` (the fragmented preset) a citizen dials one of
several numbers, each answered by its own unit, some through a small call centre; under
``"centre"`` (the consolidated preset) one number is answered by the ``centre``. Behaviour:
:meth:`govsim.model.routing.Routing.contact` and :mod:`govsim.model.calls`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from govsim.scenario.base import (
    Coefficient,
    Headcount,
    Hours,
    Minutes,
    Name,
    Probability,
    Strict,
    Weight,
    check_hours,
)
from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["CallCentre", "Channel", "GROUP"]


class CallCentre(Strict):
    """The call-takers of a hotline: a small call centre in front of the channel's unit.

    Calls queue for a call-taker; a caller who waits longer than their patience hangs up and
    may redial later. Call-takers' time is costed at the channel unit's hourly cost.
    """

    call_takers: Headcount
    hours: str = "08:30-17:30"
    call_minutes: Minutes = 6.0
    caller_patience_minutes: Minutes = 4.0
    redial_prob: Probability = 0.6
    redial_minutes: Minutes = 60.0

    @field_validator("hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        check_hours(value)
        return value


class Channel(Strict):
    """A way in: a hotline number, website, hall or account, answered by one unit."""

    name: Name
    unit: Name
    weight: Weight = 1.0
    call_centre: CallCentre | None = None


GROUP = RuleGroup(
    name="intake",
    label="how calls are taken",
    label_zh="受理方式",
    order=10,
    keys={
        # the unit that takes contacts under intake = "centre", and runs callbacks and
        # supervision; a unit of the world that no rule uses changes nothing
        "centre": (Name | None, None),
        "intake": (Literal["channels", "centre"], NO_DEFAULT),
        "channels": (tuple[Channel, ...], ()),
        "intake_hours": (Hours, NO_DEFAULT),
        "intake_cv": (Coefficient, 0.0),
    },
    presets={
        # several numbers, each answered by its own unit
        "fragmented": {"intake": "channels", "intake_hours": 0.25},
        # one number answered by a centre
        "consolidated": {"intake": "centre", "intake_hours": 0.2},
    },
)

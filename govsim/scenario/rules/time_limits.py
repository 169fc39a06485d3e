"""Rule group ``time_limits``: working-day limits per ticket, monitoring lights, and what the
supervision section does about them.

Layer: scenario. Shishi's 1-2-5: sign within one working day, contact the citizen within two,
finish within five (:class:`Limits`); yellow and red lights, and the section's follow-up
(:class:`Supervision`). Behaviour: :mod:`govsim.model.monitoring`.
"""

from __future__ import annotations

from typing import Literal

from govsim.scenario.base import Days, Hours, Probability, Strict
from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["Limits", "Supervision", "GROUP"]


class Limits(Strict):
    """Working-day time limits per ticket (Shishi's 1-2-5)."""

    sign_days: Days = 1.0
    contact_days: Days = 2.0
    finish_days: Days = 5.0


class Supervision(Strict):
    """The coordination & supervision section: monitoring lights and their follow-up.

    A time limit's light turns yellow once ``yellow_share`` of the limit has passed without the
    step being done, and red when the limit is breached; a return is yellow (red on a second
    return of the same case) and a dissatisfied callback is red. The section spends
    ``hours_per_red`` chasing each red light. With ``red_effect = "priority"`` a case with a red
    light jumps the queue of the unit that holds it for its remaining work. With ``urge`` the
    section urges (督促) the unit behind every light: the urged unit moves the case ahead of its
    other work and responds as the world's ``behaviour`` says (it deflects, patches and closes
    on paper less); a red light also puts the unit under assessment.
    """

    yellow_share: Probability = 0.8
    hours_per_red: Hours = 0.5
    red_effect: Literal["none", "priority"] = "none"
    #: the section urges the unit behind every light (its hours: ``hours_per_urge`` for a
    #: yellow one, ``hours_per_red`` for a red one); how the unit responds is the world's
    #: ``behaviour``. Off: lights are recorded and chased, and change nothing
    urge: bool = True
    hours_per_urge: Hours = 0.25


GROUP = RuleGroup(
    name="time_limits",
    label="time limits and lights",
    label_zh="办理时限与亮灯",
    order=70,
    keys={
        "time_limits": (bool, NO_DEFAULT),
        "limits": (Limits, Limits()),
        "supervision": (Supervision, Supervision()),
    },
    presets={
        "fragmented": {"time_limits": False},
        # 1-2-5 working days, monitoring lights
        "consolidated": {"time_limits": True},
    },
)

"""The regimes' schema: the institutional rules laid over a world.

Layer: scenario (no SimPy here). Channels and call centres, deflection, the escalation ladder and
its meetings, funding when money is missing, and -- for a consolidated regime -- triage, time
limits, supervision and adjudication. Every key is documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from govsim.scenario.base import (
    Days,
    Factor,
    Headcount,
    Hours,
    Minutes,
    Name,
    PositiveDays,
    Probability,
    Strict,
    Weight,
    check_hours,
)
from govsim.scenario.presets import apply_preset

__all__ = ["Channel", "CallCentre", "Deflection", "Rung", "Meeting", "Funding", "Limits",
           "Supervision", "Adjudication", "Regime"]

# ------------------------------------------------------------------------------------ regimes
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
    """One step of a regime's escalation ladder above the ordinary channels (any regime may
    have one: in ``scenarios/district.toml`` the fragmented regime climbs through other lines to
    the newspaper and the supervisory office, the consolidated one from the newspaper on).

    ``climb_prob`` is the per-failure chance that a citizen at this rung decides to climb to
    the next one (default: the citizens' ``escalate_prob``).
    """

    name: Name
    unit: Name
    response_days: Days = 10.0
    compel_prob: Probability = 0.3
    meeting: Meeting | None = None
    climb_prob: Probability | None = None


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


class Limits(Strict):
    """Working-day time limits per ticket (Shishi's 1-2-5)."""

    sign_days: Days = 1.0
    contact_days: Days = 2.0
    finish_days: Days = 5.0


class Adjudication(Strict):
    """A standing group that names the owner of disputed cases and records the precedent."""

    meets_every_working_days: PositiveDays = 10.0
    hours_per_case: Hours = 2.0
    members: tuple[Name, ...] = ()
    dispute_prob: Probability = 0.5


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


class Regime(Strict):
    """The rules one regime lays over the world: one value for every rule axis.

    A regime names a ``preset`` (a bundle of rule settings, see
    :mod:`govsim.scenario.presets`) and overrides any key of it. The keys fall into the rule
    groups of :data:`govsim.scenario.presets.RULES`; each mode key says how one decision is
    taken, and the parameters beside it say how often or how long. ``kind`` is read as
    ``preset`` (the name older scenario files use).
    """

    preset: Literal["fragmented", "consolidated"]
    label: str = ""
    #: its name in Chinese tables, figures and reports (``lang="zh"``); empty: its key
    label_zh: str = ""
    #: the unit that takes contacts under ``intake = "centre"``, and runs callbacks and
    #: supervision; a unit of the world that no rule uses changes nothing
    centre: Name | None = None
    # intake: who answers a contact
    intake: Literal["channels", "centre"]
    channels: tuple[Channel, ...] = ()
    intake_hours: Hours
    intake_cv: Factor = 0.0
    # case record: what a repeat contact attaches to
    record: Literal["per_filing", "tracking"]
    # routing: how a filing reaches a unit that can act on it
    routing: Literal["citizen", "triage"]
    kb_coverage: Probability = 0.5
    dispatch_within_working_days: Days = 1.0
    accuracy: Probability = 0.9
    sign_hours: Hours = 0.1
    contact_hours: Hours = 0.2
    # what a unit does with a filing it does not own
    non_owner: Literal["deflect", "return"]
    deflection: Deflection = Deflection()
    return_hours: Hours = 0.5
    # overlapping duty
    overlap: Literal["deflect", "adjudicate"]
    overlap_deflect_prob: Probability = 0.6
    overlap_acts_on_share: bool = True
    adjudication: Adjudication = Adjudication()
    # false closure
    false_closure_prob: Probability = 0.0
    # time limits, monitoring lights and what a red light does
    time_limits: bool
    limits: Limits = Limits()
    supervision: Supervision = Supervision()
    # satisfaction callbacks and reopening
    callback: bool
    reopened_requires_real_fix: bool
    # funding when money is missing
    funding: Funding
    # the escalation ladder (and its meetings)
    escalation: tuple[Rung, ...] = ()
    # learning: knowledge-base growth and suggestions
    kb_coverage_final: Probability | None = None
    kb_growth_days: PositiveDays = 365.0
    suggestion_adoption_prob: Probability = 0.0
    # staffing: units costed for every open hour rather than for the hours they work
    salaried: tuple[Name, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        return apply_preset(data)

    @model_validator(mode="after")
    def _coherent(self) -> Regime:
        if self.intake == "channels" and not self.channels:
            raise ValueError("intake 'channels' needs at least one channel (key 'channels')")
        if self.centre is None and (self.intake == "centre" or self.time_limits or self.callback):
            raise ValueError("'centre' names no unit, but intake 'centre', time limits or "
                             "callbacks need one (key 'centre')")
        return self

    @property
    def kind(self) -> str:
        """The preset's name (what older code called the regime's kind)."""
        return self.preset

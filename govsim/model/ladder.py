"""The escalation ladder: rungs above the ordinary channels, and their meetings.

Layer: model. A mixin of :class:`~govsim.model.case.RegimeRun`; the rule asked here is
``escalation`` (available to every regime): after failures the citizen climbs to the next rung
(a higher bureau, a hotline, a newspaper, a supervisory office). A rung may compel the owner to
act, and a rung's meeting costs every attendee's time and -- when it can fund -- applies the
regime's funding rule to money that is missing.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from govsim.model.draws import K_DRAWS, failures_before_climbing
from govsim.model.log import Act
from govsim.model.state import FAILED, FALSELY_CLOSED, OK, CategoryState, UnitState
from govsim.scenario import Rung

__all__ = ["Ladder", "RungState"]


class RungState:
    """One rung in index form: its unit, its meeting's attendees and its delays in hours."""

    __slots__ = ("rung", "unit", "attendees", "response_h", "meeting_delay_h")

    def __init__(self, rung: Rung, unit: UnitState, attendees: tuple[int, ...]) -> None:
        self.rung = rung
        self.unit = unit
        self.attendees = attendees
        self.response_h = rung.response_days * 24.0
        self.meeting_delay_h = rung.meeting.delay_days * 24.0 if rung.meeting else 0.0


class Ladder:
    """The escalation ladder, as a mixin over :class:`~govsim.model.engine.Engine`."""

    def climb_after(self, c: int, rung: int) -> int:
        """Failures the citizen accepts on ``rung`` (0 = ordinary channels) before climbing."""
        p = self.climb_prob[rung]
        return failures_before_climbing(self.draws.climb.item(c, rung % K_DRAWS), p)

    def rung_attempt(self, c: int, step: RungState, cat: CategoryState) -> Generator[Any, Any, int]:
        """A filing at a rung of the escalation ladder."""
        env = self.env
        u = step.unit
        self.open_ticket(c, u)
        if self.rules.intake_hours:
            yield from self.work(u, c, self.intake_time(), cat.share[u.index])
        if step.response_h:
            yield env.timeout(step.response_h)
        meeting = step.rung.meeting
        if meeting is not None:
            if step.meeting_delay_h:
                yield env.timeout(step.meeting_delay_h)
            self.meeting(c, step.attendees, meeting.hours_each, cat, meeting.attend_prob, u.index)
            if meeting.success_prob < 1.0 and self.rng.random() >= meeting.success_prob:
                self.log.event(c, Act.NO_RESULT, env.now, u.index)
                return FAILED
            if meeting.can_fund and self.money_missing(c, cat):
                yield from self.provide_money(c, cat)
            if self.money_missing(c, cat):
                self.log.event(c, Act.STALL, env.now, u.index)
                return FAILED
            owner = self.units[cat.lead]
            self.open_ticket(c, owner)
            self.fixer[c] = owner.index
            yield from self.real_fix(c, owner, cat)
            return OK
        if u.index in cat.owners:
            return (yield from self.owner_acts(c, u, cat, compelled=True))
        if self.rng.random() < step.rung.compel_prob:
            owner = self.units[cat.lead]
            self.log.event(c, Act.REFER, env.now, owner.index)
            self.open_ticket(c, owner)
            return (yield from self.owner_acts(c, owner, cat, compelled=True))
        if self.rng.random() < self.rules.false_closure_prob:
            self.false_close(c, u)
            return FALSELY_CLOSED
        self.log.event(c, Act.DEFLECT, env.now, u.index)
        return FAILED

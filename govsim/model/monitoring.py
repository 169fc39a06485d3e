"""Monitoring: working-day time limits, monitoring lights, and what a red light does.

Layer: model. A mixin of :class:`~govsim.model.case.RegimeRun`; the rule asked here is
``time_limits`` with ``limits`` (sign, contact the citizen, finish: Shishi's 1-2-5 working days)
and ``supervision`` (the yellow mark, the section's hours per red light, and whether a red light
puts the case ahead in its unit's queue). Limits run on dispatched tickets: under
``routing = "citizen"`` nothing is dispatched, so there is nothing for them to time. The
monitoring points are the three limits, a return (yellow, red on a second return) and a
dissatisfied callback (red).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from govsim.model.log import RED, YELLOW, Act, Work
from govsim.model.state import UnitState

__all__ = ["Monitoring", "SIGN", "CONTACT", "FINISH_LIMIT"]

# kinds of deadline breach, which are also the first three monitoring points
SIGN, CONTACT, FINISH_LIMIT = 0, 1, 2


class Monitoring:
    """Time limits and monitoring lights, as a mixin over :class:`~govsim.model.engine.Engine`."""

    def open_limits(self, c: int, target: UnitState, now: float) -> list[Any] | None:
        """Start the limits of a ticket dispatched to ``target`` at ``now``: the pending entry
        ``[unit, sign due, contact due, finish due, and the three yellow marks]``, or ``None``
        when the regime sets no limits."""
        if not self.monitoring:
            return None
        if self.urged_unit[c] != target.index:
            self.urged_unit[c] = -1  # a new unit holds the case: nobody has urged it yet
        limits = self.rules.limits
        official = self.official
        y = self.yellow_share
        pending = self.pending[c] = [
            target,
            official.working_days_later(now, limits.sign_days),
            official.working_days_later(now, limits.contact_days),
            official.working_days_later(now, limits.finish_days),
            official.working_days_later(now, y * limits.sign_days),
            official.working_days_later(now, y * limits.contact_days),
            official.working_days_later(now, y * limits.finish_days),
        ]
        return pending

    def stamps(self, c: int, target: UnitState, pending: list[Any] | None,
               steps: tuple[tuple[float, int, int], ...]) -> Callable[[float], None]:
        """A callback that time-stamps the preliminary steps of a staff session once it starts.

        ``steps`` are ``(hours, activity, slot)``: each step's end is logged as ``activity`` and
        (under limits) checked against the limit in ``pending[slot]`` (1 = sign, 2 = contact).
        """
        def stamp(start: float) -> None:
            advance = target.office.advance
            t = start
            for hours, act, slot in steps:
                t = advance(t, hours)
                self.log.event(c, act, t, target.index)
                if act == Act.CONTACT:
                    self.replied[c] = True
                if pending is not None:
                    self.check_limit(c, target.index, slot - 1, t, pending)
                    pending[slot] = math.inf
        return stamp

    def check_limit(self, c: int, unit: int, kind: int, t: float, pending: list[Any]) -> None:
        """The step of limit ``kind`` happened (or was still awaited) at ``t``: a yellow light
        if ``t`` is past the yellow mark, a red light and a breach if past the limit itself."""
        yellow, due = pending[4 + kind], pending[1 + kind]
        horizon = self.horizon_h  # a limit that falls after the horizon is not judged
        if t > yellow and yellow < horizon:
            self.light(c, unit, kind, YELLOW, yellow)
        if t > due and due < horizon:
            self.breach_count[c] += 1
            self.light(c, unit, kind, RED, due)

    def close_pending(self, c: int, now: float) -> None:
        """Drop case ``c``'s open ticket, recording the limits (sign, contact, finish, in the
        order of the breach kinds) that have already passed."""
        pending = self.pending.pop(c, None)
        if pending is None:
            return
        for kind in (SIGN, CONTACT, FINISH_LIMIT):
            if pending[1 + kind] < math.inf:
                self.check_limit(c, pending[0].index, kind, now, pending)

    def finish_limits(self, c: int, unit: int, now: float) -> None:
        """The ticket was reported finished at ``now``: judge its finish limit."""
        pending = self.pending.pop(c, None)
        if pending is not None:
            self.check_limit(c, unit, FINISH_LIMIT, now, pending)

    def light(self, c: int, unit: int, point: int, colour: int, t: float) -> None:
        """Record a monitoring light; the supervision section follows up every red one. Without
        time limits there is no monitoring, and no light."""
        if not self.monitoring:
            return
        self.log.light(c, unit, point, colour, t)
        if colour == RED:
            self.red_flag[c] = True
            if self.red_hours:
                self.log.staff(c, self.centre.index, self.red_hours, 1.0, t, Work.SUPERVISION)
            if self.urging and t + self.assessment_h > self.assessed_until[unit]:
                self.assessed_until[unit] = t + self.assessment_h  # counted against it
        if self.urging:
            # the section urges the unit behind the light (a red one was chased above)
            self.urged_unit[c] = unit
            if colour != RED and self.urge_hours:
                self.log.staff(c, self.centre.index, self.urge_hours, 1.0, t, Work.SUPERVISION)

    def compliance(self, c: int, u: int) -> float:
        """The factor on unit ``u``'s propensities to deflect, patch or close case ``c`` on
        paper: lower when it has been urged about the case or is under assessment, higher
        when it is swamped (:class:`govsim.scenario.behaviour.Behaviour`); 1 when nobody
        supervises and load is ignored."""
        if not self.responsive:
            return 1.0
        k = 1.0
        if self.urging:
            if self.urged_unit[c] == u:
                k = self.urged_keep
            if self.assessed_until[u] > self.env.now:
                k *= self.assessed_keep
        if self.load_sensitivity:
            unit = self.units[u]
            k *= 1.0 + self.load_sensitivity * unit.pool.waiting / unit.staff
        return k

    def priority(self, c: int) -> int | None:
        """Queue priority of case ``c``'s next staff request: ahead of the others once it has a
        red light (with ``red_effect = "priority"``) or once the section has urged the unit
        about it (an urged unit acts on the case sooner); ``None`` when neither applies."""
        if not self.prioritised:
            return None
        if self.red_priority and self.red_flag[c]:
            return -1
        return -1 if self.urged_unit[c] >= 0 and self.urged_keep < 1.0 else 0

    def finalise(self) -> None:
        """Tickets still open at the horizon whose limits have already passed are breaches too
        (a limit missed is a breach whether or not the late event happened before the end)."""
        for c in sorted(self.pending):
            self.close_pending(c, self.horizon_h)

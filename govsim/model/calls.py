"""Call centres: the call-takers in front of a channel, and a citizen's call to them.

Layer: model. A mixin of :class:`~govsim.model.case.RegimeRun`. Calls queue for a call-taker; a
caller who waits longer than their patience hangs up and may redial later (Erlang A).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from govsim.calendar import parse_hours
from govsim.model.log import Act, Work
from govsim.model.state import CallCentreState, UnitState

__all__ = ["Calls"]


class Calls:
    """Call centres and calls, as a mixin over :class:`~govsim.model.engine.Engine`."""

    def call_centres(self, channels: Any, units: list[UnitState]) -> list[CallCentreState | None]:
        """The call centre in front of each channel (``None`` where a channel has none)."""
        centres = [
            None if ch.call_centre is None else CallCentreState(
                self.env, ch.call_centre, self.calendar.office(parse_hours(ch.call_centre.hours)), u)
            for ch, u in zip(channels, units, strict=True)
        ]
        self._all_call_centres = [cc for cc in centres if cc is not None]
        return centres

    def _call_seat_hours(self) -> list[float]:
        """Per unit: call-taker seats × open hours of the call centres in front of it."""
        seats = [0.0] * len(self.units)
        for cc in getattr(self, "_all_call_centres", ()):
            seats[cc.unit.index] += cc.pool.capacity * (
                cc.office.position(self.horizon_h) - cc.office.position(self.warmup_h))
        return seats

    def call(self, c: int, cc: CallCentreState, share: float) -> Generator[Any, Any, bool]:
        """The citizen phones a hotline: ``True`` once a call-taker answers, ``False`` when the
        citizen hangs up and does not redial. A citizen calls while the line is open."""
        env = self.env
        rng = self.rng
        while True:
            wait = cc.office.next_open(env.now) - env.now
            if wait > 0.0:
                yield env.timeout(wait)
            pool = cc.pool
            wait = pool.acquire()
            patience = rng.expovariate(1.0 / cc.patience_h)
            answered = wait is None  # a call-taker was free: answered at once, no wait
            if not answered:
                dialled = env.now
                result = yield wait | env.timeout(patience)
                self.call_wait_h[c] += env.now - dialled
                answered = wait in result
            if answered:
                talk = rng.expovariate(1.0 / cc.call_h)
                yield env.timeout(talk)
                pool.release()
                # call-takers are not the unit's case workers: costed, but no server of the unit
                self.log.staff(c, cc.unit.index, talk, share, env.now, Work.CALL)
                return True
            if wait.triggered:  # answered at the very moment the caller gave up
                pool.release()
            else:
                pool.cancel(wait)
            self.calls_abandoned[c] += 1
            self.log.event(c, Act.CALL_ABANDONED, env.now, cc.unit.index)
            if rng.random() >= cc.redial_prob:
                return False
            yield env.timeout(rng.expovariate(1.0 / cc.redial_h))

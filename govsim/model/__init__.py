"""The model layer: SimPy processes for citizens, units and regime rules.

:func:`simulate` runs one replication of one regime and returns its raw columns
(:class:`~govsim.model.state.RawRun`); the recording layer turns them into DataFrames.
"""

from __future__ import annotations

from govsim.calendar import WorkCalendar
from govsim.model.case import RegimeRun
from govsim.model.draws import WorldDraws, draw_world
from govsim.model.state import RawRun, build_calendar
from govsim.moved import renamed
from govsim.scenario import Scenario

__all__ = ["simulate", "RegimeRun", "RawRun", "build_calendar", "draw_world", "WorldDraws"]


def simulate(scenario: Scenario, regime: str, seed: int, replication: int = 0,
             record_events: bool = True, calendar: WorkCalendar | None = None,
             draws: WorldDraws | None = None, warmup_h: float = 0.0,
             recording: str = "tables") -> RawRun:
    """Run one replication of one regime to the horizon (``warmup_h``, ``recording``: see
    :class:`~govsim.model.engine.Engine`)."""
    return RegimeRun(scenario, regime, seed, replication, record_events=record_events,
                     calendar=calendar, draws=draws, warmup_h=warmup_h, recording=recording).run()


__getattr__ = renamed(__name__)  # old names, for one release (govsim.moved.RENAMED)

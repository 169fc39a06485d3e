"""The model layer: SimPy processes for citizens, units and regime rules.

:func:`simulate` runs one replication of one regime and returns its raw columns
(:class:`~govsim.model.engine.RawRun`); the recording layer turns them into DataFrames.
"""

from __future__ import annotations

from govsim.calendar import WorkCalendar
from govsim.model.consolidated import ConsolidatedEngine
from govsim.model.engine import Engine, RawRun, build_calendar
from govsim.model.fragmented import FragmentedEngine
from govsim.model.world import WorldDraws, draw_world
from govsim.scenario import Scenario

__all__ = ["simulate", "engine_for", "RawRun", "build_calendar", "draw_world", "WorldDraws"]

_ENGINES: dict[str, type[Engine]] = {
    "fragmented": FragmentedEngine,
    "consolidated": ConsolidatedEngine,
}


def engine_for(scenario: Scenario, regime: str) -> type[Engine]:
    """The engine class that implements ``regime``'s kind of rules."""
    return _ENGINES[scenario.regimes[regime].kind]


def simulate(scenario: Scenario, regime: str, seed: int, replication: int = 0,
             record_events: bool = True, calendar: WorkCalendar | None = None,
             draws: WorldDraws | None = None, warmup_h: float = 0.0) -> RawRun:
    """Run one replication of one regime to the horizon (``warmup_h``: see
    :class:`~govsim.model.engine.Engine`)."""
    cls = engine_for(scenario, regime)
    return cls(scenario, regime, seed, replication, record_events=record_events,
               calendar=calendar, draws=draws, warmup_h=warmup_h).run()

"""The shared machinery of a run: units and their staff, staff work, money, case records.

Layer: model. :class:`Engine` holds what every rule works on: the world's draws, the units
with their staff (each a lean pool of servers, :class:`~govsim.model.staff.StaffPool`), the
per-case columns, staff sessions, meetings, recurrence, the case's ending.
:class:`~govsim.model.case.RegimeRun` adds the rules (as mixins, one module per concept) and the
one ``case`` process.

Hot-loop rules (``docs/architecture.md``): per-case state is preallocated and indexed by case
number (typed arrays: a few bytes a case, no Python object per value); the logs are
append-only columns; no pandas, no logging, no dict rebuilds.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from govsim.calendar import WorkCalendar, parse_hours
from govsim.errors import GovsimError
from govsim.model.columns import allocate, collect
from govsim.model.demand import Trust
from govsim.model.draws import K_DRAWS, WorldDraws, draw_world, stream
from govsim.model.log import Act, Log, Work
from govsim.model.runner import gc_paused, run_until, start
from govsim.model.state import (
    ABANDONED,
    NOT_FILED,
    RESOLVED,
    CategoryState,
    RawRun,
    UnitState,
    build_calendar,
)
from govsim.model.tally import Tally
from govsim.scenario import Scenario

__all__ = ["Engine", "RECORDINGS"]

#: what a run keeps: every table's logs, or only what its metrics need
RECORDINGS = ("tables", "metrics")

class Engine:
    """One replication of one regime on one world.

    Parameters
    ----------
    scenario:
        The validated scenario.
    regime:
        Name of the regime to run.
    seed, replication:
        Root seed and replication number; the world's draws depend on nothing else.
    record_events:
        Keep the per-event log (the ledgers and case table are always kept).
    calendar, draws:
        Precomputed calendar and world draws (shared across regimes by the experiment layer).
    warmup_h:
        A warm-up period: the run is the same, but the tables leave out cases that arrive
        before it and measure salaried capacity from it (see :func:`govsim.recording.tables`).
    recording:
        ``"tables"`` (default) keeps the logs every table is made from; ``"metrics"`` keeps
        only what the metrics and the tables over time need (:class:`~govsim.model.tally.Tally`:
        no event log, staff time added up as it is spent), with the same metrics.
    """

    def __init__(self, scenario: Scenario, regime: str, seed: int, replication: int,
                 record_events: bool = True, calendar: WorkCalendar | None = None,
                 draws: WorldDraws | None = None, warmup_h: float = 0.0,
                 recording: str = "tables") -> None:
        if recording not in RECORDINGS:
            raise GovsimError(f"must be one of {', '.join(RECORDINGS)}, got {recording!r}",
                              "recording")
        self.scenario = scenario
        self.warmup_h = warmup_h
        self.regime_name = regime
        self.rules = scenario.regimes[regime]
        self.seed = seed
        self.replication = replication
        world = scenario.world
        self.calendar = calendar if calendar is not None else build_calendar(scenario)
        self.draws = draws if draws is not None else draw_world(scenario, seed, replication)
        self.horizon_h = world.horizon_days * 24.0
        self.env = simpy.Environment()
        #: the official working-day clock: deadlines in working days are measured on it
        self.official = self.calendar.office(parse_hours(world.calendar.office_hours))
        self.log = Log(record_events)
        # Regime-side draws: one Python RNG (fast scalar draws) seeded from its own stream.
        regime_seed = stream(seed, replication, "regime").integers(0, 2**63 - 1)
        self.rng = random.Random(int(regime_seed))

        self.unit_index = {name: i for i, name in enumerate(world.units)}
        self.units = [
            UnitState(i, name, u.kind, u.staff, self.calendar.office(u.office_hours),
                      u.hourly_cost_yuan, u.is_public, self.env)
            for i, (name, u) in enumerate(world.units.items())
        ]
        relay = [u.relay for u in self.units]
        if recording == "metrics":
            self.log = Tally(self.draws.n, self.draws.views["arrival_h"],
                             self.draws.views["category"], warmup_h, self.horizon_h,
                             [u.hourly_cost for u in self.units],
                             [u.kind == "street_office" for u in self.units], relay)
        self.fund_index = {name: i for i, name in enumerate(world.funds)}
        self.fund_open = [f.available for f in world.funds.values()]
        n_units = len(self.units)
        self.categories = [
            CategoryState(k, name, cat, self.unit_index, self.fund_index, n_units, relay)
            for k, (name, cat) in enumerate(world.categories.items())
        ]

        self._season_tables(world)

        d = self.draws
        n = d.n
        self.n = n
        # world draws as memoryviews of the shared arrays (a Python number per read, at
        # nearly a list's speed, without a Python object per value)
        views = d.views
        self.arrival = views["arrival_h"]
        self.cat_of = views["category"]
        self.work_hours = views["work_hours"]
        # the (n, K_DRAWS) draws (re-filing waits, patch holds, readiness to climb) are read
        # from self.draws with .item, and drawn only if a case ever needs one
        self.tolerance = views["tolerance"]
        self.knows_owner = views["knows_owner"]
        self.discovery = views["discovery_h"]
        self.satisfied_within = views["satisfied_within_h"]

        # per-case state, declared once in govsim.model.columns, in typed arrays (a few bytes
        # a case, no Python object per value), so a long run's state stays small
        allocate(self, n)
        if len(self.units) < 63:
            # each case's bit masks of units fit a signed 64-bit int: typed columns, with no
            # Python int made for each case (long-lived ints among the run's short-lived
            # objects would keep the allocator's memory from ever being given back)
            self.touched = array("q", bytes(8 * n))
            self.shares_done = array("q", bytes(8 * n))
        self.unit_tickets = [0] * len(self.units)
        # responsive demand (world.demand): what citizens have learnt decides what they file
        self.trust = Trust(world.demand) if world.demand.on else None
        self.file_u = self.draws.views["file_u"] if self.trust is not None else None

    # ------------------------------------------------------------------ run
    def run(self) -> RawRun:
        """Run to the horizon and return the raw columns (once: the engine is then spent)."""
        self._next_case = 0
        self._last_arrival = 0.0
        with gc_paused():  # see govsim.model.runner: no cycles made, a quarter of the time
            self._arrive(None)
            run_until(self.env, self.horizon_h)
        self.finalise()
        raw = self._collect()
        # The processes still waiting at the horizon hold this engine in a reference cycle
        # (engine -> environment -> their events -> their generators -> engine), so its
        # per-case lists would live until the cycle collector next runs, beside the tables
        # built from them. The engine is spent: let everything it holds go now.
        vars(self).clear()
        return raw

    def finalise(self) -> None:
        """Hook for work at the horizon before the columns are collected."""

    def _arrive(self, _event: simpy.Event | None) -> None:
        """Start every case arriving now, then wait for the next arrival (a chain of timeouts,
        one per distinct arrival time: no source process). Now and then the log's lists go
        into compact typed chunks."""
        arrival = self.arrival
        n = self.n
        c = self._next_case
        while c < n:
            t = arrival[c]
            if t > self._last_arrival:
                self._next_case = c
                self.env.timeout(t - self._last_arrival).callbacks.append(self._arrive)
                self._last_arrival = t
                return
            if self.trust is not None and not self.trust.files(t, self.file_u[c]):
                self.state[c] = NOT_FILED  # the problem arose; its citizen did not file it
            else:
                start(self.case(c))
            if not c & 4095:
                self.log.compact()
            c += 1
        self._next_case = n
    def case(self, c: int) -> Generator[Any, Any, None]:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------ building blocks
    def work(self, u: UnitState, c: int, hours: float, share: float, start_act: int = -1,
             lead: float = 0.0, on_start: Callable[[float], None] | None = None,
             priority: int | None = None) -> Generator[Any, Any, None]:
        """One staff member of ``u`` spends ``lead + hours`` of office time on case ``c``.

        The ticket queues for a staff member (FIFO; :class:`~govsim.model.staff.StaffPool`
        grants a free one at once, with no event). Work runs in the unit's open hours only: a
        ticket taken up while the office is closed starts when it opens, and work left at closing
        time goes on the next working day. (Holding the staff member while the office is closed
        changes nothing, since nobody else could work then either.)

        One staff session may cover several short steps by the same person (sign for a ticket,
        then call the citizen): ``lead`` hours of preliminary steps come first, ``start_act``
        (if given) is logged when the main ``hours`` begin, and ``on_start`` is called with the
        session's start time as soon as a staff member is free, so the caller can time-stamp the
        preliminary steps. One request and one timeout per session keeps the event loop lean.
        ``priority`` (lower first) needs the unit's pool to be made with ``priority=True``.
        """
        env = self.env
        pool = u.pool
        wait = pool.acquire() if priority is None else pool.acquire(priority)
        if wait is not None:  # everyone is busy: queue for the next free staff member
            yield wait
        now = env.now
        office = u.office
        if on_start is not None:
            on_start(now)
        if office.always:
            if start_act >= 0:
                self.log.event(c, start_act, now + lead, u.index)
            yield env.timeout(lead + hours)
        else:
            main_start = office.next_open(office.advance(now, lead) if lead else now)
            if start_act >= 0:
                self.log.event(c, start_act, main_start, u.index)
            yield env.timeout(office.advance(main_start, hours) - now)
        pool.release()
        self.log.staff(c, u.index, lead + hours, share, env.now)

    def meeting(self, c: int, invited: tuple[int, ...], hours_each: float, cat: CategoryState,
                attend_prob: float = 1.0, convener: int = -1) -> int:
        """Record a meeting about case ``c`` called by ``convener``: each invited unit attends
        with ``attend_prob`` and every attendee's hours are costed (they hold no server).
        Returns the attendance."""
        self.meetings[c] += 1
        now = self.env.now
        rng = self.rng
        attended = 0
        for a in invited:
            if attend_prob >= 1.0 or rng.random() < attend_prob:
                attended += 1
                self.log.staff(c, a, hours_each, cat.share[a], now, Work.MEETING)
        self.meeting_attendees[c] += attended
        if attended > self.largest_meeting[c]:
            self.largest_meeting[c] = attended
        self.meeting_hours[c] += attended * hours_each
        self.log.event(c, Act.MEETING, now, convener)
        return attended

    # ------------------------------------------------------------ recurrence and calls
    def _season_tables(self, world: Any) -> None:
        """Per category with ``recurs_in_months``: the first in-season day on or after each day."""
        n_days = self.calendar.n_days
        days = np.arange(np.datetime64(world.start, "D"), np.datetime64(world.start, "D") + n_days)
        month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
        for cat, spec in zip(self.categories, world.categories.values(), strict=True):
            if spec.recurs_in_months is None:
                continue
            ok = np.isin(month, np.asarray(spec.recurs_in_months))
            nxt = np.full(n_days + 1, n_days, dtype=np.int64)
            for d in range(n_days - 1, -1, -1):
                nxt[d] = d if ok[d] else nxt[d + 1]
            cat.in_season = nxt.tolist()

    def recurrence_delay(self, c: int, cat: CategoryState) -> float:
        """How long the latest surface fix on case ``c`` holds before the problem returns.

        The holding time is the world's draw; a category that recurs only in some months (a
        leak with the rains) comes back on the first in-season day after the patch has held.
        """
        hold = self.draws.surface_hold.item(c, (self.surface_fixes[c] - 1) % K_DRAWS)
        season = cat.in_season
        if season is None:
            return hold
        now = self.env.now
        t = now + hold
        day = int(t // 24.0)
        if day >= len(season) - 1:
            return hold
        first = season[day]
        if first == day:
            return hold
        # into the next season: the same hour of day as the patch would have failed
        return first * 24.0 + (t - day * 24.0) - now

    def resolve(self, c: int, unit: int) -> None:
        now = self.env.now
        self.state[c] = RESOLVED
        self.end_h[c] = now
        self.log.event(c, Act.RESOLVED, now, unit)
        if self.trust is not None:
            self.trust.outcome(now, float(now - self.arrival[c] <= self.satisfied_within[c]))

    def abandon(self, c: int) -> None:
        self.state[c] = ABANDONED
        self.end_h[c] = self.env.now
        self.log.event(c, Act.ABANDON, self.env.now, -1)
        if self.trust is not None:
            self.trust.outcome(self.env.now, 0.0)

    def open_ticket(self, c: int, u: UnitState) -> None:
        self.tickets[c] += 1
        self.unit_tickets[u.index] += 1
        self.touched[c] |= 1 << u.index
        self.log.event(c, Act.TICKET, self.env.now, u.index)

    def failed_attempt(self, c: int) -> bool:
        """Count a failed attempt; ``True`` when the citizen now gives up."""
        self.failures[c] += 1
        if self.trust is not None:
            self.trust.outcome(self.env.now, 0.0)
        if self.failures[c] >= self.tolerance[c]:
            self.abandon(c)
            return True
        return False

    def wait_before_refiling(self, c: int) -> float:
        return self.draws.patience.item(c, self.failures[c] % K_DRAWS)

    # ------------------------------------------------------------------ collect
    def _collect(self) -> RawRun:
        world = self.scenario.world
        cases = {"arrival_h": self.draws.arrival_h, "category": self.draws.category,
                 **collect(self, release=True), "satisfied_within_h": self.draws.satisfied_within_h}
        return RawRun(
            regime=self.regime_name,
            replication=self.replication,
            horizon_h=self.horizon_h,
            warmup_h=self.warmup_h,
            unit_names=list(world.units),
            unit_kinds=[u.kind for u in world.units.values()],
            unit_staff=[u.staff for u in world.units.values()],
            unit_cost=[u.hourly_cost_yuan for u in world.units.values()],
            unit_public=[u.is_public for u in world.units.values()],
            unit_tickets=list(self.unit_tickets),
            unit_salaried=[name in set(getattr(self.rules, "salaried", ())) for name in world.units],
            unit_call_seat_hours=self._call_seat_hours(),
            unit_open_hours=[u.office.position(self.horizon_h) - u.office.position(self.warmup_h)
                             for u in self.units],
            payer_names=list(world.units) + [f"fund:{f}" for f in world.funds],
            payer_public=[u.is_public for u in world.units.values()]
            + [f.public for f in world.funds.values()],
            hours_per_contact=world.citizens.hours_per_contact,
            value_of_time=world.citizens.value_of_time_yuan_per_hour,
            category_names=list(world.categories),
            channel_names=[ch.name for ch in getattr(self.rules, "channels", ())] or ["centre"],
            cases=cases,
            log=self.log,
            calendar=self.calendar,
        )

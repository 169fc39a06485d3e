"""The shared machinery of a run: units as SimPy resources, staff work, money, case records.

Layer: model. :class:`Engine` is subclassed once per regime kind
(:mod:`govsim.model.fragmented`, :mod:`govsim.model.consolidated`); each subclass supplies the
``case`` process, the life of one citizen's problem under its rules.

Hot-loop rules (``docs/architecture.md``): per-case state lives in preallocated Python lists
indexed by case number; the logs are append-only lists; no pandas, no logging, no dict rebuilds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from govsim.calendar import OfficeHours, WorkCalendar, parse_hours, working_day_table
from govsim.model.log import Act, Log, Money
from govsim.model.world import K_DRAWS, WorldDraws, draw_world, stream
from govsim.scenario import Category, Scenario

__all__ = ["Engine", "RawRun", "build_calendar", "OPEN", "RESOLVED", "ABANDONED"]

# final states of a case
OPEN, RESOLVED, ABANDONED = 0, 1, 2

# outcomes of one attempt, as seen by the citizen
OK, FAILED, QUIETED, FALSELY_CLOSED = 0, 1, 2, 3

#: Unit kinds whose work on any case is their own duty (intake and relay), never shifted cost.
RELAY_KINDS = frozenset({"hotline", "centre", "media", "supervisory_office"})


def build_calendar(scenario: Scenario) -> WorkCalendar:
    """The working-day calendar of a scenario's world.

    The table covers the horizon from the ``holidays`` data (refusing years it has no data for)
    plus a margin of Monday-to-Friday days after it, used only by deadlines and office
    openings that fall past the horizon.
    """
    w = scenario.world
    cal = w.calendar
    margin = 120
    core = working_day_table(
        w.start, w.horizon_days, country=cal.country, extra_holidays=cal.extra_holidays,
        extra_workdays=cal.extra_workdays, path="world.calendar",
    )
    tail_start = np.datetime64(w.start, "D") + w.horizon_days
    tail = np.arange(tail_start, tail_start + margin)
    weekday = (tail.view("int64") - 4) % 7
    return WorkCalendar(w.start, np.concatenate([core, weekday < 5]))


class UnitState:
    """A unit during a run: its staff as a SimPy resource and its office hours."""

    __slots__ = ("index", "name", "kind", "res", "office", "hourly_cost", "public", "relay", "staff")

    def __init__(self, index: int, name: str, kind: str, staff: int, office: OfficeHours,
                 hourly_cost: float, public: bool, env: simpy.Environment) -> None:
        self.index = index
        self.name = name
        self.kind = kind
        self.staff = staff
        self.res = simpy.Resource(env, capacity=staff)
        self.office = office
        self.hourly_cost = hourly_cost
        self.public = public
        self.relay = kind in RELAY_KINDS


class CategoryState:
    """A category's rules in index form, for fast look-up in the hot loop."""

    __slots__ = ("index", "name", "kind", "owners", "lead", "share", "fix_cost", "fund",
                 "surface_prob", "surface_hours", "surface_cost", "overlapping", "in_season",
                 "all_owners")

    def __init__(self, index: int, name: str, cat: Category, unit_index: dict[str, int],
                 fund_index: dict[str, int], n_units: int, relay: list[bool]) -> None:
        self.index = index
        self.name = name
        self.kind = cat.kind
        self.owners = tuple(unit_index[o] for o in cat.owners)
        self.lead = self.owners[0]
        self.overlapping = len(self.owners) > 1
        per_owner = 1.0 / len(self.owners)
        self.share = [
            1.0 if relay[u] else (per_owner if u in self.owners else 0.0) for u in range(n_units)
        ]
        self.fix_cost = cat.fix_cost_yuan
        self.fund = -1 if cat.fix_money_source is None else fund_index[cat.fix_money_source]
        self.surface_prob = cat.surface_fix_prob
        self.surface_hours = cat.surface_fix_hours
        self.surface_cost = cat.surface_fix_cost_yuan
        self.all_owners = sum(1 << o for o in self.owners)  # bit mask of the owners
        #: for seasonal recurrence: day -> first day on or after it in a recurrence month
        self.in_season: list[int] | None = None


class CallCentreState:
    """The call-takers of one channel: a SimPy resource with its own hours."""

    __slots__ = ("res", "office", "call_h", "patience_h", "redial_prob", "redial_h", "unit")

    def __init__(self, env: simpy.Environment, spec: Any, office: OfficeHours, unit: UnitState) -> None:
        self.res = simpy.Resource(env, capacity=spec.call_takers)
        self.office = office
        self.call_h = spec.call_minutes / 60.0
        self.patience_h = spec.caller_patience_minutes / 60.0
        self.redial_prob = spec.redial_prob
        self.redial_h = spec.redial_minutes / 60.0
        self.unit = unit


@dataclass
class RawRun:
    """Columns of one replication of one regime, before any DataFrame is built."""

    regime: str
    replication: int
    horizon_h: float
    #: cases arriving before this time are left out of the tables (a warm-up period); open
    #: hours and call-seat hours are measured from it
    warmup_h: float
    unit_names: list[str]
    unit_kinds: list[str]
    unit_staff: list[int]
    unit_cost: list[float]
    unit_public: list[bool]
    unit_tickets: list[int]
    unit_salaried: list[bool]
    unit_call_seat_hours: list[float]
    unit_open_hours: list[float]
    payer_names: list[str]
    category_names: list[str]
    channel_names: list[str]
    cases: dict[str, np.ndarray]
    log: Log
    calendar: WorkCalendar


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
    """

    def __init__(self, scenario: Scenario, regime: str, seed: int, replication: int,
                 record_events: bool = True, calendar: WorkCalendar | None = None,
                 draws: WorldDraws | None = None, warmup_h: float = 0.0) -> None:
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
        # world draws as lists (made once per replication and shared by the regimes):
        # Python-level indexing of lists is several times faster than of arrays
        lists = d.lists
        self.arrival = lists["arrival_h"]
        self.cat_of = lists["category"]
        self.work_hours = lists["work_hours"]
        self.patience = lists["patience_h"]
        self.hold = lists["surface_hold_h"]
        self.tolerance = lists["tolerance"]
        self.climb_u = lists["climb_u"]
        self.knows_owner = lists["knows_owner"]
        self.discovery = lists["discovery_h"]
        self.satisfied_within = lists["satisfied_within_h"]

        # per-case state
        self.state = [OPEN] * n
        self.end_h = [np.nan] * n
        self.contacts = [0] * n
        self.tickets = [0] * n
        self.touched = [0] * n  # bit mask of units
        self.failures = [0] * n
        self.top_rung = [0] * n
        self.surface_fixes = [0] * n
        self.false_closures = [0] * n
        self.returns = [0] * n
        self.dispatches = [0] * n
        self.breach_count = [0] * n
        self.meetings = [0] * n
        self.meeting_attendees = [0] * n
        self.largest_meeting = [0] * n
        self.meeting_hours = [0.0] * n
        self.calls_abandoned = [0] * n
        self.channel_of = [-1] * n  # channel of the first contact that got through
        self.triage = [0] * n  # consolidated triage: 0 none, 1 knowledge base, 2 hand-off, 3 dispatch
        self.replied = [False] * n  # the citizen got a reply (answer, call from the owner, ...)
        self.adopted = [-1] * n  # suggestions: 1 adopted, 0 answered but not adopted, -1 n/a
        self.advanced = [0.0] * n
        self.recovered = [0.0] * n
        self.funded = [False] * n
        self.rating = [-1] * n  # last callback rating: -1 none, 0 dissatisfied, 1 satisfied
        self.unit_tickets = [0] * len(self.units)

    # ------------------------------------------------------------------ run
    def run(self) -> RawRun:
        """Run to the horizon and return the raw columns."""
        self.env.process(self._source())
        self.env.run(until=self.horizon_h)
        self.finalise()
        return self._collect()

    def finalise(self) -> None:
        """Hook for work at the horizon before the columns are collected."""

    def _source(self) -> Generator[Any, Any, None]:
        env = self.env
        timeout = env.timeout
        process = env.process
        case = self.case
        now = 0.0
        for c, t in enumerate(self.arrival):
            if t > now:
                yield timeout(t - now)
                now = t
            process(case(c))

    def case(self, c: int) -> Generator[Any, Any, None]:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------ building blocks
    def work(self, u: UnitState, c: int, hours: float, share: float, start_act: int = -1,
             lead: float = 0.0, on_start: Callable[[float], None] | None = None,
             priority: int | None = None) -> Generator[Any, Any, None]:
        """One staff member of ``u`` spends ``lead + hours`` of office time on case ``c``.

        The ticket queues for a staff member (FIFO). Work runs in the unit's open hours only: a
        ticket taken up while the office is closed starts when it opens, and work left at closing
        time goes on the next working day. (Holding the staff member while the office is closed
        changes nothing, since nobody else could work then either.)

        One staff session may cover several short steps by the same person (sign for a ticket,
        then call the citizen): ``lead`` hours of preliminary steps come first, ``start_act``
        (if given) is logged when the main ``hours`` begin, and ``on_start`` is called with the
        session's start time as soon as a staff member is free, so the caller can time-stamp the
        preliminary steps. One request and one timeout per session keeps the event loop lean.
        ``priority`` (lower first) needs the unit's resource to be a ``PriorityResource``.
        """
        env = self.env
        req = u.res.request() if priority is None else u.res.request(priority=priority)
        yield req
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
        u.res.release(req)
        self.log.staff(c, u.index, lead + hours, share, env.now)

    def pay(self, c: int, payer: int, amount: float, share: float, kind: int) -> None:
        """Record money paid for case ``c`` (``payer`` is a unit index or ``n_units + fund``)."""
        if amount:
            self.log.money(c, payer, amount, share, kind)

    def fund_payer(self, fund: int) -> int:
        return len(self.units) + fund

    def real_fix(self, c: int, u: UnitState, cat: CategoryState,
                 priority: int | None = None) -> Generator[Any, Any, None]:
        """The owner does the real fix; money comes from its source (fund or own budget)."""
        yield from self.work(u, c, self.work_hours[c], cat.share[u.index], Act.WORK_START,
                             priority=priority)
        if cat.fix_cost:
            if cat.fund >= 0 and not self.funded[c]:
                self.pay(c, self.fund_payer(cat.fund), cat.fix_cost, 1.0, Money.REAL_FIX)
            elif cat.fund < 0:
                self.pay(c, u.index, cat.fix_cost, cat.share[u.index], Money.REAL_FIX)
            # when funded by an advance the money was recorded at the advance
        self.resolve(c, u.index)

    def surface_fix(self, c: int, u: UnitState, cat: CategoryState,
                    priority: int | None = None) -> Generator[Any, Any, None]:
        """A cheap repair that quiets the case for a while."""
        yield from self.work(u, c, cat.surface_hours, cat.share[u.index], priority=priority)
        self.pay(c, u.index, cat.surface_cost, cat.share[u.index], Money.SURFACE_FIX)
        self.surface_fixes[c] += 1
        self.log.event(c, Act.SURFACE_FIX, self.env.now, u.index)

    def money_missing(self, c: int, cat: CategoryState) -> bool:
        """Whether the real fix needs money from a source that is not available."""
        return bool(cat.fix_cost) and cat.fund >= 0 and not self.fund_open[cat.fund] and not self.funded[c]

    def advance(self, c: int, cat: CategoryState, advancer: int) -> None:
        """``advancer`` pays the missing money; it may be recovered later."""
        funding = self.rules.funding
        share = cat.share[advancer]
        self.pay(c, advancer, cat.fix_cost, share, Money.ADVANCE)
        self.advanced[c] += cat.fix_cost
        self.funded[c] = True
        self.log.event(c, Act.ADVANCE, self.env.now, advancer)
        if self.rng.random() < funding.recovery_prob:
            delay = self.rng.expovariate(1.0 / (funding.recovery_days * 24.0))
            self.env.process(self._recover(c, cat, advancer, delay))

    def _recover(self, c: int, cat: CategoryState, advancer: int, delay: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(delay)
        amount = cat.fix_cost
        self.pay(c, advancer, -amount, cat.share[advancer], Money.RECOVERY)
        if cat.fund >= 0:
            self.pay(c, self.fund_payer(cat.fund), amount, 1.0, Money.RECOVERY)
        self.recovered[c] += amount
        self.log.event(c, Act.RECOVERY, self.env.now, advancer)

    def release_fund(self, c: int, cat: CategoryState) -> Generator[Any, Any, None]:
        """The proper source is made to pay after ``release_working_days`` (supervision)."""
        days = self.rules.funding.release_working_days
        due = self.official.working_days_later(self.env.now, days)
        if due > self.env.now:
            yield self.env.timeout(due - self.env.now)
        self.funded[c] = True
        self.pay(c, self.fund_payer(cat.fund), cat.fix_cost, 1.0, Money.REAL_FIX)
        self.log.event(c, Act.FUND_RELEASE, self.env.now, -1)

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
                self.log.staff(c, a, hours_each, cat.share[a], now, seat=False)
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
        hold = self.hold[c][(self.surface_fixes[c] - 1) % K_DRAWS]
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
            seats[cc.unit.index] += cc.res.capacity * (
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
            req = cc.res.request()
            result = yield req | env.timeout(rng.expovariate(1.0 / cc.patience_h))
            if req in result:
                talk = rng.expovariate(1.0 / cc.call_h)
                yield env.timeout(talk)
                cc.res.release(req)
                # call-takers are not the unit's case workers: costed, but no server of the unit
                self.log.staff(c, cc.unit.index, talk, share, env.now, seat=False)
                return True
            if req.triggered:  # answered at the very moment the caller gave up
                cc.res.release(req)
            else:
                req.cancel()
            self.calls_abandoned[c] += 1
            self.log.event(c, Act.CALL_ABANDONED, env.now, cc.unit.index)
            if rng.random() >= cc.redial_prob:
                return False
            yield env.timeout(rng.expovariate(1.0 / cc.redial_h))

    def light(self, c: int, unit: int, point: int, colour: int, t: float) -> None:
        """Record a monitoring light (yellow or red) on ``unit`` for case ``c`` at time ``t``."""
        self.log.light(c, unit, point, colour, t)

    def resolve(self, c: int, unit: int) -> None:
        self.state[c] = RESOLVED
        self.end_h[c] = self.env.now
        self.log.event(c, Act.RESOLVED, self.env.now, unit)

    def abandon(self, c: int) -> None:
        self.state[c] = ABANDONED
        self.end_h[c] = self.env.now
        self.log.event(c, Act.ABANDON, self.env.now, -1)

    def open_ticket(self, c: int, u: UnitState) -> None:
        self.tickets[c] += 1
        self.unit_tickets[u.index] += 1
        self.touched[c] |= 1 << u.index
        self.log.event(c, Act.TICKET, self.env.now, u.index)

    def failed_attempt(self, c: int) -> bool:
        """Count a failed attempt; ``True`` when the citizen now gives up."""
        self.failures[c] += 1
        if self.failures[c] >= self.tolerance[c]:
            self.abandon(c)
            return True
        return False

    def wait_before_refiling(self, c: int) -> float:
        return self.patience[c][self.failures[c] % K_DRAWS]

    # ------------------------------------------------------------------ collect
    def _collect(self) -> RawRun:
        world = self.scenario.world
        cases = {
            "arrival_h": np.asarray(self.arrival, dtype=float),
            "category": np.asarray(self.cat_of, dtype=np.int64),
            "state": np.asarray(self.state, dtype=np.int8),
            "end_h": np.asarray(self.end_h, dtype=float),
            "contacts": np.asarray(self.contacts, dtype=np.int64),
            "tickets": np.asarray(self.tickets, dtype=np.int64),
            "units_touched": np.asarray([m.bit_count() for m in self.touched], dtype=np.int64),
            "failures": np.asarray(self.failures, dtype=np.int64),
            "top_rung": np.asarray(self.top_rung, dtype=np.int64),
            "surface_fixes": np.asarray(self.surface_fixes, dtype=np.int64),
            "false_closures": np.asarray(self.false_closures, dtype=np.int64),
            "returns": np.asarray(self.returns, dtype=np.int64),
            "dispatches": np.asarray(self.dispatches, dtype=np.int64),
            "breaches": np.asarray(self.breach_count, dtype=np.int64),
            "meetings": np.asarray(self.meetings, dtype=np.int64),
            "meeting_attendees": np.asarray(self.meeting_attendees, dtype=np.int64),
            "largest_meeting": np.asarray(self.largest_meeting, dtype=np.int64),
            "meeting_hours": np.asarray(self.meeting_hours, dtype=float),
            "calls_abandoned": np.asarray(self.calls_abandoned, dtype=np.int64),
            "channel": np.asarray(self.channel_of, dtype=np.int64),
            "adopted": np.asarray(self.adopted, dtype=np.int8),
            "replied": np.asarray(self.replied, dtype=bool),
            "triage": np.asarray(self.triage, dtype=np.int64),
            "advanced_yuan": np.asarray(self.advanced, dtype=float),
            "recovered_yuan": np.asarray(self.recovered, dtype=float),
            "satisfied_within_h": self.draws.satisfied_within_h,
            "callback_rating": np.asarray(self.rating, dtype=np.int8),
        }
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
            category_names=list(world.categories),
            channel_names=[ch.name for ch in getattr(self.rules, "channels", ())] or ["centre"],
            cases=cases,
            log=self.log,
            calendar=self.calendar,
        )

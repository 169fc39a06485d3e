"""The fragmented "many hotlines" regime (the seed's case A, Shanghai).

Layer: model. Each channel is answered by one unit. The citizen picks a channel by belief (the
owner's channel only if the citizen happens to know the owner), every filing opens a new ticket
with no shared history, a unit that does not own the problem deflects it (tells the citizen "not
ours", or refers it on without follow-up), a partial owner in overlapping duty may deflect too,
an owner may apply a surface fix that fails again later, a fix that needs unavailable money
stalls, and after failures the citizen re-files and climbs the escalation ladder, whose top rung
may call a coordination meeting where a unit advances the missing money.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from govsim.model.engine import (
    FAILED,
    FALSELY_CLOSED,
    OK,
    QUIETED,
    CategoryState,
    Engine,
    UnitState,
)
from govsim.model.log import Act, Money
from govsim.model.world import K_DRAWS, failures_before_climbing
from govsim.scenario import FragmentedRegime, Rung

__all__ = ["FragmentedEngine"]


class _RungState:
    __slots__ = ("rung", "unit", "attendees", "response_h", "meeting_delay_h")

    def __init__(self, rung: Rung, unit: UnitState, attendees: tuple[int, ...]) -> None:
        self.rung = rung
        self.unit = unit
        self.attendees = attendees
        self.response_h = rung.response_days * 24.0
        self.meeting_delay_h = rung.meeting.delay_days * 24.0 if rung.meeting else 0.0


class FragmentedEngine(Engine):
    """One replication under a :class:`~govsim.scenario.FragmentedRegime`."""

    rules: FragmentedRegime

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        r = self.rules
        ui = self.unit_index
        self.channel_units = [self.units[ui[ch.unit]] for ch in r.channels]
        self.channel_weights = [ch.weight for ch in r.channels]
        self.channel_calls = self.call_centres(r.channels, self.channel_units)
        #: per case, a bit mask of the channels that failed the citizen (belief updating)
        self.tried = [0] * self.n
        # the first channel answered by each unit: where a citizen who knows the owner calls
        self.owner_channel: dict[int, int] = {}
        for k, u in enumerate(self.channel_units):
            self.owner_channel.setdefault(u.index, k)
        self.ladder = [
            _RungState(rung, self.units[ui[rung.unit]],
                       tuple(ui[a] for a in rung.meeting.attendees) if rung.meeting else ())
            for rung in r.escalation
        ]
        self.advancer = ui[r.funding.advancer] if r.funding.advancer else -1
        # per-failure chance of climbing from each rung (0 = the ordinary channels)
        readiness = self.scenario.world.citizens.escalate_prob
        self.climb_prob = [readiness] + [
            readiness if rung.climb_prob is None else rung.climb_prob for rung in r.escalation
        ]
        if r.intake_cv > 0.0:
            shape = 1.0 / (r.intake_cv * r.intake_cv)
            gamma = self.rng.gammavariate
            scale = r.intake_hours / shape
            self.intake_time = lambda: gamma(shape, scale)
        else:
            self.intake_time = lambda: r.intake_hours
        d = r.deflection
        self.refer_prob = d.refer_prob
        self.lost_prob = d.referral_lost_prob
        self.close_prob = d.close_prob
        #: per case, a bit mask of the partial owners that have done their share
        self.shares_done = [0] * self.n

    # ------------------------------------------------------------------ the citizen
    def climb_after(self, c: int, rung: int) -> int:
        """Failures the citizen accepts on ``rung`` (0 = ordinary channels) before climbing."""
        p = self.climb_prob[rung]
        return failures_before_climbing(self.climb_u[c][rung % K_DRAWS], p)

    def choose_channel(self, c: int, cat: CategoryState) -> int:
        """A channel by belief, not knowledge.

        A citizen who knows the owner dials the owner's channel (if it has one) until it has
        failed them; otherwise they pick by the channels' weights among those that have not yet
        failed them, and start over once every channel has.
        """
        tried = self.tried[c]
        if self.knows_owner[c]:
            for o in cat.owners:
                k = self.owner_channel.get(o)
                if k is not None and not tried >> k & 1:
                    return k
        weights = self.channel_weights
        total = sum(w for k, w in enumerate(weights) if not tried >> k & 1)
        if total <= 0.0:
            self.tried[c] = tried = 0
            total = sum(weights)
        x = self.rng.random() * total
        last = 0
        for k, w in enumerate(weights):
            if tried >> k & 1 or w <= 0.0:
                continue
            last = k
            x -= w
            if x < 0.0:
                return k
        return last

    def case(self, c: int) -> Generator[Any, Any, None]:
        env = self.env
        log = self.log
        cat = self.categories[self.cat_of[c]]
        ladder = self.ladder
        rung = 0
        on_rung = 0
        while True:
            if rung == 0:
                channel = self.choose_channel(c, cat)
                u = self.channel_units[channel]
                cc = self.channel_calls[channel]
                if cc is not None and not (yield from self.call(c, cc, cat.share[u.index])):
                    outcome = FAILED  # could not get through
                else:
                    self.contacts[c] += 1
                    if self.channel_of[c] < 0:
                        self.channel_of[c] = channel
                    log.event(c, Act.FILE, env.now, u.index)
                    outcome = yield from self.attempt(c, u, cat)
                if outcome != OK:
                    self.tried[c] |= 1 << channel
            else:
                step = ladder[rung - 1]
                self.contacts[c] += 1
                log.event(c, Act.FILE, env.now, step.unit.index)
                outcome = yield from self.rung_attempt(c, step, cat)
            if outcome == OK:
                return
            if outcome == QUIETED:
                # the surface fix holds for a while, then the problem comes back
                yield env.timeout(self.recurrence_delay(c, cat))
                log.event(c, Act.RECURRENCE, env.now, -1)
            elif outcome == FALSELY_CLOSED:
                yield env.timeout(self.discovery[c])
            if self.failed_attempt(c):
                return
            on_rung += 1
            if rung < len(ladder) and on_rung >= self.climb_after(c, rung):
                rung += 1
                on_rung = 0
                self.top_rung[c] = rung
                log.event(c, Act.ESCALATE, env.now, ladder[rung - 1].unit.index)
            if outcome == FAILED:
                yield env.timeout(self.wait_before_refiling(c))

    # ------------------------------------------------------------------ the units
    def attempt(self, c: int, u: UnitState, cat: CategoryState) -> Generator[Any, Any, int]:
        """A filing through an ordinary channel: a new ticket at the channel's unit."""
        self.open_ticket(c, u)
        intake = self.rules.intake_hours
        if intake:
            yield from self.work(u, c, self.intake_time(), cat.share[u.index])
        if u.index in cat.owners:
            return (yield from self.owner_acts(c, u, cat, compelled=False))
        rng = self.rng
        if rng.random() < self.refer_prob:
            target = self.units[cat.owners[int(rng.random() * len(cat.owners))]]
            self.log.event(c, Act.REFER, self.env.now, target.index)
            if rng.random() < self.lost_prob:
                self.log.event(c, Act.REFERRAL_LOST, self.env.now, target.index)
                return FAILED
            self.open_ticket(c, target)
            if intake:
                yield from self.work(target, c, self.intake_time(), cat.share[target.index])
            return (yield from self.owner_acts(c, target, cat, compelled=False))
        if self.close_prob and rng.random() * (1.0 - self.refer_prob) < self.close_prob:
            self.log.event(c, Act.CLOSE_UNRESOLVED, self.env.now, u.index)
            return FAILED
        self.log.event(c, Act.DEFLECT, self.env.now, u.index)
        return FAILED

    def owner_acts(self, c: int, u: UnitState, cat: CategoryState,
                   compelled: bool) -> Generator[Any, Any, int]:
        """An owner (or partial owner) holds the ticket."""
        rng = self.rng
        if cat.overlapping and not compelled and rng.random() < self.rules.overlap_deflect_prob:
            self.log.event(c, Act.DEFLECT, self.env.now, u.index)
            return FAILED
        if self.money_missing(c, cat):
            # nobody is obliged to advance the money: patch it, close it on paper, or stall
            if rng.random() < cat.surface_prob:
                yield from self.surface_fix(c, u, cat)
                return QUIETED
            if rng.random() < self.rules.false_closure_prob:
                self.false_closures[c] += 1
                self.log.event(c, Act.FALSE_CLOSURE, self.env.now, u.index)
                return FALSELY_CLOSED
            self.log.event(c, Act.STALL, self.env.now, u.index)
            return FAILED
        if not compelled and cat.surface_prob and rng.random() < cat.surface_prob:
            yield from self.surface_fix(c, u, cat)
            return QUIETED
        if cat.overlapping and not compelled and self.rules.overlap_acts_on_share:
            return (yield from self.do_share(c, u, cat))
        yield from self.real_fix(c, u, cat)
        return OK

    def real_fix(self, c: int, u: UnitState, cat: CategoryState,
                 priority: int | None = None) -> Generator[Any, Any, None]:
        """The whole fix by one unit -- less the shares partial owners have already done."""
        done = self.shares_done[c]
        if not done:
            yield from super().real_fix(c, u, cat, priority)
            return
        left = 1.0 - sum(cat.share[o] for o in cat.owners if done >> o & 1)
        yield from self.work(u, c, self.work_hours[c] * left, cat.share[u.index], Act.WORK_START)
        if cat.fix_cost and not self.funded[c]:
            payer, share = ((u.index, cat.share[u.index]) if cat.fund < 0
                            else (self.fund_payer(cat.fund), 1.0))
            self.pay(c, payer, cat.fix_cost * left, share, Money.REAL_FIX)
        self.resolve(c, u.index)

    def do_share(self, c: int, u: UnitState, cat: CategoryState) -> Generator[Any, Any, int]:
        """A partial owner does only its share of the fix; the problem is solved once every
        owner has done its share (the citizen has to get each of them to act)."""
        done = self.shares_done[c]
        if not done >> u.index & 1:
            share = cat.share[u.index]
            # its own share of the work and money: none of it is shifted cost
            yield from self.work(u, c, self.work_hours[c] * share, 1.0, Act.WORK_START)
            if cat.fix_cost and not self.funded[c]:
                payer = u.index if cat.fund < 0 else self.fund_payer(cat.fund)
                self.pay(c, payer, cat.fix_cost * share, 1.0, Money.REAL_FIX)
            done = self.shares_done[c] = done | 1 << u.index
            self.log.event(c, Act.SHARE_DONE, self.env.now, u.index)
        if done & cat.all_owners == cat.all_owners:
            self.resolve(c, u.index)
            return OK
        # "we have done our part; the rest is for the others"
        self.log.event(c, Act.DEFLECT, self.env.now, u.index)
        return FAILED

    def rung_attempt(self, c: int, step: _RungState, cat: CategoryState) -> Generator[Any, Any, int]:
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
                funding = self.rules.funding
                if funding.mode == "advance" and self.advancer >= 0:
                    self.advance(c, cat, self.advancer)
                elif funding.mode == "release":
                    yield from self.release_fund(c, cat)
            if self.money_missing(c, cat):
                self.log.event(c, Act.STALL, env.now, u.index)
                return FAILED
            owner = self.units[cat.lead]
            self.open_ticket(c, owner)
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
            self.false_closures[c] += 1
            self.log.event(c, Act.FALSE_CLOSURE, env.now, u.index)
            return FALSELY_CLOSED
        self.log.event(c, Act.DEFLECT, env.now, u.index)
        return FAILED

"""The consolidated 12345 regime (the seed's case B, Shishi).

Layer: model. Every contact goes to one centre and attaches to one case record (the case number
is the tracking number), so a repeat contact is seen as a repeat. Triage answers consultations
the knowledge base covers on the spot, hands market/social matters to organisations, and
dispatches the rest to the owner within one working day with a classification accuracy; a unit
that receives a case it does not own returns it and the centre re-dispatches. Each ticket is
timed against the 1-2-5 working-day limits (sign, contact the citizen, finish). A partial owner
may dispute ownership; the adjudication group, meeting on a schedule, names the owner and the
ruling becomes a precedent for the whole category. A satisfaction callback follows each result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import simpy

from govsim.model.engine import (
    FAILED,
    OK,
    QUIETED,
    CategoryState,
    Engine,
    UnitState,
)
from govsim.model.log import DISSATISFIED, RED, RETURNED, YELLOW, Act
from govsim.scenario import ConsolidatedRegime

__all__ = ["ConsolidatedEngine", "SIGN", "CONTACT", "FINISH_LIMIT"]

# kinds of deadline breach, which are also the first three monitoring points
SIGN, CONTACT, FINISH_LIMIT = 0, 1, 2


class ConsolidatedEngine(Engine):
    """One replication under a :class:`~govsim.scenario.ConsolidatedRegime`."""

    rules: ConsolidatedRegime

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        r = self.rules
        self.centre = self.units[self.unit_index[r.centre]]
        # categories with one owner are settled from the start; overlapping ones by precedent
        self.settled = [not cat.overlapping for cat in self.categories]
        self.settled_at: list[float] = [0.0 if s else math.nan for s in self.settled]
        dispatchable = [u.index for u in self.units if not u.relay]
        # units a case of each category can be wrongly dispatched to
        self.wrong_units = [[u for u in dispatchable if u not in cat.owners] for cat in self.categories]
        self.members = tuple(self.unit_index[m] for m in r.adjudication.members)
        self.adjudication_period = r.adjudication.meets_every_working_days * self.official.length
        # the open ticket of each case: its unit and the limits it still has to meet
        self.pending: dict[int, list[Any]] = {}
        self.fixer = [-1] * self.n  # the unit that did (or is doing) the case's fix
        self.must_fix = [False] * self.n  # a patch was rated dissatisfied: no second patch
        self.yellow_share = r.supervision.yellow_share
        self.red_hours = r.supervision.hours_per_red
        # supervision effect: a case with a red light jumps its unit's queue
        self.red_priority = r.supervision.red_effect == "priority"
        self.red_flag = [False] * self.n
        if self.red_priority:
            for u in self.units:
                u.res = simpy.PriorityResource(self.env, capacity=u.staff)
        # intake channels (default: one, straight to the centre with no waiting)
        if r.channels:
            self.intake_units = [self.units[self.unit_index[ch.unit]] for ch in r.channels]
            self.intake_weights = [ch.weight for ch in r.channels]
            self.intake_calls = self.call_centres(r.channels, self.intake_units)
        else:
            self.intake_units, self.intake_weights, self.intake_calls = [self.centre], [1.0], [None]
        self.intake_total = sum(self.intake_weights)

    def case(self, c: int) -> Generator[Any, Any, None]:
        env = self.env
        log = self.log
        rules = self.rules
        cat = self.categories[self.cat_of[c]]
        centre = self.centre
        while not (yield from self.intake(c)):
            if self.failed_attempt(c):
                return
            yield env.timeout(self.wait_before_refiling(c))
        if cat.kind == "consultation" and self.rng.random() < self.kb_coverage(env.now):
            log.event(c, Act.KB_ANSWER, env.now, centre.index)
            self.replied[c] = True
            self.triage[c] = 1
            self.resolve(c, centre.index)
            return
        reopened = False
        while True:
            outcome = yield from self.handle(c, cat, reopened)
            if outcome in (OK, QUIETED):
                if rules.callback:
                    fine = (env.now - self.arrival[c]) <= self.satisfied_within[c]
                    self.rating[c] = 1 if fine else 0
                    log.event(c, Act.CALLBACK, env.now, centre.index)
                    if not fine and self.fixer[c] >= 0:
                        self.light(c, self.fixer[c], DISSATISFIED, RED, env.now)
                    if not fine and outcome == QUIETED:
                        # reopened on the dissatisfied rating: supervision finds the patch
                        log.event(c, Act.REOPEN, env.now, centre.index)
                        reopened = True
                        self.must_fix[c] = True  # supervision orders a real fix this time
                        continue
                if outcome == OK:
                    return
                yield env.timeout(self.recurrence_delay(c, cat))
                log.event(c, Act.RECURRENCE, env.now, -1)
            if self.failed_attempt(c):
                return
            if outcome == FAILED:
                yield env.timeout(self.wait_before_refiling(c))
            # the citizen contacts 12345 again: same tracking number, so the history is seen
            while not (yield from self.intake(c)):
                if self.failed_attempt(c):
                    return
                yield env.timeout(self.wait_before_refiling(c))
            log.event(c, Act.REOPEN, env.now, centre.index)
            reopened = True

    def kb_coverage(self, t: float) -> float:
        """Share of consultations the knowledge base answers at time ``t``: it grows linearly
        from ``kb_coverage`` to ``kb_coverage_final`` over ``kb_growth_days`` as the centre
        collects information items, then stays there."""
        r = self.rules
        if r.kb_coverage_final is None:
            return r.kb_coverage
        grown = min(1.0, t / (r.kb_growth_days * 24.0))
        return r.kb_coverage + (r.kb_coverage_final - r.kb_coverage) * grown

    def intake(self, c: int) -> Generator[Any, Any, bool]:
        """One contact through one of the centre's channels; ``False`` if the citizen could
        not get through (a 12345 caller who hung up and did not redial).

        Whatever the channel, the contact is registered on the case's one record (its tracking
        number is the case number). A hotline's call is its intake; other channels (website,
        hall, SMS/WeChat) cost ``intake_hours`` at the channel's unit.
        """
        env = self.env
        rules = self.rules
        k = self.pick_channel()
        unit = self.intake_units[k]
        cc = self.intake_calls[k]
        if cc is not None and not (yield from self.call(c, cc, 1.0)):
            return False
        self.contacts[c] += 1
        if self.channel_of[c] < 0:
            self.channel_of[c] = k
        self.touched[c] |= 1 << unit.index
        self.log.event(c, Act.FILE, env.now, unit.index)
        if cc is None and rules.intake_hours:
            yield from self.work(unit, c, rules.intake_hours, 1.0)
        return True

    def pick_channel(self) -> int:
        weights = self.intake_weights
        if len(weights) == 1:
            return 0
        x = self.rng.random() * self.intake_total
        for k, w in enumerate(weights):
            x -= w
            if x < 0.0:
                return k
        return len(weights) - 1

    def dispatch_target(self, cat: CategoryState, force_lead: bool, returned: int) -> UnitState:
        """Where the centre sends the case: the owner, or (misclassified) another unit.

        ``returned`` is a bit mask of the units that already sent this case back: the centre
        knows the case is not theirs, so a misclassification picks among the others, and once
        every wrong unit has returned it the case can only go to an owner.
        """
        rng = self.rng
        if force_lead or not cat.overlapping or self.settled[cat.index]:
            right = cat.lead
        else:
            right = cat.owners[int(rng.random() * len(cat.owners))]
        if force_lead or rng.random() < self.rules.accuracy:
            return self.units[right]
        wrong = self.wrong_units[cat.index]
        if returned:
            wrong = [u for u in wrong if not returned >> u & 1]
        if not wrong:
            return self.units[right]
        return self.units[wrong[int(rng.random() * len(wrong))]]

    def handle(self, c: int, cat: CategoryState, reopened: bool) -> Generator[Any, Any, int]:
        """Triage, dispatch, limits and the owner's work for one (re)opening of the case."""
        env = self.env
        log = self.log
        rules = self.rules
        if cat.kind == "market_social":
            # outside government duty: handed to the organisation, which repairs like any owner
            target = self.units[cat.lead]
            self.triage[c] = 2
            log.event(c, Act.HANDOFF, env.now, target.index)
            self.open_ticket(c, target)
            if not (yield from self.provide_money(c, cat, target)):
                return FAILED
            self.fixer[c] = target.index
            outcome = yield from self.fix(c, target, cat, reopened)
            self.replied[c] = True  # the organisation has dealt with the citizen directly
            return outcome
        official = self.official
        if not reopened and rules.dispatch_within_working_days:
            due = official.working_days_later(env.now, self.rng.random() * rules.dispatch_within_working_days)
            if due > env.now:
                yield env.timeout(due - env.now)
        limits = rules.limits
        force_lead = reopened
        sign_h = rules.sign_hours
        returned = 0
        while True:
            target = self.dispatch_target(cat, force_lead, returned)
            now = env.now
            log.event(c, Act.DISPATCH, now, target.index)
            self.dispatches[c] += 1
            self.triage[c] = 3
            self.open_ticket(c, target)
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
            share = cat.share[target.index]
            if target.index not in cat.owners:
                # sign, find it is not ours, send it back: one staff session
                yield from self.work(target, c, rules.return_hours, share, lead=sign_h,
                                     on_start=self._stamps(c, target, pending, ((sign_h, Act.SIGN, 1),)),
                                     priority=self.priority(c))
                log.event(c, Act.RETURN, env.now, target.index)
                self.returns[c] += 1
                # monitoring point "returned and re-dispatched": yellow, red on a second return
                self.light(c, target.index, RETURNED, RED if self.returns[c] > 1 else YELLOW, env.now)
                returned |= 1 << target.index
                del self.pending[c]
                continue
            if cat.overlapping and not self.settled[cat.index] \
                    and self.rng.random() < rules.adjudication.dispute_prob:
                yield from self.work(target, c, sign_h, share,
                                     on_start=self._stamps(c, target, pending, ((sign_h, Act.SIGN, 1),)),
                                     priority=self.priority(c))
                log.event(c, Act.DISPUTE, env.now, target.index)
                yield from self.adjudicate(c, cat)
                if target.index != cat.lead:
                    # the citizen waited for the ruling: limits already past are breached
                    self.close_pending(c, env.now)
                    force_lead = True
                    continue
                steps: tuple[tuple[float, int, int], ...] = ((rules.contact_hours, Act.CONTACT, 2),)
            else:
                steps = ((sign_h, Act.SIGN, 1), (rules.contact_hours, Act.CONTACT, 2))
            # sign and call the citizen: two short clerical steps in one staff session
            lead = sum(step[0] for step in steps[:-1])
            yield from self.work(target, c, steps[-1][0], cat.share[target.index], lead=lead,
                                 on_start=self._stamps(c, target, pending, steps),
                                 priority=self.priority(c))
            if not (yield from self.provide_money(c, cat, target)):
                self.close_pending(c, env.now)
                return FAILED
            # the fix queues for a staff member like any other work
            self.fixer[c] = target.index
            outcome = yield from self.fix(c, target, cat, reopened)
            if cat.kind == "suggestion" and outcome == OK:
                adopted = self.rng.random() < rules.suggestion_adoption_prob
                self.adopted[c] = 1 if adopted else 0
                if adopted:
                    log.event(c, Act.ADOPTED, env.now, target.index)
            log.event(c, Act.FINISH, env.now, target.index)
            del self.pending[c]
            self.check_limit(c, target.index, FINISH_LIMIT, env.now, pending)
            return outcome

    def priority(self, c: int) -> int | None:
        """Queue priority of case ``c``'s next staff request: ahead of the others once it has a
        red light (with ``red_effect = "priority"``); ``None`` when the effect is off."""
        if not self.red_priority:
            return None
        return -1 if self.red_flag[c] else 0

    def provide_money(self, c: int, cat: CategoryState,
                      target: UnitState) -> Generator[Any, Any, bool]:
        """Apply the funding rule when the fix needs money that is not available; ``False``
        when nobody pays (the attempt stalls)."""
        if not self.money_missing(c, cat):
            return True
        funding = self.rules.funding
        if funding.mode == "release":
            yield from self.release_fund(c, cat)
        elif funding.mode == "advance" and funding.advancer:
            self.advance(c, cat, self.unit_index[funding.advancer])
        else:
            self.log.event(c, Act.STALL, self.env.now, target.index)
            return False
        return True

    def fix(self, c: int, target: UnitState, cat: CategoryState,
            reopened: bool) -> Generator[Any, Any, int]:
        """A surface fix (by chance) or the real fix. No patch once the case has been reopened
        under an order for a real fix, nor once its money has been provided."""
        priority = self.priority(c)
        if cat.surface_prob and not self.funded[c] and not self.must_fix[c] \
                and not (reopened and self.rules.reopened_requires_real_fix) \
                and self.rng.random() < cat.surface_prob:
            yield from self.surface_fix(c, target, cat, priority)
            return QUIETED
        yield from self.real_fix(c, target, cat, priority)
        return OK

    def close_pending(self, c: int, now: float) -> None:
        """Drop case ``c``'s open ticket, recording the limits (sign, contact, finish, in the
        order of the breach kinds) that have already passed."""
        pending = self.pending.pop(c)
        for kind in (SIGN, CONTACT, FINISH_LIMIT):
            if pending[1 + kind] < math.inf:
                self.check_limit(c, pending[0].index, kind, now, pending)

    def _stamps(self, c: int, target: UnitState, pending: list[Any],
                steps: tuple[tuple[float, int, int], ...]) -> Callable[[float], None]:
        """A callback that time-stamps the preliminary steps of a staff session once it starts.

        ``steps`` are ``(hours, activity, slot)``: each step's end is logged as ``activity`` and
        checked against the limit in ``pending[slot]`` (1 = sign, 2 = contact).
        """
        def stamp(start: float) -> None:
            advance = target.office.advance
            t = start
            for hours, act, slot in steps:
                t = advance(t, hours)
                self.log.event(c, act, t, target.index)
                if act == Act.CONTACT:
                    self.replied[c] = True
                self.check_limit(c, target.index, slot - 1, t, pending)
                pending[slot] = math.inf
        return stamp

    def finalise(self) -> None:
        """Tickets still open at the horizon whose limits have already passed are breaches too
        (a limit missed is a breach whether or not the late event happened before the end)."""
        for c in sorted(self.pending):
            self.close_pending(c, self.horizon_h)

    def adjudicate(self, c: int, cat: CategoryState) -> Generator[Any, Any, None]:
        """Wait for the group's next scheduled meeting; it names the owner (precedent)."""
        env = self.env
        if not self.settled[cat.index]:
            official = self.official
            period = self.adjudication_period
            pos = official.position(env.now)
            meet = official.at_position(math.ceil(pos / period) * period) if period else env.now
            if meet > env.now:
                yield env.timeout(meet - env.now)
        hours = self.rules.adjudication.hours_per_case
        for m in self.members:
            self.log.staff(c, m, hours, cat.share[m], env.now, seat=False)
        if not self.settled[cat.index]:
            self.settled[cat.index] = True
            self.settled_at[cat.index] = env.now
            # the ruling assigns the duty: from now on the lead owns the category outright
            # (its work is no longer partly shifted cost) and the former co-owners own none of it
            cat.share = [1.0 if self.units[u].relay or u == cat.lead else 0.0
                         for u in range(len(self.units))]
        self.log.event(c, Act.ADJUDICATE, env.now, cat.lead)

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

    def light(self, c: int, unit: int, point: int, colour: int, t: float) -> None:
        """Record a monitoring light; the supervision section follows up every red one."""
        super().light(c, unit, point, colour, t)
        if colour == RED:
            self.red_flag[c] = True
            if self.red_hours:
                self.log.staff(c, self.centre.index, self.red_hours, 1.0, t, seat=False)

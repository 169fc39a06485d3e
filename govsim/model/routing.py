"""Intake and routing: how a contact becomes a filing and reaches a unit that can act.

Layer: model. A mixin of :class:`~govsim.model.case.RegimeRun`; the rules asked here are
``intake`` (``channels``: several numbers, each answered by its own unit | ``centre``: one number
answered by a centre, reached through any of its channels), ``record`` (``per_filing`` | a
``tracking`` number that a repeat contact attaches to) and ``routing`` (``citizen``: the unit the
citizen chose, by belief | ``triage``: knowledge-base answers, market/social hand-off, dispatch with
an accuracy within a number of working days).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from govsim.model.log import RED, RETURNED, YELLOW, Act
from govsim.model.state import (
    ANSWERED,
    FAILED,
    FALSELY_CLOSED,
    NOT_THROUGH,
    OK,
    QUIETED,
    CategoryState,
    UnitState,
)

__all__ = ["Routing"]


class Routing:
    """Intake, case record and routing, as a mixin over :class:`~govsim.model.engine.Engine`."""

    # ------------------------------------------------------------------ intake
    def contact(self, c: int, cat: CategoryState, on_record: bool) -> Generator[Any, Any, int]:
        """One contact through an ordinary channel, routed and acted on.

        ``on_record``: an earlier contact got through, so under a tracking record this one is
        attached to it (a reopening). Returns the attempt's outcome, or ``NOT_THROUGH`` when
        the citizen hung up and did not redial.
        """
        env = self.env
        belief = self.intake_at_channels
        k = self.choose_channel(c, cat) if belief else self.pick_channel()
        u = self.channel_units[k]
        cc = self.channel_calls[k]
        if cc is not None and not (yield from self.call(c, cc, cat.share[u.index])):
            if belief:
                self.tried[c] |= 1 << k
            return NOT_THROUGH
        self.contacts[c] += 1
        if self.channel_of[c] < 0:
            self.channel_of[c] = k
        self.log.event(c, Act.FILE, env.now, u.index)
        if belief:
            # the unit answering the number takes the filing on a ticket of its own
            self.open_ticket(c, u)
            if self.rules.intake_hours:
                yield from self.work(u, c, self.intake_time(), cat.share[u.index])
            receiver = u
        else:
            # a way into the centre: a call is its own intake, other channels cost intake time
            self.touched[c] |= 1 << u.index
            if cc is None and self.rules.intake_hours:
                yield from self.work(u, c, self.intake_time(), cat.share[u.index])
            receiver = self.centre
        reopened = on_record and self.tracking
        if reopened:
            self.log.event(c, Act.REOPEN, env.now, receiver.index)
        if self.triage_routing:
            outcome = yield from self.triage(c, cat, receiver, reopened)
        else:
            outcome = yield from self.by_citizen(c, cat, receiver, reopened)
        if belief and outcome != OK:
            self.tried[c] |= 1 << k
        return outcome

    def choose_channel(self, c: int, cat: CategoryState) -> int:
        """A channel by belief, not knowledge (``intake = "channels"``).

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
        # nothing tried yet (the usual case): the sum of all weights, in the same order
        total = self.channel_total if not tried else \
            sum(w for k, w in enumerate(weights) if not tried >> k & 1)
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

    def pick_channel(self) -> int:
        """A way into the centre, by the channels' weights (``intake = "centre"``)."""
        weights = self.channel_weights
        if len(weights) == 1:
            return 0
        x = self.rng.random() * self.channel_total
        for k, w in enumerate(weights):
            x -= w
            if x < 0.0:
                return k
        return len(weights) - 1

    # ------------------------------------------------------------------ routing by the citizen
    def by_citizen(self, c: int, cat: CategoryState, receiver: UnitState,
                   reopened: bool) -> Generator[Any, Any, int]:
        """``routing = "citizen"``: the unit the citizen chose acts on the filing.

        Behind a centre (``intake = "centre"``) the centre passes the case to the unit the
        citizen names: an owner if the citizen knows it, otherwise a unit picked at random. A
        tracked record that shows an earlier attempt sends a reopened case to its owner.
        """
        u = receiver
        if not self.intake_at_channels:
            u = self.named_unit(c, cat)
            self.log.event(c, Act.DISPATCH, self.env.now, u.index)
            self.dispatches[c] += 1
            self.open_ticket(c, u)
        if reopened and u.index not in cat.owners:
            # the record names the owner: the filing goes there, and cannot get lost
            u = self.record_owner(cat, c)
            self.log.event(c, Act.REFER, self.env.now, u.index)
            self.open_ticket(c, u)
        if u.index in cat.owners:
            if cat.overlapping and not self.settled[cat.index] and self.adjudicates \
                    and self.rng.random() < self.rules.adjudication.dispute_prob:
                self.log.event(c, Act.DISPUTE, self.env.now, u.index)
                yield from self.adjudicate(c, cat)
                if u.index != cat.lead:
                    u = self.units[cat.lead]
                    self.log.event(c, Act.REFER, self.env.now, u.index)
                    self.open_ticket(c, u)
            return (yield from self.owner_acts(c, u, cat, compelled=False, reopened=reopened))
        if self.non_owner_returns:
            # "not ours": sent back to whoever routed it -- here the citizen
            yield from self.work(u, c, self.rules.return_hours, cat.share[u.index])
            self.log.event(c, Act.RETURN, self.env.now, u.index)
            self.returns[c] += 1
            return FAILED
        return (yield from self.non_owner_acts(c, u, cat))

    def named_unit(self, c: int, cat: CategoryState) -> UnitState:
        """The unit a citizen names when a centre asks: an owner if they know it, else any."""
        rng = self.rng
        if self.knows_owner[c]:
            return self.units[cat.owners[int(rng.random() * len(cat.owners))]]
        units = self.dispatchable
        return self.units[units[int(rng.random() * len(units))]]

    # ------------------------------------------------------------------ triage
    def kb_coverage(self, t: float) -> float:
        """Share of consultations the knowledge base answers at time ``t``: it grows linearly
        from ``kb_coverage`` to ``kb_coverage_final`` over ``kb_growth_days`` as the centre
        collects information items, then stays there."""
        r = self.rules
        if r.kb_coverage_final is None:
            return r.kb_coverage
        grown = min(1.0, t / (r.kb_growth_days * 24.0))
        return r.kb_coverage + (r.kb_coverage_final - r.kb_coverage) * grown

    def triage(self, c: int, cat: CategoryState, receiver: UnitState,
               reopened: bool) -> Generator[Any, Any, int]:
        """``routing = "triage"``: answer from the knowledge base, or hand off, or dispatch."""
        env = self.env
        if not reopened and cat.kind == "consultation" \
                and self.rng.random() < self.kb_coverage(env.now):
            self.log.event(c, Act.KB_ANSWER, env.now, receiver.index)
            self.replied[c] = True
            self.triage_code[c] = 1
            self.resolve(c, receiver.index)
            return ANSWERED
        if cat.kind == "market_social":
            # outside government duty: handed to the organisation, which repairs like any owner
            target = self.units[cat.lead]
            self.triage_code[c] = 2
            self.log.event(c, Act.HANDOFF, env.now, target.index)
            self.open_ticket(c, target)
            outcome = yield from self.owner_acts(c, target, cat, compelled=False, reopened=reopened)
            self.replied[c] = True  # the organisation has dealt with the citizen directly
            return outcome
        if not reopened and self.rules.dispatch_within_working_days:
            due = self.official.working_days_later(
                env.now, self.rng.random() * self.rules.dispatch_within_working_days)
            if due > env.now:
                yield env.timeout(due - env.now)
        return (yield from self.dispatch(c, cat, reopened))

    def dispatch_target(self, c: int, cat: CategoryState, force_owner: bool,
                        returned: int) -> UnitState:
        """Where the centre sends the case: the owner, or (misclassified) another unit.

        ``force_owner``: the record (or a ruling) names the owner. ``returned`` is a bit mask of
        the units that already sent this case back: the centre knows the case is not theirs, so
        a misclassification picks among the others, and once every wrong unit has returned it
        the case can only go to an owner.
        """
        rng = self.rng
        if force_owner:
            return self.record_owner(cat, c)
        if not cat.overlapping or self.settled[cat.index]:
            right = cat.lead
        else:
            right = cat.owners[int(rng.random() * len(cat.owners))]
        if rng.random() < self.rules.accuracy:
            return self.units[right]
        wrong = self.wrong_units[cat.index]
        if returned:
            wrong = [u for u in wrong if not returned >> u & 1]
        if not wrong:
            return self.units[right]
        return self.units[wrong[int(rng.random() * len(wrong))]]

    def dispatch(self, c: int, cat: CategoryState, reopened: bool) -> Generator[Any, Any, int]:
        """Dispatch until a unit keeps the case, then the owner's work, timed by the limits."""
        env = self.env
        log = self.log
        rules = self.rules
        sign_h = rules.sign_hours
        force_owner = reopened
        returned = 0
        while True:
            target = self.dispatch_target(c, cat, force_owner, returned)
            now = env.now
            log.event(c, Act.DISPATCH, now, target.index)
            self.dispatches[c] += 1
            self.triage_code[c] = 3
            self.open_ticket(c, target)
            pending = self.open_limits(c, target, now)
            share = cat.share[target.index]
            if target.index not in cat.owners:
                if not self.non_owner_returns:
                    yield from self.work(target, c, sign_h, share,
                                         on_start=self.stamps(c, target, pending, ((sign_h, Act.SIGN, 1),)),
                                         priority=self.priority(c))
                    self.close_pending(c, env.now)
                    return (yield from self.non_owner_acts(c, target, cat))
                # sign, find it is not ours, send it back: one staff session
                yield from self.work(target, c, rules.return_hours, share, lead=sign_h,
                                     on_start=self.stamps(c, target, pending, ((sign_h, Act.SIGN, 1),)),
                                     priority=self.priority(c))
                log.event(c, Act.RETURN, env.now, target.index)
                self.returns[c] += 1
                # monitoring point "returned and re-dispatched": yellow, red on a second return
                self.light(c, target.index, RETURNED, RED if self.returns[c] > 1 else YELLOW, env.now)
                returned |= 1 << target.index
                self.pending.pop(c, None)
                continue
            if cat.overlapping and not self.settled[cat.index] and self.adjudicates \
                    and self.rng.random() < rules.adjudication.dispute_prob:
                yield from self.work(target, c, sign_h, share,
                                     on_start=self.stamps(c, target, pending, ((sign_h, Act.SIGN, 1),)),
                                     priority=self.priority(c))
                log.event(c, Act.DISPUTE, env.now, target.index)
                yield from self.adjudicate(c, cat)
                if target.index != cat.lead:
                    # the citizen waited for the ruling: limits already past are breached
                    self.close_pending(c, env.now)
                    force_owner = True
                    continue
                steps: tuple[tuple[float, int, int], ...] = ((rules.contact_hours, Act.CONTACT, 2),)
            else:
                steps = ((sign_h, Act.SIGN, 1), (rules.contact_hours, Act.CONTACT, 2))
            # sign and call the citizen: two short clerical steps in one staff session
            lead = sum(step[0] for step in steps[:-1])
            yield from self.work(target, c, steps[-1][0], cat.share[target.index], lead=lead,
                                 on_start=self.stamps(c, target, pending, steps),
                                 priority=self.priority(c))
            outcome = yield from self.owner_acts(c, target, cat, compelled=False, reopened=reopened)
            if outcome in (OK, QUIETED, FALSELY_CLOSED):
                log.event(c, Act.FINISH, env.now, target.index)
                self.finish_limits(c, target.index, env.now)
            else:
                self.close_pending(c, env.now)
            return outcome

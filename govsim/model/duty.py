"""Duty: what a unit does with a case it holds -- owner, partial owner or not an owner at all.

Layer: model. A mixin of :class:`~govsim.model.case.RegimeRun`; the rules asked here are
``non_owner`` (``deflect``: refer on, maybe lost, close unresolved, or "not ours" | ``return``:
send it back to whoever routed it), ``overlap`` (``deflect``: a partial owner may say it is
someone else's share, or does only its own share | ``adjudicate``: a partial owner may dispute,
the adjudication group names the owner and the ruling is a precedent), ``false_closure_prob``,
``funding`` (``when = "ticket"``: applied as soon as an owner holds the ticket) and the real or
surface fix itself.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

from govsim.model.log import Act, Work
from govsim.model.log import MoneyKind as Kind
from govsim.model.state import FAILED, FALSELY_CLOSED, OK, QUIETED, CategoryState, UnitState

__all__ = ["Duty"]


class Duty:
    """Owners, partial owners and non-owners, as a mixin over :class:`~govsim.model.engine.Engine`."""

    # ------------------------------------------------------------------ owners
    def owner_acts(self, c: int, u: UnitState, cat: CategoryState, compelled: bool,
                   reopened: bool = False) -> Generator[Any, Any, int]:
        """An owner (or partial owner) holds the ticket.

        ``compelled``: an escalation rung or supervision made it act (no deflection, no patch).
        ``reopened``: the case record shows an earlier result that did not hold.
        """
        rng = self.rng
        # urged, assessed or swamped: the unit's propensities to cut corners, scaled
        k = self.compliance(c, u.index)
        shared = cat.overlapping and not self.settled[cat.index] and self.overlap_deflects
        if shared and not compelled and rng.random() < self.rules.overlap_deflect_prob * k:
            self.log.event(c, Act.DEFLECT, self.env.now, u.index)
            return FAILED
        self.fixer[c] = u.index
        # supervision ordered a real fix, or the record shows a repeat that must get one
        real_fix_ordered = self.must_fix[c] or (reopened and self.requires_real_fix)
        if self.money_missing(c, cat):
            if self.fund_at_ticket:
                yield from self.provide_money(c, cat)
            if self.money_missing(c, cat):
                # nobody is obliged to pay: patch it, close it on paper, or stall
                if not real_fix_ordered and rng.random() < cat.surface_prob * k:
                    yield from self.surface_fix(c, u, cat, self.priority(c))
                    return QUIETED
                # with a real fix ordered a paper closure is not open to it either
                if not real_fix_ordered and rng.random() < self.rules.false_closure_prob * k:
                    self.false_close(c, u)
                    return FALSELY_CLOSED
                self.log.event(c, Act.STALL, self.env.now, u.index)
                return FAILED
        if cat.surface_prob and not compelled and not real_fix_ordered and not self.funded[c] \
                and rng.random() < cat.surface_prob * k:
            yield from self.surface_fix(c, u, cat, self.priority(c))
            return QUIETED
        if shared and not compelled and self.rules.overlap_acts_on_share:
            return (yield from self.do_share(c, u, cat))
        yield from self.real_fix(c, u, cat, self.priority(c))
        return OK

    def false_close(self, c: int, u: UnitState) -> None:
        self.false_closures[c] += 1
        self.fixer[c] = u.index
        self.log.event(c, Act.FALSE_CLOSURE, self.env.now, u.index)

    def record_owner(self, cat: CategoryState, c: int) -> UnitState:
        """The owner a case record points to: the lead owner, or -- where partial owners have
        done their shares -- the first owner whose share is still to do."""
        done = self.shares_done[c]
        if done:
            for o in cat.owners:
                if not done >> o & 1:
                    return self.units[o]
        return self.units[cat.lead]

    def real_fix(self, c: int, u: UnitState, cat: CategoryState,
                 priority: int | None = None) -> Generator[Any, Any, None]:
        """The real fix by ``u`` -- less the shares partial owners have already done; the money
        comes from its source (a fund, or the owner's budget), unless an advance paid it."""
        done = self.shares_done[c]
        left = 1.0 - sum(cat.share[o] for o in cat.owners if done >> o & 1) if done else 1.0
        share = cat.share[u.index]
        yield from self.work(u, c, self.work_hours[c] * left, share, Act.WORK_START,
                             priority=priority)
        if cat.fix_cost and not self.funded[c]:
            if cat.fund >= 0:
                self.pay(c, self.fund_payer(cat.fund), cat.fix_cost * left, 1.0, Kind.REAL_FIX)
            else:
                self.pay(c, u.index, cat.fix_cost * left, share, Kind.REAL_FIX)
        self.resolve(c, u.index)
        if cat.kind == "suggestion":
            # answered by its owner; adopted with the rules' probability (none when it is 0)
            p = self.rules.suggestion_adoption_prob
            adopted = p > 0.0 and self.rng.random() < p
            self.adopted[c] = 1 if adopted else 0
            if adopted:
                self.log.event(c, Act.ADOPTED, self.env.now, u.index)

    def surface_fix(self, c: int, u: UnitState, cat: CategoryState,
                    priority: int | None = None) -> Generator[Any, Any, None]:
        """A cheap repair that quiets the case for a while."""
        yield from self.work(u, c, cat.surface_hours, cat.share[u.index], priority=priority)
        self.pay(c, u.index, cat.surface_cost, cat.share[u.index], Kind.SURFACE_FIX)
        self.surface_fixes[c] += 1
        self.log.event(c, Act.SURFACE_FIX, self.env.now, u.index)

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
                self.pay(c, payer, cat.fix_cost * share, 1.0, Kind.REAL_FIX)
            done = self.shares_done[c] = done | 1 << u.index
            self.log.event(c, Act.SHARE_DONE, self.env.now, u.index)
        if done & cat.all_owners == cat.all_owners:
            self.resolve(c, u.index)
            return OK
        # "we have done our part; the rest is for the others"
        self.log.event(c, Act.DEFLECT, self.env.now, u.index)
        return FAILED

    def provide_money(self, c: int, cat: CategoryState) -> Generator[Any, Any, None]:
        """Apply the funding rule to missing money: release the proper source after its delay
        or have the advancer pay; under ``stall`` nothing happens."""
        mode = self.rules.funding.mode
        if mode == "release":
            yield from self.release_fund(c, cat)
        elif mode == "advance" and self.advancer >= 0:
            self.advance(c, cat, self.advancer)

    # ------------------------------------------------------------------ non-owners
    def non_owner_acts(self, c: int, u: UnitState, cat: CategoryState) -> Generator[Any, Any, int]:
        """A unit that does not own the problem holds the ticket (``non_owner = "deflect"``):
        it refers it to an owner (the referral may be lost), closes it unresolved, or tells the
        citizen "not ours"."""
        rng = self.rng
        d = self.rules.deflection
        if rng.random() < d.refer_prob:
            target = self.units[cat.owners[int(rng.random() * len(cat.owners))]]
            self.log.event(c, Act.REFER, self.env.now, target.index)
            if rng.random() < d.referral_lost_prob:
                self.log.event(c, Act.REFERRAL_LOST, self.env.now, target.index)
                return FAILED
            self.open_ticket(c, target)
            if self.rules.intake_hours:
                yield from self.work(target, c, self.intake_time(), cat.share[target.index])
            return (yield from self.owner_acts(c, target, cat, compelled=False))
        if d.close_prob and rng.random() * (1.0 - d.refer_prob) < d.close_prob:
            self.log.event(c, Act.CLOSE_UNRESOLVED, self.env.now, u.index)
            return FAILED
        self.log.event(c, Act.DEFLECT, self.env.now, u.index)
        return FAILED

    # ------------------------------------------------------------------ adjudication
    def adjudicate(self, c: int, cat: CategoryState) -> Generator[Any, Any, None]:
        """Wait for the group's next scheduled meeting; it names the owner (precedent).

        The ruling's effect on the shares: from then on the lead owner owns the category
        outright (its work on it is no longer partly shifted cost) and the former co-owners own
        none of it -- for every case of the category, they are non-owners.
        """
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
            self.log.staff(c, m, hours, cat.share[m], env.now, Work.ADJUDICATION)
        if not self.settled[cat.index]:
            self.settled[cat.index] = True
            # the precedent: the lead is the category's only owner; a former co-owner is now a
            # unit like any other (it may be dispatched to by mistake, and acts as a non-owner)
            lead = cat.lead
            cat.owners = (lead,)
            cat.overlapping = False
            cat.all_owners = 1 << lead
            cat.share = [1.0 if self.units[u].relay or u == lead else 0.0
                         for u in range(len(self.units))]
            self.wrong_units[cat.index] = [u for u in self.dispatchable if u != lead]
            self.log.ruling(cat.index, lead, env.now)  # what it assigned, for the burden
        self.log.event(c, Act.ADJUDICATE, env.now, cat.lead)

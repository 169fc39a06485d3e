"""The one case process: a citizen's problem under whatever rules the regime holds.

Layer: model. :class:`RegimeRun` runs one replication of one regime. Its ``case`` process is the
same for every regime -- contact, route, act, then close, fail, get called back, reopen or climb
-- and at each decision point it asks the rule the regime holds for that axis:

========================  ==============================================================
rule (regime keys)        where it is asked
========================  ==============================================================
intake, case record,      :mod:`govsim.model.routing` (``contact``, ``by_citizen``,
routing                   ``triage``, ``dispatch``)
non-owner, overlap,       :mod:`govsim.model.duty` (``owner_acts``, ``non_owner_acts``,
false closure, funding    ``do_share``, ``adjudicate``, ``provide_money``)
time limits, lights       :mod:`govsim.model.monitoring`
escalation ladder         :mod:`govsim.model.ladder`
callbacks, reopening      here (:meth:`RegimeRun.case`)
a plug-in rule group      its ``behaviour``, run after each attempt (:meth:`RegimeRun.case`)
========================  ==============================================================

Modes are turned into booleans once, in ``__init__``, so the hot loop tests a local flag, not a
string.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Generator
from typing import Any

from govsim.model.calls import Calls
from govsim.model.columns import RULE_COLUMNS, allocate
from govsim.model.duty import Duty
from govsim.model.engine import Engine
from govsim.model.ladder import Ladder, RungState
from govsim.model.log import DISSATISFIED, RED, Act
from govsim.model.money import Money
from govsim.model.monitoring import Monitoring
from govsim.model.routing import Routing
from govsim.model.staff import StaffPool
from govsim.model.state import (
    ANSWERED,
    FAILED,
    FALSELY_CLOSED,
    NOT_THROUGH,
    OK,
    QUIETED,
    CategoryState,
)
from govsim.moved import renamed
from govsim.scenario.rules import GROUPS

__all__ = ["RegimeRun"]


def _behaviour(spec: Callable[[Any], Any] | str) -> Callable[[Any], Any]:
    """A rule group's behaviour, imported first when it is named ``"module:function"``."""
    if callable(spec):
        return spec
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


class RegimeRun(Routing, Duty, Monitoring, Ladder, Money, Calls, Engine):
    """One replication of one regime: see :class:`~govsim.model.engine.Engine` for the
    parameters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        r = self.rules
        ui = self.unit_index
        units = self.units
        n = self.n
        # the regime's modes, as flags for the hot loop
        self.intake_at_channels = r.intake == "channels"
        self.tracking = r.record == "tracking"
        self.triage_routing = r.routing == "triage"
        self.non_owner_returns = r.non_owner == "return"
        self.adjudicates = r.overlap == "adjudicate"
        self.overlap_deflects = r.overlap == "deflect"
        self.monitoring = r.time_limits
        self.callback = r.callback
        self.requires_real_fix = r.reopened_requires_real_fix
        self.fund_at_ticket = r.funding.when == "ticket"
        self.centre = units[ui[r.centre]] if r.centre is not None else None

        # intake: the channels (a centre with none is reached directly, with no waiting)
        if r.channels:
            self.channel_units = [units[ui[ch.unit]] for ch in r.channels]
            self.channel_weights = [ch.weight for ch in r.channels]
            self.channel_calls = self.call_centres(r.channels, self.channel_units)
        else:
            self.channel_units, self.channel_weights, self.channel_calls = [self.centre], [1.0], [None]
        self.channel_total = sum(self.channel_weights)
        #: per case, a bit mask of the channels that failed the citizen (belief updating)
        self.tried = [0] * n
        # the first channel answered by each unit: where a citizen who knows the owner calls
        self.owner_channel: dict[int, int] = {}
        for k, u in enumerate(self.channel_units):
            self.owner_channel.setdefault(u.index, k)
        if r.intake_cv > 0.0:
            shape = 1.0 / (r.intake_cv * r.intake_cv)
            gamma = self.rng.gammavariate
            scale = r.intake_hours / shape
            self.intake_time = lambda: gamma(shape, scale)
        else:
            hours = r.intake_hours
            self.intake_time = lambda: hours

        # routing: where a case can be wrongly dispatched, or named by a citizen who guesses
        self.dispatchable = [u.index for u in units if not u.relay]
        self.wrong_units = [[u for u in self.dispatchable if u not in cat.owners]
                            for cat in self.categories]

        # duty: categories with one owner are settled from the start, overlapping ones by a
        # ruling (precedent)
        self.settled = [not cat.overlapping for cat in self.categories]
        self.members = tuple(ui[m] for m in r.adjudication.members)
        self.adjudication_period = r.adjudication.meets_every_working_days * self.official.length
        self.advancer = ui[r.funding.advancer] if r.funding.advancer else -1

        # supervision: the open ticket of each case and the limits it still has to meet
        self.pending: dict[int, list[Any]] = {}
        self.yellow_share = r.supervision.yellow_share
        self.red_hours = r.supervision.hours_per_red
        self.red_priority = self.monitoring and r.supervision.red_effect == "priority"
        # urging: the section follows up every light, and the urged (or assessed) unit
        # responds as the world's behaviour says; load: a swamped unit cuts corners
        behaviour = self.scenario.world.behaviour
        self.urging = self.monitoring and r.supervision.urge
        self.urge_hours = r.supervision.hours_per_urge
        self.urged_keep = 1.0 - behaviour.urged_response
        self.assessed_keep = 1.0 - behaviour.assessed_response
        self.assessment_h = behaviour.assessment_memory_days * 24.0
        self.load_sensitivity = behaviour.load_sensitivity
        self.responsive = self.urging or self.load_sensitivity > 0.0
        #: per unit, until when a red light counted against it keeps it under assessment
        self.assessed_until = [-1.0] * len(units)
        self.prioritised = self.red_priority or (self.urging and behaviour.urged_response > 0.0)
        if self.prioritised:
            for u in units:
                u.pool = StaffPool(self.env, u.staff, priority=True)

        # escalation: the ladder, and the per-failure chance of climbing from each rung
        self.ladder = [
            RungState(rung, units[ui[rung.unit]],
                      tuple(ui[a] for a in rung.meeting.attendees) if rung.meeting else ())
            for rung in r.escalation
        ]
        readiness = self.scenario.world.citizens.escalate_prob
        self.climb_prob = [readiness] + [
            readiness if rung.climb_prob is None else rung.climb_prob for rung in r.escalation
        ]

        # rule groups that add their own state and behaviour (plug-ins): their per-case
        # columns, and what each does after an attempt under this regime (None: nothing)
        allocate(self, n, RULE_COLUMNS)
        acts = (_behaviour(g.behaviour)(self) for g in GROUPS if g.behaviour is not None)
        self.after_attempt = tuple(act for act in acts if act is not None)

    # ------------------------------------------------------------------ the citizen
    def case(self, c: int) -> Generator[Any, Any, None]:
        env = self.env
        log = self.log
        cat = self.categories[self.cat_of[c]]
        ladder = self.ladder
        rung = 0
        on_rung = 0
        on_record = False  # an ordinary contact has got through (a record exists)
        reopen = False  # a callback reopened the record: act again without a new contact
        after_attempt = self.after_attempt
        while True:
            if reopen:
                reopen = False
                outcome = yield from self.reopen(c, cat)
            elif rung == 0:
                outcome = yield from self.contact(c, cat, on_record)
                if outcome == NOT_THROUGH:
                    outcome = FAILED
                else:
                    on_record = True
            else:
                step = ladder[rung - 1]
                self.contacts[c] += 1
                log.event(c, Act.FILE, env.now, step.unit.index)
                outcome = yield from self.rung_attempt(c, step, cat)
            if after_attempt:
                for act in after_attempt:
                    outcome = yield from act(c, cat, outcome)
            if outcome == ANSWERED:
                return
            if self.callback and outcome != FAILED:
                # the satisfaction callback: a result that came too late, or none at all
                # (closed on paper), is rated dissatisfied; a patch or paper closure reopens
                fine = outcome != FALSELY_CLOSED and \
                    env.now - self.arrival[c] <= self.satisfied_within[c]
                self.rating[c] = 1 if fine else 0
                log.event(c, Act.CALLBACK, env.now, self.centre.index)
                if not fine:
                    if self.fixer[c] >= 0:
                        self.light(c, self.fixer[c], DISSATISFIED, RED, env.now)
                    if outcome != OK:
                        log.event(c, Act.REOPEN, env.now, self.centre.index)
                        self.must_fix[c] = True  # supervision orders a real fix this time
                        reopen = True
                        continue
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

    def reopen(self, c: int, cat: CategoryState) -> Generator[Any, Any, int]:
        """The callback reopened the case: under triage it is dispatched again on its record;
        otherwise the centre orders the record's owner to act."""
        if self.triage_routing:
            return (yield from self.triage(c, cat, self.centre, reopened=True))
        owner = self.record_owner(cat, c)
        self.open_ticket(c, owner)
        return (yield from self.owner_acts(c, owner, cat, compelled=True, reopened=True))


__getattr__ = renamed(__name__)  # old names, for one release (govsim.moved.RENAMED)

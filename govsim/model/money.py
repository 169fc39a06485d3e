"""Money: payments, advances and their recovery, funds released under supervision.

Layer: model. A mixin of :class:`~govsim.model.case.RegimeRun`: every payment goes through
:meth:`Money.pay` into the ledger (payer, amount, the share of it that is the payer's own duty,
and its kind), so the cost accounting of the recording and measure layers has one source.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from govsim.model.log import Act
from govsim.model.log import MoneyKind as Kind
from govsim.model.runner import start
from govsim.model.state import CategoryState

__all__ = ["Money"]


class Money:
    """Payments for a case, as a mixin over :class:`~govsim.model.engine.Engine`."""

    def pay(self, c: int, payer: int, amount: float, share: float, kind: int) -> None:
        """Record money paid for case ``c`` (``payer`` is a unit index or ``n_units + fund``)."""
        if amount:
            self.log.money(c, payer, amount, share, kind, self.env.now)

    def fund_payer(self, fund: int) -> int:
        return len(self.units) + fund

    def money_missing(self, c: int, cat: CategoryState) -> bool:
        """Whether the real fix needs money from a source that is not available."""
        return bool(cat.fix_cost) and cat.fund >= 0 and not self.fund_open[cat.fund] and not self.funded[c]

    def advance(self, c: int, cat: CategoryState, advancer: int) -> None:
        """``advancer`` pays the missing money; it may be recovered later."""
        funding = self.rules.funding
        share = cat.share[advancer]
        self.pay(c, advancer, cat.fix_cost, share, Kind.ADVANCE)
        self.advanced[c] += cat.fix_cost
        self.funded[c] = True
        self.log.event(c, Act.ADVANCE, self.env.now, advancer)
        if self.rng.random() < funding.recovery_prob:
            delay = self.rng.expovariate(1.0 / (funding.recovery_days * 24.0))
            start(self._recover(c, cat, advancer, delay, share))

    def _recover(self, c: int, cat: CategoryState, advancer: int, delay: float,
                 share: float) -> Generator[Any, Any, None]:
        """The advance is paid back, at the advancer's share of ownership when it advanced (a
        ruling in between does not change what the advance was)."""
        yield self.env.timeout(delay)
        amount = cat.fix_cost
        self.pay(c, advancer, -amount, share, Kind.RECOVERY)
        if cat.fund >= 0:
            self.pay(c, self.fund_payer(cat.fund), amount, 1.0, Kind.RECOVERY)
        self.recovered[c] += amount
        self.log.event(c, Act.RECOVERY, self.env.now, advancer)

    def release_fund(self, c: int, cat: CategoryState) -> Generator[Any, Any, None]:
        """The proper source is made to pay after ``release_working_days`` (supervision)."""
        days = self.rules.funding.release_working_days
        due = self.official.working_days_later(self.env.now, days)
        if due > self.env.now:
            yield self.env.timeout(due - self.env.now)
        self.funded[c] = True
        self.pay(c, self.fund_payer(cat.fund), cat.fix_cost, 1.0, Kind.REAL_FIX)
        self.log.event(c, Act.FUND_RELEASE, self.env.now, -1)

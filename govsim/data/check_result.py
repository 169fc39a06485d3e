"""What :func:`govsim.data.check.check_fit` finds: a :class:`RequestCheck`.

Layer: data. The volume of every complaint type and the time-to-close quantiles of every agency
in a later period of a city's log, each beside what the learnt world predicts, with intervals;
printed by :meth:`RequestCheck.table` and drawn by :meth:`RequestCheck.plot`
(:func:`govsim.figures.request_check.plot_request_check`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["RequestCheck", "VOLUME_COLUMNS", "TIMES_COLUMNS"]

#: the columns of ``RequestCheck.volume``
VOLUME_COLUMNS = ["category", "observed", "expected", "pi_low", "pi_high", "rate_rel_se",
                  "simulated_mean", "ratio", "inside", "flag"]
#: the columns of ``RequestCheck.times`` (days)
TIMES_COLUMNS = ["agency", "quantile", "observed", "observed_ci_low", "observed_ci_high",
                 "simulated", "simulated_ci_low", "simulated_ci_high", "ratio", "closed",
                 "requests", "inside"]

@dataclass(frozen=True)
class RequestCheck:
    """A learnt world checked against a later period of the same city's log.

    Attributes
    ----------
    volume : pandas.DataFrame
        One row per complaint type (:data:`VOLUME_COLUMNS`): requests ``observed`` in the later
        window, ``expected`` (the world's daily rates summed over it), the prediction interval
        ``pi_low``..``pi_high``, the rate's relative SE carried to the window, the simulated
        mean count, ``observed/expected``, ``inside`` and a ``flag`` (``"not in the fit"``,
        ``"not in the later log"`` or "").
    times : pandas.DataFrame
        One row per agency and quantile (:data:`TIMES_COLUMNS`), in days: the later log's
        Kaplan-Meier quantile and interval, the simulated ones, ``simulated/observed``, the
        agency's closed and all requests, ``inside`` (the intervals overlap; NA if either
        quantile is not reached).
    summary : dict
        Shares inside, totals, the median and largest absolute log ratio of the quantiles.
    regime, replications, seed, confidence, notes :
        How the period was simulated, the level of the intervals, what was left out and why.
    window, as_of :
        The later creation window (``first_day``, ``end_day`` exclusive, ``n_days``) and the
        later log's end (durations censored there, in the log and in the simulation).
    """

    volume: pd.DataFrame
    times: pd.DataFrame
    summary: dict[str, Any]
    regime: str | dict[str, Any]
    replications: int
    seed: int
    window: dict[str, Any]
    as_of: pd.Timestamp
    confidence: float = 0.95
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Two lines: the later window, then the regime and the replications."""
        w, r = self.window, self.replications
        regime = self.regime if isinstance(self.regime, str) else "a given regime"
        last = w["end_day"] - dt.timedelta(days=1)
        span = f"{w['first_day']}" if last == w["first_day"] else f"{w['first_day']} to {last}"
        return (f"{span} ({w['n_days']} day{'s' if w['n_days'] != 1 else ''}, observed to {self.as_of:%Y-%m-%d %H:%M})\nregime {regime!r}, {r} "
                f"replication{'s' if r != 1 else ''} (seed {self.seed})")

    def plot(self, *, title: str | None = None,
             figsize: tuple[float, float] = (10.0, 4.6)) -> Figure:
        """The two panels of :func:`govsim.figures.request_check.plot_request_check`,
        titled with :meth:`describe` unless ``title`` is given."""
        from govsim.figures.request_check import plot_request_check

        return plot_request_check(self.volume, self.times, confidence=self.confidence,
                                  title=title or f"Learnt world vs the log checked, {self.describe()}",
                                  figsize=figsize)

    def table(self) -> str:
        """Both tables and the summary as printable text."""
        pct = f"{self.confidence:.0%}"
        with pd.option_context("display.width", 200, "display.max_columns", 20,
                               "display.max_rows", 500):
            volume = self.volume.round({"expected": 1, "rate_rel_se": 3, "simulated_mean": 1,
                                        "ratio": 3}).to_string(index=False)
            times = self.times.round(2).to_string(index=False)
        s = self.summary
        lines = [f"Check of a learnt world against {self.describe()}".replace("\n", "; "), "",
                 f"Volume by complaint type ({pct} prediction intervals: Poisson noise and the "
                 "rate's estimation uncertainty)", volume, "",
                 f"Time to close by agency, days (observed: Kaplan-Meier, Brookmeyer-Crowley "
                 f"{pct} CI on the log-log scale; simulated: pooled Kaplan-Meier, t interval "
                 "over replications)", times, "",
                 f"Types inside their interval: {s['types_inside']} of {s['types_checked']}; "
                 f"quantiles whose intervals overlap: {s['quantiles_inside']} of "
                 f"{s['quantiles_checked']}; median |log ratio| "
                 f"{s['median_abs_log_ratio']:.3f} (largest {s['max_abs_log_ratio']:.3f})"]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

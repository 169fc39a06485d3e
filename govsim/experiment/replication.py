"""One replication: the world drawn once, every regime run on it.

Layer: experiment. This is the unit of work of every study (:mod:`~govsim.experiment.comparison`,
:mod:`~govsim.experiment.sweeper`, and the studies built on them): it depends only on the
scenario, the regimes, the root seed and the replication number, so replications run in any
order, on any executor, and give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from govsim.measure.metrics import CASE_COLUMNS, RULE_METRICS, replication_metrics
from govsim.measure.over_time import COHORT_COLUMNS, cohort_medians
from govsim.model import build_calendar, draw_world, simulate
from govsim.recording import Summary, Tables, summary, tables
from govsim.scenario import Scenario

__all__ = ["ReplicationOutput", "run_replication", "TABLES"]

#: the tables one replication produces besides its metrics
TABLES = ("cases", "units", "ledger", "lights", "events")


@dataclass
class ReplicationOutput:
    """What one replication produced: one entry per regime, in the order they ran.

    Attributes
    ----------
    replication:
        The replication number (its world is drawn from ``(seed, replication)``).
    regimes:
        The regimes run, in order; ``cases[k]`` etc. belong to ``regimes[k]``.
    cases, events, units, ledger, lights:
        Each regime's tables (columns ``regime`` and ``replication`` first).
    metrics:
        Each regime's metrics as a dict (``regime``, ``replication``, then every metric of
        :data:`govsim.measure.metrics.METRICS`).
    daily, cohorts:
        Each regime's results over time, kept with or without the tables: the street
        office's burden by component and the cases filed, resolved and abandoned, per day
        (:mod:`govsim.recording`, at most 731 rows), and the Kaplan–Meier median time to
        resolution of the cases filed in each week, month and quarter
        (:func:`govsim.measure.over_time.cohort_medians`).
    """

    replication: int
    regimes: tuple[str, ...] = ()
    cases: list[pd.DataFrame] = field(default_factory=list)
    events: list[pd.DataFrame] = field(default_factory=list)
    units: list[pd.DataFrame] = field(default_factory=list)
    ledger: list[pd.DataFrame] = field(default_factory=list)
    lights: list[pd.DataFrame] = field(default_factory=list)
    metrics: list[dict[str, float]] = field(default_factory=list)
    daily: list[pd.DataFrame] = field(default_factory=list)
    cohorts: list[pd.DataFrame] = field(default_factory=list)


def run_replication(scenario: Scenario, regimes: Sequence[str], seed: int, replication: int,
                    record_events: bool = True, warmup_days: float = 0.0,
                    keep_tables: bool = True, recording: str = "tables") -> ReplicationOutput:
    """Run every regime in ``regimes`` on one replication's world (common random numbers).

    Cases arriving in the first ``warmup_days`` are left out of the tables and metrics.
    ``recording="metrics"`` brings back only the metrics and the small tables over time
    (``daily``, ``cohorts``), each regime run keeping only what those need (no event log, staff
    time added up as it is spent: :class:`govsim.model.tally.Tally`): the same metrics,
    ``daily`` and ``cohorts`` to the last bit as every table gives, in less memory and time.
    ``keep_tables=False`` is the same as ``recording="metrics"``."""
    if not keep_tables:
        recording = "metrics"
    calendar = build_calendar(scenario)
    draws = draw_world(scenario, seed, replication)
    out = ReplicationOutput(replication, tuple(regimes))
    for name in regimes:
        raw = simulate(scenario, name, seed, replication, record_events=record_events,
                       calendar=calendar, draws=draws, warmup_h=warmup_days * 24.0,
                       recording=recording)
        rules = scenario.regimes[name]
        # time limits run on dispatched tickets: without triage they time nothing
        triage = rules.routing == "triage"
        if recording == "metrics" and not RULE_METRICS:
            # only the columns the metrics and the cohorts read, one at a time
            t: Tables | Summary = summary(raw, dict.fromkeys((*CASE_COLUMNS, *COHORT_COLUMNS)))
        else:
            t = tables(raw, release=True)
        del raw
        m = replication_metrics(t.cases, t.units, has_limits=rules.time_limits and triage,
                                has_reply=triage, ledger=t.ledger)
        out.metrics.append({"regime": name, "replication": replication, **m})
        out.daily.append(t.daily)
        out.cohorts.append(cohort_medians(t.cases, scenario.world.start, name, replication))
        if recording == "metrics":
            continue
        for table in TABLES:
            getattr(out, table).append(getattr(t, table))
    return out

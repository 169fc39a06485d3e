"""The tables of docs/validation.md: the engine against queueing theory (Erlang C, its wait
distribution, Erlang A, an open network in product form), Little's law on every shipped
scenario, and the working-day calendar of the 2024 Spring Festival.

Each function runs its check and returns a DataFrame (one row per point, with the mean over
replications, its interval and the theory); ``calibration/validation_figures.py`` draws them,
and the page runs both when the site is built. Deterministic (fixed seeds, serial runs). Each
point of a curve has a seed of its own (the test's seed plus the point's index), so the points
are independent checks: at 95% about one interval in twenty misses the theory by chance. The
set-ups and measurements are those of the tests (``tests/test_validation.py``,
``tests/test_theory.py``, imported from there), so each table shows what its test checks, over
more loads.
"""

from __future__ import annotations

import datetime as dt
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

import govsim  # noqa: E402
from govsim.calendar import working_day_table  # noqa: E402
from govsim.scenario import mmc_scenario  # noqa: E402
from govsim.stats.intervals import mean_ci  # noqa: E402
from govsim.stats.theory import (  # noqa: E402
    erlang_a,
    erlang_c,
    mmc_mean_wait,
    mmc_wait_quantile,
    mmc_wait_tail,
)

#: the queues of the wait-distribution check (lambda per hour, c), mu = 1 per hour
TAIL_QUEUES = ((0.6, 1), (2.4, 3))


def ci_row(values, theory: float, confidence: float = 0.95, **keys) -> dict:
    """``keys`` with the mean of ``values``, its Student t interval, the theory, and whether
    the interval contains it."""
    mean, low, high, n = mean_ci(np.asarray(values, dtype=float), confidence=confidence)
    return {**keys, "mean": mean, "low": low, "high": high, "theory": theory, "n": n,
            "contains": bool(low <= theory <= high)}


# ------------------------------------------------------------------ Erlang C
def erlang_c_table(c: int = 3, days: int = 240, reps: int = 20, seed: int = 2024,
                   loads=(1.2, 1.5, 1.8, 2.1, 2.4, 2.7)) -> pd.DataFrame:
    """Mean wait for a staff member of M/M/c (mu = 1 per hour) across loads, 2-day warm-up."""
    from test_validation import _waits

    rows = []
    for k, lam in enumerate(loads):
        s = mmc_scenario(lam, c, 1.0, horizon_days=days)
        res = govsim.run(s, replications=reps, seed=seed + k, jobs=1, warmup_days=2.0)
        w = _waits(res.events, pd.Timestamp(s.world.start))
        rows.append(ci_row(w.groupby("replication")["wait"].mean(), mmc_mean_wait(lam, 1.0, c),
                           rho=lam / c, lam=lam))
    return pd.DataFrame(rows)


@cache
def _tail_run(lam: float, c: int):
    """The runs of the wait-distribution test, reduced to the filings and starts of work."""
    from test_validation import wait_distribution_run

    events, start, horizon_h = wait_distribution_run(lam, c)
    keep = events[events["concept:name"].isin(["file", "work_start"])]
    return keep[["replication", "case:concept:name", "concept:name", "time:timestamp"]].copy(), \
        start, horizon_h


def wait_tail_curves(points: int = 11) -> pd.DataFrame:
    """P(W > t) at ``points`` t from 0 to where theory puts the tail at C/32, 95% intervals,
    for each queue of the wait-distribution test (the same runs)."""
    from test_validation import wait_tails

    rows = []
    for lam, c in TAIL_QUEUES:
        events, start, horizon_h = _tail_run(lam, c)
        top = mmc_wait_quantile(lam, 1.0, c, 1.0 - erlang_c(lam, 1.0, c) / 32)
        ts = list(np.linspace(0.0, top, points))
        tails = wait_tails(events, start, horizon_h, ts)
        rows += [ci_row(tails[:, j], mmc_wait_tail(lam, 1.0, c, t), lam=lam, c=c, rho=lam / c,
                        t=t) for j, t in enumerate(ts)]
    return pd.DataFrame(rows)


def wait_distribution_table() -> pd.DataFrame:
    """What ``test_mmc_wait_distribution_matches_erlang_c`` measures: P(W > t) at its four t
    and the mean wait of those who wait, with its Bonferroni intervals (99%)."""
    from test_validation import TAIL_CONFIDENCE, delayed_mean_waits, tail_points, wait_tails

    rows = []
    for lam, c in TAIL_QUEUES:
        events, start, horizon_h = _tail_run(lam, c)
        ts = tail_points(lam, 1.0, c)
        tails = wait_tails(events, start, horizon_h, ts)
        queue = f"M/M/{c}, rho {lam / c:.1f}"
        for j, t in enumerate(ts):
            rows.append(ci_row(tails[:, j], mmc_wait_tail(lam, 1.0, c, t), TAIL_CONFIDENCE,
                               queue=queue, what=f"P(W > {t:.3f} h)"))
        rows.append(ci_row(delayed_mean_waits(events, start), 1.0 / (c - lam), TAIL_CONFIDENCE,
                           queue=queue, what="mean wait of those who wait (h)"))
    out = pd.DataFrame(rows)
    out["width_over_theory"] = (out["high"] - out["low"]) / out["theory"]
    return out


# ------------------------------------------------------------------ Erlang A
def erlang_a_table(mu: float = 10.0, theta: float = 15.0, c: int = 2, days: int = 20,
                   reps: int = 8, loads=(10.0, 15.0, 20.0, 25.0, 30.0, 40.0)) -> pd.DataFrame:
    """Share of callers who hang up and their mean wait (minutes) across offered loads."""
    from test_validation import call_centre_scenario

    rows = []
    for k, lam in enumerate(loads):
        res = govsim.run(call_centre_scenario(lam, mu, theta, c, days), replications=reps,
                         seed=13 + k, jobs=1, record_events=False)
        by_rep = res.cases.groupby("replication")
        share, wait = erlang_a(lam, mu, theta, c)
        a = ci_row(by_rep["calls_abandoned"].mean(), share)
        b = ci_row(by_rep["call_wait_hours"].mean() * 60.0, wait * 60.0)
        rows.append({"load": lam / (c * mu), "lam": lam,
                     **{f"share_{key}": v for key, v in a.items()},
                     **{f"wait_{key}": v for key, v in b.items()}})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ open network
def network_table(mu: float = 1.0, c_a: int = 2, c_b: int = 4, days: int = 90, reps: int = 30,
                  loads=(0.4, 0.7, 1.0, 1.2, 1.4, 1.6)) -> pd.DataFrame:
    """Mean hours from filing to resolution through the referral network, across loads."""
    from test_theory import product_form, referral_network_scenario, sojourn_hours

    rows = []
    for k, lam in enumerate(loads):
        res = govsim.run(referral_network_scenario(lam, mu, c_a, c_b, days), replications=reps,
                         seed=31 + k, jobs=1, record_events=False)
        done = res.cases[res.cases["resolved"]]
        rows.append(ci_row(sojourn_hours(done), product_form(lam, mu, c_a, c_b), lam=lam))
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ Little's law
def little_table() -> pd.DataFrame:
    """Little's law on every shipped scenario and regime (the runs of the test): L from the
    events table and lambda W from the cases table, until the case ends and until solved."""
    from test_validation import littles_law, shipped_regimes, short_run

    rows = []
    for stem, regime in shipped_regimes():
        s, res = short_run(stem, regime)
        start, horizon_h = pd.Timestamp(s.world.start), s.world.horizon_days * 24.0
        ends = littles_law(res.cases, res.events, start, horizon_h, ("resolved", "abandon"))
        solved = littles_law(res.cases, res.events, start, horizon_h, ("resolved",))
        rows.append({"scenario": stem, "regime": regime, "days": s.world.horizon_days,
                     "cases": ends["n"], "L_ends": ends["L"], "lW_ends": ends["lambda_W"],
                     "L_solved": solved["L"], "lW_solved": solved["lambda_W"],
                     "gap": max(abs(ends["L"] - ends["lambda_W"]),
                                abs(solved["L"] - solved["lambda_W"])),
                     "bound": ends["tolerance"],
                     "gap_ends": (ends["L"] - ends["lambda_W"]) / ends["tolerance"],
                     "gap_solved": (solved["L"] - solved["lambda_W"]) / solved["tolerance"]})
    return pd.DataFrame(rows)


def broken_tables(stem: str = "shishi_12345", regime: str = "fragmented",
                  seed: int = 0) -> dict:
    """How sharp Little's law is: the test's run of one regime, one table broken on purpose
    three ways, and L - lambda W after each (``littles_law`` of the test)."""
    from test_validation import littles_law, short_run

    s, res = short_run(stem, regime)
    cases, events = res.cases, res.events
    start, horizon_h = pd.Timestamp(s.world.start), s.world.horizon_days * 24.0

    def gap(c, e, endings):
        got = littles_law(c, e, start, horizon_h, endings)
        return got["L"] - got["lambda_W"], got["tolerance"]

    resolved = events.index[events["concept:name"] == "resolved"]
    drop = np.random.default_rng(seed).choice(resolved, size=len(resolved) // 100, replace=False)
    censored = cases.copy()
    abandoned = censored["state"] == "abandoned"
    censored.loc[abandoned, "duration_days"] = (
        (censored.loc[abandoned, "ended"] - censored.loc[abandoned, "first_filing"])
        / pd.Timedelta(days=1))
    late = events.copy()
    late.loc[resolved, "time:timestamp"] += pd.Timedelta(minutes=1)
    intact, bound = gap(cases, events, ("resolved", "abandon"))
    return {"bound": bound, "intact": intact,
            "grid_seconds": horizon_h * 3600.0 / 100_000, "days": s.world.horizon_days,
            "dropped": gap(cases, events.drop(drop), ("resolved", "abandon"))[0],
            "censored": gap(censored, events, ("resolved",))[0],
            "late": gap(cases, late, ("resolved", "abandon"))[0]}


# ------------------------------------------------------------------ calendar
def calendar_table(start: dt.date = dt.date(2024, 1, 29), days: int = 35) -> pd.DataFrame:
    """Each day of the five weeks around the 2024 Spring Festival: its kind in the
    hand-checked table of the test, what the table and govsim's CN calendar say."""
    from test_validation import CN_2024_MAKE_UP, CN_2024_OFF, SPRING_FESTIVAL_WEEKS

    said = working_day_table(start, days, country="CN")
    off = {first + dt.timedelta(k) for _, first, last in CN_2024_OFF
           for k in range((last - first).days + 1)}
    rows = []
    for i in range(days):
        day = start + dt.timedelta(i)
        kind = ("make-up" if day in CN_2024_MAKE_UP else "holiday" if day in off
                else "weekend" if day.weekday() >= 5 else "work")
        expected = SPRING_FESTIVAL_WEEKS[i // 7][i % 7] == "W"
        rows.append({"date": day, "week": i // 7, "weekday": i % 7, "kind": kind,
                     "table_works": expected, "govsim_works": bool(said[i]),
                     "mismatch": bool(said[i]) != expected})
    return pd.DataFrame(rows)

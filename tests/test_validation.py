"""Validation of the engine (docs/validation.md): the Erlang C wait distribution, Erlang A under
overload, Little's law on every shipped scenario's tables, and the working-day calendar
against a hand-checked table of 2024 (Spring Festival make-up Sundays included).

The measuring functions here (``wait_tails``, ``delayed_mean_waits``, ``littles_law``,
``call_centre_scenario``) are also what ``calibration/validation_checks.py`` tabulates and
``calibration/validation_figures.py`` plots, so each figure shows exactly what its test checks;
the runs of the tests (``wait_distribution_run``, ``overloaded_call_centre_cases``,
``short_run``) are those docs/validation.md quotes when the site is built.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.calendar import OfficeHours, parse_hours, working_day_table
from govsim.scenario import (
    Scenario,
    load_scenario,
    mmc_scenario,
    parse_scenario,
    scenario_data,
    with_values,
)
from govsim.stats.intervals import mean_ci
from govsim.stats.theory import erlang_a, erlang_c, mmc_wait_quantile, mmc_wait_tail

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
#: time stamps in the tables are rounded to the millisecond (``WorkCalendar.to_datetime``)
STAMP_H = 1.0 / 3_600_000.0


def _hours(stamps: pd.Series, start: pd.Timestamp) -> np.ndarray:
    return ((stamps - start) / pd.Timedelta(hours=1)).to_numpy(dtype=float)


# ------------------------------------------------------------------ Erlang C: the distribution
def _waits(events: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """One row per filed case: its replication, filing time and wait until work starts (hours
    on the scenario's clock; NaN when work had not started by the horizon)."""
    key = ["replication", "case:concept:name"]
    filed = events[events["concept:name"] == "file"].set_index(key)["time:timestamp"]
    started = events[events["concept:name"] == "work_start"].set_index(key)["time:timestamp"]
    out = pd.DataFrame({"filed": _hours(filed, start)}, index=filed.index)
    out["wait"] = _hours(started.reindex(filed.index), start) - out["filed"].to_numpy()
    return out.reset_index()


def wait_tails(events: pd.DataFrame, start: pd.Timestamp, horizon_h: float,
               ts: list[float]) -> np.ndarray:
    """Per replication (rows) and ``t`` (columns): the share of cases that waited longer than
    ``t`` for a staff member. Only cases filed at least ``t`` before the horizon count for
    ``t``, so each counted case is decided: it started within ``t`` or it did not (a case still
    waiting at the horizon has waited longer than ``t``). No censoring bias."""
    w = _waits(events, start)
    out = []
    for _, rep in w.groupby("replication"):
        room = horizon_h - rep["filed"].to_numpy()
        wait = rep["wait"].to_numpy()
        longer = np.isnan(wait) | (wait > np.asarray(ts)[:, None])
        decided = room >= np.asarray(ts)[:, None]
        out.append((longer & decided).sum(axis=1) / decided.sum(axis=1))
    return np.array(out)


def delayed_mean_waits(events: pd.DataFrame, start: pd.Timestamp) -> np.ndarray:
    """Per replication: the mean wait of the cases that waited at all (and had started)."""
    w = _waits(events, start)
    w = w[w["wait"] > 0.0]
    return w.groupby("replication")["wait"].mean().to_numpy(dtype=float)


#: five checks per queue (four t and the mean of those who wait) at a 5% family error
TAIL_CONFIDENCE = 1.0 - 0.05 / 5


def tail_points(lam: float, mu: float, c: int) -> list[float]:
    """The four t (hours) where theory puts the tail P(W > t) at C, C/2, C/4 and C/8."""
    big_c = erlang_c(lam, mu, c)
    return [mmc_wait_quantile(lam, mu, c, 1.0 - big_c / 2**k) for k in (0, 1, 2, 3)]


def wait_distribution_run(lam: float, c: int, mu: float = 1.0, horizon_days: int = 240,
                          replications: int = 20, seed: int = 2024):
    """The runs of ``test_mmc_wait_distribution_matches_erlang_c`` (two warm-up days): the
    event log, the scenario's start and its horizon in hours."""
    s = mmc_scenario(lam, c, 1.0 / mu, horizon_days=horizon_days)
    res = govsim.run(s, replications=replications, seed=seed, jobs=1, warmup_days=2.0)
    return res.events, pd.Timestamp(s.world.start), horizon_days * 24.0


@pytest.mark.parametrize(("lam", "c"), [(0.6, 1), (2.4, 3)])
def test_mmc_wait_distribution_matches_erlang_c(lam, c):
    """P(W > t) = C exp(-(c mu - lambda) t) at the t where theory puts the tail at C, C/2, C/4
    and C/8, and the mean wait of those who wait = 1 / (c mu - lambda).

    Waits within one run are correlated, so each replication gives one share per t (and one
    mean), and the check is on the mean over 20 independent replications: a Student t interval
    at 99% (Bonferroni: five checks at a 5% family error) must contain the theory, and its
    width must be under half the theoretical value, so that it could miss (a tail wrong by a
    third would). The first two days (the queue starts empty) are warm-up and left out."""
    mu, reps = 1.0, 20
    events, start, horizon_h = wait_distribution_run(lam, c, mu, replications=reps)
    ts = tail_points(lam, mu, c)
    assert ts[0] == 0.0 and ts[1] > 0.0
    tails = wait_tails(events, start, horizon_h, ts)
    assert tails.shape == (reps, len(ts))
    confidence = TAIL_CONFIDENCE
    for j, t in enumerate(ts):
        theory = mmc_wait_tail(lam, mu, c, t)
        mean, low, high, _ = mean_ci(tails[:, j], confidence=confidence, bounds=(0.0, 1.0))
        assert low <= theory <= high, (t, mean, low, high, theory)
        assert high - low < 0.5 * theory, (t, low, high, theory)
    mean, low, high, n = mean_ci(delayed_mean_waits(events, start), confidence=confidence)
    theory = 1.0 / (c * mu - lam)
    assert n == reps
    assert low <= theory <= high, (mean, low, high, theory)
    assert high - low < 0.5 * theory


# ------------------------------------------------------------------ Erlang A beyond Erlang C
def call_centre_scenario(lam: float, mu: float, theta: float, c: int,
                         horizon_days: int) -> Scenario:
    """An M/M/c+M call centre (rates per hour): Poisson calls, exponential talk, exponential
    patience, no redial, and a caller who hangs up gives up (one call per case). The same
    construction as ``tests/test_theory.py::test_call_centre_matches_erlang_a``."""
    from _factory import category, fragmented, scenario

    centre = {"call_takers": c, "hours": "24h", "call_minutes": 60.0 / mu,
              "caller_patience_minutes": 60.0 / theta, "redial_prob": 0.0}
    return scenario(
        {"line": fragmented(intake_hours=0.0, channels=[{"name": "line", "unit": "owner",
                                                         "call_centre": centre}])},
        categories={"job": category(rate_per_day=lam * 24, owners=["owner"], work_hours=0.01)},
        citizens={"give_up_prob": 1.0},
        horizon_days=horizon_days,
    )


def overloaded_call_centre_cases(lam: float = 25.0, mu: float = 10.0, theta: float = 15.0,
                                 c: int = 2, horizon_days: int = 20, replications: int = 8,
                                 seed: int = 13) -> pd.DataFrame:
    """The cases of the runs of ``test_overloaded_call_centre_matches_erlang_a`` (by default
    offered load 1.25)."""
    return govsim.run(call_centre_scenario(lam, mu, theta, c, horizon_days=horizon_days),
                      replications=replications, seed=seed, jobs=1, record_events=False).cases


def test_overloaded_call_centre_matches_erlang_a():
    """Offered load 1.25 (25 calls an hour to two call-takers of 10 an hour): Erlang C has no
    steady state here, but impatience makes the M/M/c+M chain stable. The share who hang up
    and the mean wait on the line lie in the replications' 95% t intervals (one check each,
    Bonferroni to 97.5%), which must be narrower than a tenth of the value."""
    lam, mu, theta, c = 25.0, 10.0, 15.0, 2
    by_rep = overloaded_call_centre_cases(lam, mu, theta, c).groupby("replication")
    share_theory, wait_theory = erlang_a(lam, mu, theta, c)
    assert share_theory > 1.0 - c * mu / lam  # at least the overload's excess hangs up
    for column, theory in (("calls_abandoned", share_theory), ("call_wait_hours", wait_theory)):
        values = by_rep[column].mean().to_numpy(dtype=float)
        mean, low, high, n = mean_ci(values, confidence=0.975)
        assert n == 8
        assert low <= theory <= high, (column, mean, low, high, theory)
        assert high - low < 0.1 * theory


# ------------------------------------------------------------------ Little's law on every scenario
def littles_law(cases: pd.DataFrame, events: pd.DataFrame, start: pd.Timestamp,
                horizon_h: float, endings: tuple[str, ...], points: int = 100_000) -> dict:
    """L, the mean number of cases open, sampled at ``points`` evenly spaced instants, against
    lambda W from the cases table, for one replication.

    A case is open at t from its arrival (the cases table's ``first_filing``) until the first
    event in ``endings`` (events table), or the horizon. With ``endings = ("resolved",
    "abandon")``, W is each case's time from arrival to ``ended`` (to the horizon if still
    open); with ``("resolved",)`` (a problem open until truly solved, abandoned ones too), W is
    the table's own ``duration_days``. lambda = cases / horizon.

    The returned ``tolerance`` is a bound, not a guess: the grid t_k = (k + 1/2) h, h = T /
    points, puts W_i / h +- 1 points inside each case's interval, so ``h * sum_k N(t_k)``
    differs from ``sum_i W_i`` by less than n h; with both ends of every interval stamped to
    the millisecond the gap is under n (h + 2 ms), and ``L - lambda W`` under that over T.
    """
    n = len(cases)
    arrival = _hours(cases["first_filing"], start)
    ends = events[events["concept:name"].isin(endings)]
    first_end = ends.groupby("case:concept:name", observed=True)["time:timestamp"].min()
    if endings == ("resolved",):
        sojourn = cases["duration_days"].to_numpy(dtype=float) * 24.0
    else:
        ended = _hours(cases["ended"], start)
        sojourn = np.where(cases["state"].to_numpy() == "open", horizon_h, ended) - arrival
    h = horizon_h / points
    grid = (np.arange(points) + 0.5) * h
    arrived = np.searchsorted(np.sort(arrival), grid, side="right")
    gone = np.searchsorted(np.sort(_hours(first_end, start)), grid, side="right")
    return {"n": n, "L": float((arrived - gone).mean()), "lambda": n / horizon_h,
            "W": float(sojourn.mean()) if n else 0.0,
            "lambda_W": float(sojourn.sum() / horizon_h),
            "tolerance": n * (h + 2 * STAMP_H) / horizon_h}


def shipped_regimes() -> list[tuple[str, str]]:
    """Every (scenario file, regime) shipped in ``scenarios/``."""
    pairs = []
    for path in SCENARIOS:
        with path.open("rb") as f:
            pairs += [(path.stem, name) for name in tomllib.load(f)["regimes"]]
    return pairs


def short_run(stem: str, regime: str, horizon_days: int = 45, seed: int = 3):
    """One replication of a shipped regime over a short horizon (the whole horizon when the
    scenario's cases are all dated one-offs, which are cheap)."""
    s = load_scenario(ROOT / "scenarios" / f"{stem}.toml")
    if any(cat.rate_per_day > 0 for cat in s.world.categories.values()):
        s = with_values(s, {"world.horizon_days": min(horizon_days, s.world.horizon_days)})
    return s, govsim.run(s, regime, replications=1, seed=seed, jobs=1)


def test_every_scenario_and_regime_is_covered():
    assert {stem for stem, _ in shipped_regimes()} == {p.stem for p in SCENARIOS}
    assert len(shipped_regimes()) >= 9  # 5 district regimes, 2 Shanghai, 2 Shishi at least


@pytest.mark.parametrize(("stem", "regime"), shipped_regimes())
def test_littles_law_on_shipped_scenarios(stem, regime):
    """L (events table) = lambda W (cases table), for cases until they end (resolved or
    abandoned) and for problems until truly solved (``duration_days``), within the sampling
    bound of ``littles_law``. On a window that starts empty and censors at the horizon this is
    an identity of the sample path, so it fails only if the two tables disagree: a lost or
    extra ending, an ending at another time, a duration censored the wrong way.

    Before it, per case: exactly one ending event for every ended case, at its ``ended`` time,
    none for an open one; and the first filing in the events table is the cases table's
    arrival, except that a call that must wait for a call-taker is filed when it is answered
    (or not at all), so behind a call centre it can only come later."""
    s, res = short_run(stem, regime)
    cases, events = res.cases, res.events
    start, horizon_h = pd.Timestamp(s.world.start), s.world.horizon_days * 24.0
    assert len(cases) > 0

    ends = events[events["concept:name"].isin(["resolved", "abandon"])]
    assert not ends["case:concept:name"].duplicated().any()
    by_case = cases.set_index("case")
    ended = by_case.loc[ends["case:concept:name"].to_numpy()]
    assert (ended["ended"].to_numpy() == ends["time:timestamp"].to_numpy()).all()
    assert (ended["state"].to_numpy() == ends["concept:name"].map(
        {"resolved": "resolved", "abandon": "abandoned"}).to_numpy()).all()
    assert len(ends) == int((cases["state"] != "open").sum())

    files = events[events["concept:name"] == "file"].groupby("case:concept:name")[
        "time:timestamp"].min()
    arrival = by_case["first_filing"]
    phone = any(ch.call_centre is not None for ch in s.regimes[regime].channels)
    if phone:
        assert (files >= arrival.loc[files.index]).all()
    else:
        assert files.index.size == len(cases)
        assert (files == arrival.loc[files.index]).all()

    for endings in (("resolved", "abandon"), ("resolved",)):
        got = littles_law(cases, events, start, horizon_h, endings)
        assert abs(got["L"] - got["lambda_W"]) <= got["tolerance"], (endings, got)
        assert got["tolerance"] < 1e-3 * got["lambda_W"]  # the bound is tight enough to fail


# ------------------------------------------------------------------ the working-day calendar
# Working days of mainland China in 2024, by hand from the State Council's notice on the 2024
# holidays (国务院办公厅关于2024年部分节假日安排的通知): each block of days off, and the
# weekend days worked in exchange ("make-up working days", 调休上班).
CN_2024_OFF = [
    ("New Year", dt.date(2024, 1, 1), dt.date(2024, 1, 1)),
    ("Spring Festival", dt.date(2024, 2, 10), dt.date(2024, 2, 17)),
    ("Qingming", dt.date(2024, 4, 4), dt.date(2024, 4, 6)),
    ("Labour Day", dt.date(2024, 5, 1), dt.date(2024, 5, 5)),
    ("Dragon Boat", dt.date(2024, 6, 10), dt.date(2024, 6, 10)),
    ("Mid-Autumn", dt.date(2024, 9, 15), dt.date(2024, 9, 17)),
    ("National Day", dt.date(2024, 10, 1), dt.date(2024, 10, 7)),
]
CN_2024_MAKE_UP = {  # date: weekday, as the notice prints it
    dt.date(2024, 2, 4): "Sun", dt.date(2024, 2, 18): "Sun", dt.date(2024, 4, 7): "Sun",
    dt.date(2024, 4, 28): "Sun", dt.date(2024, 5, 11): "Sat", dt.date(2024, 9, 14): "Sat",
    dt.date(2024, 9, 29): "Sun", dt.date(2024, 10, 12): "Sat",
}
# The five weeks around the Spring Festival, Monday 29 January to Sunday 3 March 2024
# (W = working day, - = day off), read off a wall calendar and the notice:
SPRING_FESTIVAL_WEEKS = [
    "WWWWW-W",  # 29 Jan - 4 Feb: Sunday 4 Feb is a make-up working day
    "WWWWW--",  # 5 - 11 Feb: Friday 9 Feb, New Year's Eve, is an ordinary working day
    "------W",  # 12 - 18 Feb: the holiday runs 10-17 Feb; Sunday 18 Feb is a make-up day
    "WWWWW--",  # 19 - 25 Feb
    "WWWWW--",  # 26 Feb - 3 Mar (2024 is a leap year: 29 Feb is a Thursday)
]
#: 366 days - 104 weekend days - 19 weekdays off + 8 make-up days
CN_2024_WORKING_DAYS = 251


def test_calendar_2024_matches_the_state_council_table():
    days = [dt.date(2024, 1, 1) + dt.timedelta(k) for k in range(366)]
    off = {d for _, first, last in CN_2024_OFF for d in days if first <= d <= last}
    for d, weekday in CN_2024_MAKE_UP.items():
        assert d.strftime("%a") == weekday and d not in off
    expected = [(d.weekday() < 5 and d not in off) or d in CN_2024_MAKE_UP for d in days]
    weekdays_off = sum(d.weekday() < 5 for d in off)
    assert (sum(d.weekday() >= 5 for d in days), weekdays_off) == (104, 19)
    assert sum(expected) == CN_2024_WORKING_DAYS == 366 - 104 - 19 + 8

    table = working_day_table(dt.date(2024, 1, 1), 366, country="CN")
    wrong = [(d, bool(t)) for d, t, e in zip(days, table, expected, strict=True) if t != e]
    assert not wrong, f"days the calendar gets wrong (date, says working): {wrong}"

    weeks = working_day_table(dt.date(2024, 1, 29), 35, country="CN").reshape(5, 7)
    assert ["".join("W" if w else "-" for w in week) for week in weeks] == SPRING_FESTIVAL_WEEKS


def test_deadline_across_the_spring_festival_lands_on_a_make_up_sunday():
    """One working day after Friday 9 February 2024, 10:00, on an 08:30-17:30 office day: 7.5
    open hours that Friday, none from 10 to 17 February, 1.5 on Sunday 18 February: 10:00 on
    the make-up Sunday."""
    start = dt.date(2024, 1, 29)
    office = OfficeHours(working_day_table(start, 35, country="CN"), parse_hours("08:30-17:30"))
    friday = (dt.date(2024, 2, 9) - start).days * 24.0 + 10.0
    sunday = (dt.date(2024, 2, 18) - start).days * 24.0 + 10.0
    assert office.working_days_later(friday, 1) == pytest.approx(sunday)
    assert office.next_open(friday + 8.0) == pytest.approx(sunday - 1.5)


def test_engine_works_on_the_working_days_of_the_table():
    """An M/M/3 desk with office hours 08:30-17:30 under the CN calendar, from 29 January to
    3 March 2024, 12 cases a day: staff start work on exactly the table's working days (both
    make-up Sundays, none of the holiday), and only in office hours."""
    start = dt.date(2024, 1, 29)
    base = mmc_scenario(0.5, 3, 1.0, horizon_days=35, start=start)
    s = with_values(base, {"world.calendar.country": "CN",
                           "world.units.desk.hours": "08:30-17:30"})
    res = govsim.run(s, replications=1, seed=11, jobs=1)
    ev = res.events
    stamps = ev.loc[ev["concept:name"] == "work_start", "time:timestamp"]
    worked = {d.date() for d in stamps}
    expected = {start + dt.timedelta(7 * w + k) for w, week in enumerate(SPRING_FESTIVAL_WEEKS)
                for k, day in enumerate(week) if day == "W"}
    assert worked == expected
    clock = stamps.dt.hour + stamps.dt.minute / 60.0 + stamps.dt.second / 3600.0
    assert clock.between(8.5, 17.5, inclusive="left").all()


def test_extra_workdays_turn_a_day_off_into_a_working_day():
    """``world.calendar.extra_workdays`` overrides the holidays package: Friday 16 February 2024
    (in the Spring Festival holiday) made a working day, and the scenario validates with it."""
    data = scenario_data(mmc_scenario(0.5, 3, 1.0, horizon_days=35, start=dt.date(2024, 1, 29)))
    data["world"]["calendar"] = {"country": "CN", "extra_workdays": [dt.date(2024, 2, 16)]}
    s = parse_scenario(data)
    cal = s.world.calendar
    table = working_day_table(s.world.start, 35, country=cal.country,
                              extra_holidays=cal.extra_holidays, extra_workdays=cal.extra_workdays)
    k = (dt.date(2024, 2, 16) - s.world.start).days
    assert table[k] and not table[k - 1] and not table[k + 1]
    assert table.sum() == 1 + sum(w.count("W") for w in SPRING_FESTIVAL_WEEKS)

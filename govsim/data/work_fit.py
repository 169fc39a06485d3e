"""Work per case fitted to a log's times to close, instead of assumed.

Layer: data. :func:`~govsim.data.requests.world_from_requests` starts from an assumption: the
work of a case is ``work_share`` of its mean time to close in office hours. :func:`fit_work`
replaces it with a fit: for each agency with at least ``min_closed`` closed requests it
chooses a multiplier of the work of the complaint types it leads (and, unless staff were given,
the staff that work needs at the fit's ``utilisation``) so that the **simulated** median time to
close of its cases, under the log's own regime and observed as the log was (arrivals in the
creation window, censored at ``as_of``: :func:`govsim.data.simulated.observed_world`), equals
the log's Kaplan-Meier median.

Every evaluation runs the same replications under the same seeds (common random numbers), so
two multipliers differ only by the work they set, and the simulated median rises with the work.
Each agency is one equation in one unknown, so the search is a safeguarded secant in log-log
space per agency, all agencies at once (one simulation per step): a step follows the last two
points' slope, is kept inside the bracket the points have found, and halves the bracket when it
would leave it. This is what :func:`govsim.calibrate`'s box search would do with one parameter
per agency, without its cost in many dimensions. The median is a step function of the work
where office hours leave gaps, and not quite monotone where staff, whole numbers re-sized with
the work, are few: each agency keeps the best point found, and the table's ``status`` says how
it ended (:data:`STATUSES`) -- an agency whose median stops falling with less work while still
above the log's is ``flat``: the regime's own delays (intake, dispatch, a holiday, office
hours) already take longer than the log's median.
Agencies with fewer closed requests take the fitted agencies' pooled multiplier (the geometric
mean weighted by closed requests).
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from govsim.data.arguments import check_number
from govsim.data.learnt import L, Learnt
from govsim.data.scenario_file import regime_scenario
from govsim.data.simulated import (
    lead_agencies,
    moved_world,
    observed_world,
    quantiles_by_agency,
    simulated_times,
)
from govsim.data.staffing import agency_loads, open_hours_per_day, size_staff
from govsim.errors import GovsimError

__all__ = ["fit_work", "WORK_FIT_COLUMNS", "MULTIPLIER_BOUNDS", "STATUSES"]

#: the columns of ``fit.diagnostics["work_fit"]``
WORK_FIT_COLUMNS = ["agency", "closed", "km_median_days", "assumed_median_days",
                    "simulated_median_days", "ratio", "multiplier", "work_share", "staff",
                    "status"]
#: what ``status`` says, of the final run: ``fitted`` (within ``tolerance``), ``closest`` (not
#: within it: the median jumps over the log's -- office hours make it a step function of the
#: work -- or the other agencies' final work moved it; the nearest point found is kept),
#: ``flat`` (less work stopped shortening the median while it was still above the log's: the
#: regime's own delays -- intake, dispatch, a holiday, office hours -- set it, or the staff,
#: whole numbers sized for the work, shrank with it), ``floor``/``ceiling`` (no work in
#: :data:`MULTIPLIER_BOUNDS` reaches the log's median), ``not converged`` (``max_iterations``
#: ran out), ``no simulated median`` (fewer than half its simulated cases closed within the
#: run); in each the nearest point found is kept; ``pooled ...`` (not fitted)
STATUSES = ("fitted", "closest", "flat", "floor", "ceiling", "not converged",
            "no simulated median", "pooled (too few closed)", "pooled (no median in the log)")
#: the multipliers searched, relative to the assumed work
MULTIPLIER_BOUNDS = (1e-4, 1e3)
#: an agency's median is flat when less work changes its log by less than this much per
#: unit of the work's log (a hundredth of proportional)
FLAT = 0.01
#: how far (in the work's log) the kept point steps away from a jump of the median beside it
JUMP_MARGIN = 0.05


def _world_at(fit: Learnt, world: Mapping[str, Any], base: Mapping[str, float],
              multipliers: Mapping[str, float], leads: Mapping[str, str]) -> dict[str, Any]:
    """A copy of ``world`` with each category's work scaled by its lead's multiplier and the
    staff sized again for that work over the world's own days (except staff that were
    given)."""
    world = copy.deepcopy(dict(world))
    for name, entry in world["categories"].items():
        work = base[name] * multipliers.get(leads[name], 1.0)
        entry["work_hours"] = float(f"{min(max(work, 1e-3), 10_000.0):.6g}")
    d = fit.diagnostics
    a = d["assumptions"]
    loads = agency_loads(world["categories"], d["owner_shares"], world["start"],
                         world["horizon_days"])
    for agency, unit in world["units"].items():
        if agency in a["staff_given"]:
            continue
        hours = open_hours_per_day(unit.get("hours", "08:30-17:30"), a["office_hours_per_week"])
        unit["staff"] = size_staff(loads.get(agency, 0.0), hours, a["utilisation"])
    return world


def _medians(fit: Learnt, world: dict[str, Any], regime: Any, replications: int,
             seed: int, agencies: list[str]) -> dict[str, float]:
    d = fit.diagnostics
    data, name = regime_scenario(fit, world, regime)
    observed = observed_world(data, d["window"]["first_day"], d["window"]["end_day"], d["as_of"])
    times = simulated_times(observed, name, replications=replications, seed=seed)
    return quantiles_by_agency(times, 0.5, agencies)


def fit_work(fit: L, *, regime: str | Mapping[str, Any] = "as_logged",
             replications: int = 2, seed: int = 12345, min_closed: int = 20,
             tolerance: float = 0.05, max_iterations: int = 12) -> L:
    """Fit each agency's work per case to the log's median time to close.

    Parameters
    ----------
    fit : RequestFit
        The result of :func:`~govsim.data.requests.world_from_requests`.
    regime : str or mapping
        The regime the log was produced under: a name among ``fit.scenario()``'s regimes, or a
        regime table. Default ``"as_logged"``: a 311 centre that dispatches at once.
    replications, seed : int
        Replications of every evaluation and their root seed (the same for every evaluation).
    min_closed : int
        Agencies with at least this many closed requests are fitted; the others take the
        pooled multiplier.
    tolerance : float
        Stop when every fitted agency's simulated median is within this relative distance of
        the log's.
    max_iterations : int
        Simulations of the search at most (one more checks the result).

    Returns
    -------
    RequestFit
        A copy of ``fit`` whose world has the fitted work and staff; the estimates'
        ``work_hours`` rows say ``fitted``, ``diagnostics["work_fit"]`` holds the table
        (:data:`WORK_FIT_COLUMNS`) and ``diagnostics["assumptions"]["work"]`` how it was fitted.

    Raises
    ------
    GovsimError
        An argument out of range (at its name), an unknown regime (at ``regime``).
    """
    replications = check_number(replications, "replications", 1, 100, whole=True)
    seed = check_number(seed, "seed", 0, 2**63 - 1, whole=True)
    min_closed = check_number(min_closed, "min_closed", 5, 10**9, whole=True)
    tolerance = check_number(tolerance, "tolerance", 1e-4, 1.0)
    max_iterations = check_number(max_iterations, "max_iterations", 1, 100, whole=True)
    d = fit.diagnostics
    leads = lead_agencies(fit.world)
    base = {name: float(entry["work_hours"]) for name, entry in fit.world["categories"].items()}
    led = sorted(set(leads.values()))
    closed = {a: int(d["closed_by_agency"].get(a, 0)) for a in led}
    target = {a: float(d["km_median_by_agency"].get(a, math.nan)) for a in led}
    fitted = [a for a in led if closed[a] >= min_closed and math.isfinite(target[a])
              and target[a] > 0]
    if not fitted:
        raise GovsimError(f"no agency that leads a complaint type has {min_closed} closed "
                          f"requests and a median time to close in the log (the most: "
                          f"{max(closed.values(), default=0)}); lower min_closed, or keep the "
                          "assumed work", "min_closed")
    # the search runs on the log's own window (the world moved there, staff sized for it)
    window = moved_world(fit.world, d["window"]["first_day"])
    window["horizon_days"] = int(d["window"]["n_days"])

    def evaluate(points: Mapping[str, float]) -> dict[str, float]:
        multipliers = {a: math.exp(v) for a, v in points.items()}
        world = _world_at(fit, window, base, multipliers, leads)
        return _medians(fit, world, regime, replications, seed, led)

    search = _Search(fitted, target, math.log1p(tolerance))
    assumed = evaluate(search.log_m)
    current = assumed
    for _ in range(max_iterations):
        if not search.step(current):
            break
        current = evaluate(search.log_m)
    search.settle(current)

    weights = np.array([closed[a] for a in fitted], dtype=float)
    pooled = math.exp(float(np.average([search.log_m[a] for a in fitted], weights=weights)))
    multipliers = {a: (math.exp(search.log_m[a]) if a in search.log_m else pooled) for a in led}
    final = _medians(fit, _world_at(fit, window, base, multipliers, leads), regime,
                     replications, seed, led)
    status = search.verdict(final)
    world = _world_at(fit, fit.world, base, multipliers, leads)  # staff for the world's days
    work_share = d["assumptions"]["work_share"]
    rows = []
    for a in led:
        rows.append({
            "agency": a, "closed": closed[a], "km_median_days": target[a],
            "assumed_median_days": assumed.get(a, math.nan),
            "simulated_median_days": final.get(a, math.nan),
            "ratio": final.get(a, math.nan) / target[a] if target[a] > 0 else math.nan,
            "multiplier": multipliers[a], "work_share": work_share * multipliers[a],
            "staff": world["units"][a]["staff"],
            "status": status.get(a, "pooled (too few closed)" if closed[a] < min_closed
                                 else "pooled (no median in the log)")})
    table = pd.DataFrame(rows, columns=WORK_FIT_COLUMNS)
    return _fitted(fit, world, table, multipliers, leads, {
        "regime": regime if isinstance(regime, str) else dict(regime),
        "replications": replications, "seed": seed, "min_closed": min_closed,
        "tolerance": tolerance, "pooled_multiplier": pooled})


def _fitted(fit: L, world: dict[str, Any], table: pd.DataFrame,
            multipliers: Mapping[str, float], leads: Mapping[str, str],
            how: dict[str, Any]) -> L:
    est = fit.estimates.copy()
    rows = est["quantity"] == "work_hours"
    for k in np.flatnonzero(rows.to_numpy()):
        name = est.at[est.index[k], "category"]
        m = multipliers.get(leads.get(name, ""), 1.0)
        for col in ("estimate", "se", "ci_low", "ci_high"):
            est.at[est.index[k], col] = float(est.at[est.index[k], col]) * m
        est.at[est.index[k], "estimate"] = world["categories"][name]["work_hours"]
        est.at[est.index[k], "level"] = "fitted: simulated median time to close = the log's"
    diagnostics = dict(fit.diagnostics)
    diagnostics["work_fit"] = table
    diagnostics["assumptions"] = {**fit.diagnostics["assumptions"], "work": {"fitted": True, **how}}
    notes = list(fit.notes)
    for row in table.itertuples():
        if row.status in ("flat", "floor", "ceiling", "not converged", "no simulated median"):
            notes.append(f"agency {row.agency!r}: work fit {row.status} (simulated median "
                         f"{row.simulated_median_days:.3g} days, the log's {row.km_median_days:.3g})")
    return dataclasses.replace(fit, world=world, estimates=est, diagnostics=diagnostics,
                               notes=notes)


class _Search:
    """The per-agency search for the log work multiplier that matches each log median: the
    points tried and their misses (log simulated / log's median), the bracket they found and
    each agency's state (see :data:`STATUSES`)."""

    def __init__(self, agencies: list[str], target: Mapping[str, float], tol: float) -> None:
        self.agencies, self.target, self.tol = agencies, target, tol
        self.low, self.high = (math.log(b) for b in MULTIPLIER_BOUNDS)
        self.log_m = {a: 0.0 for a in agencies}
        self.bracket = {a: [self.low, self.high] for a in agencies}
        self.history: dict[str, list[tuple[float, float]]] = {a: [] for a in agencies}
        self.status = {a: "not converged" for a in agencies}

    def miss(self, a: str, sim: float) -> float:
        return math.log(sim / self.target[a]) if math.isfinite(sim) and sim > 0 else math.inf

    def step(self, medians: Mapping[str, float]) -> bool:
        """Record the medians at the current points and move every agency still searching;
        ``False`` when none moves."""
        moving = False
        for a in self.agencies:
            if self.status[a] != "not converged":
                continue
            miss = self.miss(a, medians[a])
            x = self.log_m[a]
            self.history[a].append((x, miss))
            if abs(miss) <= self.tol:
                self.status[a] = "fitted"
                continue
            lo, hi = self.bracket[a]
            lo, hi = (lo, min(hi, x)) if miss > 0 else (max(lo, x), hi)
            self.bracket[a] = [lo, hi]
            bracketed = lo > self.low and hi < self.high
            if hi - lo < 1e-3:  # closed on a jump of the median (office hours)
                self.status[a] = "closest"
                continue
            if miss > 0 and x <= self.low + 1e-12:
                self.status[a] = "floor"
                continue
            if miss < 0 and x >= self.high - 1e-12:
                self.status[a] = "ceiling"
                continue
            slope = 1.0
            points = self.history[a]
            if len(points) >= 2 and math.isfinite(points[-2][1]) and math.isfinite(miss):
                (x0, y0), (x1, y1) = points[-2], points[-1]
                if x1 != x0:
                    raw = (y1 - y0) / (x1 - x0)
                    if miss > 0 and x1 < x0 and raw < FLAT and len(points) >= 3 \
                            and not bracketed:
                        # less work no longer shortens it, and no point below the log's median
                        # is known: the regime's own delays, or fewer staff, set the median
                        self.status[a] = "flat"
                        continue
                    slope = min(max(raw, 0.2), 2.0)
            proposal = x - miss / slope if math.isfinite(miss) else x - 3.0
            if not lo < proposal < hi or (bracketed and not math.isfinite(miss)):
                proposal = 0.5 * (lo + hi) if bracketed else min(max(proposal, self.low),
                                                                 self.high)
            self.log_m[a] = proposal
            moving = True
        return moving

    def settle(self, medians: Mapping[str, float]) -> None:
        """Count the last medians and keep each agency's best point; a best point outside the
        tolerance beside a jump of the median (a point on the other side close by) steps a
        little away from the jump, which moves as the other agencies' work changes."""
        for a in self.agencies:
            if self.status[a] == "not converged":
                self.history[a].append((self.log_m[a], self.miss(a, medians[a])))
            best_x, best_y = min(self.history[a], key=lambda point: abs(point[1]))
            if math.isfinite(best_y) and abs(best_y) > self.tol:
                across = [x for x, y in self.history[a] if abs(x - best_x) < 0.1
                          and y * best_y < 0]
                if across:
                    best_x += math.copysign(JUMP_MARGIN, best_x - across[0])
                    if self.status[a] == "not converged":
                        self.status[a] = "closest"
            self.log_m[a] = best_x

    def verdict(self, medians: Mapping[str, float]) -> dict[str, str]:
        """Each agency's status after the final run (the agencies' work interacts: a case
        dispatched to a wrong unit first waits in that unit's queue)."""
        out = {}
        for a in self.agencies:
            miss = self.miss(a, medians[a])
            if not math.isfinite(medians[a]):
                out[a] = "no simulated median"
            elif abs(miss) <= self.tol:
                out[a] = "fitted"
            elif self.status[a] in ("fitted", "not converged"):
                out[a] = "closest" if self.status[a] == "fitted" else "not converged"
            else:
                out[a] = self.status[a]
        return out

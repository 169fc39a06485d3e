"""One replication of one regime over one year of the district scenario, recorded both ways.

For each regime, in this process: a bare SimPy M/M/10 script of 200,000 cases (the
yardstick), then the district year with every table (``recording="tables"``: simulate, then
build the tables) and with its metrics only (``recording="metrics"``: simulate, then the
metrics, ``daily`` and cohorts, as every study that keeps no table runs it), interleaved,
``--repeats`` times; medians reported as ratios to the yardstick's median (issue 23's goal: at
most 2.5). Each recording's peak memory is measured in a process of its own (goals: 300 MiB
with every table, 150 MiB with metrics only).

    .venv/bin/python benchmarks/bench_district_year.py --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from _common import peak_of, save
from bench_mmc import bare_simpy

from govsim.experiment.replication import run_replication
from govsim.model import build_calendar, draw_world, simulate
from govsim.recording import tables
from govsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO, GOAL_TABLES_MIB, GOAL_METRICS_MIB = 2.5, 300, 150


def _alone_peak(scenario: str, regime: str, recording: str) -> float:
    if recording == "tables":
        run = f"tables(simulate(s, {regime!r}, seed=0, replication=0), release=True)"
    else:
        run = (f"run_replication(s, ({regime!r},), 0, 0, record_events=False, "
               f"recording='metrics')")
    return peak_of("from govsim.model import simulate\nfrom govsim.recording import tables\n"
                   "from govsim.experiment.replication import run_replication\n"
                   "from govsim.scenario import load_scenario\n"
                   f"s = load_scenario({scenario!r})\n{run}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "district.toml"))
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--regimes", default="fragmented,consolidated",
                   help="comma-separated regimes (default: the district's two presets)")
    args = p.parse_args()
    s = load_scenario(args.scenario)
    regimes = s.check_regimes(args.regimes.split(","))
    # first, while this process is small: each peak in a process of its own
    peaks = {(regime, rec): _alone_peak(args.scenario, regime, rec)
             for regime in regimes for rec in ("tables", "metrics")}
    out: dict[str, dict[str, object]] = {}
    for regime in regimes:
        bare: list[float] = []
        times: dict[str, list[float]] = {"tables": [], "metrics": []}
        for k in range(args.repeats):
            t = time.perf_counter()
            bare_simpy(200_000, seed=k)  # the yardstick, in this process: bare SimPy M/M/10
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            tb = tables(simulate(s, regime, seed=k, replication=0, calendar=build_calendar(s),
                                 draws=draw_world(s, k, 0)), release=True)
            times["tables"].append(time.perf_counter() - t)
            t = time.perf_counter()
            run_replication(s, (regime,), k, 0, record_events=False, recording="metrics")
            times["metrics"].append(time.perf_counter() - t)
        yard = statistics.median(bare)
        row: dict[str, object] = {"horizon_days": s.world.horizon_days, "cases": len(tb.cases),
                                  "events": len(tb.events), "bare_mmc_s": bare}
        for rec, ts in times.items():
            ratio = statistics.median(ts) / yard
            row[rec] = {"seconds": ts, "median_s": statistics.median(ts),
                        "ratio_to_bare_mmc": ratio, "alone_peak_mib": peaks[regime, rec]}
            goal = GOAL_TABLES_MIB if rec == "tables" else GOAL_METRICS_MIB
            print(f"{regime:14s} {rec:8s} {len(tb.cases):,} cases: {statistics.median(ts):.1f} s"
                  f" = {ratio:.2f} x a bare SimPy M/M/10 of 200,000 cases (goal <= {GOAL_RATIO});"
                  f" peak {peaks[regime, rec]:.0f} MiB alone (goal <= {goal})")
        out[regime] = row
    save("bench_district_year", out)


if __name__ == "__main__":
    main()

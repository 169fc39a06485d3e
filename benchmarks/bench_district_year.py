"""One replication of one regime over one year of the district scenario (target: < 60 s).

Times the simulation and the building of its tables (cases, events, units, ledger), in this
process, for each regime; ``--repeats`` runs per regime, median reported.

    .venv/bin/python benchmarks/bench_district_year.py
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from _common import save

from govsim.model import build_calendar, draw_world, simulate
from govsim.recording import tables
from govsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "district.toml"))
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--regimes", default="fragmented,consolidated",
                   help="comma-separated regimes (default: the district's two presets)")
    args = p.parse_args()
    s = load_scenario(args.scenario)
    out: dict[str, dict[str, object]] = {}
    for regime in s.check_regimes(args.regimes.split(",")):
        times = []
        for k in range(args.repeats):
            t = time.perf_counter()
            raw = simulate(s, regime, seed=k, replication=0, calendar=build_calendar(s),
                           draws=draw_world(s, k, 0))
            t_sim = time.perf_counter() - t
            tb = tables(raw)
            times.append(time.perf_counter() - t)
        out[regime] = {"horizon_days": s.world.horizon_days, "cases": len(tb.cases),
                       "events": len(tb.events), "seconds": times,
                       "median_s": statistics.median(times), "last_sim_only_s": t_sim}
        print(f"{regime:14s} {len(tb.cases):,} cases, {len(tb.events):,} events: "
              f"{statistics.median(times):.1f} s (target < 60 s)")
    save("bench_district_year", out)


if __name__ == "__main__":
    main()

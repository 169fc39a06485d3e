"""One replication of one regime over one year of the district scenario.

Times the simulation and the building of its tables (cases, events, units, ledger), in this
process, for each regime, beside a bare SimPy M/M/10 script of 200,000 cases timed in the same
process (issue 12's goal: at most 5 times as long); ``--repeats`` runs per regime, medians
reported. Each regime's peak memory is measured in a process of its own (goal: 400 MiB).

    .venv/bin/python benchmarks/bench_district_year.py
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from _common import peak_of, save
from bench_mmc import bare_simpy

from govsim.model import build_calendar, draw_world, simulate
from govsim.recording import tables
from govsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def _alone_peak(scenario: str, regime: str) -> float:
    return peak_of("from govsim.model import simulate\nfrom govsim.recording import tables\n"
                   "from govsim.scenario import load_scenario\n"
                   f"s = load_scenario({scenario!r})\n"
                   f"tables(simulate(s, {regime!r}, seed=0, replication=0), release=True)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "district.toml"))
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--regimes", default="fragmented,consolidated",
                   help="comma-separated regimes (default: the district's two presets)")
    args = p.parse_args()
    s = load_scenario(args.scenario)
    regimes = s.check_regimes(args.regimes.split(","))
    # first, while this process is small: each regime's peak in a process of its own
    peaks = {regime: _alone_peak(args.scenario, regime) for regime in regimes}
    out: dict[str, dict[str, object]] = {}
    for regime in regimes:
        times, bare = [], []
        for k in range(args.repeats):
            t = time.perf_counter()
            bare_simpy(200_000, seed=k)  # the yardstick, in this process: bare SimPy M/M/10
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            raw = simulate(s, regime, seed=k, replication=0, calendar=build_calendar(s),
                           draws=draw_world(s, k, 0))
            t_sim = time.perf_counter() - t
            tb = tables(raw, release=True)
            times.append(time.perf_counter() - t)
        ratio = statistics.median(times) / statistics.median(bare)
        out[regime] = {"horizon_days": s.world.horizon_days, "cases": len(tb.cases),
                       "events": len(tb.events), "seconds": times,
                       "median_s": statistics.median(times), "last_sim_only_s": t_sim,
                       "bare_mmc_s": bare, "ratio_to_bare_mmc": ratio,
                       "alone_peak_mib": peaks[regime]}
        print(f"{regime:14s} {len(tb.cases):,} cases, {len(tb.events):,} events: "
              f"{statistics.median(times):.1f} s = {ratio:.1f} x a bare SimPy M/M/10 of 200,000 "
              f"cases (goal <= 5); peak {peaks[regime]:.0f} MiB alone (goal <= 400)")
    save("bench_district_year", out)


if __name__ == "__main__":
    main()

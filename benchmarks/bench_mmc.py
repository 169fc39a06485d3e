"""govsim as an M/M/c queue beside a minimal hand-written SimPy script of the same queue.

Arrivals 9 per hour, 10 staff, exponential work with a mean of 1 hour, open 24 hours, about
200,000 cases. Both run in this one process, alternating, ``--repeats`` times; the figure is the
ratio of median wall times (govsim includes building its case table and event log).

    .venv/bin/python benchmarks/bench_mmc.py            # goal (issue 12): ratio <= 1.5
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import time

import simpy
from _common import peak_of, save

import govsim
from govsim.scenario import mmc_scenario

LAMBDA, C, MEAN_WORK = 9.0, 10, 1.0


def bare_simpy(n_cases: int, seed: int) -> float:
    """The same queue in plain SimPy; returns the mean wait (hours)."""
    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=C)
    waits: list[float] = []

    def customer():
        arrived = env.now
        with desk.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1.0 / MEAN_WORK))

    def source():
        for _ in range(n_cases):
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(customer())

    env.process(source())
    env.run()
    return sum(waits) / len(waits)


def _alone_peak(n_cases: int) -> float:
    """Peak memory (MiB) of a fresh process that only runs govsim on the queue (the timing
    process's peak also holds what the bare SimPy runs left in the allocator)."""
    return peak_of("import govsim\nfrom govsim.scenario import mmc_scenario\n"
                   f"s = mmc_scenario({LAMBDA}, {C}, {MEAN_WORK}, "
                   f"horizon_days={round(n_cases / (LAMBDA * 24))})\n"
                   "govsim.run(s, replications=1, seed=0, jobs=1, record_events=True)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=200_000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    days = round(args.cases / (LAMBDA * 24))
    scenario = mmc_scenario(LAMBDA, C, MEAN_WORK, horizon_days=days)
    # first, while this process is small: a child's peak counts what it shared at the fork
    alone_peak = _alone_peak(args.cases)
    bare_t, gov_t = [], []
    for k in range(args.repeats):
        t = time.perf_counter()
        bare_simpy(args.cases, seed=k)
        bare_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        res = govsim.run(scenario, replications=1, seed=k, jobs=1, record_events=True)
        gov_t.append(time.perf_counter() - t)
        n_cases, n_events = len(res.cases), len(res.events)
        del res  # the peak below is then one run's, not two runs' at once
    ratio = statistics.median(gov_t) / statistics.median(bare_t)
    out = {
        "cases_govsim": n_cases, "events_govsim": n_events, "cases_bare": args.cases,
        "bare_s": bare_t, "govsim_s": gov_t,
        "bare_median_s": statistics.median(bare_t), "govsim_median_s": statistics.median(gov_t),
        "ratio": ratio, "target": 1.5, "peak_goal_mib": 250,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "govsim_alone_peak_mib": alone_peak,
    }
    print(json.dumps(out, indent=2))
    print(f"M/M/{C}: govsim {statistics.median(gov_t):.2f} s vs bare SimPy "
          f"{statistics.median(bare_t):.2f} s -> ratio {ratio:.2f} (goal <= 1.5); "
          f"peak {out['peak_mib']:.0f} MiB for this process, "
          f"{out['govsim_alone_peak_mib']:.0f} MiB for a process running govsim alone (goal <= 250)")
    save("bench_mmc", out)


if __name__ == "__main__":
    main()

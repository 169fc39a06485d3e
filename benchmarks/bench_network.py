"""An open network of referrals beside a bare SimPy script of the same network.

The product-form network of ``tests/test_theory.py``, scaled up: every case is filed at a desk
A that does not own it (exponential intake), which refers it to the owner B; B takes it in
(exponential intake) and then does the fix (exponential work), queueing for a staff member each
time. 9 cases an hour, 12 staff at A and 24 at B (load 0.75 at both), about 200,000 cases. Both
run in this process, alternating, ``--repeats`` times; the figure is the ratio of median wall
times (govsim builds its case table; no event log). Goal (issue 12): ratio <= 1.5.

    .venv/bin/python benchmarks/bench_network.py --repeats 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time

import simpy
from _common import peak_of, save

import govsim

LAMBDA, MU, C_A, C_B = 9.0, 1.0, 12, 24


def scenario_data(n_cases: int) -> dict[str, object]:
    return {
        "name": "network",
        "world": {
            "start": dt.date(2025, 3, 3), "horizon_days": round(n_cases / (LAMBDA * 24)),
            "calendar": {"country": "none"},
            "citizens": {"give_up_prob": 0.0, "escalate_prob": 0.0, "knows_owner_prob": 0.0},
            "units": {"a": {"kind": "bureau", "staff": C_A, "hours": "24h"},
                      "b": {"kind": "bureau", "staff": C_B, "hours": "24h"}},
            "categories": {"job": {"rate_per_day": LAMBDA * 24, "owners": ["b"],
                                   "work_hours": 1.0 / MU}},
        },
        "regimes": {"net": {"kind": "fragmented", "intake_hours": 1.0 / MU, "intake_cv": 1.0,
                            "channels": [{"name": "desk a", "unit": "a"}],
                            "deflection": {"refer_prob": 1.0, "referral_lost_prob": 0.0}}},
    }


def bare_simpy(n_cases: int, seed: int) -> float:
    """The same network in plain SimPy; returns the mean time in system (hours)."""
    rng = random.Random(seed)
    env = simpy.Environment()
    a = simpy.Resource(env, capacity=C_A)
    b = simpy.Resource(env, capacity=C_B)
    times: list[float] = []

    def visit(desk: simpy.Resource):
        with desk.request() as req:
            yield req
            yield env.timeout(rng.expovariate(MU))

    def case():
        arrived = env.now
        yield from visit(a)
        yield from visit(b)
        yield from visit(b)
        times.append(env.now - arrived)

    def source():
        for _ in range(n_cases):
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(case())

    env.process(source())
    env.run()
    return sum(times) / len(times)


def _alone_peak(n_cases: int) -> float:
    """Peak memory (MiB) of a fresh process that only runs govsim on the network."""
    return peak_of("import govsim\nfrom bench_network import scenario_data\n"
                   f"govsim.run(scenario_data({n_cases}), replications=1, seed=0, jobs=1, "
                   "record_events=False)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=200_000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    alone_peak = _alone_peak(args.cases)  # first, while this process is small
    data = scenario_data(args.cases)
    bare_t, gov_t = [], []
    for k in range(args.repeats):
        t = time.perf_counter()
        bare_simpy(args.cases, seed=k)
        bare_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        res = govsim.run(data, replications=1, seed=k, jobs=1, record_events=False)
        gov_t.append(time.perf_counter() - t)
        n_cases = len(res.cases)
        del res
    ratio = statistics.median(gov_t) / statistics.median(bare_t)
    out = {"cases_govsim": n_cases, "cases_bare": args.cases, "bare_s": bare_t, "govsim_s": gov_t,
           "ratio": ratio, "target": 1.5, "govsim_alone_peak_mib": alone_peak}
    print(json.dumps(out, indent=2))
    print(f"network: govsim {statistics.median(gov_t):.2f} s vs bare SimPy "
          f"{statistics.median(bare_t):.2f} s -> ratio {ratio:.2f} (goal <= 1.5); "
          f"{alone_peak:.0f} MiB for a process running govsim alone")
    save("bench_network", out)


if __name__ == "__main__":
    main()

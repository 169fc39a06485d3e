"""Is the cost linear in cases? The M/M/10 queue from 50,000 to 400,000 cases.

For each size, one govsim run (case table and event log built) in a fresh process, timed
there, with that process's peak memory; the report gives the time and memory per case and each
size's time per case relative to the smallest size's. Goal (issue 12): within +-15%.

    .venv/bin/python benchmarks/bench_scaling.py --sizes 50000,100000,200000,400000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from _common import save

_RUN = """
import json, resource, time, govsim
from govsim.scenario import mmc_scenario
n = {n}
s = mmc_scenario(9.0, 10, 1.0, horizon_days=round(n / (9.0 * 24)))
t = time.perf_counter()
res = govsim.run(s, replications=1, seed=0, jobs=1, record_events=True)
wall = time.perf_counter() - t
print(json.dumps({{"cases": len(res.cases), "seconds": wall,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="50000,100000,200000,400000")
    args = p.parse_args()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        # run from this directory: '' on the path must not pick up a checkout's govsim/
        out = subprocess.run([sys.executable, "-c", _RUN.format(n=n)], check=True,
                             capture_output=True, text=True, cwd=Path(__file__).parent)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    base = rows[0]["seconds"] / rows[0]["cases"]
    for r in rows:
        r["us_per_case"] = 1e6 * r["seconds"] / r["cases"]
        r["relative_time_per_case"] = r["seconds"] / r["cases"] / base
        r["kib_per_case"] = r["peak_mib"] * 1024 / r["cases"]
    print(json.dumps(rows, indent=2))
    for r in rows:
        print(f"{r['cases']:>8,} cases: {r['seconds']:6.2f} s, {r['us_per_case']:5.1f} us/case "
              f"({r['relative_time_per_case']:.2f} x the smallest), peak {r['peak_mib']:.0f} MiB "
              f"({r['kib_per_case']:.2f} KiB/case)")
    save("bench_scaling", rows)


if __name__ == "__main__":
    main()

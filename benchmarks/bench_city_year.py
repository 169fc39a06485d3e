"""A three-million-case year in one process, metrics only, beside the district year.

``benchmarks/city_3m.toml`` is the district with every rate, staff and call-taker x20
(``benchmarks/make_city.py``): about 3.04 million cases a year. For each regime, one
replication of the city's year and one of the district's are run with ``recording="metrics"``
(as a study that keeps no table runs them), each in a process of its own, alternately,
``--repeats`` times; the report gives each one's peak memory (issue 23's goal for the city: at
most 1 GiB) and its seconds per case (goal: the city's within 15 % of the district's).

    .venv/bin/python benchmarks/bench_city_year.py --regimes consolidated
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from _common import save

HERE = Path(__file__).resolve().parent
SCENARIOS = {"district": str(HERE.parent / "scenarios" / "district.toml"),
             "city_3m": str(HERE / "city_3m.toml")}
GOAL_MIB, GOAL_PER_CASE = 1024, 1.15

_RUN = """
import json, resource, sys, time
from govsim.experiment.replication import run_replication
from govsim.scenario import load_scenario
s = load_scenario(sys.argv[1])
t = time.perf_counter()
out = run_replication(s, (sys.argv[2],), 0, 0, record_events=False, recording="metrics")
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "cases": out.metrics[0]["cases"],
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _one(scenario: str, regime: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _RUN, SCENARIOS[scenario], regime], check=True,
                          capture_output=True, text=True, cwd=HERE)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--regimes", default="fragmented,consolidated")
    p.add_argument("--repeats", type=int, default=1)
    args = p.parse_args()
    out: dict[str, object] = {}
    for regime in args.regimes.split(","):
        runs: dict[str, list[dict[str, float]]] = {"district": [], "city_3m": []}
        for _ in range(args.repeats):
            for name in runs:
                runs[name].append(_one(name, regime))
        row: dict[str, object] = {}
        for name, rs in runs.items():
            per_case = statistics.median(r["seconds"] / r["cases"] for r in rs)
            row[name] = {"cases": rs[0]["cases"], "seconds": [r["seconds"] for r in rs],
                         "us_per_case": per_case * 1e6,
                         "peak_mib": max(r["peak_mib"] for r in rs)}
        city, district = row["city_3m"], row["district"]
        ratio = city["us_per_case"] / district["us_per_case"]  # type: ignore[index]
        row["per_case_ratio"] = ratio
        out[regime] = row
        print(f"{regime}: city {city['cases']:,.0f} cases, "  # type: ignore[index]
              f"{city['us_per_case']:.1f} us a case, peak {city['peak_mib']:.0f} MiB "  # type: ignore[index]
              f"(goal <= {GOAL_MIB}); district {district['us_per_case']:.1f} us a case, "  # type: ignore[index]
              f"peak {district['peak_mib']:.0f} MiB; per-case ratio {ratio:.2f} "  # type: ignore[index]
              f"(goal <= {GOAL_PER_CASE})")
    save("bench_city_year", out)


if __name__ == "__main__":
    main()

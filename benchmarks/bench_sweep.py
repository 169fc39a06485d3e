"""A sweep on two cores against the same sweep in one process.

2 regimes × 3 design points (the 12345 centre's dispatch accuracy 0.80 / 0.92 / 0.98) × 10
replications of the district scenario cut to a 60-day horizon: 30 tasks, each running both
regimes on one replication's world. The sweep runs once with ``executor="serial"`` and once with
``executor="local"`` (a process pool of ``--jobs`` workers), alternating, ``--repeats`` times;
the figure is the ratio of median wall times (serial / local). Both write their results
directories, and the script checks that the files are byte-identical.

    .venv/bin/python benchmarks/bench_sweep.py              # target: speed-up >= 1.7 on 2 cores
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import govsim

ROOT = Path(__file__).resolve().parents[1]


def experiment(replications: int) -> govsim.Experiment:
    return govsim.Experiment(
        ROOT / "scenarios" / "district.toml",
        factors={"regimes.consolidated.accuracy": [0.80, 0.92, 0.98]},
        regimes=["fragmented", "consolidated"],
        replications=replications, seed=2026, horizon_days=60,
    )


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "log.txt"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    exp = experiment(args.replications)
    times: dict[str, list[float]] = {"serial": [], "local": []}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            for name in ("serial", "local"):
                out = Path(tmp) / f"{name}{k}"
                t0 = time.perf_counter()
                govsim.sweep(exp, out, executor=name, jobs=args.jobs)
                times[name].append(time.perf_counter() - t0)
                print(f"{name:>6} run {k + 1}: {times[name][-1]:.1f} s", flush=True)
        same = all(digests(Path(tmp) / f"serial{k}") == digests(Path(tmp) / f"local{k}")
                   for k in range(args.repeats))
    serial, local = statistics.median(times["serial"]), statistics.median(times["local"])
    print(json.dumps({
        "benchmark": "sweep 2 regimes x 3 points x "
                     f"{args.replications} replications, district, 60 days",
        "cpus": os.cpu_count(), "jobs": args.jobs, "repeats": args.repeats,
        "serial_s": round(serial, 1), "local_s": round(local, 1),
        "speedup": round(serial / local, 2), "identical_files": same,
    }))


if __name__ == "__main__":
    main()

"""Is this tree slower than an earlier revision? The same workloads, both codes, one machine.

The earlier revision is checked out into a temporary git worktree. Each round runs, for each of
the two codes in turn (alternating, so a noisy machine hurts both alike), one subprocess that
times in one process:

- a bare SimPy M/M/10 script (the yardstick; the same script for both codes);
- govsim on the M/M/10 scenario (about 50,000 cases, tables and event log built);
- one replication of each named regime of a scenario file (read from the *earlier* revision,
  so both codes run the very same file), tables built.

Each govsim time is divided by the bare SimPy time of the same process; the report gives, per
workload, the median of those ratios for each code and their quotient (new / old). A quotient
of 1.10 would be a 10% slowdown.

    .venv/bin/python benchmarks/compare_revisions.py 4bd2086 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# runs inside the subprocess, with PYTHONPATH set to one tree
_PROBE = r"""
import json, sys, time
from bench_mmc import bare_simpy  # the yardstick: this directory is first on the path
from govsim.model import build_calendar, draw_world, simulate
from govsim.recording import tables
from govsim.scenario import load_scenario, mmc_scenario, with_values
import govsim

LAMBDA = 9.0
cases, scenario_path, horizon, regimes = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")

out = {}
t = time.perf_counter(); bare_simpy(cases, 0); out["bare_s"] = time.perf_counter() - t
s = mmc_scenario(LAMBDA, 10, 1.0, horizon_days=round(cases / (LAMBDA * 24)))
t = time.perf_counter(); govsim.run(s, replications=1, seed=0, jobs=1); out["mmc_s"] = time.perf_counter() - t
d = with_values(load_scenario(scenario_path), {"world.horizon_days": horizon})
cal = build_calendar(d)
for r in regimes:
    t = time.perf_counter()
    tables(simulate(d, r, seed=0, replication=0, calendar=cal, draws=draw_world(d, 0, 0)))
    out[r + "_s"] = time.perf_counter() - t
print(json.dumps(out))
"""


def _probe(tree: Path, cases: int, scenario: Path, horizon: int, regimes: str) -> dict[str, float]:
    # run from the benchmarks directory: with ``-c`` the working directory comes first on the
    # path, and a checkout's govsim/ there would shadow the tree under test
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(cases), str(scenario), str(horizon),
                           regimes], env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=True, cwd=Path(__file__).parent)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base", help="the earlier revision (any git revision name)")
    p.add_argument("--new", default=None,
                   help="the later revision (default: this working tree)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cases", type=int, default=50_000, help="M/M/10 cases (default 50,000)")
    p.add_argument("--scenario", default="scenarios/district.toml",
                   help="scenario path inside the earlier revision")
    p.add_argument("--horizon-days", type=int, default=120)
    p.add_argument("--regimes", default="fragmented,consolidated")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="govsim-base-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base),
                        args.base], check=True, capture_output=True)
        new = ROOT
        if args.new is not None:
            new = Path(tmp) / "new"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(new),
                            args.new], check=True, capture_output=True)
        try:
            scenario = base / args.scenario
            trees = {"old": base, "new": new}
            runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
            for k in range(args.rounds):
                for name in (("old", "new") if k % 2 == 0 else ("new", "old")):
                    runs[name].append(_probe(trees[name], args.cases, scenario,
                                             args.horizon_days, args.regimes))
                    print(f"round {k + 1} {name}: {runs[name][-1]}", file=sys.stderr)
        finally:
            for tree in {base, new} - {ROOT}:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(tree)], check=False, capture_output=True)
    report = {}
    for key in [k for k in runs["old"][0] if k != "bare_s"]:
        ratio = {name: statistics.median(r[key] / r["bare_s"] for r in runs[name])
                 for name in runs}
        report[key.removesuffix("_s")] = {"old_ratio": ratio["old"], "new_ratio": ratio["new"],
                                          "new_over_old": ratio["new"] / ratio["old"]}
    print(json.dumps({"base": args.base, "new": args.new or "working tree", "rounds": args.rounds,
                      "workloads": report}, indent=2))
    for key, r in report.items():
        print(f"{key:14s} govsim / bare SimPy: old {r['old_ratio']:.2f}, new {r['new_ratio']:.2f}"
              f" -> new/old {r['new_over_old']:.3f}")


if __name__ == "__main__":
    main()

"""``govsim sweep EXPERIMENT``: regimes × design points × replications, one Parquet file per
point and replication, resumable.

Layer: interfaces.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govsim.cli.flags import executor_flags, int_at_least, memory_flag, seed_flag
from govsim.errors import GovsimError
from govsim.measure.metrics import METRICS

__all__ = ["add_parser", "run", "DEFAULT_SWEEP_METRICS"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    w = sub.add_parser("sweep", help="run an experiment: regimes x design points x replications, "
                       "one Parquet file per point and replication")
    w.add_argument("experiment", metavar="EXPERIMENT", help="experiment TOML file")
    w.add_argument("--out", metavar="DIR", default=None,
                   help="results directory (default: results/<experiment file name>)")
    executor_flags(w, "local")
    memory_flag(w)
    w.add_argument("--jobs", "-j", type=int_at_least("--jobs", 1), default=None,
                   help="worker processes for local or a LocalCluster (default: one per core)")
    w.add_argument("--resume", action="store_true",
                   help="complete the sweep already in --out (skip what is on disk)")
    w.add_argument("--replications", "-n", type=int_at_least("--replications", 1), default=None,
                   help="override the experiment's replications")
    seed_flag(w, default=None, help="override the experiment's seed")
    w.add_argument("--metrics", default=None,
                   help="comma-separated metrics to print (default: resolution_days_median,"
                   "street_office_shifted_cost_yuan)")

    return w


DEFAULT_SWEEP_METRICS = ("resolution_days_median", "street_office_shifted_cost_yuan")


def run(args: argparse.Namespace) -> int:
    from govsim.experiment import Experiment, check_directory, sweep
    from govsim.report.text import sweep_table

    path = Path(args.experiment)
    names = list(DEFAULT_SWEEP_METRICS)
    if args.metrics is not None:
        names = [m.strip() for m in args.metrics.split(",") if m.strip()]
        for m in names:
            if m not in METRICS:
                raise GovsimError(f"unknown metric {m!r}", "metrics")
    # every check before anything runs
    exp = Experiment.from_toml(path, replications=args.replications, seed=args.seed)
    out = Path(args.out) if args.out is not None else Path("results") / path.stem
    check_directory(exp, out, args.resume)
    print(f"govsim sweep: {len(exp.points)} design points x {len(exp.regimes)} regimes x "
          f"{exp.replications} replications into {out}/", file=sys.stderr)
    res = sweep(exp, out, executor=args.executor or "local", jobs=args.jobs, scheduler=args.scheduler,
                resume=args.resume, progress=True, memory_budget=args.memory_budget)
    if len(res.metrics):
        for m in names:
            print(sweep_table(res, m))
            print()
    if len(res.failures):
        print(f"govsim sweep: {len(res.failures)} replications failed; their tracebacks are in "
              f"{out}/failures/ (run again with --resume)", file=sys.stderr)
        return 1
    print(f"results in {out}/ (govsim.load_sweep({str(out)!r}))", file=sys.stderr)
    return 0

"""``govsim robustness``: does a comparison's conclusion hold across horizons, funding and
assumptions?

Layer: interfaces. Prints, for each metric, the paired difference B − A at each horizon (B's
funding as written and as its preset sets it) and where its sign holds across a Latin hypercube
over the scenario's ``[assumptions]`` (or ``--json``); ``--out DIR`` also writes every table as
CSV and the JSON.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from govsim.atomic import frame_writer, text_writer
from govsim.cli.flags import (
    executor_flags,
    int_at_least,
    jobs_flag,
    memory_flag,
    names_list,
    run_then_write,
    scenario_arg,
    seed_flag,
)

__all__ = ["add_parser", "run"]


def _horizons(text: str) -> list[int]:
    """``--horizons 90,365,730``: whole numbers of days >= 1."""
    out = []
    for part in text.split(","):
        if part.strip():
            out.append(int_at_least("--horizons", 1)(part.strip()))
    if not out:
        raise argparse.ArgumentTypeError("--horizons must name at least one number of days")
    return out


def add_parser(sub: Any) -> argparse.ArgumentParser:
    r = sub.add_parser("robustness", help="does a comparison's sign hold across horizons, "
                       "funding and the scenario's assumptions?")
    scenario_arg(r)
    r.add_argument("--from", dest="source", required=True, metavar="REGIME",
                   help="the regime the difference is measured from (A)")
    r.add_argument("--to", dest="target", required=True, metavar="REGIME",
                   help="the regime the difference is measured to (B)")
    r.add_argument("--metrics", default=None,
                   help="comma-separated metrics (default: resolution_days_median, "
                   "resolved_share and the street office's cost metrics)")
    r.add_argument("--horizons", type=_horizons, default=None, metavar="DAYS,DAYS",
                   help="comma-separated horizons in days (default 90,365,730); each must lie "
                   "within the scenario's calendar data")
    r.add_argument("--points", type=int_at_least("--points", 0), default=32,
                   help="points of the Latin hypercube over the scenario's [assumptions] "
                   "(default 32; 0: skip it; partial rank correlations need assumptions + 3)")
    r.add_argument("--replications", "-n", type=int_at_least("--replications", 2), default=10,
                   help="replications of every run (default 10)")
    seed_flag(r)
    jobs_flag(r)
    executor_flags(r, "local, or serial with -j 1")
    memory_flag(r)
    r.add_argument("--out", metavar="DIR", default=None,
                   help="write horizons.csv, holds.csv, prcc.csv, points.csv, design.csv, "
                   "runs.csv and robustness.json here")
    r.add_argument("--lang", choices=("en", "keys"), default="en",
                   help="en (default: regimes and metrics in words) or keys (by their keys); "
                   "the table is in English only")
    r.add_argument("--json", action="store_true",
                   help="print the study as JSON instead of the table")
    return r


def run(args: argparse.Namespace) -> int:
    from govsim.experiment.executors import check_executor
    from govsim.experiment.robustness import DEFAULT_HORIZONS, execute, plan
    from govsim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    metrics = names_list(args.metrics)
    check_executor(args.executor or "local", args.scheduler)
    # every check, and every scenario to run, before the directory is touched
    p = plan(scenario, args.source, args.target, metrics=metrics,
             horizons=args.horizons or DEFAULT_HORIZONS, points=args.points,
             replications=args.replications, seed=args.seed, memory_budget=args.memory_budget)
    res = run_then_write(
        "govsim robustness", args.out, len(p.tasks),
        lambda progress: execute(p, jobs=args.jobs, progress=progress, executor=args.executor,
                                 scheduler=args.scheduler),
        lambda res: [*((f"{name}.csv", frame_writer(frame, "csv"))
                       for name, frame in res.frames.items()),
                     ("robustness.json", text_writer(res.to_json()))])
    if args.json:
        sys.stdout.write(res.to_json() + "\n")
    else:
        print(res.table(args.lang))
    if args.out is not None:
        print(f"robustness written to {args.out}/", file=sys.stderr)
    return 0

"""``govsim calibrate``: fit a scenario's parameters to the case study's figures.

Layer: interfaces. Prints the targets table (figure | before | fitted mean [95% CI] or rank |
met) and the fitted parameters; ``--out DIR`` also writes the table, the trace of every point,
the fitted scenario as TOML, a JSON summary and the trace figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import Any

from govsim.atomic import destination
from govsim.cli.flags import (
    executor_flags,
    horizon_flag,
    int_at_least,
    jobs_flag,
    memory_flag,
    seed_flag,
)
from govsim.progress import ProgressReporter

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    c = sub.add_parser("calibrate", help="fit scenario parameters to the case study's figures "
                       "(targets file), with common random numbers")
    c.add_argument("targets", metavar="TARGETS", help="targets file, e.g. calibration/targets.toml")
    c.add_argument("--scenario", required=True, metavar="FILE", help="scenario TOML file, or a shipped scenario's name (govsim scenarios)")
    c.add_argument("--regime", required=True, metavar="REGIME", help="the regime to fit")
    c.add_argument("--params", action="append", default=None, metavar="PATH=LOW:HIGH",
                   dest="parameters",
                   help="a parameter to fit and its bounds, a key of world. or of the regime "
                   "fitted; '*' in a path sets every key of a table (may be given more than "
                   "once, at most 64; default: what the targets say they inform)")
    c.add_argument("--method", choices=("crn", "abc"), default="crn",
                   help="crn: Latin hypercube then Nelder-Mead under common random numbers "
                   "(default); abc: ABC-SMC with pyabc, a posterior (pip install "
                   "'govsim[abc]')")
    c.add_argument("--budget", type=int_at_least("--budget", 2), default=20,
                   help="points to evaluate (default 20, at most 10,000; under abc, particles "
                   "simulated)")
    c.add_argument("--replications", "-n", type=int_at_least("--replications", 1), default=5,
                   help="replications per point, the same seeds for every point (default 5, "
                   "at most 1,000)")
    seed_flag(c)
    horizon_flag(c, "override the scenario's horizon (targets whose windows need longer)")
    jobs_flag(c)
    executor_flags(c, "local, or serial with -j 1")
    memory_flag(c)
    c.add_argument("--out", metavar="DIR", default=None,
                   help="write targets.csv, trace.csv, fitted.toml, calibration.json and "
                   "trace.png here (under abc also posterior.csv, posterior_summary.csv and "
                   "posterior.png)")
    c.add_argument("--json", action="store_true", help="print a JSON summary instead")
    return c


def run(args: argparse.Namespace) -> int:
    from govsim.calibration.search import calibrate
    from govsim.experiment.executors import check_executor

    check_executor(args.executor or "local", args.scheduler)
    out = []
    with contextlib.ExitStack() as folder:
        def ready() -> None:  # every input checked: try the directory before any simulation
            if args.out is not None:  # (removed again if the runs fail and it is still empty)
                out.append(folder.enter_context(destination(args.out, "out", 1 << 20)))

        progress = ProgressReporter("govsim calibrate", 1, noun="runs")
        try:
            cal = calibrate(args.targets, args.scenario, args.regime, args.parameters,
                            method=args.method, budget=args.budget,
                            replications=args.replications, seed=args.seed,
                            horizon_days=args.horizon_days, executor=args.executor,
                            jobs=args.jobs, scheduler=args.scheduler,
                            memory_budget=args.memory_budget, progress=progress, ready=ready)
        finally:
            progress.close()
    # the summary first: a disk that fails while the files are written loses none of it
    if args.json:
        from govsim.calibration.search import plain_json

        payload = {"best": cal.best, "start": cal.start,
                   "targets": cal.table.to_dict(orient="records")}
        sys.stdout.write(json.dumps(plain_json(payload), indent=2, allow_nan=False) + "\n")
    else:
        print(cal.summary())
    sys.stdout.flush()
    if out:
        cal.write(out[0])
        print(f"calibration written to {out[0]}/", file=sys.stderr)
    return 0

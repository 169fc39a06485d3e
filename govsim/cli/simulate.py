"""``govsim run`` (one regime) and ``govsim compare`` (every regime on the same world, paired).

Layer: interfaces. Every check the library makes runs before ``--out`` is touched; the tables
are written each to a temporary name and renamed, so a failure loses nothing computed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from govsim.atomic import destination, frame_writer, text_writer, write_files
from govsim.cli.flags import (
    executor_flags,
    horizon_flag,
    int_at_least,
    jobs_flag,
    lang_flag,
    memory_flag,
    scenario_arg,
    seed_flag,
    warmup_flag,
)
from govsim.errors import GovsimError
from govsim.measure.metrics import HEADLINE, METRICS
from govsim.progress import ProgressReporter

__all__ = ["add_parsers", "run", "CASE_STUDY_MAX_CASES"]

#: at most this many cases per replication and ``run`` also prints each case's outcome
#: distribution (a case-study scenario rather than a district)
CASE_STUDY_MAX_CASES = 50


def _common(sp: argparse.ArgumentParser) -> None:
    scenario_arg(sp)
    sp.add_argument("--replications", "-n", type=int_at_least("--replications", 1), default=10,
                    help="independent replications (default 10)")
    seed_flag(sp)
    horizon_flag(sp)
    jobs_flag(sp)
    executor_flags(sp, "local, or serial with -j 1 or one replication")
    memory_flag(sp)
    sp.add_argument("--out", metavar="DIR", default=None,
                    help="write cases, events, units, ledger, lights, metrics and summary tables here")
    sp.add_argument("--format", choices=("parquet", "csv", "xes"), default="parquet",
                    help="file format for --out (default parquet; xes: the tables as CSV "
                    "and the event log as IEEE XES for process-mining tools)")
    sp.add_argument("--no-events", action="store_true",
                    help="do not keep the per-event log (saves memory)")
    warmup_flag(sp)
    sp.add_argument("--json", action="store_true",
                    help="print a machine-readable summary on stdout instead of the table")
    lang_flag(sp)



def add_parsers(sub: Any) -> dict[str, argparse.ArgumentParser]:
    """The ``run`` and ``compare`` commands."""
    r = sub.add_parser("run", help="run one regime over several replications")
    _common(r)
    r.add_argument("--regime", default=None, help="regime name (default: the first one)")

    c = sub.add_parser("compare", help="run every regime on the same world and compare (paired)")
    _common(c)
    c.add_argument("--regimes", default=None,
                   help="comma-separated regime names (default: all, in file order)")
    c.add_argument("--baseline", default=None, help="regime to subtract (default: the first)")

    return {"run": r, "compare": c}


def _write_outputs(res: Any, out: Path, fmt: str, metrics: list[str]) -> None:
    """Every table, then the summaries; a disk that fails midway loses nothing computed."""
    from govsim.report.text import results_json

    ext = "parquet" if fmt == "parquet" else "csv"
    table_fmt = "csv" if fmt == "xes" else fmt
    files = [(f"{name}.{ext}", frame_writer(getattr(res, name), table_fmt))
             for name in ("cases", "events", "units", "ledger", "lights", "metrics")
             if not (fmt == "xes" and name == "events")]
    if fmt == "xes":
        from govsim.report.xes import xes_writer

        files.append(("events.xes", xes_writer(res.events, res.cases,
                                               f"govsim {res.scenario.name}")[0]))
    files.append(("summary.csv", frame_writer(res.summary(), "csv")))
    if hasattr(res, "differences"):
        files.append(("differences.csv", frame_writer(res.differences(), "csv")))
    files.append(("summary.json", text_writer(json.dumps(results_json(res, metrics), indent=2))))
    write_files(out, files, "out")


def run(args: argparse.Namespace) -> int:
    import govsim
    from govsim.experiment.checks import (
        check_memory,
        check_warmup,
        output_bytes,
        resolve_scenario,
    )
    from govsim.experiment.executors import check_executor
    from govsim.report.text import (
        case_distribution_table,
        comparison_table,
        results_json,
        summary_table,
    )
    from govsim.scenario import check_baseline, load_scenario

    scenario = load_scenario(args.scenario)
    names: list[str] | None = None
    # every check the library makes, with its own helpers, before the directory is touched
    if args.command == "run":
        regimes = (scenario.check_regime(args.regime),)
    else:
        if args.regimes is not None:
            names = [n.strip() for n in args.regimes.split(",") if n.strip()]
        regimes = scenario.check_regimes(names, minimum=2)
        check_baseline(regimes, args.baseline)
    check_executor(args.executor or "local", args.scheduler)
    sized = resolve_scenario(scenario, args.horizon_days)
    check_warmup(args.warmup_days, sized)
    check_memory(sized, len(regimes), 2 * args.replications, not args.no_events,
                 args.memory_budget)
    if args.format == "xes" and args.no_events:
        raise GovsimError("an XES file is the event log: drop --no-events", "format")
    metrics = list(METRICS)
    with contextlib.ExitStack() as stack:
        out = None
        if args.out is not None:  # after the cheap checks, before the long run; a run that
            # fails leaves no folder this command made behind
            need = output_bytes(sized, len(regimes), args.replications, not args.no_events,
                                args.format)
            out = stack.enter_context(destination(args.out, "out", need))
        progress = ProgressReporter(f"govsim {args.command}", args.replications)
        common = dict(replications=args.replications, seed=args.seed,
                      horizon_days=args.horizon_days, record_events=not args.no_events,
                      jobs=args.jobs, progress=progress, warmup_days=args.warmup_days,
                      executor=args.executor, scheduler=args.scheduler,
                      memory_budget=args.memory_budget)
        try:
            if args.command == "run":
                res = govsim.run(scenario, args.regime, **common)
            else:
                res = govsim.compare(scenario, names, baseline=args.baseline, **common)
        finally:
            progress.close()
        if out is not None:
            _write_outputs(res, out, args.format, metrics)
    if args.json:
        json.dump(results_json(res, metrics), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.command == "run":
        print(summary_table(res, HEADLINE, args.lang))
        if len(res.cases) <= CASE_STUDY_MAX_CASES * args.replications:
            # a case study (a household, a leak): show each case's outcome distribution
            print()
            print(case_distribution_table(res, lang=args.lang))
    else:
        print(comparison_table(res, HEADLINE, args.lang))
    if out is not None:
        print(f"tables written to {out}/", file=sys.stderr)
    return 0

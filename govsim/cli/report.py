"""``govsim report SCENARIO --out report.html``: one self-contained page about a scenario.

Layer: interfaces. Every flag is checked, and the destination tried, before anything runs;
the page is written atomically (complete or absent).
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
from typing import Any

from govsim.atomic import check_file, destination, save_file
from govsim.cli.flags import (
    executor_flags,
    horizon_flag,
    int_at_least,
    jobs_flag,
    lang_flag,
    memory_flag,
    orders_type,
    scenario_arg,
    seed_flag,
    warmup_flag,
)
from govsim.errors import GovsimError
from govsim.progress import ProgressReporter

__all__ = ["add_parser", "run"]

#: a generous size for the page (its figures are embedded)
_PAGE_BYTES = 8 << 20


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """``govsim report``'s flags."""
    r = sub.add_parser("report", help="compare the regimes, decompose the gap and write it all "
                       "as one self-contained HTML page")
    scenario_arg(r)
    r.add_argument("--out", metavar="FILE", required=True,
                   help="the HTML file to write (e.g. report.html)")
    r.add_argument("--regimes", default=None,
                   help="comma-separated regime names (default: all, in file order)")
    r.add_argument("--baseline", default=None, help="regime to subtract (default: the first)")
    r.add_argument("--from", dest="source", default=None, metavar="REGIME",
                   help="decompose the gap from this regime (default: the baseline)")
    r.add_argument("--to", dest="target", default=None, metavar="REGIME",
                   help="decompose the gap to this regime (default: the first other regime)")
    r.add_argument("--no-decomposition", action="store_true",
                   help="leave the decomposition out (it runs many rule combinations)")
    r.add_argument("--orders", type=orders_type, default=8,
                   help="sampled orders when more than 5 rules differ, an even number "
                   "(default 8)")
    r.add_argument("--replications", "-n", type=int_at_least("--replications", 2), default=10,
                   help="independent replications (default 10)")
    seed_flag(r)
    horizon_flag(r)
    warmup_flag(r)
    lang_flag(r, "page, its tables and figures")
    jobs_flag(r)
    executor_flags(r, "local, or serial with -j 1")
    memory_flag(r)
    return r


def run(args: argparse.Namespace) -> int:
    """Check, run, and write the page; the exit status."""
    from govsim.experiment.report_study import make_report
    from govsim.scenario import check_baseline, load_scenario

    scenario = load_scenario(args.scenario)
    if args.no_decomposition and (args.source or args.target):
        raise GovsimError("--from and --to name the decomposition: drop --no-decomposition",
                          "no_decomposition")
    names = None
    if args.regimes is not None:
        names = [n.strip() for n in args.regimes.split(",") if n.strip()]
    decompose: tuple[str, str] | bool = not args.no_decomposition
    if args.source or args.target:
        chosen = scenario.check_regimes(names, minimum=2)
        check_baseline(chosen, args.baseline)
        base = args.baseline or chosen[0]
        source = args.source or base
        target = args.target or next((r for r in chosen if r != source), source)
        for where, name in (("source", source), ("target", target)):
            if name not in chosen:
                raise GovsimError(f"{name!r} is not among the regimes compared "
                                  f"({', '.join(chosen)})", where)
        decompose = (source, target)
    # the name first (one the system can hold, its temporary name too), then every check of
    # make_report, then the destination (its folder may be made: removed again, still empty,
    # if the runs fail), then the runs
    out = check_file(args.out, "out", try_folder=False)
    progress = ProgressReporter("govsim report", args.replications, noun="tasks")
    with contextlib.ExitStack() as folder:
        try:
            report = make_report(
                scenario, names, baseline=args.baseline, decompose=decompose,
                orders=args.orders, replications=args.replications, seed=args.seed,
                horizon_days=args.horizon_days, warmup_days=args.warmup_days, lang=args.lang,
                jobs=args.jobs, progress=progress, executor=args.executor,
                scheduler=args.scheduler, memory_budget=args.memory_budget,
                source=args.scenario, command=_command(getattr(args, "argv", sys.argv[1:])),
                ready=lambda: folder.enter_context(destination(out.parent, "out", _PAGE_BYTES)))
        finally:
            progress.close()
        page = report.html.encode("utf-8")
        save_file(out, lambda fh: fh.write(page), "out")  # a failing disk: saved elsewhere
    print(f"report written to {args.out}", file=sys.stderr)
    return 0


#: flags that say where or how the page is made, not what it shows (left out of its command,
#: so the same results give the same page)
_HOW = {"--out", "--jobs", "-j", "--executor", "--scheduler", "--memory-budget"}


def _command(argv: list[str]) -> str:
    """The command as given, without the flags of :data:`_HOW` and their values."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        flag = arg.split("=", 1)[0]
        if flag in _HOW:
            skip = "=" not in arg
            continue
        kept.append(arg)
    return shlex.join(["govsim", *kept])

"""The ``govsim`` command line.

Layer: interfaces. ``govsim validate``, ``run``, ``compare``, ``journey``, ``sweep``,
``decompose`` (:mod:`govsim.cli_decompose`), ``calibrate`` (:mod:`govsim.cli_calibrate`),
``scenarios`` (:mod:`govsim.cli_scenarios`), ``report`` (:mod:`govsim.cli_report`) and
``robustness`` (:mod:`govsim.cli_robustness`). User
errors print one sentence naming the bad key or flag and exit with status 2; files already
written are never removed or half-written (each output file is written to a temporary name and
renamed).

The library reports errors at its own parameter names (``replications``, ``out``,
``executor``, ...); :func:`_flag_names` maps them to this command's flags in one place.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govsim import cli_calibrate, cli_decompose, cli_report, cli_robustness, cli_scenarios
from govsim.analysis.metrics import HEADLINE, METRICS
from govsim.atomic import (
    check_file,
    destination,
    frame_writer,
    text_writer,
    write_files,
)
from govsim.cli_flags import (
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
from govsim.experiment.executors import WorkersDied
from govsim.progress import ProgressReporter
from govsim.version import __version__

__all__ = ["main"]

EXIT_USAGE = 2
#: at most this many cases per replication and ``run`` also prints each case's outcome
#: distribution (a case-study scenario rather than a district)
CASE_STUDY_MAX_CASES = 50


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    p = argparse.ArgumentParser(
        prog="govsim",
        description="Compare how cities govern citizens' complaints: same city, different rules.",
    )
    p.add_argument("--version", action="version", version=f"govsim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check a scenario file and report every problem")
    v.add_argument("scenario", metavar="FILE")

    def common(sp: argparse.ArgumentParser) -> None:
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

    r = sub.add_parser("run", help="run one regime over several replications")
    common(r)
    r.add_argument("--regime", default=None, help="regime name (default: the first one)")

    c = sub.add_parser("compare", help="run every regime on the same world and compare (paired)")
    common(c)
    c.add_argument("--regimes", default=None,
                   help="comma-separated regime names (default: all, in file order)")
    c.add_argument("--baseline", default=None, help="regime to subtract (default: the first)")

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

    j = sub.add_parser("journey", help="one case's journey: the contacts table and a swimlane figure")
    scenario_arg(j)
    j.add_argument("--regime", default=None, help="regime name (default: the first one)")
    j.add_argument("--case", type=int_at_least("--case", 0), default=None,
                   help="case number (default: the case with the most contacts)")
    j.add_argument("--replication", type=int_at_least("--replication", 0), default=0,
                   help="which replication of --seed to draw (default 0)")
    seed_flag(j, help="root random seed (default 0)")
    horizon_flag(j)
    j.add_argument("--figure", metavar="FILE", default=None,
                   help="save the swimlane figure here (.png or .svg)")
    lang_flag(j, "swimlane figure")
    memory_flag(j)
    d = cli_decompose.add_parser(sub)
    k = cli_calibrate.add_parser(sub)
    return p, {"validate": v, "run": r, "compare": c, "sweep": w, "journey": j, "decompose": d,
               "calibrate": k, "scenarios": cli_scenarios.add_parser(sub),
               "report": cli_report.add_parser(sub), "robustness": cli_robustness.add_parser(sub)}


def _flag_names(sp: argparse.ArgumentParser) -> dict[str, str]:
    """Library parameter name → this command's flag (``out`` → ``--out``, ``scenario`` →
    ``SCENARIO``), for the errors that are not about a file's contents."""
    names = {}
    for action in sp._actions:  # argparse has no public list of a parser's arguments
        if action.option_strings:
            names[action.dest] = max(action.option_strings, key=len)
        elif action.dest != "command":
            names[action.dest] = action.metavar or action.dest.upper()
    return names


def _write_outputs(res: Any, out: Path, fmt: str, metrics: list[str]) -> None:
    """Every table, then the summaries; a disk that fails midway loses nothing computed."""
    from govsim.experiment.report import results_json

    ext = "parquet" if fmt == "parquet" else "csv"
    table_fmt = "csv" if fmt == "xes" else fmt
    files = [(f"{name}.{ext}", frame_writer(getattr(res, name), table_fmt))
             for name in ("cases", "events", "units", "ledger", "lights", "metrics")
             if not (fmt == "xes" and name == "events")]
    if fmt == "xes":
        from govsim.experiment.xes import xes_writer

        files.append(("events.xes", xes_writer(res.events, res.cases,
                                               f"govsim {res.scenario.name}")[0]))
    files.append(("summary.csv", frame_writer(res.summary(), "csv")))
    if hasattr(res, "differences"):
        files.append(("differences.csv", frame_writer(res.differences(), "csv")))
    files.append(("summary.json", text_writer(json.dumps(results_json(res, metrics), indent=2))))
    write_files(out, files, "out")


def _cmd_validate(args: argparse.Namespace) -> int:
    from govsim.scenario import load_scenario

    s = load_scenario(args.scenario)  # the horizon's calendar included
    w = s.world
    rate = sum(c.rate_per_day for c in w.categories.values())
    dated = sum(len(c.arrivals) for c in w.categories.values())
    volume = f"{rate:,.1f} cases a day" + (f" and {dated} on given dates" if dated else "")
    print(f"{args.scenario}: ok -- scenario {s.name!r}, {len(w.units)} units, "
          f"{len(w.categories)} categories ({volume}), "
          f"regimes: {', '.join(s.regime_names)}")
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    import govsim
    from govsim.experiment.checks import (
        check_memory,
        check_warmup,
        output_bytes,
        resolve_scenario,
    )
    from govsim.experiment.executors import check_executor
    from govsim.experiment.report import (
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


def _cmd_journey(args: argparse.Namespace) -> int:
    import govsim
    from govsim.experiment import run_replication
    from govsim.experiment.checks import check_memory, resolve_scenario
    from govsim.experiment.report import contacts_text
    from govsim.lang import tr
    from govsim.scenario import display_names

    scenario = resolve_scenario(args.scenario, args.horizon_days)
    regime = scenario.check_regime(args.regime)
    check_memory(scenario, 1, 1, True, args.memory_budget)
    if args.figure is not None and Path(args.figure).suffix.lower() not in {".png", ".svg"}:
        raise GovsimError(f"the figure must be a .png or .svg file, not {args.figure!r}", "figure")
    if args.figure is not None:  # its directory, and a font for Chinese, before the run
        check_file(args.figure, "figure", 2**22)
        if args.lang == "zh":
            from govsim.analysis.style import require_cjk_font

            require_cjk_font()
    # replication r of seed s depends on (s, r) only: run just that one
    out = run_replication(scenario, (regime,), args.seed, args.replication)
    cases, events = out.cases[0], out.events[0]
    if len(cases) == 0:
        raise GovsimError("no case arose in that replication", "replication")
    case = args.case
    if case is None:
        case = int(cases.loc[cases["contacts"].idxmax(), "case"])
    elif case >= len(cases):
        raise GovsimError(f"replication {args.replication} has cases 0 to {len(cases) - 1}", "case")
    # with the money ledger, the cases table and the scenario: money in yuan, meetings with
    # their invitees and attendance, filings outside office hours
    journey = govsim.case_journey(events, case, args.replication, regime, ledger=out.ledger[0],
                                  cases=cases, scenario=scenario)
    row = cases[cases["case"] == case].iloc[0]
    names = display_names(scenario, args.lang)
    print(tr("jr.head", args.lang, case=case, category=names.category(str(row["category"])),
             rep=args.replication, regime=names.regime(regime),
             state=tr(f"state.{row['state']}", args.lang), contacts=row["contacts"],
             units=row["units_touched"]))
    print()
    print(contacts_text(govsim.contacts_table(journey), names, args.lang))
    if args.figure is not None:
        title = (f"{scenario.name}：{names.regime(regime)}下的案件 {case}" if args.lang == "zh"
                 else f"{scenario.name}: case {case} under {regime}")
        try:
            path = govsim.save_swimlane(journey, args.figure, title=title, lang=args.lang,
                                        names=names)
        except OSError as exc:
            raise GovsimError(f"writing {args.figure!r} failed ({exc.strerror or exc}); the "
                              "contacts table above is complete", "figure") from None
        print(f"swimlane written to {path}", file=sys.stderr)
    return 0


DEFAULT_SWEEP_METRICS = ("resolution_days_median", "street_office_shifted_cost_yuan")


def _cmd_sweep(args: argparse.Namespace) -> int:
    from govsim.experiment import Experiment, check_directory, sweep
    from govsim.experiment.report import sweep_table

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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govsim`` console script; returns the exit status."""
    parser, commands = _parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for a report's provenance
    try:
        if args.command == "validate":
            return _cmd_validate(args)
        if args.command == "journey":
            return _cmd_journey(args)
        if args.command == "sweep":
            return _cmd_sweep(args)
        if args.command == "decompose":
            return cli_decompose.run(args)
        if args.command == "calibrate":
            return cli_calibrate.run(args)
        if args.command == "scenarios":
            return cli_scenarios.run(args)
        if args.command == "report":
            return cli_report.run(args)
        if args.command == "robustness":
            return cli_robustness.run(args)
        return _cmd_simulate(args)
    except GovsimError as exc:
        problems = getattr(exc, "problems", None) or [(exc.path, exc.message)]
        source = getattr(exc, "source", None)
        # a problem inside a scenario or experiment file keeps its key path; any other names
        # the library's parameter, which is this command's flag
        flags = {} if source else _flag_names(commands[args.command])
        for path, sentence in problems:
            path = flags.get(path, path)
            where = f"{path}: " if path else ""
            print(f"govsim: error: {where}{sentence}", file=sys.stderr)
        if source and len(problems) > 1:
            print(f"govsim: {len(problems)} problems in {source}", file=sys.stderr)
        return EXIT_USAGE
    except WorkersDied as exc:
        print(f"govsim: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("govsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `govsim compare ... --json | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

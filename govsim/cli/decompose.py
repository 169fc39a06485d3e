"""``govsim decompose``: the paired gap between two regimes, attributed rule by rule.

Layer: interfaces. Prints the rule × metric table (or ``--json``), with the groups of
dependent rules it formed and why; ``--out DIR`` also writes the contributions, totals and
every variant's metrics as CSV, the JSON, and one waterfall figure per metric.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from govsim.atomic import frame_writer, text_writer
from govsim.cli.flags import (
    executor_flags,
    horizon_flag,
    int_at_least,
    jobs_flag,
    lang_flag,
    memory_flag,
    names_list,
    orders_type,
    run_then_write,
    scenario_arg,
    seed_flag,
    warmup_flag,
)
from govsim.measure.metrics import METRICS

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    d = sub.add_parser(
        "decompose", help="attribute the paired difference between two regimes to each rule "
        "that differs (Shapley values, with CIs; Owen values when rules depend on one another)",
        description="Attribute the paired difference between two regimes to each rule that "
        "differs, on common random numbers. Rules that depend on one another (non_owner = "
        "return needs routing = triage: someone to re-dispatch) are grouped, so that no regime "
        "the model considers meaningless is run: the groups are switched as a whole and get "
        "Shapley values between them, and within a group each rule gets its share over the "
        "orders of its rules that pass through no meaningless variant (Owen values). With no "
        "such group the values are plain Shapley values.")
    scenario_arg(d)
    d.add_argument("--from", dest="source", required=True, metavar="REGIME",
                   help="the regime the gap is measured from (A)")
    d.add_argument("--to", dest="target", required=True, metavar="REGIME",
                   help="the regime the gap is measured to (B)")
    d.add_argument("--metrics", default=None,
                   help="comma-separated metrics (default: resolution_days_median,"
                   "resolution_days_rmst30,street_office_burden_yuan,"
                   "street_office_shifted_cost_yuan)")
    d.add_argument("--replications", "-n", type=int_at_least("--replications", 2), default=10,
                   help="independent replications (default 10)")
    seed_flag(d)
    horizon_flag(d)
    warmup_flag(d)
    d.add_argument("--together", action="append", default=[], metavar="RULE,RULE",
                   help="rules to switch as one group between the groups, e.g. "
                   "intake,case_record (merged with the groups of dependent rules; each rule "
                   "still gets its share within; may be given more than once)")
    how = d.add_mutually_exclusive_group()
    how.add_argument("--exact", action="store_true", default=None,
                     help="run every union of the groups of differing rules (default when there "
                     "are at most 5 groups)")
    how.add_argument("--orders", type=orders_type, default=None,
                     help="sample this many orders of the groups, an even number (default 8 when "
                     "there are more than 5 groups); exact within each group")
    jobs_flag(d)
    executor_flags(d, "local, or serial with -j 1")
    memory_flag(d)
    d.add_argument("--out", metavar="DIR", default=None,
                   help="write contributions.csv, totals.csv, variants.csv, decomposition.json "
                   "and waterfall-METRIC.png here")
    d.add_argument("--json", action="store_true",
                   help="print the decomposition as JSON instead of the table")
    lang_flag(d, "table and figures")
    return d


def run(args: argparse.Namespace) -> int:
    from govsim.experiment.decomposition import execute, plan
    from govsim.experiment.executors import check_executor
    from govsim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    metrics = names_list(args.metrics)
    check_executor(args.executor or "local", args.scheduler)
    # every check, and every variant built, before the directory is touched
    p = plan(scenario, args.source, args.target, metrics=metrics,
             replications=args.replications, seed=args.seed, horizon_days=args.horizon_days,
             warmup_days=args.warmup_days,
             exact=True if args.exact else (False if args.orders is not None else None),
             orders=args.orders if args.orders is not None else 8,
             together=[[r.strip() for r in g.split(",") if r.strip()] for g in args.together],
             memory_budget=args.memory_budget)
    if args.out is not None and args.lang == "zh":  # its waterfalls need a Chinese font
        from govsim.figures.style import require_cjk_font

        require_cjk_font()
    dec = run_then_write(
        "govsim decompose", args.out, 1,
        lambda progress: execute(p, jobs=args.jobs, progress=progress, executor=args.executor,
                                 scheduler=args.scheduler),
        lambda dec: _files(dec, scenario, args.lang))
    if args.json:
        sys.stdout.write(dec.to_json() + "\n")
    else:
        print(dec.table(args.lang))
    if args.out is not None:
        print(f"decomposition written to {args.out}/", file=sys.stderr)
    return 0


def _files(dec: Any, scenario: Any, lang: str) -> list[tuple[str, Any]]:
    """The files ``--out`` writes: the tables as CSV, the JSON and one waterfall a metric."""
    from govsim.figures.waterfall import plot_waterfall
    from govsim.scenario import display_names

    names = display_names(scenario, lang)
    files = [("contributions.csv", frame_writer(dec.contributions, "csv")),
             ("totals.csv", frame_writer(dec.totals, "csv")),
             ("variants.csv", frame_writer(dec.variants, "csv")),
             ("decomposition.json", text_writer(dec.to_json()))]
    for m in dict.fromkeys(dec.contributions["metric"]):
        fig = plot_waterfall(dec.contributions, dec.totals, m, dec.source, dec.target,
                             METRICS[m][0], lang=lang, names=names)
        files.append((f"waterfall-{m}.png",
                      lambda fh, fig=fig: fig.savefig(fh, format="png", dpi=120)))
    return files

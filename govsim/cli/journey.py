"""``govsim journey SCENARIO``: one case's journey, the contacts table and a swimlane figure.

Layer: interfaces. Only the replication asked for runs (a replication depends on the seed and
its number alone).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govsim.atomic import check_file
from govsim.cli.flags import (
    horizon_flag,
    int_at_least,
    lang_flag,
    memory_flag,
    scenario_arg,
    seed_flag,
)
from govsim.errors import GovsimError

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
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
    return j


def run(args: argparse.Namespace) -> int:
    import govsim
    from govsim.experiment import run_replication
    from govsim.experiment.checks import check_memory, resolve_scenario
    from govsim.lang import tr
    from govsim.measure.journey import contacts_table
    from govsim.report.text import contacts_text
    from govsim.scenario import display_names

    scenario = resolve_scenario(args.scenario, args.horizon_days)
    regime = scenario.check_regime(args.regime)
    check_memory(scenario, 1, 1, True, args.memory_budget)
    if args.figure is not None and Path(args.figure).suffix.lower() not in {".png", ".svg"}:
        raise GovsimError(f"the figure must be a .png or .svg file, not {args.figure!r}", "figure")
    if args.figure is not None:  # its directory, and a font for Chinese, before the run
        check_file(args.figure, "figure", 2**22)
        if args.lang == "zh":
            from govsim.figures.style import require_cjk_font

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
    print(contacts_text(contacts_table(journey), names, args.lang))
    if args.figure is not None:
        title = (f"{scenario.name}：{names.regime(regime)}下的案件 {case}" if args.lang == "zh"
                 else f"{scenario.name}: case {case} under {regime}")
        try:
            from govsim.figures import save_swimlane

            path = save_swimlane(journey, args.figure, title=title, lang=args.lang,
                                        names=names)
        except OSError as exc:
            raise GovsimError(f"writing {args.figure!r} failed ({exc.strerror or exc}); the "
                              "contacts table above is complete", "figure") from None
        print(f"swimlane written to {path}", file=sys.stderr)
    return 0

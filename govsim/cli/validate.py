"""``govsim validate FILE``: check a scenario file and report every problem.

Layer: interfaces.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    v = sub.add_parser("validate", help="check a scenario file and report every problem")
    v.add_argument("scenario", metavar="FILE")

    return v


def run(args: argparse.Namespace) -> int:
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

"""Where a year of one regime spends its time: cProfile, grouped by who owns the code.

    .venv/bin/python benchmarks/profile_year.py fragmented            # the district year
    .venv/bin/python benchmarks/profile_year.py consolidated --days 120 --top 30
    .venv/bin/python benchmarks/profile_year.py fragmented --sampling  # pyinstrument too

One replication (seed 0) is simulated and its tables are built under cProfile. The report
gives the time spent in each function's own code ("tottime") summed by owner -- SimPy's event
loop, each module of ``govsim.model`` (the rules' own decisions, the engine, the logs), the
recording, numpy and pandas, the rest -- then the functions that take most. cProfile slows
pure-Python code more than C code, so read the shares, not the seconds; ``--sampling`` adds a
sampling profiler's view (pyinstrument, the ``profile`` extra), which does not.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import defaultdict


def owner(filename: str) -> str:
    """Who owns the code of a profiled function."""
    if "/simpy/" in filename:
        return "simpy (event loop, events)"
    if "/govsim/model/" in filename:
        return "govsim.model." + filename.rsplit("/", 1)[-1].removesuffix(".py")
    if filename.endswith("/govsim/calendar.py"):
        return "govsim.calendar (office hours, deadlines)"
    if "/govsim/recording/" in filename:
        return "govsim.recording"
    if "/govsim/" in filename:
        return "govsim (other)"
    if "/numpy/" in filename or "/pandas/" in filename:
        return "numpy, pandas"
    if filename.startswith("~") or filename.startswith("<"):
        return "built-ins (heapq, list methods, ...)"
    return "other"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("regime")
    p.add_argument("--scenario", default="district")
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--sampling", action="store_true", help="also run pyinstrument")
    p.add_argument("--recording", default="tables", choices=("tables", "metrics"),
                   help="what the run keeps (default: every table)")
    args = p.parse_args()

    from govsim.model import build_calendar, draw_world, simulate
    from govsim.recording import tables
    from govsim.scenario import load_scenario, with_values

    s = with_values(load_scenario(args.scenario), {"world.horizon_days": args.days})
    cal = build_calendar(s)
    draws = draw_world(s, 0, 0)
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    raw = simulate(s, args.regime, 0, 0, calendar=cal, draws=draws, recording=args.recording)
    t_sim = time.perf_counter()
    cases = len(tables(raw, release=True).cases)
    prof.disable()
    end = time.perf_counter()
    print(f"{args.scenario}, {args.regime}, {args.days} days: {cases:,} cases; under cProfile "
          f"simulate {t_sim - start:.1f} s, tables {end - t_sim:.1f} s")

    stats = pstats.Stats(prof)
    by_owner: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_owner[owner(filename)] += tottime
        total += tottime
    print("\nown time by owner (share of the profiled total)")
    for name, t in sorted(by_owner.items(), key=lambda kv: -kv[1]):
        print(f"  {t / total:6.1%}  {name}")
    print()
    stats.sort_stats("tottime").print_stats(args.top)

    if args.sampling:
        try:
            from pyinstrument import Profiler
        except ImportError:
            raise SystemExit("--sampling needs pyinstrument: pip install -e '.[profile]'") from None
        raw = None
        draws = draw_world(s, 0, 0)
        sampler = Profiler(interval=0.002)
        sampler.start()
        tables(simulate(s, args.regime, 0, 0, calendar=cal, draws=draws,
                        recording=args.recording), release=True)
        sampler.stop()
        print(sampler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()

"""Does a case of the three-million-case city do the district's work, and at what cost?

Both scenarios (``scenarios/district.toml``, ``benchmarks/city_3m.toml``) are run over the
same ``--days`` under one regime with ``recording="metrics"``, one after the other in this
process. For each: the process time a case, the event-loop steps a case and the deepest the
event heap got (counted by a copy of :func:`govsim.model.runner.run_until` that also counts,
used for this measurement only), and the work a case (contacts, tickets, units touched).

    .venv/bin/python benchmarks/city_vs_district.py --days 60 --regime consolidated
"""

from __future__ import annotations

import argparse
import heapq
import time
from pathlib import Path

import govsim.model.engine as engine
from govsim.experiment.replication import run_replication
from govsim.scenario import load_scenario, with_values

HERE = Path(__file__).resolve().parent


def _counting(seen: dict[str, int]):
    def run_until(env, at: float) -> None:  # the loop of govsim.model.runner.run_until
        next(env._eid)
        queue = env._queue
        steps = deepest = 0
        while queue and queue[0][0] < at:
            env._now, _, _, event = heapq.heappop(queue)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            steps += 1
            deepest = max(deepest, len(queue))
        env._now = at
        next(env._eid)
        seen["steps"], seen["deepest"] = steps, deepest
    return run_until


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--regime", default="consolidated")
    args = p.parse_args()
    for path in (HERE.parent / "scenarios" / "district.toml", HERE / "city_3m.toml"):
        s = with_values(load_scenario(str(path)), {"world.horizon_days": args.days})
        seen: dict[str, int] = {}
        engine.run_until = _counting(seen)  # type: ignore[assignment]
        t = time.process_time()
        m = run_replication(s, (args.regime,), 0, 0, record_events=False,
                            recording="metrics").metrics[0]
        cpu = time.process_time() - t
        print(f"{path.stem:9s} {m['cases']:9,.0f} cases: {cpu / m['cases'] * 1e6:5.1f} us a case; "
              f"{seen['steps'] / m['cases']:.2f} steps a case, heap up to {seen['deepest']:,}; "
              f"contacts {m['contacts_per_case']:.3f}, tickets {m['tickets_per_case']:.3f}, "
              f"units {m['units_per_case']:.3f} a case")


if __name__ == "__main__":
    main()

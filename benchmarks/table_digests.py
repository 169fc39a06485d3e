"""Digests of every table of every shipped scenario: the check that a refactoring changes no
byte of any result.

For each shipped scenario (`govsim scenarios`), every regime is run for ``--replications``
replications over ``--days`` days (or the scenario's own horizon if shorter) under ``--seed``,
with the event log, and each table the run keeps (``metrics``, ``cases``, ``events``,
``units``, ``ledger``, ``lights``, ``daily``, ``cohorts``) is reduced to a SHA-256 of its
column names, dtypes and values (``pandas.util.hash_pandas_object``, index included). The
digests are written as JSON; ``--check FILE`` compares with digests taken before a change and
lists every table that differs (exit 1), so "same seed, same bytes" is checked, not assumed.

    .venv/bin/python benchmarks/table_digests.py --out /tmp/before.json
    ... change the code ...
    .venv/bin/python benchmarks/table_digests.py --check /tmp/before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

import govsim
from govsim.scenario import load_scenario
from govsim.scenario.catalogue import shipped_names

TABLES = ("metrics", "cases", "events", "units", "ledger", "lights", "daily", "cohorts")


def digest(frame: pd.DataFrame) -> str:
    """A SHA-256 of a table's column names, dtypes and values (row index included)."""
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    if len(frame):
        h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()


def digests(days: int, replications: int, seed: int) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name in shipped_names():
        scenario = load_scenario(name)
        horizon = min(days, scenario.world.horizon_days)
        result = govsim.compare(scenario, replications=replications, seed=seed,
                                horizon_days=horizon, record_events=True, jobs=1)
        out[name] = {table: digest(getattr(result, table)) for table in TABLES
                     if isinstance(getattr(result, table, None), pd.DataFrame)}
        print(f"{name}: {len(out[name])} tables over {horizon} days", file=sys.stderr)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, help="write the digests here (JSON)")
    parser.add_argument("--check", type=Path, help="compare with digests written before")
    args = parser.parse_args()
    now = digests(args.days, args.replications, args.seed)
    if args.out is not None:
        args.out.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.check is None:
        return 0
    before = json.loads(args.check.read_text(encoding="utf-8"))
    differ = [f"{s}.{t}" for s in sorted(set(before) | set(now))
              for t in sorted(set(before.get(s, {})) | set(now.get(s, {})))
              if before.get(s, {}).get(t) != now.get(s, {}).get(t)]
    print("same bytes: every table" if not differ else "tables that differ: " + ", ".join(differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

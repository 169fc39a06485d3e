"""Learning a world from a large request log: ``govsim.data.world_from_requests`` on a synthetic
log (default one million rows), as NYC 311 writes it (times as text).

The log: two years of requests of ``--types`` complaint types (Zipf-distributed volumes, as in
a real 311 log) handled by ``--agencies`` agencies, created at uniform random times, each closed
after a gamma time (mean 5 days, cv 0.9) unless that falls after the export (then still open,
with a status among "Open", "Assigned", "Pending"; closed ones are "Closed" or
"Closed (Duplicate)", so the statuses are detected); the stamps are whole seconds, or whole
multiples of ``--step`` seconds (``--step 86400``: dates only, so few distinct times to close).
Building the table is not timed; the figure is the wall time of the fit (the median of
``--repeats``), which reads and checks the table, finds the creation window and the statuses,
fits every type's daily rates (with the trend test and steps) and three duration families for
every type and every agency. Issue 21's goal: a million rows with 150 types and 15 agencies in
under 60 s on two cores.

    .venv/bin/python benchmarks/bench_requests_fit.py --rows 1000000 --types 150 --agencies 15
    .venv/bin/python benchmarks/bench_requests_fit.py --rows 1000000 --step 86400
    .venv/bin/python benchmarks/bench_requests_fit.py --rows 100000 --types 150 --agencies 15 --fit-work

``--fit-work`` also times ``fit.fit_work(replications=2)`` on the last fit and prints how each
agency ended (its statuses, and the simulated median over the log's).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from govsim.data import world_from_requests

DAYS = 731
ORIGIN = pd.Timestamp("2023-01-01")
AS_OF = ORIGIN + pd.Timedelta(days=DAYS)
FORMAT = "%m/%d/%Y %I:%M:%S %p"


def synthetic_log(rows: int, seed: int = 1, step: float = 1.0, types: int = 1,
                  agencies: int = 1) -> pd.DataFrame:
    """``rows`` requests of ``types`` complaint types handled by ``agencies`` agencies in NYC
    311's columns (times as text), stamped to whole multiples of ``step`` seconds (86400: dates
    only, as some exports have)."""
    rng = np.random.default_rng(seed)
    created = np.sort(np.floor(rng.uniform(0.0, DAYS * 86400.0, size=rows) / step) * step)
    shape = 1.0 / 0.9**2
    closed = created + np.ceil(rng.gamma(shape, 5.0 / shape, size=rows) * 86400.0 / step) * step
    still_open = closed > DAYS * 86400.0
    created_at = ORIGIN + pd.to_timedelta(created, unit="s")
    closed_at = ORIGIN + pd.to_timedelta(closed, unit="s")
    weights = 1.0 / np.arange(1, types + 1)
    kind = rng.choice(types, size=rows, p=weights / weights.sum())
    names = np.array(["Street Condition"] + [f"Type {k:03d}" for k in range(1, types)])
    owner = np.array(["DOT"] + [f"AG{k:02d}" for k in range(1, agencies)])[
        np.arange(types) % agencies]
    status = np.where(still_open, rng.choice(["Open", "Assigned", "Pending"], size=rows),
                      rng.choice(["Closed", "Closed (Duplicate)"], size=rows, p=[0.9, 0.1]))
    return pd.DataFrame({
        "Created Date": created_at.strftime(FORMAT),
        "Closed Date": np.where(still_open, "", closed_at.strftime(FORMAT)),
        "Agency": owner[kind],
        "Complaint Type": names[kind],
        "Status": status,
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fit-work", action="store_true",
                        help="also time fit.fit_work(replications=2)")
    parser.add_argument("--types", type=int, default=1)
    parser.add_argument("--agencies", type=int, default=1)
    parser.add_argument("--step", type=float, default=1.0,
                        help="the time stamps' resolution in seconds (86400: dates only)")
    args = parser.parse_args()

    t = time.perf_counter()
    log = synthetic_log(args.rows, args.seed, args.step, args.types, args.agencies)
    built = time.perf_counter() - t
    distinct = log.loc[log["Status"] == "Closed", "Closed Date"].nunique()
    print(f"built {len(log):,} rows in {built:.1f} s ({distinct:,} distinct close times)")
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        fit = world_from_requests(log, as_of=AS_OF)
        times.append(time.perf_counter() - t)
    mean = fit.world["categories"]["Street Condition"]["work_hours"]
    print(f"world_from_requests: {statistics.median(times):.2f} s for {args.rows:,} rows, "
          f"{args.types} types, {args.agencies} agencies (median of {args.repeats}; "
          f"work_hours of the largest type {mean})")
    if args.fit_work:
        t = time.perf_counter()
        table = fit.fit_work(replications=2).diagnostics["work_fit"]
        took = time.perf_counter() - t
        ratio = table["ratio"].dropna()
        print(f"fit_work: {took:.1f} s; statuses {table['status'].value_counts().to_dict()}; "
              f"simulated/log median from {ratio.min():.3f} to {ratio.max():.3f}")


if __name__ == "__main__":
    main()

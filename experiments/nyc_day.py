"""The New York day end to end: every 311 request created on 25 December 2013
(tests/data/nyc311_2013-12-25.csv, source in tests/data/README.md) learnt as a govsim world,
its work per case fitted to the log's times to close, and the world learnt from one random half
of the day checked against the other half.

    .venv/bin/python experiments/nyc_day.py                 # prints what docs/real-data.md quotes
    .venv/bin/python experiments/nyc_day.py --figure /tmp/nyc_day_check.png

docs/real-data.md runs the same fit when the site is built (seeds fixed: the same output every
run) and draws its figure there.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from govsim.data import RequestLogWarning, world_from_requests

DAY = Path(__file__).resolve().parents[1] / "tests" / "data" / "nyc311_2013-12-25.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figure", type=Path, help="write the check's figure here (PNG)")
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 20)

    day = pd.read_csv(DAY, dtype=str, keep_default_na=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RequestLogWarning)
        fit = world_from_requests(day, country="US")
    for w in caught:
        print(f"{w.category.__name__}: {w.message}\n")
    print(fit.provenance(), "\n")
    d = fit.diagnostics
    print("statuses:", {s: (v["requests"], v["closed"]) for s, v in d["statuses"].items()})
    print("round the clock:", [a for a, h in d["hours"].items() if h["round_the_clock"]], "\n")
    fits = fit.duration_fits
    chosen = fits[fits.chosen & (fits.group == "agency")]
    print(chosen[["name", "family", "mean_days", "rmean_days", "km_rmean_days", "median_days",
                  "km_median_days", "extrapolated"]].round(3).to_string(index=False), "\n")

    fitted = fit.fit_work(replications=2, seed=7)
    table = fitted.diagnostics["work_fit"]
    print(table.round(3).to_string(index=False), "\n")

    rng = np.random.default_rng(20131225)
    half = rng.random(len(day)) < 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RequestLogWarning)
        learnt = world_from_requests(day[half], country="US").fit_work(replications=2, seed=7)
        check = learnt.check(day[~half], replications=args.replications, seed=11)
    print(check.table())
    if args.figure is not None:
        check.plot().savefig(args.figure, dpi=110, bbox_inches="tight")
        print(f"\nwrote {args.figure}")


if __name__ == "__main__":
    main()

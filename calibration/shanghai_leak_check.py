"""Where the seed's figures for the Shanghai leak fall in the simulated distributions.

Runs ``scenarios/shanghai_leak.toml`` (fragmented regime) for many replications and reports,
for each figure of the seed's case A, its percentile rank among the replications. Nothing here
tunes the scenario: the scenario's fitted parameters come from ``govsim calibrate`` (see its
header and ``docs/calibration.md``); this script shows the whole distributions.

    .venv/bin/python calibration/shanghai_leak_check.py --replications 200 --seed 1
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

import govsim
from govsim.measure.casestudy import case_outcomes, distribution, share_below

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "shanghai_leak.toml"

#: the seed's figures (../docs/case-study.md, case A)
SEED = {
    "reports_by_6_years": 121,  # 121 reports from 2006 to June 2012
    "years_to_coordination_meeting": 2013.6 - 2006.3,  # first report 2006 (month assumed April), meeting August 2013
    "largest_meeting": 14,  # a coordination meeting of 14 departments and units
    "unrecovered_yuan": 90_000,  # the street office's 90,000+ yuan advance, not recovered years later
}


def years_to_first(events: pd.DataFrame, cases: pd.DataFrame, activity: str) -> np.ndarray:
    """Per replication: years from the first report to the first ``activity`` (NaN if none)."""
    ev = events[events["concept:name"] == activity]
    first = ev.groupby("replication")["time:timestamp"].min()
    start = cases.groupby("replication")["first_filing"].min()
    years = (first.reindex(start.index) - start).dt.total_seconds() / (365.25 * 86400)
    return years.to_numpy(dtype=float)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    res = govsim.run(SCENARIO, "fragmented", replications=args.replications, seed=args.seed)
    out = case_outcomes(res.cases, res.events, reports_within_years=6.0)
    dist = distribution(out)
    with pd.option_context("display.width", 120, "display.max_columns", 10):
        print(dist.drop(columns="regime").to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
    # no meeting within the horizon counts as "later than the horizon"
    meeting_years = years_to_first(res.events, res.cases, "advance")
    never = float(np.mean(~np.isfinite(meeting_years)))
    meeting_years = np.where(np.isfinite(meeting_years), meeting_years, np.inf)
    sims = {
        "reports_by_6_years": out["reports_by"].to_numpy(dtype=float),
        "years_to_coordination_meeting": meeting_years,
        "largest_meeting": out.loc[out["meeting_held"] > 0, "largest_meeting"].to_numpy(dtype=float),
        "unrecovered_yuan": out["unrecovered_yuan"].to_numpy(dtype=float),
    }
    print("\nwhere the seed's figures fall (share of simulated values below / at or below):")
    report = {}
    for name, seed_value in SEED.items():
        v = sims[name]
        below, at_or_below = share_below(v, seed_value)
        kept = v[~np.isnan(v)]
        q10, q50, q90 = np.quantile(kept, [0.1, 0.5, 0.9], method="inverted_cdf") if len(kept) else (np.nan,) * 3
        report[name] = {"seed": seed_value, "below": below, "at_or_below": at_or_below,
                        "p10": q10, "median": q50, "p90": q90, "n": int(len(kept))}
        print(f"  {name:30s} seed {seed_value:>9,.1f}   simulated p10 {q10:,.1f}  median {q50:,.1f}  "
              f"p90 {q90:,.1f}   rank {below:.0%}-{at_or_below:.0%}  (n={len(kept)})")
    print(f"  (no coordination meeting within the horizon in {never:.0%} of replications: "
          "counted as later than the horizon, 'inf')")
    dest = Path(__file__).parent / "results"
    dest.mkdir(exist_ok=True)
    (dest / "shanghai_leak_check.json").write_text(json.dumps(
        {"replications": args.replications, "seed": args.seed, "figures": report,
         "no_meeting_share": never}, indent=2, default=float))


if __name__ == "__main__":
    main()

"""How much common random numbers narrow the comparison of two design points.

For one lever of each regime (the 12345 centre's dispatch accuracy 0.85 → 0.95; the
fragmented regime's intake time 0.25 → 0.35 h) the script runs a sweep on the district
scenario and reports, per metric, var(B − A) / (var A + var B) over replications: 1 means the
pairing helps nothing (as with independent streams), 0 means the difference is known exactly.
Below 1 is the variance reduction that common random numbers buy between design points.

    .venv/bin/python benchmarks/crn_variance.py            # ~2 min on 2 cores
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import govsim

ROOT = Path(__file__).resolve().parents[1]
METRICS = ["resolution_days_median", "contacts_per_case", "street_office_shifted_cost_yuan",
           "public_cost_yuan"]
LEVERS = {"consolidated": ("regimes.consolidated.accuracy", [0.85, 0.95]),
          "fragmented": ("regimes.fragmented.intake_hours", [0.25, 0.35])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--horizon-days", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for regime, (path, levels) in LEVERS.items():
            exp = govsim.Experiment(ROOT / "scenarios" / "district.toml", factors={path: levels},
                                    regimes=[regime], replications=args.replications,
                                    seed=args.seed, horizon_days=args.horizon_days)
            res = govsim.sweep(exp, Path(tmp) / regime)
            m = res.metrics.set_index(["point", "replication"])
            for metric in METRICS:
                a, b = m.loc[0][metric], m.loc[1][metric]
                d = b - a
                rows.append({"regime": regime, "factor": path, "metric": metric,
                             "mean_difference": round(float(d.mean()), 4),
                             "variance_ratio": round(float(d.var() / (a.var() + b.var())), 3)})
    for r in rows:
        print(json.dumps(r))


if __name__ == "__main__":
    main()

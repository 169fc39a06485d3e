"""Behaviour under load: the district over two years with the Yangpu trend, units that cut no
more corners when swamped (``load_sensitivity = 0``, what the district ships) against units
that do (0.2, inside the bounds its comment states). Both regimes share the setting.

    .venv/bin/python experiments/load_two_years.py            # 3 replications, seed 2026
    .venv/bin/python experiments/load_two_years.py 6          # more replications
    .venv/bin/python experiments/load_two_years.py 2 20       # 2 replications of 20 days

Prints one comparison table per setting (about a quarter of an hour on two idle cores).
docs/findings.md ("What it says, and under which conditions") shows a run with 2
replications, stored by `docs/regenerate.py load_two_years`.
"""

from __future__ import annotations

import copy
import sys

import govsim
from govsim.scenario import load_scenario, scenario_data

#: Yangpu's city-management complaints: 108,495 (2012) -> 152,136 (2014), about +18.4% a year
YANGPU_TREND = 0.184
METRICS = ["resolution_days_median", "resolution_days_rmst30", "resolved_share",
           "surface_fixes_per_case", "street_office_burden_yuan",
           "street_office_shifted_cost_yuan", "open_cases", "deadline_breach_share"]


def main(replications: int, days: int = 730) -> None:
    base = scenario_data(load_scenario("district"))
    for sensitivity in (0.0, 0.2):
        data = copy.deepcopy(base)
        data["regimes"] = {k: v for k, v in data["regimes"].items()
                           if k in ("fragmented", "consolidated")}
        for category in data["world"]["categories"].values():
            category["trend_per_year"] = YANGPU_TREND
        data["world"]["behaviour"]["load_sensitivity"] = sensitivity
        res = govsim.compare(data, ["fragmented", "consolidated"], replications=replications,
                             horizon_days=days, seed=2026, record_events=False)
        print(f"load_sensitivity = {sensitivity}")
        print(res.table(METRICS), flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3])) if len(sys.argv) > 1 else main(3)

"""Behaviour under load: the district over two years with the Yangpu trend, units that cut no
more corners when swamped (``load_sensitivity = 0``, what the district ships) against units
that do (0.2, inside the bounds its comment states). Both regimes share the setting.

    .venv/bin/python experiments/load_two_years.py            # 3 replications, seed 2026
    .venv/bin/python experiments/load_two_years.py 6          # more replications

Prints one comparison table per setting (about a quarter of an hour on two idle cores).
The README ("What it says, and under which conditions") quotes a run with 3 replications.
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


def main(replications: int) -> None:
    base = scenario_data(load_scenario("district"))
    for sensitivity in (0.0, 0.2):
        data = copy.deepcopy(base)
        data["regimes"] = {k: v for k, v in data["regimes"].items()
                           if k in ("fragmented", "consolidated")}
        for category in data["world"]["categories"].values():
            category["trend_per_year"] = YANGPU_TREND
        data["world"]["behaviour"]["load_sensitivity"] = sensitivity
        res = govsim.compare(data, ["fragmented", "consolidated"], replications=replications,
                             horizon_days=730, seed=2026, record_events=False)
        print(f"load_sensitivity = {sensitivity}")
        print(res.table(METRICS), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

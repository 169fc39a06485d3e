"""What the supervision section does in the district, switched last: 12345 without time limits,
with limits and lights that change nothing (``supervision.urge = false``), and as shipped
(the section urges the unit behind every light), all on the same worlds.

    .venv/bin/python experiments/supervision_effect.py 90 10    # horizon in days, replications
    .venv/bin/python experiments/supervision_effect.py 365 6

The closing note of issue 20 quotes both runs (seed 2026).
"""

from __future__ import annotations

import copy
import sys

import govsim
from govsim.scenario import load_scenario, scenario_data

METRICS = ["resolution_days_median", "resolution_days_p90", "resolution_days_rmst30",
           "resolved_share", "surface_fixes_per_case", "deadline_breach_share",
           "street_office_burden_yuan", "public_cost_yuan", "open_cases"]


def main(horizon_days: int, replications: int) -> None:
    data = copy.deepcopy(scenario_data(load_scenario("district")))
    data["regimes"] = {"consolidated": data["regimes"]["consolidated"],
                       "no_limits": {"like": "consolidated", "label_zh": "无时限",
                                     "time_limits": False},
                       "no_urge": {"like": "consolidated", "label_zh": "不督促",
                                   "supervision": {"urge": False}}}
    res = govsim.compare(data, ["no_limits", "no_urge", "consolidated"],
                         replications=replications, horizon_days=horizon_days, seed=2026,
                         record_events=False)
    print(res.table(METRICS))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 90,
         int(sys.argv[2]) if len(sys.argv) > 2 else 10)

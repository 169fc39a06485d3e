"""Regenerate the figures the README shows (docs/img/).

The district's two presets compared as in `make demo` (90 days, 6 replications, seed 2026):
the resolution-time survival curves and who pays. Run from the repository:

    .venv/bin/python docs/make_figures.py          # about a minute on two cores
"""

from __future__ import annotations

from pathlib import Path

import govsim
import govsim.plot as gp
from govsim.scenario import load_scenario, with_values

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"


def main() -> None:
    s = with_values(load_scenario(ROOT / "scenarios" / "district.toml"),
                    {"world.horizon_days": 90})
    res = govsim.compare(s, ["fragmented", "consolidated"], replications=6, seed=2026,
                         record_events=False)
    OUT.mkdir(parents=True, exist_ok=True)
    gp.plot_survival(res.cases, title="District, 90 days: share of problems not yet truly "
                     "resolved (band: 95% CI over 6 replications)").savefig(
        OUT / "district_survival.png", dpi=90)
    gp.plot_costs(res.units, res.metrics, title="District, 90 days: who pays").savefig(
        OUT / "district_costs.png", dpi=90, bbox_inches="tight")
    print(f"written: {OUT / 'district_survival.png'}, {OUT / 'district_costs.png'}")


if __name__ == "__main__":
    main()

"""Regenerate the figures the README shows (docs/img/).

The district's two presets compared as in `make demo` (its full year, 6 replications, seed
2026): the resolution-time survival curves, who pays, and the street office's burden over
time, where the 90-day headline reverses. Run from the repository:

    .venv/bin/python docs/make_figures.py              # a few minutes on two cores
    .venv/bin/python docs/make_figures.py over_time    # only the figures named
"""

from __future__ import annotations

import sys
from pathlib import Path

import govsim
import govsim.figures as gp
from govsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
FIGURES = ("survival", "costs", "over_time")


def main(which: list[str]) -> None:
    unknown = set(which) - set(FIGURES)
    if unknown:
        raise SystemExit(f"no such figure: {', '.join(sorted(unknown))} (one of {FIGURES})")
    which = which or list(FIGURES)
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    district = load_scenario(ROOT / "scenarios" / "district.toml")
    # as `make demo` runs it: the scenario's own horizon (a year), 6 replications, seed 2026
    res = govsim.compare(district, ["fragmented", "consolidated"], replications=6, seed=2026,
                         record_events=False)
    if "survival" in which:
        gp.plot_survival(res.cases, title="District, one year: share of problems not yet "
                         "truly resolved (band: 95% CI over 6 replications)").savefig(
            OUT / "district_survival.png", dpi=90)
        written.append(OUT / "district_survival.png")
    if "costs" in which:
        gp.plot_costs(res.units, res.metrics, title="District, one year: who pays").savefig(
            OUT / "district_costs.png", dpi=90, bbox_inches="tight")
        written.append(OUT / "district_costs.png")
    if "over_time" in which:
        gp.plot_over_time(res, freq="M", title="District, one year: the street office's "
                          "burden over time (band: 95% CI over 6 replications)").savefig(
            OUT / "district_over_time.png", dpi=90)
        written.append(OUT / "district_over_time.png")
        diffs = res.over_time_differences("M", ["street_office_burden_yuan"])
        print(diffs[["period_end", "regime", "mean_diff", "ci_low", "ci_high"]].to_string())
    print("written: " + ", ".join(str(p) for p in written))


if __name__ == "__main__":
    main(sys.argv[1:])

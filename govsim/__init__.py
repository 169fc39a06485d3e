"""govsim: discrete-event simulation of how cities govern citizens' complaints.

Hold one city (a *world*) fixed, change only the rules (the *regimes*), and compare what
happens -- with replications, confidence intervals and common random numbers::

    import govsim
    cmp = govsim.compare("scenarios/district.toml", replications=10, seed=1)
    print(cmp.table())
    cmp.differences()          # paired differences with 95% CIs
    cmp.cases, cmp.events      # tidy DataFrames (events use process-mining column names)

    res = govsim.run("scenarios/shanghai_leak.toml", replications=1, seed=3, jobs=1)
    journey = govsim.case_journey(res.events, case=0)     # one case, step by step
    govsim.save_swimlane(journey, "leak.png")              # units as lanes, time as the axis

    exp = govsim.Experiment("scenarios/district.toml", horizon_days=60, replications=10,
                            factors={"regimes.consolidated.accuracy": [0.8, 0.9, 0.97]})
    res = govsim.sweep(exp, "results/accuracy")            # one Parquet file per point × rep
    res.differences(["resolution_days_median"])            # paired, per design point
    govsim.load_sweep("results/accuracy")                  # read it back later

    dec = govsim.decompose("scenarios/district.toml", "fragmented", "consolidated",
                           replications=10, horizon_days=60)
    print(dec.table())                                     # the gap, rule by rule, with CIs
    print(dec.table(lang="zh"))                            # ... in Chinese

    govsim.make_report("scenarios/district.toml", replications=6,
                       horizon_days=90).save("report.html")  # one self-contained page

    cal = govsim.calibrate("calibration/targets.toml", "shishi_12345", "consolidated",
                           budget=20, replications=5)      # parameters fitted to the figures
    print(cal.summary())

    rob = govsim.robustness("district", "fragmented", "consolidated", points=16,
                            replications=4)     # does the sign hold over horizons,
    print(rob.table())                          # funding and the [assumptions]?

``run``, ``compare`` and ``sweep`` take ``executor="serial" | "local" | "dask"`` (or any
``concurrent.futures.Executor``) and give the same bytes on each.
"""

from __future__ import annotations

from typing import Any

from govsim.errors import GovsimError
from govsim.experiment import (
    Comparison,
    Decomposition,
    Design,
    Experiment,
    Factor,
    Precision,
    Results,
    SweepResults,
    compare,
    decompose,
    load_experiment,
    load_sweep,
    run,
    sweep,
)
from govsim.measure.casestudy import case_outcomes, distribution
from govsim.measure.journey import case_journey, contacts_table, journey_from
from govsim.moved import install as _install_moved
from govsim.scenario import PRESETS, RULES, Scenario, hybrid, load_scenario, parse_scenario
from govsim.version import __version__

__all__ = [
    "__version__",
    "GovsimError",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "run",
    "compare",
    "Results",
    "Comparison",
    "decompose",
    "Decomposition",
    "calibrate",
    "Calibration",
    "RULES",
    "PRESETS",
    "hybrid",
    "Experiment",
    "Factor",
    "Design",
    "Precision",
    "sweep",
    "load_sweep",
    "load_experiment",
    "SweepResults",
    "case_journey",
    "journey_from",
    "contacts_table",
    "case_outcomes",
    "distribution",
    "plot_swimlane",
    "save_swimlane",
    "plot_waterfall",
    "make_report",
    "Report",
    "robustness",
    "Robustness",
]

_LAZY = {"plot_swimlane", "save_swimlane", "plot_waterfall",  # matplotlib only when drawing
         "make_report", "Report", "calibrate", "Calibration", "robustness", "Robustness"}


def __getattr__(name: str) -> Any:
    if name in ("calibrate", "Calibration"):
        from govsim.calibration import search as calibration_search

        return getattr(calibration_search, name)
    if name in ("robustness", "Robustness"):
        from govsim.experiment import robustness

        return getattr(robustness, name)
    if name in ("make_report", "Report"):
        from govsim.experiment import report_study

        return getattr(report_study, name)
    if name == "plot_waterfall":
        from govsim.figures import waterfall

        return waterfall.plot_waterfall
    if name in _LAZY:
        from govsim.figures import swimlane as plots

        return getattr(plots, name)
    raise AttributeError(f"module 'govsim' has no attribute {name!r}")

_install_moved()  # the old module names of modules that moved, for one release

# the public surface is this list, and every name in it exists
assert all(name in globals() or name in _LAZY for name in __all__), "govsim.__all__ names a missing object"

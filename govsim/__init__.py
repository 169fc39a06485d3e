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
    import govsim.figures
    govsim.figures.save_swimlane(journey, "leak.png")      # units as lanes, time as the axis

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

The top level holds what a study needs; the rest is one import away, each in the one place it
lives: every figure in :mod:`govsim.figures`, the scenario's schema, presets and rule groups in
:mod:`govsim.scenario` (``RULES``, ``PRESETS``, ``hybrid``), designs in
:mod:`govsim.experiment` (``Factor``, ``Design``, ``Precision``), a run's measurements in
:mod:`govsim.measure` (metrics, journeys, the case study's outcome distributions), statistics
in :mod:`govsim.stats`, request logs in :mod:`govsim.data`. The names that used to sit here as
well still work for one release, with a warning naming their home.
"""

from __future__ import annotations

from typing import Any

from govsim.errors import GovsimError
from govsim.lazy import lazy
from govsim.moved import install as _install_moved
from govsim.moved import warn_moved as _warn_moved
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
    "robustness",
    "Robustness",
    "calibrate",
    "Calibration",
    "Experiment",
    "sweep",
    "load_sweep",
    "SweepResults",
    "make_report",
    "Report",
    "case_journey",
    "what_if",
    "metric_catalogue",
]

#: each name and the module that defines it, imported the first time the name is read (so
#: ``import govsim`` costs little, and a rule plug-in can import govsim's vocabulary first)
_WHERE = {
    **dict.fromkeys(("Scenario", "load_scenario", "parse_scenario"), "govsim.scenario.parse"),
    **dict.fromkeys(("run", "compare", "Results", "Comparison"), "govsim.experiment.comparison"),
    **dict.fromkeys(("decompose", "Decomposition"), "govsim.experiment.decomposition"),
    **dict.fromkeys(("robustness", "Robustness"), "govsim.experiment.robustness"),
    **dict.fromkeys(("calibrate", "Calibration"), "govsim.calibration.search"),
    "Experiment": "govsim.experiment.config",
    "sweep": "govsim.experiment.sweeper",
    **dict.fromkeys(("load_sweep", "SweepResults", "load_experiment"),
                    "govsim.experiment.results"),
    **dict.fromkeys(("make_report", "Report"), "govsim.experiment.report_study"),
    "case_journey": "govsim.measure.journey",
    "what_if": "govsim.experiment.whatif",
    "metric_catalogue": "govsim.measure.metric_catalogue",
}
_later, __dir__ = lazy(__name__, _WHERE)

#: names that sat here too until this release, and the one place each lives now
_MOVED_OUT = {"RULES": "govsim.scenario", "PRESETS": "govsim.scenario", "hybrid": "govsim.scenario",
              "Factor": "govsim.experiment", "Design": "govsim.experiment",
              "Precision": "govsim.experiment",
              "journey_from": "govsim.measure.journey", "contacts_table": "govsim.measure.journey",
              "case_outcomes": "govsim.measure.casestudy",
              "distribution": "govsim.measure.casestudy",
              "plot_swimlane": "govsim.figures", "save_swimlane": "govsim.figures",
              "plot_waterfall": "govsim.figures"}


def __getattr__(name: str) -> Any:
    if name in _MOVED_OUT:
        import importlib

        _warn_moved(f"govsim.{name}", f"{_MOVED_OUT[name]}.{name}")
        value = getattr(importlib.import_module(_MOVED_OUT[name]), name)
        globals()[name] = value  # said once, as for every old name
        return value
    return _later(name)


_install_moved()  # the old module names of modules that moved, for one release

# the public surface is this list, and every name in it exists
assert all(name in globals() or name in _WHERE for name in __all__), "govsim.__all__ names a missing object"

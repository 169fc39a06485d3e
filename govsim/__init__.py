"""govsim: discrete-event simulation of how cities govern citizens' complaints.

Hold one city (a *world*) fixed, change only the rules (the *regimes*), and compare what
happens -- with replications, confidence intervals and common random numbers::

    import govsim
    cmp = govsim.compare("scenarios/district.toml", replications=10, seed=1)
    print(cmp.table())
    cmp.differences()          # paired differences with 95% CIs
    cmp.cases, cmp.events      # tidy DataFrames (events use process-mining column names)
"""

from __future__ import annotations

__version__ = "0.1.0"

from govsim.errors import GovsimError
from govsim.experiment import Comparison, Results, compare, run
from govsim.scenario import Scenario, load_scenario, parse_scenario

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
]

# the public surface is this list, and every name in it exists
assert all(name in globals() for name in __all__), "govsim.__all__ names a missing object"

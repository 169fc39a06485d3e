"""The experiment layer: replications, comparisons, sweeps, and the executors they share.

Layer: experiment. Small rooms, one idea each (imports point down this list or to lower layers):

- :mod:`~govsim.experiment.checks` -- argument checks every study shares (scenarios given as a
  path, a mapping or a :class:`~govsim.scenario.Scenario`; counts; warm-up);
- :mod:`~govsim.experiment.replication` -- one task: the world drawn once, every regime on it;
- :mod:`~govsim.experiment.executors` -- one way to open serial / local / Dask / any executor
  and drive it (prompt interrupts, dead workers reported);
- :mod:`~govsim.experiment.comparison` -- :func:`run`, :func:`compare`, :class:`Results`,
  :class:`Comparison`;
- :mod:`~govsim.report.text` -- text tables and JSON of those results;
- :mod:`~govsim.experiment.design` -- factors and designs (factorial, LHS, Sobol');
- :mod:`~govsim.experiment.sequential` -- the precision target and its sequential rule;
- :mod:`~govsim.experiment.config` -- :class:`Experiment` (Python or TOML);
- :mod:`~govsim.experiment.store` -- the results directory;
- :mod:`~govsim.experiment.results` -- :class:`SweepResults` and :func:`load_sweep`;
- :mod:`~govsim.experiment.sweeper` -- the run loop of :func:`sweep`;
- :mod:`~govsim.experiment.decomposition` -- :func:`decompose`: the gap between two regimes
  attributed rule by rule (Shapley values under common random numbers).
"""

from __future__ import annotations

from govsim.experiment.comparison import Comparison, Results, compare, run
from govsim.experiment.config import KEEPABLE, Experiment
from govsim.experiment.decomposition import Decomposition, decompose
from govsim.experiment.design import Design, Factor
from govsim.experiment.executors import (
    EXECUTORS,
    SerialExecutor,
    WorkersDied,
    open_executor,
    run_tasks,
)
from govsim.experiment.replication import ReplicationOutput, run_replication
from govsim.experiment.results import SweepResults, load_experiment, load_sweep
from govsim.experiment.sequential import Precision
from govsim.experiment.sweeper import check_directory, sweep

__all__ = [
    "run",
    "compare",
    "Results",
    "Comparison",
    "decompose",
    "Decomposition",
    "run_replication",
    "ReplicationOutput",
    "Experiment",
    "Factor",
    "Design",
    "Precision",
    "KEEPABLE",
    "sweep",
    "check_directory",
    "SweepResults",
    "load_sweep",
    "load_experiment",
    "EXECUTORS",
    "SerialExecutor",
    "WorkersDied",
    "open_executor",
    "run_tasks",
]

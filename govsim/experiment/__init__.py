"""Running and storing studies: replications, comparisons, sweeps, decompositions, robustness,
and the executors they share.

Layer: experiment. One idea per module (imports point down this list or to lower layers;
rendering lives in :mod:`govsim.report`, calibration in :mod:`govsim.calibration`):

- :mod:`~govsim.experiment.checks` -- argument checks every study shares (scenarios given as a
  path, a mapping or a :class:`~govsim.scenario.Scenario`; counts; warm-up; memory; work);
- :mod:`~govsim.experiment.replication` -- one task: the world drawn once, every regime on it;
- :mod:`~govsim.experiment.executors` -- one way to open serial / local / Dask / any executor
  and drive it (prompt interrupts, dead workers reported);
- :mod:`~govsim.experiment.parameters` -- key paths with bounds, for calibration and robustness;
- :mod:`~govsim.experiment.integrity`, :mod:`~govsim.experiment.lock` -- a results directory's
  checksums, and one writer at a time;
- :mod:`~govsim.experiment.comparison` -- :func:`run`, :func:`compare`, :class:`Results`,
  :class:`Comparison`;
- :mod:`~govsim.experiment.design` -- factors and designs (factorial, LHS, Sobol');
- :mod:`~govsim.experiment.sequential` -- the precision target and its sequential rule;
- :mod:`~govsim.experiment.config` -- :class:`Experiment` (Python or TOML);
- :mod:`~govsim.experiment.store` -- the results directory;
- :mod:`~govsim.experiment.results` -- :class:`SweepResults` and :func:`load_sweep`;
- :mod:`~govsim.experiment.sweeper` -- the run loop of :func:`sweep`;
- :mod:`~govsim.experiment.decomposition_plan`, :mod:`~govsim.experiment.decomposition` --
  :func:`decompose`: the gap between two regimes attributed rule by rule (Shapley and Owen
  values under common random numbers), planned and checked before it runs;
- :mod:`~govsim.experiment.robustness`, :mod:`~govsim.experiment.robustness_result` -- does the
  sign of a difference hold over horizons, funding and the scenario's assumptions;
- :mod:`~govsim.experiment.report_study` -- :func:`govsim.make_report`: the comparison and
  decomposition behind a report page.
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

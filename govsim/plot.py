"""govsim's figures, each a function that returns a matplotlib Figure.

Layer: interfaces. ``import govsim`` does not load matplotlib; ``import govsim.plot`` does.

- :func:`plot_survival` -- resolution-time survival curves per regime, bands over replications
- :func:`plot_costs` -- cost by payer, stacked, the street office's shifted part split up
- :func:`plot_over_time` -- the street office's cumulative burden per regime over time, by
  component, and the median resolution time of the cases filed in each period
- :func:`plot_workload` -- staff hours and tickets of the busiest units, per regime
- :func:`plot_lights` -- yellow and red lights per month, where limits exist
- :func:`plot_process_map` -- the directly-follows graph of the event log (no Graphviz)
- :func:`plot_sweep` -- a metric against a factor of a sweep, one line per regime, with CIs
- :func:`plot_waterfall` -- the decomposition of a gap rule by rule
- :func:`plot_swimlane` -- one case's journey across units
- :func:`plot_trace`, :func:`plot_posterior` -- a calibration's search and posterior
"""

from __future__ import annotations

from govsim.analysis.calibration_plots import plot_posterior, plot_trace
from govsim.analysis.fig_costs import cost_table, plot_costs
from govsim.analysis.fig_over_time import plot_over_time
from govsim.analysis.fig_process import directly_follows, plot_process_map
from govsim.analysis.fig_survival import plot_survival, survival_table
from govsim.analysis.fig_sweep import plot_sweep
from govsim.analysis.fig_workload import plot_lights, plot_workload, workload_table
from govsim.analysis.plots import plot_swimlane
from govsim.analysis.waterfall import plot_waterfall

__all__ = ["plot_survival", "survival_table", "plot_costs", "cost_table", "plot_over_time",
           "plot_process_map",
           "directly_follows", "plot_sweep", "plot_workload", "workload_table", "plot_lights",
           "plot_waterfall",
           "plot_swimlane", "plot_trace", "plot_posterior"]

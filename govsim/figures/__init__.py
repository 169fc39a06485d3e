"""govsim's figures: each ``plot_*`` function returns a matplotlib Figure (or draws on an axes).

Layer: figures, the only part of govsim that imports matplotlib. ``import govsim`` does not load
it, and neither does ``import govsim.figures``: each figure's module is loaded the first time
its function is asked for. The tables behind the figures are plain DataFrames in
:mod:`govsim.measure.figure_tables`.

- :func:`plot_survival` -- resolution-time survival curves per regime, bands over replications
- :func:`plot_costs` -- cost by payer, stacked, the street office's shifted part split up
- :func:`plot_over_time` -- the street office's cumulative burden per regime over time, by
  component, and the median resolution time of the cases filed in each period
- :func:`plot_workload` -- staff hours and tickets of the busiest units, per regime
- :func:`plot_lights` -- yellow and red lights per month, where limits exist
- :func:`plot_process_map` -- the directly-follows graph of the event log (no Graphviz)
- :func:`plot_sweep` -- a metric against a factor of a sweep, one line per regime, with CIs
- :func:`plot_waterfall` -- the decomposition of a gap rule by rule
- :func:`plot_swimlane`, :func:`save_swimlane` -- one case's journey across units
- :func:`plot_trace`, :func:`plot_posterior` -- a calibration's search and posterior
- :func:`plot_warmup` -- Welch's curve for choosing a warm-up
- :func:`plot_request_check` -- a fitted request log checked against a later one

Every ``plot_*`` of results takes ``style="paper"`` (print, the default) or ``"talk"`` (a
room: 14 pt text or more, thicker lines, fewer ticks); :func:`set_style` sets the session's
default and :func:`use_style` a block's. :func:`run_line` writes the line under a title that
says the horizon and the number of replications (the results' own ``plot_*`` methods add it).
"""

from __future__ import annotations

from govsim.lazy import lazy

#: each figure function and the module of this package that defines it
_WHERE = {
    "plot_survival": "survival",
    "plot_costs": "costs",
    "plot_over_time": "over_time",
    "plot_workload": "workload",
    "plot_lights": "workload",
    "plot_process_map": "process_map",
    "plot_sweep": "sweep",
    "plot_waterfall": "waterfall",
    "plot_swimlane": "swimlane",
    "save_swimlane": "swimlane",
    "plot_trace": "calibration",
    "plot_posterior": "calibration",
    "plot_warmup": "warmup",
    "plot_request_check": "request_check",
    "set_style": "style",
    "use_style": "style",
    "get_style": "style",
    "run_line": "headings",
}

__all__ = list(_WHERE)

__getattr__, __dir__ = lazy(__name__, {name: f"{__name__}.{m}" for name, m in _WHERE.items()})

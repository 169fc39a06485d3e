"""Figures of a calibration: how the search went and where the parameters fit.

Layer: analysis (matplotlib, imported only when drawing).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["plot_trace"]

_STAGES = {"start": "0.2", "design": "#4393c3", "simplex": "#d6604d", "check": "#1b7837"}


def plot_trace(trace: pd.DataFrame, parameters: Sequence[str]) -> Figure:
    """The distance of every point evaluated, in order (log scale), and one panel per
    parameter: its value against the distance, the best point circled. ``trace`` is
    :attr:`~govsim.experiment.calibration_search.Calibration.trace`; the points run again
    under fresh seeds (stage ``check``) are shown apart."""
    search = trace[trace["stage"] != "check"]
    n = 1 + len(parameters)
    fig = Figure(figsize=(3.6 * n, 3.4), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    floor = 1e-3
    for stage, colour in _STAGES.items():
        part = trace[trace["stage"] == stage]
        if len(part):
            axes[0].scatter(part["evaluation"], np.maximum(part["distance"], floor), s=14,
                            color=colour, label=stage)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("evaluation")
    axes[0].set_ylabel("distance to the targets")
    axes[0].legend(fontsize=7)
    best = search.loc[search["distance"].idxmin()] if len(search) else None
    for ax, name in zip(axes[1:], parameters, strict=True):
        ax.scatter(search[name], np.maximum(search["distance"], floor), s=14, color="#4393c3")
        if best is not None:
            ax.scatter([best[name]], [max(best["distance"], floor)], s=80, facecolors="none",
                       edgecolors="k", label="best")
        ax.set_yscale("log")
        ax.set_xlabel(name, fontsize=8)
        ax.legend(fontsize=7)
    fig.suptitle("calibration: distance by evaluation and by parameter", fontsize=10)
    return fig

"""Figures of a calibration: how the search went and where the parameters fit.

Layer: analysis (matplotlib, imported only when drawing).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["plot_trace", "plot_posterior"]

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


def plot_posterior(posterior: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """One panel per parameter: the weighted histogram of the last ABC population over the
    parameter's box, its median (solid) and 5% and 95% quantiles (dashed). ``posterior`` and
    ``summary`` are :attr:`~govsim.experiment.calibration_search.Calibration.posterior` and
    ``posterior_summary``."""
    n = len(summary)
    fig = Figure(figsize=(3.6 * max(n, 1), 3.2), layout="constrained")
    axes = fig.subplots(1, max(n, 1), squeeze=False)[0]
    weights = posterior["weight"].to_numpy(dtype=float)
    for ax, row in zip(axes, summary.itertuples(), strict=False):
        values = posterior[row.parameter].to_numpy(dtype=float)
        bins = np.linspace(row.low, row.high, 21)
        ax.hist(values, bins=bins, weights=weights, density=True, color="#92c5de",
                edgecolor="white")
        ax.axvline(row.median, color="k", lw=1.5, label="median")
        for q in (row.q05, row.q95):
            ax.axvline(q, color="k", lw=1, ls="--")
        ax.set_xlim(row.low, row.high)
        ax.set_xlabel(row.parameter, fontsize=8)
        ax.set_ylabel("posterior density")
        ax.legend(fontsize=7)
    fig.suptitle("calibration: marginal posteriors (ABC-SMC, last population; "
                 "dashed: 5% and 95%)", fontsize=10)
    return fig

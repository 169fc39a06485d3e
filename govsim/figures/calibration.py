"""Figures of a calibration: how the search went and where the parameters fit.

Layer: figures (matplotlib, imported only when drawing).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from govsim.figures.labels import finish
from govsim.figures.style import figure_style, points, scaled

__all__ = ["plot_trace", "plot_posterior", "png_bytes"]

_STAGES = {"start": "0.2", "design": "#4393c3", "simplex": "#d6604d", "check": "#1b7837"}


def plot_trace(trace: pd.DataFrame, parameters: Sequence[str], *,
               style: str | None = None) -> Figure:
    """The distance of every point evaluated, in order (log scale), and one panel per
    parameter: its value against the distance, the best point circled. ``trace`` is
    ``Calibration.trace``; the points run again
    under fresh seeds (stage ``check``) are shown apart. A point without a finite distance (a
    target no replication observed) is a tick along the top, and the panels name the targets
    that no run observed (their ``mean:`` column empty throughout). ``style``: ``"paper"``
    or ``"talk"`` (None: the style in force).

    Examples
    --------
    >>> fig = plot_trace(cal.trace, ["regimes.fragmented.staff"])  # doctest: +SKIP
    """
    with figure_style("en", style):
        return finish(_trace(trace, parameters))


def _trace(trace: pd.DataFrame, parameters: Sequence[str]) -> Figure:
    distance = pd.to_numeric(trace["distance"], errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(distance)
    searched = (trace["stage"] != "check").to_numpy()
    never = [c.removeprefix("mean:") for c in trace.columns
             if c.startswith("mean:") and trace[c].isna().all()]
    missing = "" if finite.all() else (
        f"{int((~finite).sum())} of {len(trace)} points: no finite distance"
        + (f"\n(never observed: {', '.join(never)})" if never else ""))
    n = 1 + len(parameters)
    fig = Figure(figsize=scaled(3.6 * n, 3.4), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    floor = 1e-3
    evaluation = trace["evaluation"].to_numpy(dtype=float)
    for stage, colour in _STAGES.items():
        part = finite & (trace["stage"] == stage).to_numpy()
        if part.any():
            axes[0].scatter(evaluation[part], np.maximum(distance[part], floor), s=14,
                            color=colour, label=stage)
    _finish(axes[0], evaluation[~finite], finite.any(), missing)
    axes[0].set_xlabel("evaluation")
    axes[0].set_ylabel("distance to the targets")
    mine = finite & searched
    best = int(np.flatnonzero(mine)[np.argmin(distance[mine])]) if mine.any() else None
    for ax, name in zip(axes[1:], parameters, strict=True):
        values = pd.to_numeric(trace[name], errors="coerce").to_numpy(dtype=float)
        shown = mine & np.isfinite(values)
        ax.scatter(values[shown], np.maximum(distance[shown], floor), s=14, color="#4393c3")
        if best is not None and shown[best]:
            ax.scatter([values[best]], [max(distance[best], floor)], s=80, facecolors="none",
                       edgecolors="k", label="best")
        _finish(ax, values[searched & ~finite & np.isfinite(values)], shown.any(), missing)
        ax.set_xlabel(name, fontsize=points(8))
    fig.suptitle("calibration: distance by evaluation and by parameter", fontsize=points(10))
    return fig


def _finish(ax: Axes, undefined: np.ndarray, drawn: bool, missing: str) -> None:
    """The points without a distance as ticks along the top; a log scale when there is
    something to scale; a note of what could not be drawn."""
    if len(undefined):
        ax.plot(undefined, np.full(len(undefined), 0.97), "|", color="0.45", markersize=9,
                transform=ax.get_xaxis_transform(), label="no distance")
    if drawn:
        ax.set_yscale("log")
    else:
        ax.set_yticks([])
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=points(7))
    if missing:
        ax.text(0.5, 0.88, missing, transform=ax.transAxes, fontsize=points(7), ha="center",
                va="top", color="0.3")


def png_bytes(fig: Figure) -> bytes:
    """``fig`` as PNG bytes, drawn now (a writer of these bytes cannot fail halfway by drawing)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def plot_posterior(posterior: pd.DataFrame, summary: pd.DataFrame, *,
                   style: str | None = None) -> Figure:
    """One panel per parameter: the weighted histogram of the last ABC population over the
    parameter's box, its median (solid) and 5% and 95% quantiles (dashed). ``posterior`` and
    ``summary`` are ``Calibration.posterior`` and
    ``posterior_summary``. ``style``: ``"paper"`` or ``"talk"`` (None: the style in force).

    Examples
    --------
    >>> fig = plot_posterior(cal.posterior, cal.posterior_summary)  # doctest: +SKIP
    """
    with figure_style("en", style):
        return finish(_posterior(posterior, summary))


def _posterior(posterior: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    n = len(summary)
    fig = Figure(figsize=scaled(3.6 * max(n, 1), 3.2), layout="constrained")
    axes = fig.subplots(1, max(n, 1), squeeze=False)[0]
    weights = posterior["weight"].to_numpy(dtype=float)
    for ax, row in zip(axes, summary.itertuples(), strict=False):
        values = posterior[row.parameter].to_numpy(dtype=float)
        kept = np.isfinite(values) & np.isfinite(weights)
        values, w = values[kept], weights[kept]
        bins = np.linspace(row.low, row.high, 21)
        ax.hist(values, bins=bins, weights=w, density=bool(w.sum() > 0), color="#92c5de",
                edgecolor="white")
        ax.axvline(row.median, color="k", lw=1.5, label="median")
        for q in (row.q05, row.q95):
            ax.axvline(q, color="k", lw=1, ls="--")
        ax.set_xlim(row.low, row.high)
        ax.set_xlabel(row.parameter, fontsize=points(8))
        ax.set_ylabel("posterior density")
        ax.legend(fontsize=points(7))
    fig.suptitle("calibration: marginal posteriors (ABC-SMC, last population; "
                 "dashed: 5% and 95%)", fontsize=points(10))
    return fig

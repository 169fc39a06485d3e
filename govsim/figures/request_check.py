"""A learnt world checked against a later log: volume by complaint type, time to close by agency.

Layer: figures (matplotlib, imported only when drawing). Draws the two tables of
:func:`govsim.data.check.check_fit` (it takes the tables, not the fit): on the left each
complaint type's observed count against the count the world expects, with the prediction
interval the observation should fall in; on the right each agency's time-to-close quantiles,
the later log's (with their Kaplan-Meier interval) against the simulated ones (with their
interval over replications), on log axes with the line of agreement and a band of a factor 1.5.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError, shown
from govsim.figures.style import PALETTE, figure_style, scaled
from govsim.figures.style import points as size_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_request_check", "VOLUME_NEEDS", "TIMES_NEEDS", "BAND", "LABELLED"]

#: the columns each table must have
VOLUME_NEEDS = ("category", "observed", "expected", "pi_low", "pi_high", "inside")
TIMES_NEEDS = ("agency", "quantile", "observed", "observed_ci_low", "observed_ci_high",
               "simulated", "simulated_ci_low", "simulated_ci_high")
#: the band around agreement drawn on the time-to-close panel: within this factor
BAND = 1.5
#: the volume panel names this many of the types furthest outside their interval, and of the
#: largest
LABELLED = 6
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_IN, _OUT = "#0072B2", "#D55E00"


def plot_request_check(volume: pd.DataFrame, times: pd.DataFrame, *, title: str | None = None,
                       confidence: float = 0.95,
                       figsize: tuple[float, float] = (10.0, 4.4),
                       style: str | None = None) -> Figure:
    """Two panels: observed against expected requests by complaint type (prediction
    intervals; log axes when the counts span a factor of 10 or more, zeros on the bottom
    edge; the :data:`LABELLED` types furthest outside their interval and as many of the largest
    named), and
    observed against
    simulated time-to-close quantiles by agency (log axes; colour: agency, marker: quantile).

    Parameters
    ----------
    volume, times : pandas.DataFrame
        ``RequestCheck.volume`` and ``.times`` (at least the columns
        :data:`VOLUME_NEEDS` and :data:`TIMES_NEEDS`).
    title : str, optional
        The figure's title (``RequestCheck.plot`` names the window, regime and replications).
    confidence : float
        The level of the intervals (for the labels).
    figsize : (float, float)
        Width and height in inches (of the paper style; a talk's is larger).
    style : str, optional
        ``"paper"`` or ``"talk"`` (None: the style in force).

    Returns
    -------
    matplotlib.figure.Figure
        With no row to draw, a panel says so.
    """
    from matplotlib.figure import Figure

    for frame, needs, name in ((volume, VOLUME_NEEDS, "volume"), (times, TIMES_NEEDS, "times")):
        if not isinstance(frame, pd.DataFrame):
            raise GovsimError(f"must be a DataFrame (RequestCheck.{name}), got {shown(frame)}",
                              name)
        missing = [c for c in needs if c not in frame.columns]
        if missing:
            raise GovsimError(f"lacks the column(s) {', '.join(missing)}", name)
    with figure_style("en", style):
        fig = Figure(figsize=scaled(*figsize), layout="constrained")
        left, right = fig.subplots(1, 2)
        _volume(left, volume, confidence)
        _times(right, times, confidence)
        if title:
            fig.suptitle(title)
    return fig


def _volume(ax: Any, volume: pd.DataFrame, confidence: float) -> None:
    v = volume[np.isfinite(volume["expected"].to_numpy(dtype=float))]
    if v.empty:
        _empty(ax, "no complaint type to compare")
        return
    x = v["expected"].to_numpy(dtype=float)
    y = v["observed"].to_numpy(dtype=float)
    lo, hi = v["pi_low"].to_numpy(dtype=float), v["pi_high"].to_numpy(dtype=float)
    values = np.concatenate([x, y, lo, hi])
    positive = values[values > 0]
    log = bool(positive.size) and positive.max() >= 10 * positive.min()
    bottom = float(positive.min()) / 1.6 if log else 0.0
    top = float(values.max()) * 1.15 or 1.0
    if log:  # a zero (a type absent from one side) sits on the bottom edge
        x, y, lo, hi = (np.maximum(a, bottom) for a in (x, y, lo, hi))
    inside = v["inside"].to_numpy(dtype=bool)
    for mask, colour, label in ((inside, _IN, "inside"), (~inside, _OUT, "outside")):
        if mask.any():
            ax.errorbar(x[mask], x[mask], yerr=[x[mask] - lo[mask], hi[mask] - x[mask]],
                        fmt="none", ecolor=colour, alpha=0.5, elinewidth=4, capsize=0)
            ax.plot(x[mask], y[mask], "o", color=colour, ms=5,
                    label=f"observed, {label} the interval")
    # name the types outside their interval and the largest ones, not every type
    outside = np.flatnonzero(~inside)
    with np.errstate(divide="ignore", invalid="ignore"):
        miss = np.nan_to_num(np.abs(np.log((y[outside] + 0.5) / (x[outside] + 0.5))))
    named = set(outside[np.argsort(-miss, kind="stable")][:LABELLED]) | set(
        np.argsort(-x, kind="stable")[:LABELLED])
    _label(ax, [(float(x[k]), float(y[k]), str(v["category"].iloc[k])) for k in named],
           bottom, top, log)
    ax.plot([bottom, top], [bottom, top], color="0.5", lw=0.8, ls="--", label="observed = expected")
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlim(bottom, top)
    ax.set_ylim(bottom, top)
    ax.set_xlabel(f"expected requests (bar: {confidence:.0%} prediction interval)")
    ax.set_ylabel("observed requests")
    ax.set_title("Volume by complaint type")
    ax.legend(loc="upper left", fontsize=size_of(7))


def _label(ax: Any, points: list[tuple[float, float, str]], bottom: float, top: float,
           log: bool) -> None:
    """Name each point beside it, moving a label down (in steps of a line) while its box would
    overlap one already placed, so that no two names are drawn over each other."""
    def frac(value: float) -> float:
        if log:
            return (math.log(value) - math.log(bottom)) / (math.log(top) - math.log(bottom))
        return (value - bottom) / ((top - bottom) or 1.0)

    placed: list[tuple[float, float, float]] = []  # left, bottom, right in axes fractions
    line = 0.035
    for xi, yi, name in sorted(points, key=lambda p: (-p[1], p[0])):
        text = name if len(name) <= 24 else name[:23] + "…"
        left, width = frac(xi) + 0.01, 0.0105 * len(text)
        low = frac(yi)
        while any(left < right and start < left + width and abs(b - low) < line
                  for start, b, right in placed):
            low -= line
        placed.append((left, low, left + width))
        ax.annotate(text, (xi, yi), xytext=(left, low), textcoords="axes fraction", fontsize=size_of(7),
                    color="0.25", va="bottom",
                    arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "0.6"}
                    if abs(low - frac(yi)) > 1e-9 else None)


def _times(ax: Any, times: pd.DataFrame, confidence: float) -> None:
    t = times[(times["observed"] > 0) & (times["simulated"] > 0)]
    if t.empty:
        _empty(ax, "no agency with a quantile both in the log and simulated")
        return
    agencies = list(dict.fromkeys(t["agency"].astype(str)))
    levels = sorted(set(t["quantile"].astype(float)))
    colour = {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(agencies)}
    marker = {q: _MARKERS[i % len(_MARKERS)] for i, q in enumerate(levels)}
    cols = ["observed", "observed_ci_low", "observed_ci_high", "simulated", "simulated_ci_low",
            "simulated_ci_high"]
    shown_values = t[cols].to_numpy(dtype=float)
    finite = shown_values[np.isfinite(shown_values) & (shown_values > 0)]
    low, high = float(finite.min()) / 1.6, float(finite.max()) * 1.6
    for row in t.itertuples(index=False):
        x, y = float(row.observed), float(row.simulated)
        xerr = _err(x, row.observed_ci_low, row.observed_ci_high, high)
        yerr = _err(y, row.simulated_ci_low, row.simulated_ci_high, high)
        ax.errorbar([x], [y], xerr=xerr, yerr=yerr, fmt=marker[float(row.quantile)],
                    color=colour[str(row.agency)], ms=5, elinewidth=0.9, capsize=2)
        if not math.isfinite(float(row.observed_ci_high)):  # beyond the later log's follow-up
            ax.annotate("", (high, y), (x, y), arrowprops={"arrowstyle": "->", "lw": 0.7,
                                                           "color": colour[str(row.agency)]})
    line = np.geomspace(low, high, 50)
    ax.plot(line, line, color="0.4", lw=0.8, ls="--")
    ax.fill_between(line, line / BAND, line * BAND, color="0.5", alpha=0.12, linewidth=0,
                    label=f"within a factor {BAND:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_xlabel(f"later log: Kaplan–Meier quantile, days ({confidence:.0%} CI)")
    ax.set_ylabel(f"simulated quantile, days ({confidence:.0%} CI over replications)")
    ax.set_title("Time to close by agency")
    for a in agencies:
        ax.plot([], [], "o", color=colour[a], label=a)
    for q in levels:
        ax.plot([], [], marker[q], color="0.3", mfc="none", label=f"q = {q:g}")
    ax.legend(loc="upper left", fontsize=size_of(7), ncol=2)


def _err(centre: float, low: Any, high: Any, limit: float) -> list[list[float]] | None:
    """An error bar's lengths below and above ``centre`` (a missing limit draws no bar on its
    side; an upper limit beyond the axes stops at ``limit``)."""
    lo, hi = float(low), float(high)
    below = centre - lo if math.isfinite(lo) else 0.0
    above = min(hi, limit) - centre if math.isfinite(hi) else 0.0
    if below == 0.0 and above == 0.0:
        return None
    return [[max(below, 0.0)], [max(above, 0.0)]]


def _empty(ax: Any, text: str) -> None:
    """Say in the middle of ``ax`` that there is nothing to draw (as
    :func:`govsim.figures.style.say_empty` does, in this figure's words)."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=size_of(10),
            color="0.3", wrap=True, bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "0.7"})

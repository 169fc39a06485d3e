"""Where the swimlane puts things: its lanes, steps at one time spread apart, the date axis.

Layer: figures (matplotlib, imported only when drawing; used by
:mod:`govsim.figures.swimlane`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from govsim.figures.style import get_style
from govsim.figures.swimlane_text import text
from govsim.measure.journey import CITIZEN

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["FONT", "TALK_FONT", "font", "invited", "lanes", "stacked", "date_axis", "figsize"]

FONT = 12  # projected on a wall: larger than matplotlib's default
TALK_FONT = 16  # in the talk style: its smallest text (two points less) is 14 pt


def font() -> int:
    """The swimlane's base font size in the style in force (the talk style's is larger)."""
    return TALK_FONT if get_style() == "talk" else FONT
_STACK = 0.26  # vertical spacing of simultaneous steps in one lane (lane height 1)


def invited(journey: pd.DataFrame) -> list[tuple[str, ...]]:
    """Each step's meeting invitees (empty where none, or the journey does not say)."""
    if "invited" not in journey.columns:
        return [()] * len(journey)
    return [tuple(str(u) for u in v) if isinstance(v, tuple | list) else ()
            for v in journey["invited"]]


def lanes(units: list[str], invited: list[tuple[str, ...]] | None = None) -> list[str]:
    """Lane order: the citizen on top, then units in order of first appearance (a meeting's
    invitees appear at the meeting, after its convener)."""
    seen = []
    for k, u in enumerate(units):
        seen.append(u)
        if invited is not None:
            seen.extend(invited[k])
    order = list(dict.fromkeys(seen))
    if CITIZEN in order:
        order.remove(CITIZEN)
    return [CITIZEN, *order]


def stacked(x: np.ndarray, lane: np.ndarray, eps: float) -> np.ndarray:
    """Lane positions with steps that would overlap (same lane, nearly the same time) spread
    vertically around the lane's centre, in step order from top to bottom."""
    y = lane.astype(float).copy()
    for k in np.unique(lane):
        idx = np.flatnonzero(lane == k)
        start = 0
        while start < len(idx):
            end = start + 1
            while end < len(idx) and x[idx[end]] - x[idx[start]] <= eps:
                end += 1
            m = end - start
            if m > 1:
                gap = min(_STACK, 0.76 / (m - 1))
                y[idx[start:end]] = k + (np.arange(m) - (m - 1) / 2.0) * gap
            start = end
    return y


def date_axis(ax: Axes, lo: float, hi: float, x0: float) -> None:
    """Dates below (limits ``lo``..``hi`` padded), days since ``x0`` (first filing) on top."""
    pad = max((hi - lo) * 0.04, 1.0 / 24.0)
    ax.set_xlim(lo - pad, hi + pad)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    # day ticks read "15 Mar" (not a bare "15"); the offset names only what the ticks leave out
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
        locator,
        formats=text("date.formats").split("|"),
        offset_formats=text("date.offsets").split("|"),
    ))
    size = font()
    ax.tick_params(axis="x", labelsize=size - 1)
    ax.xaxis.get_offset_text().set_fontsize(size - 1)
    # the same axis in days since the first filing, on top
    top = ax.secondary_xaxis("top", functions=(lambda v: v - x0, lambda d: d + x0))
    top.set_xlabel(text("axis.days"), fontsize=size)
    top.tick_params(labelsize=size - 1)


def figsize(journey: pd.DataFrame) -> tuple[float, float]:
    """Inches: wide enough for years of dates, tall enough for every lane and the strip."""
    n_lanes = len(lanes(journey["unit"].astype(str).tolist(), invited(journey)))
    strip = 1 if (journey["activity"].astype(str) == "file").any() else 0
    grow = 1.3 if get_style() == "talk" else 1.0
    return (13.0 * grow, (2.6 + 0.85 * (n_lanes + strip)) * grow)

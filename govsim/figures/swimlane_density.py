"""A crowded swimlane, counted: bars of steps per period in each lane instead of a pile of
markers.

Layer: figures (matplotlib, imported only when drawing; used by
:mod:`govsim.figures.swimlane`). A case with hundreds of contacts has more steps in one lane
than markers fit side by side; drawn one by one they pile up into an unreadable block. So
when a lane holds more than :data:`SLOTS` steps (:func:`crowded`), the frequent activities
are counted instead: each lane gets a small histogram of its steps per period, stacked and
coloured by family, and only the rare steps (:func:`rare`: resolution, meetings, money,
rulings -- at most :data:`RARE` of an activity) keep their markers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SLOTS", "RARE", "BINS", "crowded", "rare", "draw_counts"]

#: more steps than this in one lane and markers no longer fit side by side (a 13-inch figure
#: holds about 60 markers across)
SLOTS = 60
#: an activity that happens at most this often in the case keeps its markers in a crowded
#: swimlane; more often, its steps are counted in the bars
RARE = 12
#: the number of periods the time axis is cut into for the bars
BINS = 48
_HEIGHT = 0.8  # the tallest bar, in lane heights


def crowded(lane: np.ndarray) -> bool:
    """Whether some lane holds more steps than fit side by side (:data:`SLOTS`).

    Examples
    --------
    >>> crowded(np.zeros(61, dtype=int)), crowded(np.arange(100))
    (True, False)
    """
    return bool(len(lane)) and int(np.bincount(np.asarray(lane, dtype=np.int64)).max()) > SLOTS


def rare(activity: np.ndarray, always: frozenset[str] = frozenset({"meeting", "resolved"})
         ) -> np.ndarray:
    """Steps whose activity happens at most :data:`RARE` times in the case (or is one of
    ``always``): these keep their markers.

    Examples
    --------
    >>> rare(np.array(["file"] * 13 + ["advance"])).tolist()[-2:]
    [False, True]
    """
    names, counts = np.unique(activity, return_counts=True)
    few = {str(a) for a, n in zip(names, counts, strict=True) if n <= RARE} | set(always)
    return np.array([a in few for a in activity], dtype=bool)


def draw_counts(ax: Axes, x: np.ndarray, lane: np.ndarray, family: np.ndarray,
                colours: Mapping[str, str], lo: float, hi: float, n_lanes: int
                ) -> tuple[float, int, np.ndarray]:
    """Draw, in each lane, the steps given (positions ``x`` in days, ``lane``, ``family``)
    counted per period of ``(hi - lo) / BINS`` days, stacked by family in the order of
    ``colours``, rising from the foot of the lane; the tallest bar of the figure is 0.8 of a
    lane. Returns the period's length in days, the tallest bar's count, and the counts
    (lanes × periods) so that readers and tests can check them.

    Examples
    --------
    >>> width, tallest, counts = draw_counts(ax, x, lane, family,
    ...                                      {"filing": "#0072B2"}, x.min(), x.max(), 3)
    ...                                      # doctest: +SKIP
    """
    width = max((hi - lo) / BINS, 1.0 / 24.0)
    edges = lo + width * np.arange(BINS + 1)
    where = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, BINS - 1)
    counts = np.zeros((n_lanes, BINS), dtype=np.int64)
    np.add.at(counts, (np.asarray(lane, dtype=np.int64), where), 1)
    top = int(counts.max()) if counts.size else 0
    if not top:
        return width, 0, counts
    centres = edges[:-1] + width / 2.0
    for k in range(n_lanes):
        base = np.zeros(BINS)
        foot = k + 0.42  # the lane's foot (the y axis runs downwards)
        for fam, colour in colours.items():
            sel = (lane == k) & (family == fam)
            if not sel.any():
                continue
            n = np.bincount(where[sel], minlength=BINS).astype(float)
            h = n / top * _HEIGHT
            ax.bar(centres, -h, bottom=foot - base, width=width * 0.92, color=colour,
                   alpha=0.85, linewidth=0, zorder=2)
            base += h
    return width, top, counts

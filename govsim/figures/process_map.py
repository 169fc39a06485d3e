"""The process map: the directly-follows graph of the event log, drawn without Graphviz.

Layer: figures (matplotlib only when drawing). Within each case (of each replication), events
are put in time order (ties in the order they were logged) and every pair of consecutive
events is a transition ``a -> b``; a case's first event follows ``start`` and its last is
followed by ``end``. Each edge carries how often it was taken and the median time between
the two events. The drawing places activities left to right by where they sit in cases on
average, and draws the most frequent edges (at most ``max_edges``, each carrying at least
``min_share`` of all transitions). Each arrow carries a number, placed along the arrow where
it overlaps no other number and no activity (:class:`EdgeTags`); beside the graph, the list
of numbered edges says what each is, how often it was taken and the median hours it took.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform

from govsim.errors import GovsimError
from govsim.figures.headings import headline, say
from govsim.figures.labels import finish, set_heading, wrap
from govsim.figures.style import figure_style, points, say_empty, scaled
from govsim.lang import activity_name, tr
from govsim.measure.figure_tables import END, START, directly_follows
from govsim.scenario.names import Names

__all__ = ["plot_process_map", "EdgeTags"]

_INK = "#b2182b"
#: where along an arrow (0 its start, 1 its end) a number may go, the middle first
_ALONG = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82)


def plot_process_map(events: pd.DataFrame, regime: str | None = None,
                     min_share: float = 0.01, title: str | None = None, lang: str = "en",
                     names: Names | None = None, style: str | None = None,
                     subtitle: str | None = None, max_edges: int | None = 12) -> Figure:
    """Draw the directly-follows graph: activities as boxes left to right by their mean
    position in cases, edges as arrows as thick as they are frequent, each numbered; the
    numbered list beside the graph gives each edge's count and the median hours between
    its two events.

    Only the ``max_edges`` most frequent edges (None: all) that carry at least
    ``min_share`` of all transitions are drawn (the title says how many are left out).
    Activities are named in words (:func:`govsim.lang.activity_name`), the regime by
    ``names``; ``lang="zh"`` labels it in Chinese. ``style``: ``"paper"`` or ``"talk"``
    (None: the style in force); ``subtitle``: a line under the title. No events (no case
    arose): the axes say so.

    Examples
    --------
    >>> fig = plot_process_map(cmp.events, "fragmented", max_edges=8)  # doctest: +SKIP
    """
    if max_edges is not None and (isinstance(max_edges, bool) or not isinstance(max_edges, int)
                                  or max_edges < 1):
        raise GovsimError(f"must be a whole number of at least 1 or None, got {max_edges!r}",
                          "max_edges")
    shown = names or Names()
    graph = directly_follows(events, regime)
    total = int(graph["count"].sum())
    kept = graph[graph["count"] >= min_share * total]
    if max_edges is not None:
        kept = kept.head(max_edges)
    xy, n_columns = _layout(graph, kept)
    with figure_style(lang, style):
        graph_width = max(6.0, 1.7 * n_columns)
        entries = _entries(kept, lang)
        lines = sum(e.count("\n") + 1 for e in entries) + 3  # (and the list's heading)
        width, height = scaled(graph_width + 3.6, 5.2)
        height = max(height, 1.6 + lines * points(7) * 1.4 / 72.0)  # room for the list
        fig = Figure(figsize=(width, height), layout="constrained")
        ax, side = fig.subplots(1, 2, width_ratios=(graph_width, 3.6))
        ax.set_axis_off()
        side.set_axis_off()
        top = max(kept["count"]) if len(kept) else 1
        arcs = []
        for row in kept.itertuples():
            (x0, y0), (x1, y1) = xy[row.source], xy[row.target]
            bend = 0.25 if x1 <= x0 else 0.08
            ax.add_patch(FancyArrowPatch(
                (x0, y0), (x1, y1), connectionstyle=f"arc3,rad={bend}", arrowstyle="-|>",
                mutation_scale=points(10), lw=points(0.6) + 3.0 * row.count / top,
                color="#4d4d4d", alpha=0.7, shrinkA=points(18), shrinkB=points(18)))
            arcs.append(((x0, y0), (x1, y1), bend))
        boxes = []
        for a, (x, y) in xy.items():
            boxes.append(ax.text(x, y, wrap(activity_name(a, lang), 14), ha="center",
                                 va="center", fontsize=points(8), zorder=4,
                                 bbox={"boxstyle": "round,pad=0.3", "ec": "#2166ac",
                                       "fc": "#deebf7" if a not in (START, END) else "#f0f0f0"}))
        tags = EdgeTags(ax, arcs, boxes, fontsize=points(7))
        ax.add_artist(tags)
        xs = [p[0] for p in xy.values()] or [0.0]
        ys = [p[1] for p in xy.values()] or [0.0]
        ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
        ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
        _edge_list(side, entries, lang)
        left_out = len(graph) - len(kept)
        of = tr("fig.pm.of", lang, regime=shown.regime(regime)) if regime else ""
        set_heading(fig, headline(title or say("pm.title", lang, of=of, total=total,
                                              kept=len(kept), k=left_out), subtitle))
        if not total:
            say_empty(ax, "cases", lang)
        finish(fig)
    return fig


def _layout(graph: pd.DataFrame, kept: pd.DataFrame) -> tuple[dict[str, tuple[float, float]],
                                                             int]:
    """Each kept activity's place: columns by mean position in cases (activities whose
    positions are close share one), rows within a column."""
    nodes = pd.unique(pd.concat([kept["source"], kept["target"]]))
    where = dict(zip(graph["source"], graph["position"], strict=False))
    where.setdefault(END, 1.1)
    order = sorted(nodes, key=lambda a: (where.get(a, 0.5), a))
    columns: list[list[str]] = []
    for a in order:
        if columns and where.get(a, 0.5) - where.get(columns[-1][0], 0.5) < 0.08:
            columns[-1].append(a)
        else:
            columns.append([a])
    xy = {a: (float(i), float(j) - (len(col) - 1) / 2.0)
          for i, col in enumerate(columns) for j, a in enumerate(col)}
    return xy, len(columns)


def _entries(kept: pd.DataFrame, lang: str) -> list[str]:
    """The numbered edges' entries for the list: what, how often, the median hours."""
    entries = []
    for k, row in enumerate(kept.itertuples(), start=1):
        what = f"{activity_name(row.source, lang)} → {activity_name(row.target, lang)}"
        count = f"{row.count:,}"
        if row.source != START and row.target != END:
            # (a number and its unit kept on one line)
            count += "; " + tr("fig.pm.hours", lang, h=row.median_hours).replace(" ", "\u00a0")
        entries.append(wrap(f"{k}. {what} ({count})", 34).replace("\n", "\n     "))
    return entries


def _edge_list(side: Any, entries: list[str], lang: str) -> None:
    """The numbered edges, one entry each, in a column of their own."""
    heading = wrap(say("pm.edges", lang), 30)
    side.text(0.0, 1.0, heading, transform=side.transAxes, ha="left", va="top",
              fontsize=points(8), fontweight="bold")
    below = (heading.count("\n") + 1.8) * points(8) * 1.25  # the heading's height, and a gap
    side.annotate("\n".join(entries), (0.0, 1.0), xycoords="axes fraction",
                  xytext=(0.0, -below), textcoords="offset points", ha="left", va="top",
                  fontsize=points(7), linespacing=1.35, color="0.15")


def _bezier(p0: np.ndarray, p2: np.ndarray, rad: float, t: float) -> np.ndarray:
    """A point of matplotlib's ``arc3`` connection from ``p0`` to ``p2`` (display units)."""
    mid = (p0 + p2) / 2.0
    d = p2 - p0
    c = mid + rad * np.array([d[1], -d[0]])
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t ** 2 * p2


class EdgeTags(Artist):
    """The numbers on the arrows of a process map, placed each time the figure is drawn: on
    each arrow at the first point (from the middle outwards) where the number overlaps no
    activity box and no number placed before, else beside the arrow where it does not.

    After a draw, :attr:`texts` holds the numbers drawn (the first edge's first).

    Examples
    --------
    >>> tags = next(a for a in fig.axes[0].artists if isinstance(a, EdgeTags))  # doctest: +SKIP
    >>> [EdgeTags.extent(t) for t in tags.texts]  # doctest: +SKIP
    """

    zorder = 5

    def __init__(self, ax: Any, arcs: list[tuple[tuple[float, float], tuple[float, float],
                                                 float]],
                 boxes: list[Text], fontsize: float) -> None:
        super().__init__()
        self._ax = ax
        self._arcs = arcs
        self._boxes = boxes
        self._fontsize = fontsize
        self.texts: list[Text] = []
        self.set_in_layout(False)

    def get_children(self) -> list[Artist]:
        """The numbers of the last draw (so ``findobj`` sees them)."""
        return list(self.texts)

    def _tag(self, x: float, y: float, label: str) -> Text:
        t = Text(x, y, label, ha="center", va="center", fontsize=self._fontsize,
                 color=_INK, fontweight="bold", transform=IdentityTransform(),
                 bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": _INK, "lw": 1.0})
        t.set_figure(self.get_figure(root=False))
        return t

    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        taken: list[Bbox] = []
        for box in self._boxes:
            box.update_bbox_position_size(renderer)
            taken.append(box.get_bbox_patch().get_window_extent(renderer))
        frame = self._ax.get_window_extent(renderer)
        to_px = self._ax.transData
        self.texts = []
        for k, (p0, p2, rad) in enumerate(self._arcs, start=1):
            a, b = to_px.transform(p0), to_px.transform(p2)
            spots = [_bezier(a, b, rad, t) for t in _ALONG]
            step = renderer.points_to_pixels(self._fontsize * 1.6)
            spots += [spots[0] + step * np.array([dx, dy]) for r in range(1, 6)
                      for dx, dy in ((0, r), (0, -r), (r, 0), (-r, 0), (r, r), (-r, -r),
                                     (r, -r), (-r, r))]
            tag = None
            for x, y in spots:
                tag = self._tag(float(x), float(y), str(k))
                extent = self.extent(tag, renderer)
                inside = frame.x0 <= extent.x0 and extent.x1 <= frame.x1 \
                    and frame.y0 <= extent.y0 and extent.y1 <= frame.y1
                if inside and not any(extent.overlaps(t) for t in taken):
                    break
            assert tag is not None
            taken.append(self.extent(tag, renderer))
            self.texts.append(tag)
        for tag in self.texts:
            tag.draw(renderer)
        self.stale = False

    @staticmethod
    def extent(tag: Text, renderer: Any = None) -> Bbox:
        """The box a number takes with its circle (display units), for placing and tests."""
        box = tag.get_window_extent(renderer)
        side = max(box.width, box.height) * 1.5
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        return Bbox.from_extents(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)

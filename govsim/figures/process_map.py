"""The process map: the directly-follows graph of the event log, drawn without Graphviz.

Layer: figures (matplotlib only when drawing). Within each case (of each replication), events
are put in time order (ties in the order they were logged) and every pair of consecutive
events is a transition ``a -> b``; a case's first event follows ``start`` and its last is
followed by ``end``. Each edge carries how often it was taken and the median time between
the two events. The drawing places activities left to right by where they sit in cases on
average, and draws the edges that carry at least ``min_share`` of all transitions.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from govsim.figures.style import figure_style, say_empty
from govsim.lang import activity_name, tr
from govsim.measure.figure_tables import END, START, directly_follows
from govsim.scenario.names import Names

__all__ = ["plot_process_map"]

def plot_process_map(events: pd.DataFrame, regime: str | None = None,
                     min_share: float = 0.01, title: str | None = None, lang: str = "en",
                     names: Names | None = None) -> Figure:
    """Draw the directly-follows graph: activities as boxes left to right by their mean
    position in cases, edges as arrows as thick as they are frequent, labelled with the count
    and the median hours between the two events; edges below ``min_share`` of all
    transitions are left out (the title says how many). ``lang="zh"`` labels activities and
    the title in Chinese, naming the regime by ``names``. No events (no case arose): the axes
    say so."""
    shown = names or Names()
    graph = directly_follows(events, regime)
    total = int(graph["count"].sum())
    kept = graph[graph["count"] >= min_share * total]
    nodes = pd.unique(pd.concat([kept["source"], kept["target"]]))
    where = dict(zip(graph["source"], graph["position"], strict=False))
    where.setdefault(END, 1.1)
    order = sorted(nodes, key=lambda a: (where.get(a, 0.5), a))
    # layers: activities whose mean positions are close share a column; rows within a column
    columns: list[list[str]] = []
    for a in order:
        if columns and where.get(a, 0.5) - where.get(columns[-1][0], 0.5) < 0.08:
            columns[-1].append(a)
        else:
            columns.append([a])
    xy = {a: (float(i), float(j) - (len(col) - 1) / 2.0)
          for i, col in enumerate(columns) for j, a in enumerate(col)}
    with figure_style(lang):
        fig = Figure(figsize=(max(6.0, 1.6 * len(columns)), 4.8), layout="constrained")
        ax = fig.add_subplot()
        ax.set_axis_off()
        top = max(kept["count"]) if len(kept) else 1
        for row in kept.itertuples():
            (x0, y0), (x1, y1) = xy[row.source], xy[row.target]
            bend = 0.25 if x1 <= x0 else 0.08
            ax.add_patch(FancyArrowPatch(
                (x0, y0), (x1, y1), connectionstyle=f"arc3,rad={bend}", arrowstyle="-|>",
                mutation_scale=10, lw=0.6 + 4.0 * row.count / top, color="#4d4d4d",
                alpha=0.7, shrinkA=18, shrinkB=18))
            label = f"{row.count:,}" + ("\n" + tr("fig.pm.hours", lang, h=row.median_hours)
                                        if row.source != START and row.target != END else "")
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.12 * (1 if x1 > x0 else -1), label,
                    fontsize=6, ha="center", va="center", color="#b2182b")
        for a, (x, y) in xy.items():
            ax.text(x, y, activity_name(a, lang), ha="center", va="center", fontsize=7,
                    bbox={"boxstyle": "round,pad=0.3", "fc": "#deebf7" if a not in (START, END)
                          else "#f0f0f0", "ec": "#2166ac"})
        xs = [p[0] for p in xy.values()] or [0.0]
        ys = [p[1] for p in xy.values()] or [0.0]
        ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
        ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
        left_out = len(graph) - len(kept)
        of = tr("fig.pm.of", lang, regime=shown.regime(regime)) if regime else ""
        ax.set_title(title or tr("fig.pm.title", lang, of=of, total=total, k=left_out,
                                 share=min_share))
        if not total:
            say_empty(ax, "cases", lang)
    return fig

"""The decomposition waterfall: the gap between two regimes built up rule by rule.

Layer: analysis (matplotlib, imported only when drawing). One bar per rule climbs from regime
A's mean to regime B's; each bar carries its contribution's confidence interval.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["plot_waterfall"]


def plot_waterfall(contributions: pd.DataFrame, totals: pd.DataFrame, metric: str,
                   source: str, target: str, unit: str = "") -> Figure:
    """A waterfall of ``metric``: regime ``source``'s mean, each rule's contribution (with its
    interval as an error bar) and regime ``target``'s mean.

    ``contributions`` and ``totals`` are the frames of a
    :class:`~govsim.experiment.decomposition.Decomposition`.
    """
    rows = contributions[contributions["metric"] == metric]
    total = totals[totals["metric"] == metric]
    if rows.empty or total.empty:
        raise ValueError(f"no decomposition of metric {metric!r}")
    start = float(total["source"].iloc[0])
    end = float(total["target"].iloc[0])
    fig = Figure(figsize=(max(6.0, 0.8 * len(rows) + 3.0), 4.5), layout="constrained")
    ax = fig.add_subplot()
    labels = [source]
    ax.bar(0, start, color="0.55")
    level = start
    for i, row in enumerate(rows.itertuples(index=False), start=1):
        c = float(row.contribution)
        colour = "#b2182b" if c > 0 else "#2166ac"
        ax.bar(i, c, bottom=level, color=colour)
        low, high = float(row.ci_low), float(row.ci_high)
        if math.isfinite(low) and math.isfinite(high):
            ax.errorbar(i, level + c, yerr=[[c - low], [high - c]], color="black",
                        capsize=3, linewidth=1)
        level += c
        labels.append(str(row.rule))
    labels.append(target)
    ax.bar(len(labels) - 1, end, color="0.35")
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_ylabel(f"{metric} ({unit})" if unit else metric)
    ax.set_title(f"{metric}: {source} → {target}, rule by rule")
    return fig

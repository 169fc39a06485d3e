"""The decomposition waterfall: the gap between two regimes built up rule by rule.

Layer: figures (matplotlib, imported only when drawing). One bar per rule climbs from regime
A's mean to regime B's; each bar carries its contribution's confidence interval. Rules switched
as one group (a ``group`` column naming ``a&b``) stand side by side on a shaded band labelled
with the group; the bars still add up to B's mean.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

from govsim.figures.headings import headline
from govsim.figures.labels import finish, set_heading, wrap
from govsim.figures.style import figure_style, points, say_empty, scaled
from govsim.lang import metric_label, metric_name, tr
from govsim.scenario.names import Names
from govsim.scenario.rules import rule_name

__all__ = ["plot_waterfall"]


def plot_waterfall(contributions: pd.DataFrame, totals: pd.DataFrame, metric: str,
                   source: str, target: str, unit: str = "", lang: str = "en",
                   names: Names | None = None, style: str | None = None,
                   subtitle: str | None = None) -> Figure:
    """A waterfall of ``metric``: regime ``source``'s mean, each rule's contribution (with its
    interval as an error bar) and regime ``target``'s mean.

    ``contributions`` and ``totals`` are the frames of a
    :class:`~govsim.experiment.decomposition.Decomposition`. ``lang="zh"`` labels it in
    Chinese, naming the regimes by ``names``. ``style``: ``"paper"`` or ``"talk"`` (None:
    the style in force); ``subtitle``: a line under the title. A metric undefined in both
    regimes (a median when no case arose) draws no bars and says so.

    Examples
    --------
    >>> fig = plot_waterfall(dec.contributions, dec.totals, "cases", "a", "b")  # doctest: +SKIP
    """
    with figure_style(lang, style):
        fig = _waterfall(contributions, totals, metric, source, target, unit, lang,
                         names or Names(), subtitle)
        finish(fig)
        return fig


def _waterfall(contributions: pd.DataFrame, totals: pd.DataFrame, metric: str, source: str,
               target: str, unit: str, lang: str, names: Names,
               subtitle: str | None = None) -> Figure:
    rows = contributions[contributions["metric"] == metric]
    total = totals[totals["metric"] == metric]
    if rows.empty or total.empty:
        raise ValueError(f"no decomposition of metric {metric!r}")
    start = float(total["source"].iloc[0])
    end = float(total["target"].iloc[0])
    fig = Figure(figsize=scaled(max(6.0, 0.8 * len(rows) + 3.0), 4.5), layout="constrained")
    ax = fig.add_subplot()
    labels = [names.regime(source)]  # (wrapped where they collide)
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
        labels.append(rule_name(str(row.rule), lang))
    if "group" in rows.columns:  # a shaded band under each group of two or more rules
        groups = [str(g) for g in rows["group"]]
        for g in dict.fromkeys(groups):
            at = [i for i, x in enumerate(groups, start=1) if x == g]
            if len(at) > 1:
                ax.axvspan(at[0] - 0.45, at[-1] + 0.45, color="0.92", zorder=0)
                ax.text((at[0] + at[-1]) / 2, 0.98, "&".join(rule_name(r, lang)
                                                             for r in g.split("&")),
                        transform=ax.get_xaxis_transform(), ha="center", va="top",
                        fontsize=points(7.5), color="0.3")
    labels.append(names.regime(target))
    ax.bar(len(labels) - 1, end, color="0.35")
    ax.set_xticks(range(len(labels)), labels)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.margins(y=0.08)  # the tallest bar and its error bar clear of the frame
    ax.set_ylabel(wrap(metric_label(metric, unit, lang), 36))
    set_heading(ax, headline(tr("fig.wf.title", lang, metric=metric_name(metric, lang),
                                a=names.regime(source), b=names.regime(target)), subtitle))
    if not (math.isfinite(start) and math.isfinite(end)):  # e.g. a median of no cases
        say_empty(ax, "values", lang)
    return fig

"""Sweep plots: a metric against one factor, one line per regime, with confidence intervals.

Layer: figures (matplotlib only when drawing). Each design point's value is its mean over
replications with the Student t interval (:meth:`SweepResults.summary`); on a factorial
design the other factors are held at each of their levels in turn (one panel per
combination), on a sampled design (Latin hypercube, Sobol') the points are scattered against
the factor with their intervals, the other factors varying.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim.figures.headings import headline
from govsim.figures.labels import finish, set_heading, wrap
from govsim.figures.style import figure_style, points, regime_colours, say_empty, scaled
from govsim.lang import metric_label, metric_name, tr
from govsim.scenario.names import Names

__all__ = ["plot_sweep"]


def plot_sweep(summary: pd.DataFrame, factor: str, metric: str, unit: str = "",
               title: str | None = None, lang: str = "en",
               names: Names | None = None, style: str | None = None,
               subtitle: str | None = None) -> Figure:
    """``summary`` is ``SweepResults.summary([metric])``: its ``metric`` against ``factor``,
    one colour per regime, error bars for the replication CIs. Points that share the other
    factors' values are joined by lines (a factorial design); otherwise they stand alone.
    ``lang="zh"`` labels it in Chinese, naming regimes by ``names``. ``style``: ``"paper"``
    or ``"talk"`` (None: the style in force); ``subtitle``: a line under the title. No
    defined value (a median when no case arose): the axes say so.

    Examples
    --------
    >>> fig = plot_sweep(res.summary(["cases"]), "world.staff", "cases")  # doctest: +SKIP
    """
    shown = names or Names()
    rows = summary[summary["metric"] == metric]
    if rows.empty:
        raise ValueError(f"the summary holds no metric {metric!r}")
    if factor not in rows:
        raise ValueError(f"the summary has no factor {factor!r}")
    others = [c for c in rows.columns if c not in {
        "point", factor, "regime", "metric", "mean", "ci_low", "ci_high", "half_width", "n"}]
    regimes = list(dict.fromkeys(rows["regime"].astype(str)))
    colours = regime_colours(regimes)
    groups = rows.groupby(others, sort=True, dropna=False) if others else [((), rows)]
    joined = all(len(g) > len(regimes) for _, g in groups) if others else True
    with figure_style(lang, style):
        fig = Figure(figsize=scaled(6.4, 4.2), layout="constrained")
        ax = fig.add_subplot()
        for regime in regimes:
            first = True
            for _, g in groups:
                mine = g[g["regime"].astype(str) == regime].sort_values(factor)
                x = mine[factor].to_numpy(dtype=float)
                y = mine["mean"].to_numpy(dtype=float)
                err = np.vstack([y - mine["ci_low"].to_numpy(dtype=float),
                                 mine["ci_high"].to_numpy(dtype=float) - y])
                ax.errorbar(x, y, yerr=np.nan_to_num(err), color=colours[regime],
                            fmt="-o" if joined else "o", ms=points(4), capsize=points(3),
                            lw=points(1), alpha=0.9,
                            label=wrap(shown.regime(regime), 24) if first else None)
                first = False
        ax.set_xlabel(factor)
        ax.set_ylabel(wrap(metric_label(metric, unit, lang), 36))
        vary = "" if joined else tr("fig.sweep.vary", lang)
        set_heading(ax, headline(title or tr("fig.sweep.title", lang,
                                             metric=metric_name(metric, lang), factor=factor,
                                             vary=vary), subtitle), fontsize=points(9))
        ax.legend(title=tr("fig.regime", lang))
        if not rows["mean"].notna().any():
            say_empty(ax, "values", lang)
        finish(fig)
    return fig

"""Who pays: each regime's cost stacked by payer, the street office's shifted part split into
its components.

Layer: figures (matplotlib only when drawing). Per replication, every unit's cost is its
capacity cost (staff hours, or every open hour for a salaried unit) plus the money it paid; the
street office's is split into the five parts of its shifted cost (handling filings it does not
own, coordination meetings, unrecovered advances, adjudication, other) and the rest, its own
duty. Public funds' money is a payer of its own. Bars are means over replications; the error
bar is the confidence interval of each regime's total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim.figures.headings import headline
from govsim.figures.labels import finish, set_heading, wrap
from govsim.figures.style import figure_style, points, say_empty, scaled
from govsim.lang import tr
from govsim.measure.figure_tables import PAYERS, cost_table
from govsim.scenario.names import Names
from govsim.stats.intervals import mean_ci

__all__ = ["plot_costs"]

_COLOURS = ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#e7d4e8", "#4393c3", "#92c5de",
            "#bababa", "#1b7837")


def plot_costs(units: pd.DataFrame, metrics: pd.DataFrame, title: str | None = None,
               lang: str = "en", names: Names | None = None, style: str | None = None,
               subtitle: str | None = None) -> Figure:
    """Stacked bars of each regime's mean cost by payer (``Results.units``,
    ``Results.metrics``), the street office's shifted part in reds at the bottom.
    Regimes are named by ``names`` (without it, by their keys), their names wrapped so that
    they do not overlap; ``lang="zh"`` labels it in Chinese. ``style``: ``"paper"`` or
    ``"talk"`` (None: the style in force); ``subtitle``: a line under the title. With no
    cases (the salaried units' capacity may still cost) the axes say so.

    Examples
    --------
    >>> fig = plot_costs(cmp.units, cmp.metrics, names=cmp.names("en"))  # doctest: +SKIP
    """
    names = names or Names()
    table = cost_table(units, metrics)
    regimes = list(dict.fromkeys(table["regime"]))
    means = table.groupby(["regime", "payer"], sort=False)["yuan"].mean().unstack()
    means = means.reindex(index=regimes, columns=list(PAYERS))
    totals = table.groupby(["regime", "replication"], sort=False)["yuan"].sum()
    with figure_style(lang, style):
        size = scaled(9.6, 4.4)
        fig = Figure(figsize=size, layout="constrained")
        ax, street = fig.subplots(1, 2, width_ratios=(1.0, 0.8))
        x = np.arange(len(regimes))
        shown = [names.regime(r) for r in regimes]  # wrapped where they collide
        _stack(ax, x, means, PAYERS, 1e6, lang)
        for i, r in enumerate(regimes):
            mean, lo, hi, n = mean_ci(totals.loc[r].to_numpy(dtype=float), 0.95, (0.0, np.inf))
            if n > 1:
                ax.errorbar(i, mean / 1e6, yerr=[[(mean - lo) / 1e6], [(hi - mean) / 1e6]],
                            color="k", capsize=4, lw=1)
        ax.set_xticks(x, shown)
        ax.set_ylabel(wrap(tr("fig.cost.y", lang), 34))
        ax.set_title(wrap(tr("fig.cost.all", lang), 34))
        # the street office alone, at its own scale: what it bears for others, part by part
        _stack(street, x, means, PAYERS[:6], 1e3, lang)
        street.set_xticks(x, shown)
        street.set_ylabel(tr("fig.cost.y_street", lang))
        street.set_title(wrap(tr("fig.cost.street", lang), 30))
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(handles[::-1], [wrap(t, 22) for t in labels[::-1]], fontsize=points(7),
                   loc="outside right center")
        heading = headline(title or tr("fig.cost.title", lang), subtitle)
        set_heading(fig, heading)
        if "cases" in metrics and not metrics["cases"].fillna(0).any():
            for a in (ax, street):
                say_empty(a, "cases", lang)
        finish(fig)
    return fig


def _stack(ax, x: np.ndarray, means: pd.DataFrame, payers: tuple[str, ...],
           scale: float, lang: str = "en") -> None:  # type: ignore[no-untyped-def]
    bottom = np.zeros(len(x))
    for payer in payers:
        values = means[payer].to_numpy(dtype=float) / scale
        ax.bar(x, values, bottom=bottom, color=_COLOURS[PAYERS.index(payer)], label=tr(f"payer.{payer}", lang),
               width=0.6)
        bottom += values

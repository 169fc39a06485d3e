"""Resolution-time survival curves per regime, with confidence bands over replications.

Layer: figures (matplotlib only when drawing). The share of problems not yet truly resolved,
``S(t)`` after ``t`` days, is a Kaplan–Meier estimate within each replication (cases still open
at the horizon, or given up on, are censored there). The replications are independent worlds,
the cases within one are not, so the band is a Student t interval of the replications' S(t)
at each day, clipped to [0, 1] -- never a pooled interval that would treat correlated cases as
independent.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from govsim.figures.headings import headline
from govsim.figures.labels import finish, set_heading, wrap
from govsim.figures.style import figure_style, regime_colours, say_empty, scaled
from govsim.lang import tr
from govsim.measure.figure_tables import survival_table
from govsim.scenario.names import Names

__all__ = ["plot_survival"]


def plot_survival(cases: pd.DataFrame, days: Sequence[float] | None = None,
                  confidence: float = 0.95, title: str | None = None, lang: str = "en",
                  names: Names | None = None, style: str | None = None,
                  subtitle: str | None = None) -> Figure:
    """One curve per regime of the share of problems not yet truly resolved after each day,
    with its band; the median (where the curve crosses 0.5) is marked. ``cases`` is a
    results' cases table (``Results.cases``). Regimes are named by ``names``
    (``Results.names(lang)``; without it, by their keys) and ``lang="zh"`` labels it in
    Chinese. ``style`` is ``"paper"`` or ``"talk"`` (None: the style in force, see
    :func:`govsim.figures.style.set_style`); ``subtitle`` is a line under the title (e.g.
    :func:`govsim.figures.headings.run_line`). With no cases the axes say so.

    Examples
    --------
    >>> fig = plot_survival(cmp.cases, names=cmp.names("en"), style="talk")  # doctest: +SKIP
    """
    names = names or Names()
    table = survival_table(cases, days, confidence)
    regimes = list(dict.fromkeys(table["regime"]))
    colours = regime_colours(regimes)
    with figure_style(lang, style):
        size = scaled(6.4, 4.0)
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        for r in regimes:
            t = table[table["regime"] == r]
            ax.step(t["day"], t["mean"], where="post", color=colours[r], label=wrap(names.regime(r), 26))
            ax.fill_between(t["day"], t["ci_low"], t["ci_high"], step="post",
                            color=colours[r], alpha=0.2, linewidth=0)
        ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
        ax.set_ylim(0.0, 1.02)
        ax.set_xlim(left=0.0)
        ax.set_xlabel(tr("fig.surv.x", lang))
        ax.set_ylabel(tr("fig.surv.y", lang))
        reps = int(table["n"].max()) if len(table) else 0
        heading = headline(title or tr("fig.surv.title", lang, pct=round(confidence * 100),
                                       n=reps), subtitle)
        set_heading(ax, heading)
        if regimes:
            ax.legend(title=tr("fig.regime", lang))
        else:
            say_empty(ax, "cases", lang)
        finish(fig)
    return fig

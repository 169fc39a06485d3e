"""Resolution-time survival curves per regime, with confidence bands over replications.

Layer: analysis (matplotlib only when drawing). The share of problems not yet truly resolved,
``S(t)`` after ``t`` days, is a Kaplan–Meier estimate within each replication (cases still open
at the horizon, or given up on, are censored there). The replications are independent worlds,
the cases within one are not, so the band is a Student t interval of the replications' S(t)
at each day, clipped to [0, 1] -- never a pooled interval that would treat correlated cases as
independent.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim.analysis.intervals import mean_ci
from govsim.analysis.style import figure_style, regime_colours, say_empty
from govsim.analysis.survival import km_survival
from govsim.lang import tr
from govsim.scenario.names import Names

__all__ = ["survival_table", "plot_survival"]


def survival_table(cases: pd.DataFrame, days: Sequence[float] | None = None,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Per regime and day: the mean over replications of the Kaplan–Meier share still
    unresolved, its confidence interval and the replications behind it (columns ``regime,
    day, mean, ci_low, ci_high, n``; no rows when no case arose). ``days`` defaults to 0 to
    the longest duration seen."""
    if days is None:
        top = float(np.nanmax(cases["duration_days"])) if len(cases) else 1.0
        days = np.linspace(0.0, top, 121)
    grid = np.asarray(days, dtype=float)
    rows = []
    regimes = cases["regime"].astype(str)
    for regime in dict.fromkeys(regimes):
        mine = cases[regimes == regime]
        curves = np.array([
            km_survival(g["duration_days"].to_numpy(), g["resolved"].to_numpy(), grid)
            for _, g in mine.groupby("replication", observed=True)])
        for j, day in enumerate(grid):
            values = curves[:, j][~np.isnan(curves[:, j])]
            mean, lo, hi, n = mean_ci(values, confidence, (0.0, 1.0)) if len(values) else (
                np.nan, np.nan, np.nan, 0)
            rows.append({"regime": regime, "day": float(day), "mean": mean, "ci_low": lo,
                         "ci_high": hi, "n": n})
    return pd.DataFrame(rows, columns=["regime", "day", "mean", "ci_low", "ci_high", "n"])


def plot_survival(cases: pd.DataFrame, days: Sequence[float] | None = None,
                  confidence: float = 0.95, title: str | None = None, lang: str = "en",
                  names: Names | None = None) -> Figure:
    """One curve per regime of the share of problems not yet truly resolved after each day,
    with its band; the median (where the curve crosses 0.5) is marked. ``cases`` is a
    results' cases table (``Results.cases``). ``lang="zh"`` labels it in Chinese, naming
    regimes by ``names`` (``Results.names("zh")``). With no cases the axes say so."""
    names = names or Names()
    table = survival_table(cases, days, confidence)
    regimes = list(dict.fromkeys(table["regime"]))
    colours = regime_colours(regimes)
    with figure_style(lang):
        fig = Figure(figsize=(6.4, 4.0), layout="constrained")
        ax = fig.add_subplot()
        for r in regimes:
            t = table[table["regime"] == r]
            ax.step(t["day"], t["mean"], where="post", color=colours[r], label=names.regime(r))
            ax.fill_between(t["day"], t["ci_low"], t["ci_high"], step="post",
                            color=colours[r], alpha=0.2, linewidth=0)
        ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
        ax.set_ylim(0.0, 1.02)
        ax.set_xlim(left=0.0)
        ax.set_xlabel(tr("fig.surv.x", lang))
        ax.set_ylabel(tr("fig.surv.y", lang))
        reps = int(table["n"].max()) if len(table) else 0
        ax.set_title(title or tr("fig.surv.title", lang, pct=round(confidence * 100), n=reps))
        if regimes:
            ax.legend(title=tr("fig.regime", lang))
        else:
            say_empty(ax, "cases", lang)
    return fig

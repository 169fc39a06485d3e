"""Workload per unit, and the monitoring lights over time.

Layer: figures (matplotlib only when drawing). :func:`plot_workload` shows, for the units that
worked most, their staff hours and tickets per regime (means over replications, with 95%
intervals); :func:`plot_lights` the yellow and red lights turned per month, summed over units
(mean over replications), where a regime has working-day limits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim.figures.headings import headline
from govsim.figures.labels import finish, set_heading, wrap
from govsim.figures.style import figure_style, regime_colours, say_empty, scaled
from govsim.lang import tr
from govsim.measure.figure_tables import workload_table
from govsim.measure.lights import lights_over_time
from govsim.scenario.names import Names

__all__ = ["plot_workload", "plot_lights"]


def plot_workload(units: pd.DataFrame, top: int = 12, title: str | None = None,
                  lang: str = "en", names: Names | None = None, style: str | None = None,
                  subtitle: str | None = None) -> Figure:
    """Grouped bars, one group per unit (the busiest ``top``), one bar per regime: staff hours
    (top) and tickets (bottom), with 95% intervals over replications. Regimes and units are
    named by ``names`` (without it, by their keys), the units' names wrapped (upright where
    they must be) so that none overlap; ``lang="zh"`` labels it in Chinese. ``style``:
    ``"paper"`` or ``"talk"`` (None: the style in force); ``subtitle``: a line under the
    title. With no work at all (no case arose) the axes say so.

    Examples
    --------
    >>> fig = plot_workload(cmp.units, top=8, names=cmp.names("en"))  # doctest: +SKIP
    """
    shown = names or Names()
    table = workload_table(units, top)
    regimes = list(dict.fromkeys(units["regime"].astype(str)))
    names = list(dict.fromkeys(table["unit"]))
    colours = regime_colours(regimes)
    width = 0.8 / max(len(regimes), 1)
    with figure_style(lang, style):
        size = scaled(max(7.0, 0.9 * len(names) + 2.0), 6.0)
        fig = Figure(figsize=size, layout="constrained")
        axes = fig.subplots(2, 1, sharex=True)
        for ax, col, label in zip(axes, ("staff_hours", "tickets"),
                                  (tr("fig.work.hours", lang), tr("fig.work.tickets", lang)),
                                  strict=True):
            for k, regime in enumerate(regimes):
                t = table[table["regime"] == regime].set_index("unit").reindex(names)
                y = t[col].to_numpy(dtype=float)
                err = np.vstack([y - t[f"{col}_low"].to_numpy(dtype=float),
                                 t[f"{col}_high"].to_numpy(dtype=float) - y])
                ax.bar(np.arange(len(names)) + (k - (len(regimes) - 1) / 2) * width, y,
                       width=width, color=colours[regime], label=wrap(shown.regime(regime), 26),
                       yerr=np.nan_to_num(err), capsize=2, error_kw={"lw": 0.8})
            ax.set_ylabel(wrap(label, 24))
        axes[1].set_xticks(np.arange(len(names)), [shown.unit(u) for u in names])
        axes[0].legend(title=tr("fig.regime", lang))
        heading = headline(title or tr("fig.work.title", lang, n=len(names)), subtitle)
        set_heading(fig, heading)
        if not (units["staff_hours"].fillna(0).any() or units["tickets"].fillna(0).any()):
            for ax in axes:
                say_empty(ax, "cases", lang)
        finish(fig)
    return fig


def plot_lights(lights: pd.DataFrame, title: str | None = None, lang: str = "en",
                names: Names | None = None, style: str | None = None,
                subtitle: str | None = None) -> Figure:
    """Yellow and red lights turned per month (all units, mean over replications), one panel
    per regime that turned any (``Results.lights``), each titled with the regime's name from
    ``names``. ``lang="zh"`` labels it in Chinese; ``style``: ``"paper"`` or ``"talk"``;
    ``subtitle``: a line under the title. No lights at all (no working-day limits, or no
    case arose): one panel that says so.

    Examples
    --------
    >>> fig = plot_lights(cmp.lights, names=cmp.names("en"), style="talk")  # doctest: +SKIP
    """
    shown = names or Names()
    per = lights_over_time(lights)
    heading = headline(title or tr("fig.lights.title", lang), subtitle)
    if per.empty:
        with figure_style(lang, style):
            size = scaled(6.4, 2.6)
            fig = Figure(figsize=size, layout="constrained")
            ax = fig.add_subplot()
            ax.set_ylabel(tr("fig.lights.y", lang))
            say_empty(ax, "lights", lang)
            set_heading(fig, heading)
            finish(fig)
        return fig
    per = per.assign(regime=per["regime"].astype(str), colour=per["colour"].astype(str))
    reps = per.groupby("regime")["replication"].nunique()
    monthly = (per.groupby(["regime", "period", "colour"], observed=True)["lights"].sum()
               .div(reps, level="regime").rename("lights").reset_index())
    regimes = list(dict.fromkeys(monthly["regime"]))
    with figure_style(lang, style):
        size = scaled(6.4, 2.6 * len(regimes) + 0.6)
        fig = Figure(figsize=size, layout="constrained")
        axes = np.atleast_1d(fig.subplots(len(regimes), 1, sharex=True, squeeze=False)[:, 0])
        for ax, regime in zip(axes, regimes, strict=True):
            m = monthly[monthly["regime"] == regime]
            for colour, shade in (("yellow", "#E69F00"), ("red", "#D55E00")):
                c = m[m["colour"] == colour]
                ax.plot(c["period"], c["lights"], "-o", ms=3, color=shade,
                        label=tr(f"fig.lights.{colour}", lang))
            ax.set_ylabel(tr("fig.lights.y", lang))
            set_heading(ax, shown.regime(regime))
            ax.legend()
            ax.tick_params(axis="x", labelrotation=30)
        set_heading(fig, heading)
        finish(fig)
    return fig

"""Results over time: when a regime's advantage to the street office turns.

Layer: figures (matplotlib only when drawing). Three views of
:func:`govsim.measure.over_time.over_time`, so a crossing is seen: the street office's
cumulative burden (or another value over time) per regime, the mean over replications with its
t interval as a band; the Kaplan–Meier median days to true resolution of the cases filed in
each period; and, one panel per regime, the mean cumulative burden stacked by component (own
duty, duty assigned by adjudication, the five shifted parts).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim.errors import GovsimError, shown
from govsim.figures.headings import headline
from govsim.figures.labels import finish, set_heading, wrap
from govsim.figures.style import figure_style, points, regime_colours, say_empty, scaled
from govsim.lang import check_lang, metric_label, metric_name, tr
from govsim.measure.over_time import BURDEN, OVER_TIME, SHIFTED, over_time_summary
from govsim.scenario.names import Names

__all__ = ["plot_over_time", "COMPONENTS"]

#: the stacked components, bottom to top, with their colours (the shifted parts in the reds
#: of :func:`govsim.figures.costs.plot_costs`, the duty in blues)
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    (SHIFTED[0], "payer.street office: shifted handling", "#b2182b"),
    (SHIFTED[1], "payer.street office: shifted meetings", "#d6604d"),
    (SHIFTED[2], "payer.street office: unrecovered advances", "#f4a582"),
    (SHIFTED[3], "payer.street office: shifted adjudication", "#fddbc7"),
    (SHIFTED[4], "payer.street office: other shifted", "#e7d4e8"),
    ("street_office_assigned_duty_yuan", "fig.ot.assigned", "#2166ac"),
    ("street_office_own_duty_yuan", "payer.street office: own duty", "#4393c3"),
)
_DAY = pd.Timedelta(days=1)


def plot_over_time(results: Any, metric: str = "street_office_burden_yuan", freq: str = "M",
                   confidence: float = 0.95, components: bool = True,
                   title: str | None = None, lang: str = "en",
                   names: Names | None = None, style: str | None = None,
                   subtitle: str | None = None) -> Figure:
    """The street office's cumulative burden per regime over time, with its band over
    replications, beside the median resolution time of the cases filed in each period, and
    (``components``) one panel per regime stacked by component.

    ``results`` is a :class:`~govsim.experiment.comparison.Results` (drawn at ``freq``: ``"W"``,
    ``"M"``/``"ME"`` or ``"Q"``) or a frame its :meth:`~govsim.Results.over_time` made.
    ``metric`` is the value drawn in the first panel (any column of
    :data:`govsim.measure.over_time.OVER_TIME`; the whole burden by default). Values are at
    each period's end (the burden's start at 0 on ``world.start``), medians at the period's
    middle. ``lang="zh"`` labels it in Chinese,
    naming regimes by ``names`` (default: the results' own). ``style``: ``"paper"`` or
    ``"talk"`` (None: the style in force); ``subtitle``: a line under the title. With no
    cases the axes say so.

    Examples
    --------
    >>> fig = plot_over_time(cmp, freq="W", style="talk")  # doctest: +SKIP
    """
    lang = check_lang(lang)
    if isinstance(results, pd.DataFrame):
        frame = results
    elif hasattr(results, "over_time"):
        frame = results.over_time(freq)
        names = names or results.names(lang)
    else:
        raise GovsimError(f"must be results (govsim.run, govsim.compare) or the frame their "
                          f"over_time() made, got {shown(results)}", "results")
    if not isinstance(metric, str) or metric not in OVER_TIME:
        raise GovsimError(f"must be one of {', '.join(OVER_TIME)}, got {shown(metric)}",
                          "metric")
    names = names or Names()
    summary = over_time_summary(frame, None, confidence)
    dtype = frame["regime"].dtype if len(frame) else None
    regimes = (list(dtype.categories) if isinstance(dtype, pd.CategoricalDtype)
               else list(dict.fromkeys(frame["regime"].astype(str)))) if len(frame) else []
    regimes = [r for r in regimes if (summary["regime"].astype(str) == r).any()]
    colours = regime_colours(regimes)
    empty = not len(frame) or not frame["cases"].fillna(0).any()
    scale, unit = _scale(summary, metric, lang)
    span = _span(frame)
    with figure_style(lang, style):
        fig = Figure(figsize=scaled(10.0, 7.4 if components else 3.8), layout="constrained")
        if components:
            top, bottom = fig.subfigures(2, 1, height_ratios=(1.0, 0.95))
        else:
            top, bottom = fig, None
        ax, med = top.subplots(1, 2)
        reps = int(summary["n"].max()) if len(summary) else 0
        for r in regimes:
            s = _values(summary, r, metric)
            x, y, lo, hi = (s["end"].to_numpy(), s["mean"].to_numpy(dtype=float),
                            s["ci_low"].to_numpy(dtype=float), s["ci_high"].to_numpy(dtype=float))
            if metric in BURDEN and len(s):  # a cumulative cost starts at 0
                x = np.concatenate(([s["period"].iloc[0].to_datetime64()], x))
                y, lo, hi = (np.concatenate(([0.0], v)) for v in (y, lo, hi))
            ax.plot(x, y / scale, "-o", ms=points(2.5), color=colours[r],
                    label=wrap(names.regime(r), 24))
            ax.fill_between(x, lo / scale, hi / scale, color=colours[r], alpha=0.2,
                            linewidth=0)
            m = _values(summary, r, "filed_median_days")
            mid = m["period"] + (m["end"] - m["period"]) / 2
            med.plot(mid.to_numpy(), m["mean"], "-o", ms=points(2.5), color=colours[r],
                     label=wrap(names.regime(r), 24))
            med.fill_between(mid.to_numpy(), m["ci_low"], m["ci_high"], color=colours[r],
                             alpha=0.2, linewidth=0)
        set_heading(ax, tr("fig.ot.cumulative", lang, metric=metric_name(metric, lang))
                    if metric in BURDEN else metric_name(metric, lang), share=0.45)
        ax.set_ylabel(wrap(unit or metric_label(metric, "", lang), 30))
        period = tr(f"fig.ot.{'M' if freq == 'ME' else freq}", lang)
        set_heading(med, tr("fig.ot.median", lang, period=period), share=0.45)
        med.set_ylabel(wrap(tr("fig.ot.median_y", lang), 30))
        med.set_ylim(bottom=0.0)
        axes = [ax, med]
        if bottom is not None:
            facets = list(bottom.subplots(1, max(1, len(regimes)), sharey=True,
                                          squeeze=False)[0])
            by_part = _scale(summary, "street_office_burden_yuan", lang)
            for f, r in zip(facets, regimes, strict=False):
                _stack(f, summary, r, by_part[0], lang)
                set_heading(f, tr("fig.ot.components", lang, regime=names.regime(r)),
                            share=0.9 / max(1, len(regimes)))
            facets[0].set_ylabel(by_part[1])
            if regimes:
                handles, labels = facets[-1].get_legend_handles_labels()
                facets[-1].legend(handles[::-1], [wrap(t, 26) for t in labels[::-1]],
                                  fontsize=points(7), loc="upper left",
                                  bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
            axes += facets
        for a in axes:
            _dates(a, lang, span)
        if regimes:
            ax.legend(title=tr("fig.regime", lang))
        if empty:
            for a in axes:
                say_empty(a, "cases", lang)
        set_heading(fig, headline(title or tr("fig.ot.title", lang, pct=round(confidence * 100),
                                              n=reps), subtitle))
        finish(fig)
    return fig


def _values(summary: pd.DataFrame, regime: str, metric: str) -> pd.DataFrame:
    s = summary[(summary["regime"].astype(str) == regime) & (summary["metric"] == metric)]
    return s.assign(end=pd.to_datetime(s["period_end"]) + _DAY,
                    period=pd.to_datetime(s["period"])).sort_values("period")


def _scale(summary: pd.DataFrame, metric: str, lang: str) -> tuple[float, str]:
    """Yuan in thousands or millions, whichever reads better (other values as they are)."""
    if metric not in BURDEN:
        return 1.0, ""
    top = summary.loc[summary["metric"] == metric, "ci_high"].abs().max()
    top = summary.loc[summary["metric"] == metric, "mean"].abs().max() if top != top else top
    return (1e6, tr("fig.ot.y_million", lang)) if top == top and top >= 1e6 else (
        1e3, tr("fig.cost.y_street", lang))


def _span(frame: pd.DataFrame) -> tuple[Any, Any] | None:
    if not len(frame):
        return None
    return (pd.to_datetime(frame["period"]).min().to_datetime64(),
            (pd.to_datetime(frame["period_end"]).max() + _DAY).to_datetime64())


def _stack(ax: Any, summary: pd.DataFrame, regime: str, scale: float, lang: str) -> None:
    """The regime's mean cumulative burden stacked by component."""
    parts = [_values(summary, regime, column) for column, _, _ in COMPONENTS]
    if not len(parts[0]):
        return
    x = np.concatenate(([parts[0]["period"].iloc[0].to_datetime64()], parts[0]["end"]))
    ys = [np.concatenate(([0.0], p["mean"].to_numpy(dtype=float))) / scale for p in parts]
    ax.stackplot(x, *ys, colors=[c for _, _, c in COMPONENTS],
                 labels=[tr(key, lang) for _, key, _ in COMPONENTS], linewidth=0)


def _dates(ax: Any, lang: str, span: tuple[Any, Any] | None) -> None:
    import matplotlib.dates as mdates

    from govsim.figures.style import get_style

    locator = mdates.AutoDateLocator(minticks=3, maxticks=5 if get_style() == "talk" else 8)
    formats = (["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S.%f"] if lang == "zh"
               else ["%Y", "%b", "%d", "%H:%M", "%H:%M", "%S.%f"])
    ax.xaxis.set_major_locator(locator)
    offsets = (["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"] if lang == "zh"
               else None)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, formats=formats,
                                                             offset_formats=offsets))
    if span is not None:
        ax.set_xlim(*span)

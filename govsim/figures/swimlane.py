"""Figures for teaching: one case's journey as a swimlane diagram.

Layer: figures. Uses matplotlib's object-oriented API only; nothing here selects a backend
(``matplotlib.use`` is never called), so the caller's choice (Jupyter inline, Agg in tests, a
desktop window) is respected.

The input is a journey table from :func:`govsim.measure.journey.case_journey`; the words
shown, the contact numbers and the notes (money, meetings) are in
:mod:`govsim.figures.swimlane_marks`.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from govsim.atomic import atomic_write
from govsim.errors import GovsimError
from govsim.figures import swimlane_layout as layout
from govsim.figures.labels import wrap
from govsim.figures.style import font_for, get_style, use_style
from govsim.figures.swimlane_density import crowded, draw_counts, rare
from govsim.figures.swimlane_marks import (
    SwimlaneMarks,
    activity_label,
    meeting_marks,
    money_notes,
    plural,
    text,
)
from govsim.figures.swimlane_styles import (
    ACTIVITY_STYLES,
    BIG,
    DEFAULT_STYLE,
    FAMILIES,
    ORDER,
    Family,
    activity_family,
)
from govsim.figures.swimlane_text import language
from govsim.measure.journey import CITIZEN, FUND, office_hours_mask
from govsim.scenario.names import Names

__all__ = ["Family", "FAMILIES", "ACTIVITY_STYLES", "activity_family", "plot_swimlane", "save_swimlane",
           "swimlane_figure"]


_MARKER_AREA = 90.0
_MONEY_INK = "#8F5B00"  # the money family's orange, dark enough for text on white
_FAMILY = {f.key: f for f in FAMILIES}


def _check(journey: pd.DataFrame) -> None:
    missing = [c for c in ("time", "unit", "activity", "contact") if c not in journey.columns]
    if missing:
        raise ValueError("not a journey table (missing " + ", ".join(missing)
                         + "); build one with govsim.measure.journey.case_journey")
    if journey.empty:
        raise ValueError("the journey has no steps to draw")


def _lane_label(lane: str, names: Names) -> str:
    return {CITIZEN: text("lane.citizen"), FUND: text("lane.fund")}.get(lane) or names.unit(lane)


def _draw(journey: pd.DataFrame, ax: Axes, title: str | None, lang: str = "en",
          names: Names | None = None, style: str | None = None,
          dense: bool | None = None) -> SwimlaneMarks:
    # names come from scenario files: a "$" in a label is a dollar sign, not mathematics
    with use_style(get_style(style)), font_for(lang), language(lang), \
            mpl.rc_context({"text.parse_math": False}):
        marks = _draw_in(journey, ax, title, names or Names(), dense)
        if lang == "zh":  # texts made before (axes given) or after (date ticks) this block
            family = mpl.rcParams["font.family"]
            for axes in (ax, *ax.child_axes):
                axes.tick_params(axis="both", which="both", labelfontfamily=family)
                for text_artist in axes.findobj(Text):
                    text_artist.set_fontfamily(family)
        return marks


def _draw_in(journey: pd.DataFrame, ax: Axes, title: str | None, names: Names,
             dense: bool | None = None) -> SwimlaneMarks:
    _check(journey)
    size = layout.font()
    talk = size > layout.FONT
    activity = journey["activity"].astype(str).to_numpy()
    units = journey["unit"].astype(str).tolist()
    invited = layout.invited(journey)
    lanes = layout.lanes(units, invited)
    lane_of = {u: k for k, u in enumerate(lanes)}
    lane = np.array([lane_of[u] for u in units])
    x = np.asarray(mdates.date2num(pd.to_datetime(journey["time"]).to_numpy()), dtype=float)
    is_file = activity == "file"
    x0 = x[is_file].min() if is_file.any() else x.min()
    x1 = x.max()
    span = max(x1 - min(x0, x.min()), 1.0 / 24.0)
    # a crowded case: the frequent steps counted in bars, only the rare ones marked
    if dense is not None and not isinstance(dense, bool):
        raise GovsimError(f"must be true, false or None, got {dense!r}", "dense")
    dense = crowded(lane) if dense is None else dense
    drawn = rare(activity) if dense else np.ones(len(activity), dtype=bool)
    y = lane.astype(float)
    y[drawn] = layout.stacked(x[drawn], lane[drawn], eps=span * 0.012)

    # lanes: alternate shading, names on the left, citizen on top; above it, when the case
    # has filings, a strip for their numbers
    top = -1 if is_file.any() else 0
    for k in range(len(lanes)):
        if k % 2 == 0:
            ax.axhspan(k - 0.5, k + 0.5, color="0.94", zorder=0, lw=0)
    shown = [wrap(_lane_label(u, names), 22) for u in lanes]
    ticks = list(range(top, len(lanes)))
    ax.set_yticks(ticks, ([text("lane.contacts")] if top < 0 else []) + shown, fontsize=size)
    if top < 0:
        ax.get_yticklabels()[0].set_color(_FAMILY["filing"].colour)
        ax.axhline(-0.5, color="0.75", lw=0.8, zorder=0)
    ax.set_ylim(len(lanes) - 0.5, top - 0.5)
    ax.tick_params(axis="y", length=0)

    handles: list[Line2D] = []
    if dense:
        family = np.array([activity_family(a) for a in activity])
        width, tallest, _ = draw_counts(ax, x[~drawn], lane[~drawn], family[~drawn],
                                        {f.key: f.colour for f in FAMILIES},
                                        min(x0, x.min()), x1, len(lanes))
        handles.append(Line2D([], [], linestyle="none", marker="s", color="0.45",
                              markersize=np.sqrt(_MARKER_AREA), label=text(
                                  "legend.bars", width=plural("days", width), n=tallest)))
    else:  # the path of the case from step to step
        ax.plot(x, y, color="0.55", lw=1.6 if talk else 0.9, zorder=1, solid_joinstyle="round")

    outside = ~_in_office_hours(journey) & is_file
    amount = (journey["amount_yuan"].to_numpy(dtype=float) if "amount_yuan" in journey.columns
              else np.full(len(journey), np.nan))
    area = _MARKER_AREA * (1.6 if talk else 1.0)
    handles += _markers(ax, activity, x, y, outside, amount, drawn, area)
    came = (journey["attendees"].to_numpy(dtype=float) if "attendees" in journey.columns
            else np.full(len(journey), np.nan))
    notes, extra, clear = meeting_marks(ax, activity, x, y, lane, lane_of, invited, came,
                                        colour=_FAMILY["escalation"].colour, size=area * 0.85)
    handles += extra
    notes += money_notes(activity, x, y, amount, colour=_MONEY_INK)

    numbers = journey["contact"].to_numpy()[is_file]
    obstacles = np.vstack([np.column_stack([x[drawn], y[drawn], x[drawn], y[drawn]]), clear])
    marks = SwimlaneMarks(ax, x[is_file], numbers, (top - 0.5, top + 0.5) if top < 0 else None,
                          notes, obstacles, fontsize=size - 2, colour=_FAMILY["filing"].colour)
    ax.add_artist(marks)

    layout.date_axis(ax, min(x0, x.min()), x1, x0)
    ax.grid(axis="x", color="0.85", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("right", "left"):
        ax.spines[side].set_visible(False)
    _legend(ax, handles, size)
    if title is None:
        n_contacts = int(journey["contact"].max())
        title = text("title", contacts=plural("contacts", n_contacts),
                     steps=plural("steps", len(journey)), days=plural("days", float(x1 - x0)))
    ax.set_title(title, fontsize=size + 2, loc="left", pad=10)
    return marks


def _in_office_hours(journey: pd.DataFrame) -> np.ndarray:
    """The journey's ``office_hours`` column, or -- for a table without it -- the default
    calendar's answer (:func:`govsim.measure.journey.office_hours_mask`)."""
    if "office_hours" in journey.columns:
        return journey["office_hours"].fillna(True).to_numpy(dtype=bool)
    return office_hours_mask(journey["time"])


def _markers(ax: Axes, activity: np.ndarray, x: np.ndarray, y: np.ndarray,
             outside: np.ndarray, amount: np.ndarray, drawn: np.ndarray,
             area: float = _MARKER_AREA) -> list[Line2D]:
    """One marker per step of ``drawn`` (the others are counted in bars); filings outside
    office hours hollow. Returns legend handles, which count every step."""
    present = sorted(set(activity), key=lambda a: (
        [f.key for f in FAMILIES].index(activity_family(a)), ORDER.get(a, len(ORDER)), a))
    handles: list[Line2D] = []
    for fam in FAMILIES:
        acts = [a for a in present if activity_family(a) == fam.key]
        if not acts:
            continue
        # the words are looked up as drawn (not fam.label): one place to translate them
        handles.append(Line2D([], [], linestyle="none", label=text(f"family.{fam.key}").upper()))
        for a in acts:
            marker = ACTIVITY_STYLES.get(a, DEFAULT_STYLE)[1]
            sel = activity == a
            size = area * BIG.get(a, 1.0)
            hollow = sel & outside & drawn
            full = sel & ~outside & drawn
            ax.scatter(x[full], y[full], s=size, marker=marker, c=fam.colour,
                       edgecolors="white", linewidths=0.6, zorder=3)
            n = int(sel.sum())
            paid = amount[sel][np.isfinite(amount[sel])]
            label = text("legend.entry_money", activity=activity_label(a), n=n,
                         money=text("money", amount=paid.sum())) if len(paid) else \
                text("legend.entry", activity=activity_label(a), n=n)
            handles.append(Line2D([], [], linestyle="none", marker=marker, color=fam.colour,
                                  markeredgecolor="white", markersize=np.sqrt(size), label=label))
            if (sel & outside).any():
                ax.scatter(x[hollow], y[hollow], s=size * 0.85, marker=marker, c="white",
                           edgecolors=fam.colour, linewidths=1.6, zorder=3)
                handles.append(Line2D([], [], linestyle="none", marker=marker, color="white",
                                      markeredgecolor=fam.colour, markeredgewidth=1.6,
                                      markersize=np.sqrt(size * 0.85),
                                      label="  " + text("legend.outside",
                                                         n=int((sel & outside).sum()))))
    return handles


def _legend(ax: Axes, handles: list[Line2D], size: int = layout.FONT) -> None:
    leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    fontsize=size - 1, frameon=False, handletextpad=0.4, borderaxespad=0.0,
                    title=text("legend.title"), title_fontsize=size - 1, alignment="left")
    for label, handle in zip(leg.get_texts(), handles, strict=True):
        if not handle.get_marker() or handle.get_marker() == "None":
            label.set_fontweight("bold")
            label.set_fontsize(size - 2)
            label.set_color("0.3")


def plot_swimlane(journey: pd.DataFrame, ax: Axes | None = None,
                  title: str | None = None, lang: str = "en",
                  names: Names | None = None, style: str | None = None,
                  dense: bool | None = None) -> Figure:
    """Draw one case's journey as a swimlane diagram.

    One horizontal lane per unit (the citizen on top, then units in order of first
    appearance; a meeting's invitees appear at the meeting), time on the x axis (dates below,
    days since the first filing on top), one marker per step coloured by activity family
    (:data:`FAMILIES`) and shaped by activity (:data:`ACTIVITY_STYLES`), and a thin grey line
    joining consecutive steps so the path between units can be followed. Steps at nearly the
    same time in one lane are stacked vertically, in step order from top to bottom.

    Over the lanes:

    - the contact numbers, in a strip on top over a rug of the filings: every contact is
      numbered once, and filings too close together to be numbered one by one share a range
      ("12–30") with a bracket over their time span, so that no two numbers overlap whatever
      the figure's size (see :func:`govsim.figures.swimlane_marks.contact_groups`);
    - filings outside office hours (column ``office_hours``; for a table without it, the
      default of :func:`govsim.measure.journey.office_hours_mask`) drawn hollow, counted in
      the legend;
    - each meeting as a bracket across its invitees' lanes (column ``invited``) with a hollow
      hexagon on each, and a note of how many units came (``attendees``);
    - money in yuan (``amount_yuan``): a note on each step that moved money, the patches'
      total in the legend;
    - in a crowded case (a lane with more steps than fit side by side, e.g. a leak reported
      hundreds of times), the frequent steps counted in bars per period in each lane,
      coloured by family, and only the rare steps marked (see
      :mod:`govsim.figures.swimlane_density`).

    The journey's extra columns come from :func:`govsim.measure.journey.journey_from` (or
    :func:`~govsim.measure.journey.case_journey` given the ledger, cases table and
    scenario); without them the figure has no money or meeting notes. The words shown are
    those of :data:`govsim.figures.swimlane_marks.TEXT`.

    Parameters
    ----------
    journey:
        A table from :func:`govsim.measure.journey.case_journey`.
    ax:
        Axes to draw in; by default a new figure is made (with :func:`matplotlib.pyplot.figure`,
        so that it shows in notebooks and with ``plt.show()``).
    title:
        The title; by default a summary (contacts, steps, days).
    lang, names:
        ``"zh"`` draws every word in Chinese (:data:`govsim.figures.swimlane_text.TEXT_ZH`);
        lanes are named by ``names`` (``Results.names(lang)``; without it, by their keys).
    style:
        ``"paper"`` or ``"talk"`` (larger text and figure); None: the style in force
        (:func:`govsim.figures.style.set_style`).
    dense:
        Count the frequent steps in bars (True), mark every step (False), or decide by
        whether a lane is crowded (None).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in (``ax``'s figure when ``ax`` is given).

    Raises
    ------
    ValueError
        If ``journey`` is not a journey table or has no steps.
    """
    _check(journey)
    if ax is None:
        import matplotlib.pyplot as plt

        with use_style(get_style(style)):
            fig = plt.figure(figsize=layout.figsize(journey), layout="constrained")
        ax = fig.add_subplot()
    _draw(journey, ax, title, lang, names, style, dense)
    figure = ax.get_figure()
    if figure is not None and not isinstance(figure, Figure):
        figure = figure.figure  # a SubFigure: its root figure
    if not isinstance(figure, Figure):
        raise ValueError("the axes given as ax belong to no figure")
    return figure


def swimlane_figure(journey: pd.DataFrame, title: str | None = None, lang: str = "en",
                    names: Names | None = None, style: str | None = None,
                    dense: bool | None = None) -> Figure:
    """:func:`plot_swimlane` in a figure of its own made outside :mod:`matplotlib.pyplot`
    (nothing is left open: for files and reports).

    Examples
    --------
    >>> fig = swimlane_figure(journey_from(res, 0), style="talk")  # doctest: +SKIP
    """
    _check(journey)
    with use_style(get_style(style)):
        fig = Figure(figsize=layout.figsize(journey), layout="constrained")
    _draw(journey, fig.add_subplot(), title, lang, names, style, dense)
    return fig


_FORMATS = {".png": "png", ".svg": "svg"}


def save_swimlane(journey: pd.DataFrame, path: str | os.PathLike[str],
                  title: str | None = None, lang: str = "en",
                  names: Names | None = None, style: str | None = None,
                  dense: bool | None = None) -> Path:
    """Draw :func:`plot_swimlane` and save it as PNG or SVG.

    The figure is made outside :mod:`matplotlib.pyplot` (nothing is left open) and only the
    one file is written, atomically (complete or absent).

    Parameters
    ----------
    journey:
        A table from :func:`govsim.measure.journey.case_journey`.
    path:
        Where to write; the suffix (``.png`` or ``.svg``, any case) picks the format.
    title, lang, names, style, dense:
        As in :func:`plot_swimlane`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the suffix is neither ``.png`` nor ``.svg``, or ``journey`` cannot be drawn.
    """
    out = Path(path)
    fmt = _FORMATS.get(out.suffix.lower())
    if fmt is None:
        shown = repr(out.suffix) if out.suffix else "no suffix"
        raise ValueError(f"cannot save a swimlane as {shown}: use .png or .svg")
    fig = swimlane_figure(journey, title, lang, names, style, dense)
    atomic_write(out, lambda fh: fig.savefig(
        fh, format=fmt, dpi=150 if fmt == "png" else None,
        metadata={"Software": None} if fmt == "png" else {"Date": None}))
    return out


"""Figures for teaching: one case's journey as a swimlane diagram.

Layer: analysis. Uses matplotlib's object-oriented API only; nothing here selects a backend
(``matplotlib.use`` is never called), so the caller's choice (Jupyter inline, Agg in tests, a
desktop window) is respected.

The input is a journey table from :func:`govsim.analysis.journey.case_journey`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from govsim.analysis.journey import CITIZEN
from govsim.atomic import atomic_write

if TYPE_CHECKING:
    import os

    from matplotlib.axes import Axes

__all__ = ["FAMILIES", "ACTIVITY_STYLES", "activity_family", "plot_swimlane", "save_swimlane"]


@dataclass(frozen=True)
class Family:
    """A family of activities drawn in one colour."""

    key: str
    label: str
    colour: str


#: Activity families in legend order (colours from the Okabe–Ito colour-blind-safe palette).
FAMILIES: tuple[Family, ...] = (
    Family("filing", "filing & intake", "#0072B2"),
    Family("deflection", "deflection & referral", "#D55E00"),
    Family("repair", "repair", "#009E73"),
    Family("money", "money", "#E69F00"),
    Family("escalation", "escalation, meetings & rulings", "#CC79A7"),
    Family("other", "other", "#4D4D4D"),
)
_FAMILY = {f.key: f for f in FAMILIES}

#: Family and marker of each known activity, in legend order within a family. Activities not
#: listed are drawn in the ``other`` family with a plain dot.
ACTIVITY_STYLES: dict[str, tuple[str, str]] = {
    "file": ("filing", "o"),
    "ticket": ("filing", "s"),
    "reopen": ("filing", "D"),
    "dispatch": ("filing", ">"),
    "sign": ("filing", "d"),
    "contact": ("filing", "p"),
    "call_abandoned": ("filing", "X"),
    "deflect": ("deflection", "<"),
    "refer": ("deflection", ">"),
    "referral_lost": ("deflection", "X"),
    "return": ("deflection", "v"),
    "dispute": ("deflection", "^"),
    "handoff": ("deflection", "D"),
    "close_unresolved": ("deflection", "d"),
    "surface_fix": ("repair", "v"),
    "false_closure": ("repair", "X"),
    "work_start": ("repair", "s"),
    "share_done": ("repair", "p"),
    "finish": ("repair", "P"),
    "kb_answer": ("repair", "h"),
    "resolved": ("repair", "*"),
    "stall": ("money", "s"),
    "advance": ("money", "^"),
    "recovery": ("money", "v"),
    "fund_release": ("money", "P"),
    "escalate": ("escalation", "^"),
    "meeting": ("escalation", "H"),
    "adjudicate": ("escalation", "D"),
    "no_result": ("escalation", "X"),
    "recurrence": ("other", "o"),
    "callback": ("other", "h"),
    "abandon": ("other", "X"),
}
_DEFAULT_STYLE = ("other", ".")
_ORDER = {a: k for k, a in enumerate(ACTIVITY_STYLES)}
_BIG = {"resolved": 2.2, "abandon": 1.6, "file": 1.25}  # marker area multipliers

_FONT = 12  # projected on a wall: larger than matplotlib's default
_MARKER_AREA = 90.0
_STACK = 0.26  # vertical spacing of simultaneous steps in one lane (lane height 1)


def activity_family(activity: str) -> str:
    """The family an activity is drawn in.

    Parameters
    ----------
    activity:
        An activity name (``concept:name``).

    Returns
    -------
    str
        The key of one of :data:`FAMILIES`; ``"other"`` for activities not in
        :data:`ACTIVITY_STYLES`.
    """
    return ACTIVITY_STYLES.get(activity, _DEFAULT_STYLE)[0]


def _check(journey: pd.DataFrame) -> None:
    missing = [c for c in ("time", "unit", "activity", "contact") if c not in journey.columns]
    if missing:
        raise ValueError("not a journey table (missing " + ", ".join(missing)
                         + "); build one with govsim.analysis.journey.case_journey")
    if journey.empty:
        raise ValueError("the journey has no steps to draw")


def _lanes(units: list[str]) -> list[str]:
    """Lane order: the citizen on top, then units in order of first appearance."""
    order = list(dict.fromkeys(units))
    if CITIZEN in order:
        order.remove(CITIZEN)
    return [CITIZEN, *order]


def _stacked(x: np.ndarray, lane: np.ndarray, eps: float) -> np.ndarray:
    """Lane positions with steps that would overlap (same lane, nearly the same time) spread
    vertically around the lane's centre, in step order from top to bottom."""
    y = lane.astype(float).copy()
    for k in np.unique(lane):
        idx = np.flatnonzero(lane == k)
        start = 0
        while start < len(idx):
            end = start + 1
            while end < len(idx) and x[idx[end]] - x[idx[start]] <= eps:
                end += 1
            m = end - start
            if m > 1:
                gap = min(_STACK, 0.76 / (m - 1))
                y[idx[start:end]] = k + (np.arange(m) - (m - 1) / 2.0) * gap
            start = end
    return y


def _date_axis(ax: Axes, lo: float, hi: float, x0: float) -> None:
    """Dates below (limits ``lo``..``hi`` padded), days since ``x0`` (first filing) on top."""
    pad = max((hi - lo) * 0.04, 1.0 / 24.0)
    ax.set_xlim(lo - pad, hi + pad)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    # day ticks read "15 Mar" (not a bare "15"); the offset names only what the ticks leave out
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
        locator,
        formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
        offset_formats=["", "%Y", "%Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"],
    ))
    ax.tick_params(axis="x", labelsize=_FONT - 1)
    ax.xaxis.get_offset_text().set_fontsize(_FONT - 1)
    # the same axis in days since the first filing, on top
    top = ax.secondary_xaxis("top", functions=(lambda v: v - x0, lambda d: d + x0))
    top.set_xlabel("days since the first filing", fontsize=_FONT)
    top.tick_params(labelsize=_FONT - 1)


def _draw(journey: pd.DataFrame, ax: Axes, title: str | None) -> None:
    _check(journey)
    activity = journey["activity"].astype(str).to_numpy()
    units = journey["unit"].astype(str).tolist()
    lanes = _lanes(units)
    lane_of = {u: k for k, u in enumerate(lanes)}
    lane = np.array([lane_of[u] for u in units])
    x = np.asarray(mdates.date2num(pd.to_datetime(journey["time"]).to_numpy()), dtype=float)
    x0 = x[activity == "file"].min() if (activity == "file").any() else x.min()
    x1 = x.max()
    span = max(x1 - min(x0, x.min()), 1.0 / 24.0)
    y = _stacked(x, lane, eps=span * 0.012)

    # lanes: alternate shading, names on the left, citizen on top
    for k in range(len(lanes)):
        if k % 2 == 0:
            ax.axhspan(k - 0.5, k + 0.5, color="0.94", zorder=0, lw=0)
    ax.set_yticks(range(len(lanes)), lanes, fontsize=_FONT)
    ax.set_ylim(len(lanes) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)

    # the path of the case from step to step
    ax.plot(x, y, color="0.55", lw=0.9, zorder=1, solid_joinstyle="round")

    present = sorted(set(activity), key=lambda a: (
        [f.key for f in FAMILIES].index(activity_family(a)), _ORDER.get(a, len(_ORDER)), a))
    handles: list[Line2D] = []
    for fam in FAMILIES:
        acts = [a for a in present if activity_family(a) == fam.key]
        if not acts:
            continue
        handles.append(Line2D([], [], linestyle="none", label=fam.label.upper()))
        for a in acts:
            marker = ACTIVITY_STYLES.get(a, _DEFAULT_STYLE)[1]
            sel = activity == a
            size = _MARKER_AREA * _BIG.get(a, 1.0)
            ax.scatter(x[sel], y[sel], s=size, marker=marker, c=fam.colour,
                       edgecolors="white", linewidths=0.6, zorder=3)
            n = int(sel.sum())
            handles.append(Line2D([], [], linestyle="none", marker=marker, color=fam.colour,
                                  markeredgecolor="white", markersize=np.sqrt(size),
                                  label=f"{a.replace('_', ' ')} ({n})"))

    # number the filings, so contacts can be counted and read off the table; where filings
    # crowd one lane, only the first of a crowd is numbered so the numbers stay legible
    contact = journey["contact"].to_numpy()
    last_label: dict[int, float] = {}
    for i in np.flatnonzero(activity == "file"):
        if x[i] - last_label.get(int(lane[i]), -np.inf) < span * 0.03:
            continue
        last_label[int(lane[i])] = x[i]
        ax.annotate(str(int(contact[i])), (x[i], y[i]), xytext=(0, 8), textcoords="offset points",
                    ha="center", va="bottom", fontsize=_FONT - 2, color=_FAMILY["filing"].colour,
                    fontweight="bold", zorder=4)

    _date_axis(ax, min(x0, x.min()), x1, x0)
    ax.grid(axis="x", color="0.85", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("right", "left"):
        ax.spines[side].set_visible(False)
    leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    fontsize=_FONT - 1, frameon=False, handletextpad=0.4, borderaxespad=0.0,
                    title="step (number of times)", title_fontsize=_FONT - 1, alignment="left")
    for text, handle in zip(leg.get_texts(), handles, strict=True):
        if not handle.get_marker() or handle.get_marker() == "None":
            text.set_fontweight("bold")
            text.set_fontsize(_FONT - 2)
            text.set_color("0.3")
    if title is None:
        n_contacts = int(journey["contact"].max())
        days = x1 - x0
        title = (f"One case's journey: {_count(n_contacts, 'contact')}, "
                 f"{_count(len(journey), 'step')}, {_count(float(days), 'day')}")
    ax.set_title(title, fontsize=_FONT + 2, loc="left", pad=10)


def _count(n: float, noun: str) -> str:
    text = f"{n:.1f}" if isinstance(n, float) else str(n)
    return f"{text} {noun}" + ("" if n == 1 else "s")


def _figsize(journey: pd.DataFrame) -> tuple[float, float]:
    n_lanes = len(_lanes(journey["unit"].astype(str).tolist()))
    return (13.0, 2.6 + 0.85 * n_lanes)


def plot_swimlane(journey: pd.DataFrame, ax: Axes | None = None,
                  title: str | None = None) -> Figure:
    """Draw one case's journey as a swimlane diagram.

    One horizontal lane per unit (the citizen on top, then units in order of first
    appearance), time on the x axis (dates below, days since the first filing on top), one
    marker per step coloured by activity family (:data:`FAMILIES`) and shaped by activity
    (:data:`ACTIVITY_STYLES`), and a thin grey line joining consecutive steps so the path
    between units can be followed. Filings are numbered. Steps at nearly the same time in one
    lane are stacked vertically, in step order from top to bottom.

    Parameters
    ----------
    journey:
        A table from :func:`govsim.analysis.journey.case_journey`.
    ax:
        Axes to draw in; by default a new figure is made (with :func:`matplotlib.pyplot.figure`,
        so that it shows in notebooks and with ``plt.show()``).
    title:
        The title; by default a summary (contacts, steps, days).

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

        fig = plt.figure(figsize=_figsize(journey), layout="constrained")
        ax = fig.add_subplot()
    _draw(journey, ax, title)
    figure = ax.get_figure()
    if figure is not None and not isinstance(figure, Figure):
        figure = figure.figure  # a SubFigure: its root figure
    if not isinstance(figure, Figure):
        raise ValueError("the axes given as ax belong to no figure")
    return figure


_FORMATS = {".png": "png", ".svg": "svg"}


def save_swimlane(journey: pd.DataFrame, path: str | os.PathLike[str],
                  title: str | None = None) -> Path:
    """Draw :func:`plot_swimlane` and save it as PNG or SVG.

    The figure is made outside :mod:`matplotlib.pyplot` (nothing is left open) and only the
    one file is written, atomically (complete or absent).

    Parameters
    ----------
    journey:
        A table from :func:`govsim.analysis.journey.case_journey`.
    path:
        Where to write; the suffix (``.png`` or ``.svg``, any case) picks the format.
    title:
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
    _check(journey)
    fig = Figure(figsize=_figsize(journey), layout="constrained")
    _draw(journey, fig.add_subplot(), title)
    atomic_write(out, lambda fh: fig.savefig(
        fh, format=fmt, dpi=150 if fmt == "png" else None,
        metadata={"Software": None} if fmt == "png" else {"Date": None}))
    return out


"""Welch's warm-up curve, drawn.

Layer: figures. :func:`plot_warmup` draws a :func:`govsim.stats.warmup.welch` curve: the raw
mean over replications and its moving average, with the chosen warm-up marked.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["plot_warmup"]


def plot_warmup(curve: pd.DataFrame, warmup_days: float | None = None, *, ax: Any = None,
                label: str = "", style: str | None = None) -> Any:
    """Plot a :func:`~govsim.stats.warmup.welch` curve (raw mean and moving average); mark ``warmup_days`` if
    given. ``style``: ``"paper"`` or ``"talk"`` (None: the style in force). Returns the
    matplotlib axes.

    Examples
    --------
    >>> ax = plot_warmup(welch(values), warmup_days=30)  # doctest: +SKIP
    """
    from govsim.figures.style import figure_style

    with figure_style("en", style):
        return _draw(curve, warmup_days, ax, label)


def _draw(curve: pd.DataFrame, warmup_days: float | None, ax: Any, label: str) -> Any:
    import matplotlib.pyplot as plt

    from govsim.figures.style import points, scaled

    if ax is None:
        _, ax = plt.subplots(figsize=scaled(8, 3.5))
    ax.plot(curve["day"], curve["mean"], color="0.75", lw=points(0.8),
            label="mean over replications")
    ax.plot(curve["day"], curve["moving_average"], lw=points(1.8), label="moving average")
    if warmup_days is not None:
        ax.axvline(warmup_days, color="C3", ls="--", lw=1, label=f"warm-up {warmup_days:g} days")
    ax.set_xlabel("day")
    ax.set_ylabel(label or "value")
    ax.legend(frameon=False, fontsize=points(7.5))
    return ax

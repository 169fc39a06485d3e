"""Welch's warm-up curve, drawn.

Layer: figures. :func:`plot_warmup` draws a :func:`govsim.stats.warmup.welch` curve: the raw
mean over replications and its moving average, with the chosen warm-up marked.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["plot_warmup"]


def plot_warmup(curve: pd.DataFrame, warmup_days: float | None = None, *, ax: Any = None,
                label: str = "") -> Any:
    """Plot a :func:`welch` curve (raw mean and moving average); mark ``warmup_days`` if
    given. Returns the matplotlib axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(curve["day"], curve["mean"], color="0.75", lw=0.8, label="mean over replications")
    ax.plot(curve["day"], curve["moving_average"], lw=1.8, label="moving average")
    if warmup_days is not None:
        ax.axvline(warmup_days, color="C3", ls="--", lw=1, label=f"warm-up {warmup_days:g} days")
    ax.set_xlabel("day")
    ax.set_ylabel(label or "value")
    ax.legend(frameon=False, fontsize="small")
    return ax

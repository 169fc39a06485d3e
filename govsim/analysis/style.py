"""One look for every govsim figure: print-readable sizes, a colour per regime.

Layer: analysis (matplotlib, imported only when drawing).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib as mpl

__all__ = ["PALETTE", "regime_colours", "figure_style"]

#: colour-blind-safe (Okabe-Ito), in the order regimes are listed
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_RC = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "axes.grid": True, "grid.alpha": 0.3,
    "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100,
}


def regime_colours(regimes: Sequence[str]) -> dict[str, str]:
    """A colour per regime, by position (the first regime always gets the first colour)."""
    return {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(regimes)}


@contextmanager
def figure_style() -> Iterator[None]:
    """Draw inside this block for govsim's look (restored afterwards)."""
    with mpl.rc_context(_RC):
        yield

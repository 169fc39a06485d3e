"""The figures of a set of results, named and titled from the results themselves.

Layer: experiment (draws through :mod:`govsim.figures`, imported only when drawing).
:class:`ResultFigures` is a mixin of :class:`govsim.experiment.comparison.Results`.
"""

from __future__ import annotations

__all__ = ["ResultFigures"]


class ResultFigures:
    """Figures of a :class:`~govsim.experiment.comparison.Results` (mixin)."""

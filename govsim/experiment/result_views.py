"""How results show themselves: HTML tables in a notebook, text in a terminal, memo tables.

Layer: experiment. :class:`ResultViews` is a mixin of :class:`govsim.experiment.comparison.Results`.
"""

from __future__ import annotations

__all__ = ["ResultViews"]


class ResultViews:
    """Views of a :class:`~govsim.experiment.comparison.Results` (mixin)."""

"""How results show themselves: HTML tables in a notebook, text in a terminal, memo tables.

Layer: experiment. :class:`ResultViews` is a mixin of :class:`govsim.experiment.comparison.Results`
(and so of :class:`~govsim.experiment.comparison.Comparison`): in Jupyter a result shows as a
styled table (``_repr_html_``, :mod:`govsim.report.html_tables`), ``print`` gives the text table
(:mod:`govsim.report.text`), its ``repr`` is one line, and :meth:`ResultViews.memo` gives a wide
table of strings for a memo (:mod:`govsim.report.memo`). The renderers are imported lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from govsim.experiment.checks import metric_names
from govsim.lang import check_lang
from govsim.measure.metrics import HEADLINE

__all__ = ["ResultViews"]


class ResultViews:
    """Views of a :class:`~govsim.experiment.comparison.Results` (mixin)."""

    def __repr__(self) -> str:
        """One line: what ran, and how to see more (the subclasses are dataclasses made with
        ``repr=False``, so that their tables are not printed whole)."""
        s: Any = self
        kind = type(self).__name__
        base = getattr(s, "baseline", "")
        regimes = ", ".join(s.regimes) + (f" (baseline {base})" if base else "")
        return (f"<{kind} of {s.scenario.name!r}: {regimes}; {s.replications} replication"
                f"{'s' if s.replications != 1 else ''}, seed {s.seed}, "
                f"{s.scenario.world.horizon_days} days; print() it for the table>")

    def __str__(self) -> str:
        """The text table of the headline metrics (what ``print`` shows)."""
        from govsim.report.text import comparison_table, summary_table

        s: Any = self
        if getattr(s, "baseline", ""):
            return comparison_table(s, HEADLINE, "en")
        return summary_table(s, HEADLINE, "en")

    def _repr_html_(self) -> str:
        """The headline metrics as a styled HTML table, for Jupyter."""
        from govsim.report.html_tables import results_html

        return results_html(self, HEADLINE, "en")  # type: ignore[arg-type]

    def memo(self, metrics: Sequence[str] | None = None, lang: str = "en",
             confidence: float | None = None) -> pd.DataFrame:
        """A wide table for a memo: a row per metric, every cell a string.

        Parameters
        ----------
        metrics:
            The metrics, in the order wanted (default: the headline metrics,
            :data:`~govsim.measure.metrics.HEADLINE`, less those with no value under any
            regime); every one named is shown, ``n/a`` where it has no value.
        lang:
            ``"en"`` (default) or ``"zh"``: the language of the metrics' names (the index),
            the units and the regimes' names (the columns); ``"keys"``: everything named by
            its key, as in the scenario file and :meth:`~govsim.Results.summary`.
        confidence:
            The level of the intervals (default: the results' own).

        Returns
        -------
        pandas.DataFrame
            Index: the metrics' names; columns: ``unit``, then each regime's mean [CI] in the
            order of ``regimes`` (the scenario file's, unless chosen otherwise), then for
            a :class:`~govsim.experiment.comparison.Comparison` each regime's paired
            difference to the baseline, each followed by its p-value (``<0.001`` below one
            in a thousand). Cells are formatted as the text tables' (``44,246 [29,350,
            59,142]``; ``*`` marks an interval from fewer than 5 replications).
            ``attrs["header"]`` says what is shown and ``attrs["notes"]`` holds the
            footnotes. :func:`govsim.measure.metric_catalogue.metric_catalogue` says what
            each metric means and which way is better.

        Examples
        --------
        >>> import govsim
        >>> cmp = govsim.compare("district", ["fragmented", "consolidated"],
        ...                      replications=5, recording="metrics")  # doctest: +SKIP
        >>> cmp.memo(["resolved_share", "public_cost_yuan"])  # doctest: +SKIP
                             unit   Many hotlines  ...  p (One number, 12345 - Many hotlines)
        metric
        truly resolved      share  0.521 [0.49...  ...                                <0.001
        public cost          yuan  448,855 [...    ...                                <0.001
        """
        from govsim.report.memo import memo_table

        s: Any = self
        lang = check_lang(lang)
        names = ([m for m in HEADLINE if m in s.metrics and s.metrics[m].notna().any()]
                 if metrics is None else metric_names(metrics))
        return memo_table(s, names, lang, confidence)


"""The result of a robustness study: :class:`Robustness`, what was asked and its tables.

Layer: experiment. What :func:`govsim.experiment.robustness.execute` returns: the pair of regimes,
the metrics, horizons, replications, seed and confidence of the study, the scenario's labelled
assumptions, its notes, and its tables (``frames``); its text table and JSON are made in
:mod:`govsim.report.robustness` (imported lazily).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from govsim.errors import GovsimError
from govsim.scenario import Scenario

__all__ = ["Robustness"]


@dataclass(repr=False)
class Robustness:
    """The result of :func:`~govsim.experiment.robustness.robustness`. ``frames`` holds its
    tables:

    ``horizons``
        one row per horizon, funding (``as written``, ``preset``) and metric: A's and B's means,
        the paired difference B − A with its interval, ``n``, and ``settled`` (the interval
        excludes 0);
    ``holds``
        one row per horizon and metric: the sign at the scenario's own values (``base_sign``),
        the design points where the difference is defined, the share with the same sign and its
        Wilson interval, the points where it flips, and the assumptions that drive the
        difference (their PRCC interval excludes 0);
    ``prcc``
        one row per horizon, metric and assumption (:func:`~govsim.stats.effects.sensitivity`);
    ``points``
        one row per horizon, point and metric: the point's paired difference and interval;
    ``design``
        the Latin hypercube points (one column per assumption);
    ``runs``
        every run's metrics (``horizon``, ``point``: -1 at the scenario's own values).

    Examples
    --------
    >>> import govsim
    >>> rob = govsim.robustness("district", "fragmented", "consolidated", horizons=[5],
    ...                         points=3, replications=2, metrics=["contacts_per_case"], jobs=1)
    >>> sorted(rob.frames)
    ['design', 'holds', 'horizons', 'points', 'prcc', 'runs']
    >>> rob.frames["holds"][["horizon", "metric", "base_sign", "points", "same_sign"]]
       horizon             metric base_sign  points  same_sign
    0        5  contacts_per_case         -       3          3
    >>> print(rob.table())  # doctest: +ELLIPSIS
    Robustness of One number, 12345 − Many hotlines (B − A) in scenario 'district': ...
    """

    scenario: Scenario
    source: str
    target: str
    preset_funding: str | None
    funding_note: str
    metrics: list[str]
    horizons: list[int]
    replications: int
    seed: int
    confidence: float
    assumptions: dict[str, dict[str, Any]]
    notes: list[str]
    frames: dict[str, pd.DataFrame] = field(repr=False)

    def table(self, lang: str = "en") -> str:
        """A plain-text table: for each metric, B − A by horizon and funding, then where its
        sign holds across the assumptions; regimes and metrics in words (``lang="keys"``: by
        their keys; the table is in English only)."""
        from govsim.report.robustness import robustness_table

        if lang not in ("en", "keys"):
            raise GovsimError(f"must be en or keys (the robustness table is in English only), "
                              f"got {lang!r}", "lang")
        return robustness_table(self, lang)

    def __str__(self) -> str:
        """The text table (what ``print`` shows)."""
        return self.table()

    def __repr__(self) -> str:
        return (f"<Robustness of {self.target} - {self.source} in {self.scenario.name!r}: "
                f"{', '.join(self.metrics)} at {', '.join(map(str, self.horizons))} days, "
                f"{self.replications} replications a run; print() it for the table>")

    def _repr_html_(self) -> str:
        """The text table as it is, for Jupyter (scrolled sideways, never wrapped)."""
        from govsim.report.html_tables import text_html

        return text_html(self.table())

    def to_json(self) -> str:
        """The study as JSON (every table but the runs; NaN as null)."""
        from govsim.report.robustness import robustness_json

        return robustness_json(self)

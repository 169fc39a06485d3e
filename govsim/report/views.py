"""What the renderers read of a study's result: small protocols, not the result classes.

Layer: report. :mod:`govsim.report.text`, :mod:`~govsim.report.decomposition`
and :mod:`~govsim.report.robustness` turn results into text and JSON; the result
classes (:class:`~govsim.experiment.comparison.Comparison` and
:class:`~govsim.experiment.comparison.Results`, :class:`~govsim.experiment.decomposition.Decomposition`,
:class:`~govsim.experiment.robustness_result.Robustness`) offer them as methods. Typing the
renderers against these protocols instead of the classes keeps the imports one way, typed or
not: a class imports its renderer, a renderer imports only this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

__all__ = ["StudyView", "PairView", "ResultsView", "ComparisonView", "ReportView", "DecompositionView",
           "RobustnessView"]


class StudyView(Protocol):
    """What every study's result says of how it was run."""

    @property
    def scenario(self) -> Any: ...

    @property
    def seed(self) -> int: ...

    @property
    def replications(self) -> int: ...

    @property
    def confidence(self) -> float: ...


class PairView(StudyView, Protocol):
    """A study of one regime (``target``, B) against another (``source``, A)."""

    @property
    def source(self) -> str: ...

    @property
    def target(self) -> str: ...


class ResultsView(StudyView, Protocol):
    """A run's or a sweep's results as the report reads them."""

    @property
    def metrics(self) -> pd.DataFrame: ...

    @property
    def points(self) -> pd.DataFrame: ...

    @property
    def regimes(self) -> list[str]: ...

    @property
    def factors(self) -> list[str]: ...

    @property
    def cases(self) -> pd.DataFrame: ...

    @property
    def events(self) -> pd.DataFrame: ...

    def summary(self, metrics: Sequence[str] | None = ..., confidence: Any = ...) -> pd.DataFrame:
        ...


class ComparisonView(ResultsView, Protocol):
    """Results over two or more regimes, with paired differences to a baseline."""

    @property
    def baseline(self) -> str: ...

    def differences(self, metrics: Sequence[str] | None = ...,
                    confidence: Any = ...) -> pd.DataFrame: ...


class DecompositionView(PairView, Protocol):
    """A decomposition as its table reads it."""

    @property
    def rules(self) -> list[str]: ...

    @property
    def exact(self) -> bool: ...

    @property
    def orders(self) -> int: ...

    @property
    def contributions(self) -> pd.DataFrame: ...

    @property
    def totals(self) -> pd.DataFrame: ...

    @property
    def variants(self) -> pd.DataFrame: ...

    @property
    def groups(self) -> dict[str, tuple[str, ...]]: ...

    @property
    def group_notes(self) -> dict[str, list[str]]: ...

    @property
    def within(self) -> dict[str, list[list[str]] | None]: ...

    @property
    def group_effects(self) -> pd.DataFrame: ...


class RobustnessView(PairView, Protocol):
    """A robustness study as its table and JSON read it."""

    @property
    def preset_funding(self) -> str | None: ...

    @property
    def funding_note(self) -> str: ...

    @property
    def metrics(self) -> list[str]: ...

    @property
    def horizons(self) -> list[int]: ...

    @property
    def assumptions(self) -> dict[str, dict[str, Any]]: ...

    @property
    def notes(self) -> list[str]: ...

    @property
    def frames(self) -> dict[str, pd.DataFrame]: ...


class ReportView(ComparisonView, Protocol):
    """A comparison as a report page reads it: its tables and figures too."""

    @property
    def units(self) -> pd.DataFrame: ...

    @property
    def lights(self) -> pd.DataFrame: ...

    @property
    def ledger(self) -> pd.DataFrame: ...

    def over_time(self, freq: str = ...) -> pd.DataFrame: ...

    def names(self, lang: str = ...) -> Any: ...

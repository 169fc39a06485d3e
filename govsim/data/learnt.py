"""What the functions that use a learnt world read of it: the :class:`Learnt` protocol.

Layer: data. :class:`~govsim.data.result.RequestFit` satisfies it; the scenario writer
(:mod:`govsim.data.scenario_file`), the work fit (:mod:`govsim.data.work_fit`) and the check
(:mod:`govsim.data.check`) are typed against it, not against the class, so that the class can
offer them as methods without an import circle, typed or not.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import pandas as pd

__all__ = ["Learnt", "L"]


class Learnt(Protocol):
    """A world learnt from a request log: the ``[world]`` table as plain data, every estimate,
    the duration families tried, the diagnostics and the notes."""

    @property
    def world(self) -> dict[str, Any]: ...

    @property
    def estimates(self) -> pd.DataFrame: ...

    @property
    def duration_fits(self) -> pd.DataFrame: ...

    @property
    def diagnostics(self) -> dict[str, Any]: ...

    @property
    def notes(self) -> list[str]: ...


#: a learnt world's own type, kept by a function that returns a changed copy of it
L = TypeVar("L", bound=Learnt)

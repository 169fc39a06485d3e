"""The ``cases`` table's columns, each made only when asked for.

Layer: recording. :func:`case_columns` gives every column of the ``cases`` table, in order, as
a function that makes it from the run's raw columns; :func:`cases_table` makes them all into
the table (a full recording), :func:`case_series` only the few the metrics and the cohorts
read, as pandas Series over the run's own arrays (``recording="metrics"``: no table of every
column is ever built). Both come from the same functions, so a metric computed from either is
the same number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError
from govsim.model.columns import RUN_COLUMNS, plain_columns
from govsim.model.state import OPEN, RESOLVED, RawRun
from govsim.scenario.rules import CaseColumn

__all__ = ["STATES", "TRIAGE", "raw_reads", "case_columns", "cases_table", "case_series",
           "CaseSeries", "head"]

STATES = ("open", "resolved", "abandoned")
#: triage outcome of a case under a consolidated regime ("none" elsewhere)
TRIAGE = ("none", "knowledge_base", "handed_out", "dispatched")


def head(raw: RawRun, n: int) -> dict[str, object]:
    """The ``regime`` and ``replication`` columns of a table of ``n`` rows."""
    return {
        # one category, one byte per row (no list of n strings to factorise)
        "regime": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[raw.regime]),
        "replication": np.full(n, raw.replication, dtype=np.int64),
    }


#: the raw columns (:attr:`govsim.model.state.RawRun.cases`) each column :func:`case_columns`
#: makes reads, besides the plain ones (which read their own)
_READS = {
    "category": ("category",), "first_filing": ("arrival_h",), "channel": ("channel",),
    "state": ("state",), "ended": ("end_h",), "resolved": ("state",),
    "resolution_days": ("state", "end_h", "arrival_h"),
    "duration_days": ("state", "end_h", "arrival_h"),
    "citizen_hours": ("contacts", "call_wait_h"), "citizen_cost_yuan": ("contacts", "call_wait_h"),
    "triage": ("triage",), "replied": ("replied",), "callback_rating": ("callback_rating",),
    "adopted": ("adopted",), "satisfied": ("state", "end_h", "arrival_h", "satisfied_within_h"),
}


def _plain(c: dict[str, np.ndarray], col: CaseColumn) -> Callable[[], np.ndarray]:
    """The ``cases`` table's column of a plain per-case column, in its declared dtype (a typed
    integer column left the run in its compact type)."""
    key, dtype = col.raw, col.dtype
    assert key is not None
    return lambda: np.asarray(c[key], dtype=dtype)


def raw_reads(names: Iterable[str]) -> set[str]:
    """The raw columns the ``cases`` table's columns ``names`` are made from."""
    plain = dict(plain_columns())
    return {key for name in names
            for key in (_READS.get(name, ()) + ((plain[name],) if name in plain else ()))}


def case_columns(raw: RawRun, staff_per_case: np.ndarray, money_per_case: np.ndarray,
                 filed: np.ndarray) -> dict[str, Callable[[], Any]]:
    """Every column of the ``cases`` table (every case, before a warm-up's cut), in order, as
    a function that makes it."""
    c = raw.cases
    n = len(c["arrival_h"])
    cal = raw.calendar
    arrival, state, end = c["arrival_h"], c["state"], c["end_h"]

    @cache
    def resolved() -> np.ndarray:
        return state == RESOLVED  # type: ignore[no-any-return]

    def duration_days() -> np.ndarray:
        # time to true resolution, censored at the horizon; an abandoned problem stays
        # unsolved, so it is censored at the horizon too (not when the citizen gave up).
        # Made in one array (the values of where(resolved, end - arrival, horizon - arrival)
        # / 24, element by element)
        days = np.subtract(end, arrival, dtype=float)
        np.subtract(raw.horizon_h, arrival, out=days, where=~resolved())
        days /= 24.0
        return days

    def citizen_hours() -> np.ndarray:
        # the citizen's own time: every contact, and every wait on the line
        hours = c["contacts"] * raw.hours_per_contact
        hours += c["call_wait_h"]
        return hours  # type: ignore[no-any-return]

    before: dict[str, Callable[[], Any]] = {
        **{k: (lambda v=v: v) for k, v in head(raw, n).items()},
        "case": lambda: np.arange(n, dtype=np.int64),
        "category": lambda: pd.Categorical.from_codes(c["category"],
                                                      categories=raw.category_names),
        "first_filing": lambda: cal.to_datetime(arrival),
        "channel": lambda: pd.Categorical.from_codes(c["channel"], categories=raw.channel_names),
        # (an unfiled problem's row is dropped by the cut; its code is never shown)
        "state": lambda: pd.Categorical.from_codes(np.where(filed, state, OPEN).astype(np.int64),
                                                   categories=list(STATES)),
        "ended": lambda: cal.to_datetime(end),
        "resolved": resolved,
        "resolution_days": lambda: np.where(resolved(), (end - arrival) / 24.0, np.nan),
        "duration_days": duration_days,
    }
    plain = {col.table: _plain(c, col) for col in RUN_COLUMNS if col.table is not None and col.raw}
    after: dict[str, Callable[[], Any]] = {
        "citizen_hours": citizen_hours,
        "citizen_cost_yuan": lambda: citizen_hours() * raw.value_of_time,
        "staff_hours": lambda: staff_per_case,
        "money_yuan": lambda: money_per_case,
        "triage": lambda: pd.Categorical.from_codes(c["triage"], categories=list(TRIAGE)),
        "replied": lambda: c["replied"],
        "callback_rating": lambda: c["callback_rating"],
        "adopted": lambda: np.where(c["adopted"] < 0, np.nan, c["adopted"]).astype(float),
        "satisfied": lambda: resolved() & ((end - arrival) <= c["satisfied_within_h"]),
    }
    if clash := sorted((before.keys() | after.keys()) & plain.keys()):
        raise GovsimError(f"a rule group's per-case column would replace the cases table's own "
                          f"column {clash[0]!r}: give it another table name", "govsim.rules")
    return {**before, **plain, **after}


def cases_table(columns: dict[str, Callable[[], Any]], keep: np.ndarray | None) -> pd.DataFrame:
    """The ``cases`` table: one row per kept case (``keep``; ``None``: every case)."""
    # the columns are this function's own arrays: no consolidating copy
    cases = pd.DataFrame({name: make() for name, make in columns.items()}, copy=False)
    return cases if keep is None else cases[keep].reset_index(drop=True)


class CaseSeries(Mapping[str, pd.Series]):
    """Columns of the ``cases`` table, each made as a Series of the kept cases when it is read
    and not kept: a reader that takes one column at a time, reduces it and lets it go never
    holds more than a few (:func:`case_series`)."""

    def __init__(self, columns: dict[str, Callable[[], Any]], keep: np.ndarray | None,
                 names: Iterable[str]) -> None:
        self._columns = columns
        self._keep = keep
        self._names = tuple(dict.fromkeys(names))

    def __getitem__(self, name: str) -> pd.Series:
        if name not in self._names:
            raise KeyError(name)
        values = self._columns[name]()
        if self._keep is not None:
            values = values[self._keep]
        return pd.Series(values, copy=False, name=name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def case_series(columns: dict[str, Callable[[], Any]], keep: np.ndarray | None,
                names: Iterable[str]) -> CaseSeries:
    """The columns ``names`` of the ``cases`` table as Series of the kept cases, the same
    values as :func:`cases_table`'s, each made when read (no table of every column)."""
    return CaseSeries(columns, keep, names)

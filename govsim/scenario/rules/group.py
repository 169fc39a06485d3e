"""What a rule group declares: the one place everything about a rule that is data is written.

Layer: scenario (no SimPy here). A :class:`RuleGroup` is a set of regime keys that a
decomposition switches together, and everything else that is data about it: each key's type,
bound and default; the settings the presets give its keys; its name in Chinese; and, for a
rule that needs them, the per-case columns it keeps (:class:`CaseColumn`), the event-log
activities it adds (:class:`Activity`), the metrics it adds (:class:`Metric`) and the
behaviour it adds to the case process (``behaviour``). govsim's own groups are the modules of
this package; a group from outside it is found through the ``govsim.rules`` entry point
(:mod:`govsim.scenario.rules.registry`). The regimes' schema, the presets, the per-case
columns, the ``cases`` table, the metrics and the names in both languages are all built from
the declarations.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["RuleGroup", "CaseColumn", "Activity", "Metric", "NO_DEFAULT"]

#: the default of a key every regime must set (directly or through its preset)
NO_DEFAULT: Any = ...


@dataclass(frozen=True)
class CaseColumn:
    """One per-case column of a run.

    The case process keeps it in the engine's attribute ``attr`` (a Python list for what most
    cases touch, the fastest to index; otherwise a typed array of :mod:`array`: a few bytes a
    case, no Python object per value), every case starting at ``fill``. When it leaves the run
    it is ``RawRun.cases[raw]`` (``raw`` None: kept only during the run), and the ``cases``
    table copies it as its column ``table`` (None: the recording derives that column, or there
    is none)."""

    #: the engine's attribute during a run
    attr: str
    #: ``"list"`` (a Python list) or an :mod:`array` typecode: ``"b"`` flags and codes,
    #: ``"i"`` counters, ``"d"`` hours and yuan
    store: str
    #: the value every case starts with
    fill: Any
    #: its key in ``RawRun.cases`` (``None``: kept only during the run)
    raw: str | None
    #: the numpy dtype of its column in the ``cases`` table (a typed integer column leaves the
    #: run in its compact type, and the table widens it)
    dtype: Any = np.int64
    #: its column in the ``cases`` table, copied as it is (``None``: derived, or none)
    table: str | None = None
    #: how the run's values become the collected array, when not a plain conversion
    convert: Callable[[Any], np.ndarray] | None = None

    def new(self, n: int) -> list[Any] | array:
        """The column for ``n`` cases, each at :attr:`fill`. A value out of a typed column's
        range raises ``OverflowError``; nothing wraps silently."""
        if self.store == "list":
            return [self.fill] * n
        return array(self.store, [self.fill]) * n

    def collected(self, values: Any) -> np.ndarray:
        """The run's values as the array that leaves the run."""
        if self.convert is not None:
            return self.convert(values)
        if not isinstance(values, list) and np.dtype(self.dtype).kind in "iu" \
                and np.dtype(values.typecode).kind in "iu":
            # typed integers leave the run as they are, without a copy; the cases table
            # widens them to :attr:`dtype` (govsim.recording.cases)
            return np.frombuffer(values, dtype=values.typecode)
        return np.asarray(values, dtype=self.dtype)


@dataclass(frozen=True)
class Activity:
    """An event-log activity a rule adds, with its English and Chinese names."""

    name: str
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class Metric:
    """A per-replication metric a rule adds: ``compute(cases)`` reduces one regime's
    ``cases`` table of one replication to a number (NaN where the rule does not apply)."""

    name: str
    unit: str
    meaning: str
    compute: Callable[[Any], float]
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class RuleGroup:
    """A rule group and everything about it that is data (see the module's docstring)."""

    #: the group's name (``govsim.scenario.RULES``' key; what a decomposition attributes to)
    name: str
    #: regime key -> ``(type, default)``, in the order the schema lists them; the type may
    #: carry bounds (``Annotated``), the default may be :data:`NO_DEFAULT`
    keys: Mapping[str, tuple[Any, Any]]
    #: preset name -> the settings it gives this group's keys
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: its name in English tables, figures and reports (none: ``name`` in words)
    label: str = ""
    #: its name in Chinese tables, figures and reports (none: ``name``)
    label_zh: str = ""
    #: where it stands among the groups (govsim's own: 10, 20, ...; a plug-in after them)
    order: int = 1000
    #: the per-case columns it keeps, beyond the engine's own
    columns: tuple[CaseColumn, ...] = ()
    #: the event-log activities it adds
    activities: tuple[Activity, ...] = ()
    #: the per-replication metrics it adds
    metrics: tuple[Metric, ...] = ()
    #: ``behaviour(model)`` is called once as a run starts and returns ``None`` (the rule does
    #: nothing under this regime) or ``act(c, category, outcome)``: a generator the case process
    #: runs after each attempt, which may spend staff time and returns the outcome
    #: (:meth:`govsim.model.case.RegimeRun.case`). Given as ``"module:function"``, it is
    #: imported when a run starts: govsim's own groups name a function of :mod:`govsim.model`
    #: that way, since this layer does not import the model
    behaviour: Callable[[Any], Any] | str | None = None

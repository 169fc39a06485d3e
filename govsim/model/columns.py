"""The per-case columns of a run, each declared once (:class:`~govsim.scenario.rules.CaseColumn`).

Layer: model. Each :class:`CaseColumn` says what the case process keeps for every case: the
engine's attribute that holds it during a run, how it is stored (a typed array of :mod:`array`:
a few bytes a case, no Python object per value; a Python list only for a bit mask of units,
and the engine makes even those typed when the scenario has fewer than 63 units), the value it
starts at, and, when it leaves the run, its key
in :attr:`govsim.model.state.RawRun.cases` and the name of its column in the ``cases`` table.
:class:`~govsim.model.engine.Engine` allocates its own (:data:`ENGINE_COLUMNS`),
:class:`~govsim.model.case.RegimeRun` those the rule groups declare (:data:`RULE_COLUMNS`),
the engine collects them all with :func:`collect`, and :func:`govsim.recording.tables` copies
the plain ones (``table`` set) into the ``cases`` table in the order declared. A column whose
``table`` is ``None`` is turned into its table column by the recording (a code into a
category, a flag that needs the state), and one whose ``raw`` is ``None`` never leaves the run.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np

from govsim.errors import GovsimError
from govsim.scenario.rules import GROUPS, CaseColumn

__all__ = ["ENGINE_COLUMNS", "RULE_COLUMNS", "RUN_COLUMNS", "allocate", "collect",
           "plain_columns"]


def _bits(masks: Iterable[int]) -> np.ndarray:
    """How many units each case touched, from its bit mask of units (a typed column's counted
    in one pass, with no Python int a case, where NumPy can)."""
    if isinstance(masks, array) and masks.typecode == "q" and hasattr(np, "bitwise_count"):
        return np.bitwise_count(np.frombuffer(masks, dtype=np.int64)).astype(np.int64)
    return np.asarray([m.bit_count() for m in masks], dtype=np.int64)


#: the engine's own per-case columns; the plain ones in the order of their columns in the
#: ``cases`` table
ENGINE_COLUMNS: tuple[CaseColumn, ...] = (
    CaseColumn("state", "b", 0, "state", np.int8),  # OPEN; govsim.model.state's codes
    CaseColumn("end_h", "d", np.nan, "end_h", float),
    CaseColumn("contacts", "i", 0, "contacts", np.int64, table="contacts"),
    CaseColumn("tickets", "i", 0, "tickets", np.int64, table="tickets"),
    CaseColumn("touched", "list", 0, "units_touched", table="units_touched", convert=_bits),
    CaseColumn("failures", "i", 0, "failures", table="failed_attempts"),
    CaseColumn("top_rung", "i", 0, "top_rung", table="top_rung"),
    CaseColumn("surface_fixes", "i", 0, "surface_fixes", table="surface_fixes"),
    CaseColumn("false_closures", "i", 0, "false_closures", table="false_closures"),
    CaseColumn("dispatches", "i", 0, "dispatches", table="dispatches"),
    CaseColumn("returns", "i", 0, "returns", table="returns"),
    CaseColumn("breach_count", "i", 0, "breaches", table="breaches"),
    CaseColumn("meetings", "i", 0, "meetings", table="meetings"),
    CaseColumn("meeting_attendees", "i", 0, "meeting_attendees", table="meeting_attendees"),
    CaseColumn("largest_meeting", "i", 0, "largest_meeting", table="largest_meeting"),
    CaseColumn("meeting_hours", "d", 0.0, "meeting_hours", float, table="meeting_hours"),
    CaseColumn("calls_abandoned", "i", 0, "calls_abandoned", table="calls_abandoned"),
    CaseColumn("advanced", "d", 0.0, "advanced_yuan", float, table="advanced_yuan"),
    CaseColumn("recovered", "d", 0.0, "recovered_yuan", float, table="recovered_yuan"),
    # hours the citizen waited on the line
    CaseColumn("call_wait_h", "d", 0.0, "call_wait_h", float, table="call_wait_hours"),
    # the channel of the first contact that got through (-1: none)
    CaseColumn("channel_of", "i", -1, "channel", np.int64),
    # the citizen got a reply (an answer, a call from the owner, ...)
    CaseColumn("replied", "b", 0, "replied", bool),
    # 0 none, 1 knowledge base, 2 hand-off, 3 dispatch (govsim.recording.TRIAGE)
    CaseColumn("triage_code", "b", 0, "triage"),
    # suggestions: 1 adopted, 0 not adopted, -1 not a suggestion
    CaseColumn("adopted", "b", -1, "adopted", np.int8),
    # the last callback's rating: -1 none, 0 not satisfied, 1 satisfied
    CaseColumn("rating", "b", -1, "callback_rating", np.int8),
    # kept only during the run:
    # the fix's money was found (0/1)
    CaseColumn("funded", "b", 0, None),
    # the unit that did (or is doing) the case's fix (-1: none)
    CaseColumn("fixer", "i", -1, None),
    # supervision ordered a real fix: no more patches (0/1)
    CaseColumn("must_fix", "b", 0, None),
    # a bit mask of the partial owners that have done their share
    CaseColumn("shares_done", "list", 0, None),
    # the case's open ticket is behind a red light (0/1)
    CaseColumn("red_flag", "b", 0, None),
    # the unit the section urged about the case (-1: none)
    CaseColumn("urged_unit", "i", -1, None),
)

#: the columns the rule groups add (:attr:`govsim.scenario.rules.RuleGroup.columns`); the
#: ``cases`` table has the plain ones after the engine's
RULE_COLUMNS: tuple[CaseColumn, ...] = tuple(col for g in GROUPS for col in g.columns)

#: every per-case column
RUN_COLUMNS: tuple[CaseColumn, ...] = ENGINE_COLUMNS + RULE_COLUMNS

# the raw keys the engine itself fills (its columns', and three of the world's draws)
_ENGINE_RAW = {c.raw for c in ENGINE_COLUMNS} | {"arrival_h", "category", "satisfied_within_h"}
if clash := sorted({c.attr for c in RULE_COLUMNS} & {c.attr for c in ENGINE_COLUMNS}
                   | {c.raw for c in RULE_COLUMNS} & _ENGINE_RAW):
    raise GovsimError(f"a rule group's per-case column is named like one of the engine's own: "
                      f"{clash[0]!r}", "govsim.rules")


def allocate(owner: object, n: int, columns: Iterable[CaseColumn] = ENGINE_COLUMNS) -> None:
    """Set each column on ``owner`` (the engine) as an attribute holding ``n`` cases; a
    column whose attribute the engine already has is a :class:`GovsimError` (a rule group's
    column must not hide the engine's own state)."""
    for col in columns:
        if hasattr(owner, col.attr):
            raise GovsimError(f"a rule group's per-case column {col.attr!r} has the name of the "
                              "engine's own state: choose another", "govsim.rules")
        setattr(owner, col.attr, col.new(n))


def collect(owner: object, columns: Iterable[CaseColumn] = RUN_COLUMNS,
            release: bool = False) -> dict[str, np.ndarray]:
    """The columns that leave the run, by their ``raw`` key, as numpy arrays. ``release``: drop
    each column from ``owner`` once it is converted (the run is spent), so a list column and
    its array are not all held at once."""
    out = {}
    for col in columns:
        if col.raw is not None:
            out[col.raw] = col.collected(getattr(owner, col.attr))
        if release:
            setattr(owner, col.attr, None)
    return out


def plain_columns(columns: Iterable[CaseColumn] = RUN_COLUMNS) -> list[tuple[str, str]]:
    """``(table column, raw key)`` of the columns the ``cases`` table copies as they are, in
    order."""
    return [(col.table, col.raw) for col in columns if col.table is not None and col.raw]

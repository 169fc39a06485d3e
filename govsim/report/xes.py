"""The event log as IEEE XES, for process-mining tools.

Layer: report. :func:`write_xes` writes a run's events table (process-mining column names
already: ``case:concept:name``, ``concept:name``, ``time:timestamp``, ``org:resource``) as an
XES 1849-2016 log with the standard Concept, Time, Organizational and Lifecycle extensions:
one trace per case of each regime and replication (trace name ``REGIME/REPLICATION/CASE``,
with the regime, replication, case number, category and final state as trace attributes),
its events in time order (ties kept in the order they were logged), each event ``complete``.
Written with the standard library, streaming, so a long log needs no XML tree in memory.

Timestamps are the scenario's local clock time (the simulation has no time zone), written
without an offset. A run in which no case arose kept an empty event log, which is written as
a log with no traces; a run made with ``record_events=False`` kept none, which is refused
(:func:`event_log_kept` tells them apart). :func:`write_xes` checks its path first and writes
as every govsim writer does (:func:`govsim.atomic.save_file`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from govsim.atomic import check_file, save_file
from govsim.errors import GovsimError

__all__ = ["write_xes", "xes_writer", "event_log_kept", "XES_EXTENSIONS"]

#: (name, prefix, uri) of the standard extensions the log declares
XES_EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)
_CHUNK = 20_000  # events rendered per write


def _head(name: str) -> str:
    ext = "".join(f'  <extension name="{n}" prefix="{p}" uri="{u}"/>\n'
                  for n, p, u in XES_EXTENSIONS)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<log xes.version="1849-2016" xes.features="nested-attributes" '
        'xmlns="http://www.xes-standard.org/">\n'
        f"{ext}"
        '  <global scope="trace">\n'
        '    <string key="concept:name" value="__INVALID__"/>\n'
        "  </global>\n"
        '  <global scope="event">\n'
        '    <string key="concept:name" value="__INVALID__"/>\n'
        '    <date key="time:timestamp" value="1970-01-01T00:00:00.000"/>\n'
        '    <string key="org:resource" value="__INVALID__"/>\n'
        '    <string key="lifecycle:transition" value="complete"/>\n'
        "  </global>\n"
        '  <classifier name="Activity" keys="concept:name"/>\n'
        '  <classifier name="Activity and resource" keys="concept:name org:resource"/>\n'
        f'  <string key="concept:name" value={quoteattr(name)}/>\n'
        '  <string key="source" value="govsim"/>\n'
    )


def event_log_kept(events: pd.DataFrame) -> bool:
    """Whether ``events`` is an event log that was kept, an empty one included: a run made
    with ``record_events=True`` in which no case arose has typed columns (its time stamps are
    dates) and no rows; one made with ``record_events=False`` has untyped columns."""
    if not isinstance(events, pd.DataFrame) or "time:timestamp" not in events:
        return False
    return bool(len(events)) or pd.api.types.is_datetime64_any_dtype(events["time:timestamp"])


def _refuse_missing(events: pd.DataFrame) -> None:
    if not event_log_kept(events):
        raise GovsimError("the run kept no event log (record_events=False): run it again with "
                          "record_events=True", "events")


def write_xes(events: pd.DataFrame, cases: pd.DataFrame, path: str | os.PathLike[str],
              name: str = "govsim") -> int:
    """Write ``events`` (with ``cases`` for the trace attributes) to ``path`` as XES and
    return the number of traces written (cases with at least one event; 0 when no case
    arose). ``path`` is checked before anything is done (a path, a name the file system can
    hold, not a directory; its folder created if missing and tried), the file is complete or
    absent, and any failure is a :class:`~govsim.errors.GovsimError` at ``path`` (a disk that
    fails midway: the file is saved in a temporary directory instead, and the error says
    where); no event log kept is one at ``events``."""
    _refuse_missing(events)
    check_file(path, "path", try_folder=False)  # the name, before the log is sorted
    write, traces = xes_writer(events, cases, name)
    save_file(path, write, "path")
    return traces


def xes_writer(events: pd.DataFrame, cases: pd.DataFrame,
               name: str = "govsim") -> tuple[Callable[[IO[bytes]], None], int]:
    """A function writing the XES log into an open binary file (for
    :func:`govsim.atomic.write_files`), and the number of traces it writes: an empty log (no
    case arose) is a log with no traces; no event log kept is a
    :class:`~govsim.errors.GovsimError` at ``events``."""
    _refuse_missing(events)
    if not len(events):
        return lambda fh: fh.write((_head(name) + "</log>\n").encode("utf-8")), 0
    ev = events[["regime", "replication", "case:concept:name", "concept:name",
                 "time:timestamp", "org:resource"]].copy()
    ev["_order"] = np.arange(len(ev))
    ev = ev.sort_values(["regime", "replication", "case:concept:name", "time:timestamp",
                         "_order"], kind="stable")
    regime = ev["regime"].astype(str).to_numpy()
    rep = ev["replication"].to_numpy()
    case = ev["case:concept:name"].to_numpy()
    act = ev["concept:name"].astype(str).map(quoteattr).to_numpy()
    stamp = pd.to_datetime(ev["time:timestamp"]).dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3]
    stamp = stamp.to_numpy()
    res = ev["org:resource"].astype(object).where(ev["org:resource"].notna(), "").astype(str)
    res = res.map(quoteattr).to_numpy()
    key = ["regime", "replication", "case"]
    info = cases.assign(regime=cases["regime"].astype(str)).set_index(key)
    new_trace = np.ones(len(ev), dtype=bool)
    new_trace[1:] = (regime[1:] != regime[:-1]) | (rep[1:] != rep[:-1]) | (case[1:] != case[:-1])
    starts = np.flatnonzero(new_trace)
    ends = np.append(starts[1:], len(ev))

    def trace_head(i: int) -> str:
        label = f"{regime[i]}/{rep[i]}/{case[i]}"
        row = info.loc[(regime[i], rep[i], case[i])] if (regime[i], rep[i], case[i]) in \
            info.index else None
        attrs = [f'    <string key="concept:name" value={quoteattr(label)}/>',
                 f'    <string key="regime" value={quoteattr(regime[i])}/>',
                 f'    <int key="replication" value="{int(rep[i])}"/>',
                 f'    <int key="case" value="{int(case[i])}"/>']
        if row is not None:
            attrs.append(f'    <string key="category" value={quoteattr(str(row["category"]))}/>')
            attrs.append(f'    <string key="state" value={quoteattr(str(row["state"]))}/>')
        return "  <trace>\n" + "\n".join(attrs) + "\n"

    def event(j: int) -> str:
        resource = f'      <string key="org:resource" value={res[j]}/>\n' if res[j] != '""' else ""
        return ("    <event>\n"
                f'      <string key="concept:name" value={act[j]}/>\n'
                f'      <date key="time:timestamp" value="{stamp[j]}"/>\n'
                f"{resource}"
                '      <string key="lifecycle:transition" value="complete"/>\n'
                "    </event>\n")

    def write(fh: IO[bytes]) -> None:
        fh.write(_head(name).encode("utf-8"))
        parts: list[str] = []
        size = 0
        for s, e in zip(starts, ends, strict=True):
            parts.append(trace_head(int(s)))
            parts.extend(event(j) for j in range(s, e))
            parts.append("  </trace>\n")
            size += e - s
            if size >= _CHUNK:
                fh.write("".join(parts).encode("utf-8"))
                parts, size = [], 0
        parts.append("</log>\n")
        fh.write("".join(parts).encode("utf-8"))

    return write, len(starts)

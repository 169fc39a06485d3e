"""A unit's staff as a lean pool of identical servers.

Layer: model. SimPy's ``Resource`` makes a request event for every staff session, and the
process waits one event-loop step for it even when a staff member is free. In a district year
most sessions find someone free, so :class:`StaffPool` grants those at once, with no event:
only a session that has to queue gets an event, which the session ending before it triggers
(first come, first served; with priorities, lower first and then first come).

The order of sessions is the same as with ``simpy.Resource``; what changes is that a session
that finds a free server starts at once instead of after the events already due at the same
instant, so ties at one instant may be broken differently.
"""

from __future__ import annotations

import heapq
from collections import deque

import simpy

__all__ = ["StaffPool"]


class StaffPool:
    """``capacity`` servers; :meth:`acquire` returns ``None`` when one is free at once, else
    an event that triggers when one is handed over; :meth:`release` hands a server on."""

    __slots__ = ("env", "capacity", "free", "_queue", "_heap", "_seq")

    def __init__(self, env: simpy.Environment, capacity: int, priority: bool = False) -> None:
        self.env = env
        self.capacity = capacity
        self.free = capacity
        self._queue: deque[simpy.Event] | None = None if priority else deque()
        self._heap: list[tuple[int, int, simpy.Event]] | None = [] if priority else None
        self._seq = 0

    def acquire(self, priority: int = 0) -> simpy.Event | None:
        """A server now (``None``), or the event of one handed over later."""
        queue = self._queue
        if self.free and not (queue if queue is not None else self._heap):
            self.free -= 1
            return None
        event = simpy.Event(self.env)
        if queue is not None:
            queue.append(event)
        else:
            self._seq += 1
            heapq.heappush(self._heap, (priority, self._seq, event))  # type: ignore[arg-type]
        return event

    def cancel(self, event: simpy.Event) -> None:
        """Leave the line (a caller who hangs up before a call-taker is free)."""
        if self._queue is not None:
            self._queue.remove(event)
        else:
            self._heap = [entry for entry in self._heap or () if entry[2] is not event]
            heapq.heapify(self._heap)

    def release(self) -> None:
        """The server goes to the first in line, or becomes free."""
        queue = self._queue
        if queue is not None:
            if queue:
                queue.popleft().succeed()
                return
        elif self._heap:
            heapq.heappop(self._heap)[2].succeed()
            return
        self.free += 1

    @property
    def waiting(self) -> int:
        """Sessions in line for a server."""
        return len(self._queue) if self._queue is not None else len(self._heap or ())

"""A lean driver for the generator processes of a run.

Layer: model. SimPy's :class:`simpy.Process` is an event itself: starting one schedules an
``Initialize`` event (one step of the event loop before the generator runs) and ending one
schedules the process's own event (another step, for waiters that a case never has). A district
year starts 150,000 case processes, so those two steps are a fifth of the event loop's work.

:func:`start` runs a generator at once, up to its first ``yield``, and from then on resumes it
as a callback of each event it yields, exactly as SimPy resumes a process: the events yielded
are ordinary SimPy events (timeouts, a staff pool's hand-over, conditions), processed in the
same order -- except that the generator's first segment runs at once rather than one urgent
step later, so events due at exactly the same instant may be taken in another order. What a driven generator cannot do is be waited on, be interrupted, or report a
return value: the case process and the recovery of an advance need none of these. An exception
inside it propagates out of :meth:`simpy.Environment.run` at once.

:func:`gc_paused` keeps Python's cycle collector out of the event loop. A run allocates
millions of short-lived tracked objects (events, heap entries, generators), so the collector
would run hundreds of times, each time walking every case still in flight, and now and then
every object in the process: a quarter of a district year's time. A run makes no reference
cycles while it runs (what is left in flight at the horizon is the one cycle, collected once
the collector is back), so pausing it costs no memory.
"""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from heapq import heappop
from typing import Any

import simpy

__all__ = ["start", "gc_paused", "run_until"]


class _Driver:
    """Resumes one generator whenever the event it waits on has been processed."""

    __slots__ = ("_gen",)

    def __init__(self, generator: Generator[simpy.Event, Any, Any]) -> None:
        self._gen = generator

    def resume(self, event: simpy.Event) -> None:
        """Send ``event``'s value into the generator (throw its exception if it failed) and
        wait on the next event it yields; go on at once through events already processed."""
        gen = self._gen
        while True:
            try:
                if event._ok:
                    event = gen.send(event._value)
                else:
                    event._defused = True  # handed to the generator, which handles it or fails
                    event = gen.throw(event._value)
            except StopIteration:
                return
            callbacks = event.callbacks
            if callbacks is not None:  # not yet processed: resume when it is
                callbacks.append(self.resume)
                return


def start(generator: Generator[simpy.Event, Any, Any]) -> None:
    """Run ``generator`` now, up to its first ``yield``, then drive it by its events."""
    driver = _Driver(generator)
    try:
        event = next(generator)
    except StopIteration:
        return
    callbacks = event.callbacks
    if callbacks is not None:
        callbacks.append(driver.resume)
    else:
        driver.resume(event)


def run_until(env: simpy.Environment, at: float) -> None:
    """Process ``env``'s events due before ``at``, then set its clock to ``at``: what
    ``env.run(until=at)`` does, in one loop instead of a method call per event.

    The order is SimPy's: the heap's order (time, priority, then the order of scheduling).
    ``env.run(until=at)`` schedules a stop at ``at`` before every event scheduled after it, so
    no event due at ``at`` or later is processed; the numbers of the schedule counter it takes
    (one when it starts, one when it stops) are taken here too, so events scheduled later are
    numbered as under ``env.run``. An event that failed and was not handled stops the run with
    its exception, as SimPy does.
    """
    now = env.now
    if not at > now:
        raise ValueError(f"until ({at}) must be greater than the current simulation time")
    next(env._eid)  # type: ignore[attr-defined]  # the number env.run's stop would take
    queue = env._queue  # type: ignore[attr-defined]
    pop = heappop
    while queue and queue[0][0] < at:
        env._now, _, _, event = pop(queue)  # type: ignore[attr-defined]
        callbacks, event.callbacks = event.callbacks, None
        for callback in callbacks:
            callback(event)
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc
    env._now = at  # type: ignore[attr-defined]
    next(env._eid)  # type: ignore[attr-defined]  # env.run's stop, scheduled again when it stops


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector for the block; it is enabled again afterwards if it was
    enabled before (and left alone if the caller had disabled it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

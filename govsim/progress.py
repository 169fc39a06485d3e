"""Progress on stderr for long runs.

Layer: (all) -- a shared utility like :mod:`govsim.errors`. :class:`ProgressReporter` shows a tqdm bar when stderr is a terminal and
otherwise prints a plain line now and then (every ``every`` seconds, and at the end), so logs
of batch jobs and CI stay readable. It is a callable ``(done, total)``, the form
:func:`govsim.run`, :func:`govsim.compare` and :func:`govsim.sweep` accept; ``total`` may grow
between calls (a sweep with a precision target adds replications as it goes).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress", "ProgressReporter"]

#: a study's progress callback: called with (tasks done, tasks in all) as tasks finish (the one
#: definition every study shares)
Progress = Callable[[int, int], None]


class ProgressReporter:
    """Report ``done`` out of ``total`` replications on ``stream`` (default stderr).

    Parameters
    ----------
    label:
        Shown before the counts.
    total:
        The expected number of replications (may be raised later by calling with a new total).
    every:
        Seconds between plain lines when the stream is not a terminal.
    quiet_for:
        Nothing is shown before this many seconds have passed (short runs stay silent).
    """

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None,
                 every: float = 10.0, quiet_for: float = 2.0,
                 noun: str = "replications") -> None:
        self.label = label
        self.noun = noun
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self.quiet_for = quiet_for
        self.start = time.monotonic()
        self.last_line = -1.0
        self.done = 0
        self.bar = None
        isatty = getattr(self.stream, "isatty", None)
        if isatty is not None and isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit="task" if noun == "tasks" else "rep",
                            delay=quiet_for,
                            file=self.stream, leave=False, dynamic_ncols=True)

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        if self.bar is not None:
            if total != self.bar.total:
                self.bar.total = total
                self.bar.refresh()
            self.bar.update(done - self.bar.n)
            self.total = total
            return
        self.total = total
        now = time.monotonic() - self.start
        if now < self.quiet_for and done < total:
            return
        if done >= total or self.last_line < 0 or now - self.last_line >= self.every:
            if done >= total and now < self.quiet_for:
                return  # a short run: say nothing at all
            self.last_line = now
            print(f"{self.label}: {done}/{total} {self.noun} ({now:.0f} s)",
                  file=self.stream, flush=True)

    def close(self) -> None:
        """Remove the bar (plain-line mode has nothing to close)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

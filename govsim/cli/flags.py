"""Flag types and flag groups shared by the ``govsim`` subcommands.

Layer: interfaces. Each type names its flag in the error argparse prints (exit status 2).
"""

from __future__ import annotations

import argparse
import contextlib
import math
from collections.abc import Callable, Sequence
from typing import Any

from govsim.atomic import Writer, destination, write_files
from govsim.experiment.executors import EXECUTORS
from govsim.lang import VOCABULARIES
from govsim.progress import ProgressReporter

__all__ = ["at_least", "int_at_least", "memory_flag", "executor_flags", "seed_flag",
           "horizon_flag", "jobs_flag", "scenario_arg", "lang_flag", "orders_type",
           "warmup_flag", "names_list", "run_then_write"]


def at_least(flag: str, minimum: float, kind: type = int):
    """An argparse type: a finite ``kind`` (int or float) >= ``minimum``, with an error naming
    ``flag``."""
    what = "a whole number" if kind is int else "a number"

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be {what}, got {text!r}") from None
        if not math.isfinite(value) or value < minimum:
            raise argparse.ArgumentTypeError(f"{flag} must be {what} >= {minimum:g}, got {text}")
        return value
    return parse


def int_at_least(flag: str, minimum: int):
    """An argparse type: a whole number >= ``minimum``, with an error naming ``flag``."""
    return at_least(flag, minimum, int)


def orders_type(text: str) -> int:
    """An argparse type for ``--orders``: an even whole number >= 2 (orders come in reversed
    pairs)."""
    value = int_at_least("--orders", 2)(text)
    if value % 2:
        raise argparse.ArgumentTypeError(
            f"--orders must be even (orders come in reversed pairs), got {value}")
    return int(value)


def warmup_flag(sp: argparse.ArgumentParser) -> None:
    """``--warmup-days``: leave the first days' cases out of the statistics."""
    sp.add_argument("--warmup-days", type=at_least("--warmup-days", 0.0, float), default=0.0,
                    help="leave out cases arriving in the first DAYS days (default 0)")


def memory_flag(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--memory-budget", metavar="GIB", default=None,
                    type=at_least("--memory-budget", 0.001, float),
                    help="GiB one process may be expected to use; a larger run is refused "
                    "before it starts (default 8)")


def executor_flags(sp: argparse.ArgumentParser, default: str) -> None:
    sp.add_argument("--executor", choices=EXECUTORS, default=None,
                    help=f"local: a process pool; serial: in this process; dask: a Dask cluster "
                    f"(--scheduler) or a LocalCluster on 127.0.0.1 (default: {default})")
    sp.add_argument("--scheduler", metavar="ADDRESS", default=None,
                    help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor dask)")


def seed_flag(sp: argparse.ArgumentParser, default: int | None = 0,
              help: str = "root random seed (default 0)") -> None:
    sp.add_argument("--seed", type=int_at_least("--seed", 0), default=default, help=help)


def horizon_flag(sp: argparse.ArgumentParser,
                 help: str | None = "override the scenario's horizon") -> None:
    sp.add_argument("--horizon-days", type=int_at_least("--horizon-days", 1), default=None,
                    help=help)


def jobs_flag(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--jobs", "-j", type=int_at_least("--jobs", 1), default=None,
                    help="worker processes (default: one per core)")


def scenario_arg(sp: argparse.ArgumentParser) -> None:
    """The positional SCENARIO: a file, or a shipped scenario's name."""
    sp.add_argument("scenario", metavar="SCENARIO",
                    help="scenario TOML file, or a shipped scenario's name (govsim scenarios)")


def lang_flag(sp: argparse.ArgumentParser, what: str = "tables") -> None:
    """``--lang en|zh|keys``: the language of the text and figures (never of machine-readable
    files)."""
    sp.add_argument("--lang", choices=VOCABULARIES, default="en",
                    help=f"language of the {what}: en (default: English, everything named "
                    "in words from the scenario's labels), zh (Chinese, with the scenario's "
                    "label_zh names) or keys (English, everything named by its key)")


def names_list(text: str | None) -> list[str] | None:
    """A comma-separated flag value (``--metrics a,b``) as a list of names; ``None`` stays."""
    if text is None:
        return None
    return [name.strip() for name in text.split(",") if name.strip()]


def run_then_write(command: str, out: str | None, total: int,
                   study: Callable[[Callable[[int, int], None]], Any],
                   files: Callable[[Any], Sequence[tuple[str, Writer]]]) -> Any:
    """Run ``study(progress)`` with a progress reporter and write ``files(result)`` into
    ``out`` (``--out DIR``, optional). The directory is tried before the run and removed again,
    if still empty, when the run fails; a failing disk saves the files elsewhere
    (:func:`govsim.atomic.write_files`). Returns the study's result."""
    with contextlib.ExitStack() as folder:
        where = folder.enter_context(destination(out, "out", 1 << 20)) \
            if out is not None else None
        progress = ProgressReporter(command, total, noun="tasks")
        try:
            result = study(progress)
        finally:
            progress.close()
        if where is not None:
            write_files(where, files(result), "out")
    return result


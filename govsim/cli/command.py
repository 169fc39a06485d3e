"""The ``govsim`` command line.

Layer: interfaces. The parser and the one place errors become exit statuses; each command
is a module of :mod:`govsim.cli`. ``govsim validate``, ``run``, ``compare``, ``journey``, ``sweep``,
``decompose`` (:mod:`govsim.cli.decompose`), ``calibrate`` (:mod:`govsim.cli.calibrate`),
``scenarios`` (:mod:`govsim.cli.scenarios`), ``report`` (:mod:`govsim.cli.report`) and
``robustness`` (:mod:`govsim.cli.robustness`) and ``classroom`` (:mod:`govsim.cli.classroom`). User
errors print one sentence naming the bad key or flag and exit with status 2; files already
written are never removed or half-written (each output file is written to a temporary name and
renamed).

The library reports errors at its own parameter names (``replications``, ``out``,
``executor``, ...); :func:`_flag_names` maps them to this command's flags in one place.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from govsim.cli import (
    calibrate,
    classroom,
    decompose,
    journey,
    report,
    robustness,
    scenarios,
    simulate,
    sweep,
    validate,
)
from govsim.errors import GovsimError
from govsim.experiment.executors import WorkersDied
from govsim.version import __version__

__all__ = ["main", "EXIT_USAGE"]

EXIT_USAGE = 2

#: each command and the module that adds its flags and runs it
_COMMANDS: dict[str, ModuleType] = {
    "validate": validate, "run": simulate, "compare": simulate, "sweep": sweep,
    "journey": journey, "decompose": decompose, "calibrate": calibrate, "scenarios": scenarios,
    "report": report, "robustness": robustness, "classroom": classroom}


class _Parser(argparse.ArgumentParser):
    """A parser whose refusal of a bad flag is one line (and the exit status 2); the usage
    is printed only for ``--help`` and for a bare command (``govsim``, ``govsim compare``),
    which is a request for it."""

    #: whether the command line holds no more than a command's name, and the command whose
    #: help lists the flags (both set by :func:`main`)
    bare = False
    command = "govsim"

    def error(self, message: str) -> NoReturn:
        if _Parser.bare:
            self.print_usage(sys.stderr)
        hint = "" if _Parser.bare else f" ({_Parser.command} --help lists the flags)"
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}{hint}\n")


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    p = _Parser(
        prog="govsim",
        description="Compare how cities govern citizens' complaints: same city, different rules.",
    )
    p.add_argument("--version", action="version", version=f"govsim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parsers = {"validate": validate.add_parser(sub), **simulate.add_parsers(sub),
               "sweep": sweep.add_parser(sub), "journey": journey.add_parser(sub)}
    for name in ("decompose", "calibrate", "scenarios", "report", "robustness", "classroom"):
        parsers[name] = _COMMANDS[name].add_parser(sub)
    return p, parsers


def _flag_names(sp: argparse.ArgumentParser) -> dict[str, str]:
    """Library parameter name → this command's flag (``out`` → ``--out``, ``scenario`` →
    ``SCENARIO``), for the errors that are not about a file's contents."""
    names = {}
    for action in sp._actions:  # argparse has no public list of a parser's arguments
        if action.option_strings:
            names[action.dest] = max(action.option_strings, key=len)
        elif action.dest != "command":
            names[action.dest] = action.metavar or action.dest.upper()
    return names


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govsim`` console script; returns the exit status."""
    parser, commands = _parser()
    given = list(sys.argv[1:] if argv is None else argv)
    _Parser.bare = len(given) <= 1
    _Parser.command = f"govsim {given[0]}" if given and given[0] in _COMMANDS else "govsim"
    args = parser.parse_args(given)
    args.argv = given  # for a report's provenance
    try:
        return _COMMANDS[args.command].run(args)
    except GovsimError as exc:
        problems = getattr(exc, "problems", None) or [(exc.path, exc.message)]
        source = getattr(exc, "source", None)
        # a problem inside a scenario or experiment file keeps its key path; any other names
        # the library's parameter, which is this command's flag
        flags = {} if source else _flag_names(commands[args.command])
        for path, sentence in problems:
            path = flags.get(path, path)
            where = f"{path}: " if path else ""
            print(f"govsim: error: {where}{sentence}", file=sys.stderr)
        if source and len(problems) > 1:
            print(f"govsim: {len(problems)} problems in {source}", file=sys.stderr)
        return EXIT_USAGE
    except WorkersDied as exc:
        print(f"govsim: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("govsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `govsim compare ... --json | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0

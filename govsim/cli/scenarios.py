"""``govsim scenarios``: the scenarios shipped with govsim, and an editable copy of one.

Layer: interfaces. ``govsim scenarios`` prints each shipped scenario's name and description,
one a line (how to run or copy one, and where the tutorials are, go to stderr);
``govsim scenarios copy NAME DIR`` writes ``DIR/NAME.toml`` (:func:`govsim.scenario.catalogue.
copy_shipped`: ``DIR`` created if missing, the file written atomically, an existing one never
overwritten).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from govsim.scenario.catalogue import copy_shipped, shipped_scenarios

__all__ = ["add_parser", "run"]

#: where the tutorials are: they run against a checkout (and its scenarios/), so they are not
#: installed with the package
TUTORIALS = ("notebooks/ in govsim's source repository (01_quickstart, 02_policy_what_if, "
             "03_classroom_shanghai_vs_shishi, 04_sweeps)")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``scenarios`` (and its ``copy``) to the subcommands; returns the ``copy`` parser,
    whose arguments (``NAME``, ``DIR``) are the ones an error can name."""
    s = sub.add_parser("scenarios", help="list the scenarios shipped with govsim, or copy one "
                       "to edit", description="List the scenarios shipped with govsim (name and "
                       "description, one a line). Any command takes a name where it takes a "
                       "scenario file: govsim compare district.")
    actions = s.add_subparsers(dest="action", metavar="ACTION")
    c = actions.add_parser("copy", help="write a shipped scenario into DIR as NAME.toml, to edit",
                           description="Write shipped scenario NAME into DIR (created if "
                           "missing) as NAME.toml. An existing file is never overwritten.")
    c.add_argument("name", metavar="NAME", help="a shipped scenario's name (govsim scenarios)")
    c.add_argument("directory", metavar="DIR", help="the directory to write NAME.toml into")
    return c


def run(args: argparse.Namespace) -> int:
    if args.action == "copy":
        path = copy_shipped(args.name, args.directory)
        print(path)
        print(f"edit it, then: govsim compare {path}", file=sys.stderr)
        return 0
    shipped = shipped_scenarios()
    width = max((len(name) for name in shipped), default=0)
    for name, description in shipped.items():
        print(f"{name:<{width}}  {description}".rstrip())
    example = next(iter(shipped), "NAME")
    print(f"\nrun one by name: govsim compare {example}; copy one to edit: govsim scenarios "
          f"copy {example} DIR\ntutorials: {TUTORIALS}", file=sys.stderr)
    return 0

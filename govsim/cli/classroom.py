"""``govsim classroom [SCENARIO]``: a page for a class without code, served on 127.0.0.1.

Layer: interfaces. The rules of a regime are switches and sliders; the paired comparison,
the survival and cost figures and one household's journey follow them
(:mod:`govsim.classroom`). The default scenario is ``shanghai_leak``: one household's roof
leak, so a run of 20 replications answers in seconds and the journey is the case study's own.
"""

from __future__ import annotations

import argparse
import sys
import threading
import webbrowser
from typing import Any

from govsim.cli.flags import horizon_flag, int_at_least, seed_flag
from govsim.lang import LANGS

__all__ = ["add_parser", "run", "DEFAULT_SCENARIO", "DEFAULT_PORT"]

DEFAULT_SCENARIO = "shanghai_leak"
DEFAULT_PORT = 8012


def add_parser(sub: Any) -> argparse.ArgumentParser:
    c = sub.add_parser("classroom", help="a page for a class without code: the rules as "
                       "switches and sliders, the results following them (127.0.0.1 only)")
    c.add_argument("scenario", metavar="SCENARIO", nargs="?", default=DEFAULT_SCENARIO,
                   help="scenario TOML file, or a shipped scenario's name "
                   f"(default {DEFAULT_SCENARIO})")
    c.add_argument("--port", type=int_at_least("--port", 0), default=DEFAULT_PORT,
                   help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free port)")
    c.add_argument("--replications", type=int_at_least("--replications", 2), default=None,
                   help="replications per run (default: as many as answer in seconds, 3 to 20)")
    horizon_flag(c, help="days to simulate (default: the scenario's, shortened for a large "
                 "one so that a run answers in seconds)")
    seed_flag(c)
    c.add_argument("--lang", choices=LANGS, default="en",
                   help="language the page opens in: en (default) or zh (Chinese); the reader "
                   "may switch")
    c.add_argument("--no-browser", action="store_true",
                   help="do not open a web browser (print the address only)")
    return c


def run(args: argparse.Namespace) -> int:
    from govsim.classroom.server import Classroom, serve
    from govsim.errors import GovsimError
    from govsim.experiment.checks import resolve_scenario

    if args.port > 65535:
        raise GovsimError(f"must be a port number from 0 to 65535, got {args.port}", "port")
    scenario = resolve_scenario(args.scenario, None)
    room = Classroom(scenario, args.replications, args.horizon_days, args.seed)

    def ready(url: str) -> None:
        print(f"govsim classroom: {scenario.name} at {url} (Ctrl+C to stop)", flush=True)
        if not args.no_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    serve(room, args.port, args.lang, ready)
    sys.stdout.flush()
    return 0

"""Start-up: ``import govsim`` and ``govsim --help`` beside ``import pandas``, whole processes.

Each command runs ``--repeats`` times in a fresh interpreter, alternating; the figures are the
median wall times, their ratio to ``import pandas`` (target: ``import govsim`` <= 1.3x, issue 23; 1.5x was issue 12's) and each
process's peak resident memory. Heavy modules (scipy, matplotlib, the holidays data) must load
only when used.

    .venv/bin/python benchmarks/bench_startup.py --repeats 7
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import save

#: name -> Python code run in a fresh interpreter
COMMANDS = {
    "import pandas": "import pandas",
    "import govsim": "import govsim",
    "govsim --help": ("import sys\nfrom govsim.cli import main\ntry:\n    main(['--help'])\n"
                      "except SystemExit:\n    pass"),
    "no heavy module after import govsim": (
        "import sys, govsim\nheavy = [m for m in ('scipy', 'matplotlib', 'holidays') "
        "if m in sys.modules]\nassert not heavy, heavy"),
}
_PEAK = "\nimport resource, sys\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"


def _run(code: str) -> tuple[float, float]:
    """Wall time of a fresh interpreter running ``code``, and its peak memory in MiB."""
    t = time.perf_counter()
    # run from this directory: '' on the path must not pick up a checkout's govsim/
    proc = subprocess.run([sys.executable, "-c", code + _PEAK], check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          cwd=Path(__file__).parent)
    wall = time.perf_counter() - t
    return wall, int(proc.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    peak: dict[str, float] = {}
    for _ in range(args.repeats):
        for name, code in COMMANDS.items():
            wall, mib = _run(code)
            walls[name].append(wall)
            peak[name] = mib
    base = statistics.median(walls["import pandas"])
    out = {name: {"median_s": statistics.median(w), "ratio_to_pandas": statistics.median(w) / base,
                  "peak_mib": peak[name]} for name, w in walls.items()}
    print(json.dumps(out, indent=2))
    for name, r in out.items():
        print(f"{name:36s} {r['median_s']:.2f} s = {r['ratio_to_pandas']:.2f} x import pandas, "
              f"peak {r['peak_mib']:.0f} MiB")
    print("(target: import govsim <= 1.3 x import pandas)")
    save("bench_startup", out)


if __name__ == "__main__":
    main()

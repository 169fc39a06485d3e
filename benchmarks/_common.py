"""What the benchmark scripts share: a fresh process's peak memory, and the results file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def peak_of(code: str) -> float:
    """Peak resident memory (MiB) of a fresh interpreter running ``code``.

    Call it while the calling process is small: Linux counts in a child's peak what it shared
    with its parent at the fork."""
    code += "\nimport resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=Path(__file__).parent)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def save(name: str, result: object) -> None:
    """Write ``benchmarks/results/NAME.json``."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))

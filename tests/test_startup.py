"""`import govsim` loads no heavy module: scipy, matplotlib and the holidays data load when used
(benchmarks/bench_startup.py times it)."""

from __future__ import annotations

import subprocess
import sys


def test_import_govsim_loads_no_heavy_module() -> None:
    code = ("import sys, govsim, govsim.cli\n"
            "print(','.join(m for m in ('scipy', 'matplotlib', 'holidays') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == ""


def test_the_check_can_fail() -> None:
    code = ("import sys, govsim, scipy.special\n"
            "print(','.join(m for m in ('scipy', 'matplotlib', 'holidays') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "scipy"

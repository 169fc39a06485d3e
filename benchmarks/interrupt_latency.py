"""How long `govsim run|compare|sweep` take to stop after Ctrl-C while two workers are busy.

Run: ``.venv/bin/python benchmarks/interrupt_latency.py`` (about 30 s). Prints, per command, the
exit status and the seconds from SIGINT to exit (the district scenario, 8 replications of 60
days on 2 processes, interrupted 6 s in).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = ROOT / "scenarios" / "district.toml"


def latency(args: list[str], wait: float = 6.0) -> tuple[int, float]:
    proc = subprocess.Popen([sys.executable, "-m", "govsim.cli", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(wait)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rc = proc.wait(timeout=60)
    return rc, time.monotonic() - sent


def main() -> None:
    common = ["-n", "8", "-j", "2", "--horizon-days", "60", "--no-events"]
    with tempfile.TemporaryDirectory() as tmp:
        exp = Path(tmp) / "e.toml"
        exp.write_text(f'scenario = "{DISTRICT.as_posix()}"\nreplications = 8\n'
                       "horizon_days = 60\n")
        runs = {
            "compare": ["compare", str(DISTRICT), *common],
            "run": ["run", str(DISTRICT), *common],
            "sweep": ["sweep", str(exp), "--out", str(Path(tmp) / "s"), "-j", "2"],
        }
        for name, args in runs.items():
            rc, seconds = latency(args)
            print(f"{name:8s} exit {rc:4d}  stopped {seconds:.2f} s after Ctrl-C")


if __name__ == "__main__":
    main()

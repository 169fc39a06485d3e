"""Regenerate the runs the documentation quotes that are too long to make while the site builds.

    .venv/bin/python docs/regenerate.py                  # every run: about 45 minutes on two cores
    .venv/bin/python docs/regenerate.py decomposition    # only the runs named
    .venv/bin/python docs/regenerate.py --list           # the runs, their commands and probes

Each run is one command. What it printed, and the files it wrote with ``--out`` (text files
only), are stored in ``docs/generated/NAME.json`` with the command, the govsim version, the
commit, the wall time, and a **probe**: the same command on a small budget, and a digest of
what the probe printed. When the site is built, ``docrun.stored(NAME)`` shows the stored output
on the page, says where it comes from, and reruns the probe: if the probe prints something
else, the code no longer gives the stored numbers and the build fails, naming the run to
regenerate. (Same seed, same bytes: a probe's output changes only when the model, its
scenario or the way the output is written changes.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from docrun import ROOT, RUNS, STORED, _env

#: stored files larger than this are left out (figures, big tables)
MAX_FILE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Run:
    command: str  #: ``{out}`` is replaced by a folder under site/runs/stored/
    probe: str  #: the same command on a budget small enough for every build
    minutes: str  #: how long the run takes on two cores, for the page


DECOMPOSE = "govsim decompose district --from fragmented --to consolidated --lang keys"
ROBUST = "govsim robustness district --from fragmented --to consolidated"

REGISTRY: dict[str, Run] = {
    "decomposition": Run(f"{DECOMPOSE} -n 4 --out {{out}}",
                         f"{DECOMPOSE} -n 2 --horizon-days 20", "about 20"),
    "robustness_8": Run(f"{ROBUST} --points 8 -n 2 --horizons 90,365 --out {{out}}",
                        f"{ROBUST} --points 0 -n 2 --horizons 20", "about 8"),
    "robustness_16": Run(f"{ROBUST} --points 16 -n 2 --horizons 365 "
                         "--metrics resolution_days_rmst30,street_office_burden_yuan --out {out}",
                         f"{ROBUST} --points 0 -n 2 --horizons 20 "
                         "--metrics resolution_days_rmst30,street_office_burden_yuan",
                         "about 4"),
    "load_two_years": Run("python experiments/load_two_years.py 2",
                          "python experiments/load_two_years.py 2 20", "about 10"),
}


def _run(command: str) -> str:
    proc = subprocess.run(command, shell=True, cwd=ROOT, env=_env(), capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"`{command}` exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    return proc.stdout


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def probe_digest(name: str) -> str:
    """Run ``name``'s probe now and return the digest of what it printed."""
    return digest(_run(REGISTRY[name].probe))


def _commit() -> str:
    """The commit the run was made at, marked ``+`` when the working tree had changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+" if git("status", "--porcelain", "--untracked-files=no") else "")


def regenerate(name: str) -> Path:
    run = REGISTRY[name]
    out = RUNS / "stored" / name
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = run.command.format(out=out.relative_to(ROOT).as_posix())
    t0 = time.perf_counter()
    output = _run(command)
    seconds = time.perf_counter() - t0
    files = {}
    if out.is_dir():
        for path in sorted(out.iterdir()):
            if path.suffix in (".json", ".csv", ".txt") and path.stat().st_size <= MAX_FILE_BYTES:
                files[path.name] = path.read_text(encoding="utf-8")
    import govsim

    record = {
        "name": name,
        "command": command,
        "output": output,
        "files": files,
        "probe": run.probe,
        "probe_sha256": probe_digest(name),
        "minutes": run.minutes,
        "govsim_version": govsim.__version__,
        "commit": _commit(),
        "date": dt.date.today().isoformat(),
        "seconds": round(seconds),
    }
    STORED.mkdir(parents=True, exist_ok=True)
    path = STORED / f"{name}.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"runs to make (default all: {', '.join(REGISTRY)})")
    parser.add_argument("--list", action="store_true", help="list the runs and exit")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        parser.error(f"no run named {', '.join(unknown)} (the runs: {', '.join(REGISTRY)})")
    if args.list:
        for name, run in REGISTRY.items():
            print(f"{name}: {run.command}\n  probe: {run.probe}\n  {run.minutes} minutes")
        return 0
    for name in args.names or list(REGISTRY):
        t0 = time.perf_counter()
        path = regenerate(name)
        print(f"{name}: {path.relative_to(ROOT)} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

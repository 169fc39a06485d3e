"""Run what a page of the documentation quotes, while the site is built.

The pages that quote a command's output or a figure from a run are MyST-NB text notebooks
(``file_format: mystnb`` in their front matter): their code cells run when ``make docs`` builds
the site, and a cell that fails, or a command that exits other than as the page promises,
fails the build. Prose figures are glued in from those cells (``{glue:text}``), never typed.

The cells import this module (the kernel runs in ``docs/``):

- :func:`sh` runs a shell command from the repository's root, as a reader who has run
  ``make demo`` would (``.venv/bin`` on ``PATH``), prints ``$ command`` and what it printed,
  and returns the text;
- :func:`figure` glues a value formatted for prose;
- :func:`check` states a claim of the prose about the output; the build fails if it is false.

Runs too long for a build (a full year, many replications) are made by
``docs/regenerate.py`` and read back with :func:`stored`, which says so on the page.
"""

from __future__ import annotations

import json
import numbers
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: scratch space of the build's runs (inside site/, which git ignores)
RUNS = ROOT / "site" / "runs"
#: the outputs of docs/regenerate.py, committed
STORED = ROOT / "docs" / "generated"

for extra in (ROOT / "calibration", ROOT / "tests", ROOT / "docs"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


#: stored runs whose probe this build has checked already
_PROBED: set[str] = set()


class DocsRunError(RuntimeError):
    """A command or a claim of a page did not do what the page says."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    env["COLUMNS"] = "200"
    return env


def fresh(path: str) -> Path:
    """Remove an output folder of an earlier build (only under ``site/runs/``)."""
    target = (ROOT / path).resolve()
    if RUNS.resolve() not in target.parents:
        raise DocsRunError(f"{path}: fresh() only clears folders under site/runs/")
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def sh(command: str, *, status: int = 0, show: bool = True) -> str:
    """Run ``command`` from the repository's root; print it and its output; return the output.

    The build fails unless the command exits with ``status`` (0, or 2 where the page shows a
    refusal). Standard error (progress lines, with timings) is shown only for a refusal.
    """
    proc = subprocess.run(command, shell=True, cwd=ROOT, env=_env(), capture_output=True,
                          text=True, check=False)
    # progress lines go to standard error and carry timings: shown only for a refusal
    out = proc.stdout if status == 0 else proc.stdout + proc.stderr
    if proc.returncode != status:
        raise DocsRunError(f"`{command}` exited {proc.returncode}, the page expects {status}:\n"
                           f"{(proc.stdout + proc.stderr)[-4000:]}")
    if show:
        print(f"$ {command}")
        print(out.rstrip("\n"))
    return out


def figure(name: str, value: object, fmt: str = "") -> str:
    """Glue ``value`` (formatted with ``fmt``) under ``name`` for ``{glue:text}`name``` in prose."""
    from myst_nb import glue

    text = format(value, fmt) if fmt else str(value)
    text = text.replace("-", "\u2212") if isinstance(value, numbers.Real) else text
    glue(name, text, display=False)
    return text


def check(claim: bool, what: str) -> None:
    """Fail the build when a claim the page's prose makes about its run is no longer true."""
    if not claim:
        raise DocsRunError(f"the page says {what!r}, and this build's run contradicts it")


def stored(name: str, *, show: bool = True, check_probe: bool = True) -> dict:
    """The run ``docs/regenerate.py NAME`` made and stored: its command, its output, when.

    Reruns the run's probe (the same command on a small budget) and fails the build if it
    prints something else than when the run was stored: the stored numbers would be stale.
    Prints where the run comes from and its output, as :func:`sh` does for a command run by the
    build.
    """
    path = STORED / f"{name}.json"
    if not path.is_file():
        raise DocsRunError(f"no stored run {name!r}: run `python docs/regenerate.py {name}`")
    record = json.loads(path.read_text(encoding="utf-8"))
    if check_probe and name not in _PROBED:
        from regenerate import REGISTRY, probe_digest

        run = REGISTRY.get(name)
        if run is None or record["probe"] != run.probe:
            raise DocsRunError(f"stored run {name!r} was made by another command than "
                               f"docs/regenerate.py now names: run `python docs/regenerate.py "
                               f"{name}`")
        if probe_digest(name) != record["probe_sha256"]:
            raise DocsRunError(f"stored run {name!r} is stale: its probe (`{run.probe}`) prints "
                               f"something else than when it was stored ({record['date']}, "
                               f"{record['commit']}), so the code no longer gives the stored "
                               f"numbers: run `python docs/regenerate.py {name}`")
        _PROBED.add(name)
    if show:
        print(f"# stored by `python docs/regenerate.py {name}` on {record['date']} (commit "
              f"{record['commit']}, {record['seconds'] / 60:.0f} minutes); this build checked it "
              f"against `{record['probe']}`")
        print(f"$ {record['command']}")
        print(record["output"].rstrip("\n"))
    return record


def quote(args: list[str]) -> str:
    """A command line from its arguments, quoted for a POSIX shell."""
    return " ".join(shlex.quote(a) for a in args)

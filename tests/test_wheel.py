"""The wheel a researcher installs: built from the project, installed in a fresh virtual
environment outside the repository, it carries the shipped scenarios and runs one by name.

The wheel is built from a copy of the working tree (so that a stale ``build/`` in the
repository cannot leak into it, and the build leaves nothing behind there), exactly as
``pip wheel .`` builds it, and installed with its dependencies as ``pip install`` resolves
them from the package index. The installed commands then run in a directory of their own, with
nothing of the repository on ``sys.path``. Without a reachable package index (setuptools for
the build, the dependencies for the install) the test is skipped, saying so.

The same environment then runs the classroom notebook (notebooks/03), copied out of the
repository, as a class would: with the kernel and the sliders installed (nbclient, ipykernel,
ipywidgets), top to bottom, in under :data:`NOTEBOOK_SECONDS`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
#: what a working tree holds besides the project, at its top and anywhere (never copied)
NOT_SOURCE_TOP = {".git", ".venv", "venv", "build", "dist", "results", "out"}
NOT_SOURCE = shutil.ignore_patterns("*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
                                    ".hypothesis", ".ipynb_checkpoints")
#: pip's words when no package index can be reached
OFFLINE = re.compile(r"NewConnectionError|Failed to establish a new connection|"
                     r"Temporary failure in name resolution|Network is unreachable|"
                     r"No route to host|Name or service not known")
#: seconds a step may take before the test fails
TIMEOUT = 600
#: the classroom notebook, and the seconds it may take from the start of its kernel to its end
CLASSROOM = ROOT / "notebooks" / "03_classroom_shanghai_vs_shishi.ipynb"
NOTEBOOK_SECONDS = 60
#: what a notebook needs to run outside Jupyter: a kernel, a client, and the sliders
NOTEBOOK_TOOLS = ["nbclient>=0.9", "ipykernel>=6.25", "ipywidgets>=8.1"]
#: run inside the fresh environment: execute a notebook, write it back, print the seconds taken
EXECUTE = """
import sys, time, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
started = time.perf_counter()
NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
               resources={"metadata": {"path": "."}}).execute()
print(f"{time.perf_counter() - started:.2f}")
nbformat.write(nb, sys.argv[1])
"""
#: a first cell put in the copy: which govsim and which python the kernel runs
WHERE = "import sys, govsim\nprint(govsim.__file__)\nprint(sys.executable)"


def _environment(venv: Path | None) -> dict[str, str]:
    """This process's environment without anything that points into the repository or the
    development environment, with ``venv``'s scripts first on ``PATH``."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PIP_USER"}}
    path = [p for p in env.get("PATH", "").split(os.pathsep)
            if p and not Path(p).resolve().is_relative_to(ROOT)]
    if venv is not None:
        path.insert(0, str(venv / "bin"))
    env.update(PATH=os.pathsep.join(path), PYTHONNOUSERSITE="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def _run(cmd: list[str], what: str, cwd: Path, venv: Path | None = None,
         network: bool = False) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=_environment(venv), capture_output=True,
                              text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} took more than {TIMEOUT} s: {' '.join(cmd)}")
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        if network and OFFLINE.search(output):
            pytest.skip(f"{what} needs a package index, which cannot be reached here "
                        f"({OFFLINE.search(output)[0]})")
        pytest.fail(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{output[-5000:]}")
    return proc


def _not_source(folder: str, names: list[str]) -> set[str]:
    top = NOT_SOURCE_TOP & set(names) if Path(folder) == ROOT else set()
    return top | NOT_SOURCE(folder, names)


def _packages() -> set[str]:
    """The packages of the source tree: every directory of govsim/ with an ``__init__.py``."""
    return {".".join(p.parent.relative_to(ROOT).parts)
            for p in (ROOT / "govsim").rglob("__init__.py")}


def _output_text(cell: dict) -> str:
    """Everything a cell printed or showed as text."""
    parts = []
    for out in cell.get("outputs", []):
        text = out.get("text") or out.get("data", {}).get("text/plain", "")
        parts.append("".join(text) if isinstance(text, list) else text)
        if out.get("output_type") == "error":
            parts.append(f"{out['ename']}: {out['evalue']}")
    return "".join(parts)


def _run_classroom(python: Path, venv: Path, work: Path) -> float:
    """Run a copy of the classroom notebook in ``work`` with the installed govsim; check that
    every cell ran, with that govsim, and return the seconds it took."""
    nb = json.loads(CLASSROOM.read_text(encoding="utf-8"))
    nb["cells"].insert(0, {"cell_type": "code", "id": "where", "metadata": {},
                           "execution_count": None, "outputs": [], "source": WHERE})
    copy = work / "classroom" / CLASSROOM.name
    copy.parent.mkdir()
    copy.write_text(json.dumps(nb), encoding="utf-8")
    script = work / "execute_notebook.py"
    script.write_text(EXECUTE, encoding="utf-8")
    proc = _run([str(python), str(script), copy.name], "running the classroom notebook",
                cwd=copy.parent, venv=venv)
    seconds = float(proc.stdout.split()[-1])
    ran = json.loads(copy.read_text(encoding="utf-8"))["cells"]
    package, executable = _output_text(ran[0]).split()[:2]
    assert Path(package).resolve().is_relative_to(venv.resolve()), package
    assert Path(executable).parent.resolve() == (venv / "bin").resolve(), executable
    code = [cell for cell in ran if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] for cell in code), "a cell of the notebook did not run"
    errors = [_output_text(cell) for cell in code
              if any(out.get("output_type") == "error" for out in cell.get("outputs", []))]
    assert not errors, errors
    assert "notebook computed in" in _output_text(code[-1])
    sliders = [cell for cell in code if any(
        "application/vnd.jupyter.widget-view+json" in out.get("data", {})
        for out in cell.get("outputs", []))]
    assert len(sliders) >= 3, "the try-it-yourself cells showed no sliders"
    assert seconds < NOTEBOOK_SECONDS, \
        f"the classroom notebook took {seconds:.1f} s (at most {NOTEBOOK_SECONDS})"
    return seconds


def test_pyproject_lists_every_package() -> None:
    """The wheel's packages are listed by hand (govsim.shipped lives in scenarios/): the list
    is every package of govsim/ and the shipped scenarios, which are package data there."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert set(setuptools["packages"]) == _packages() | {"govsim.shipped"}
    assert setuptools["package-dir"] == {"govsim.shipped": "scenarios"}
    assert (ROOT / "scenarios" / "__init__.py").is_file()
    assert setuptools["package-data"]["govsim.shipped"] == ["*.toml"]


@pytest.mark.slow
def test_installed_wheel_runs_a_shipped_scenario(tmp_path: Path) -> None:
    times: dict[str, float] = {}
    started = time.perf_counter()

    # -- build, as `pip wheel .` does, from a copy of the tree ------------------------------
    source, dist = tmp_path / "source", tmp_path / "dist"
    shutil.copytree(ROOT, source, ignore=_not_source, symlinks=True)
    _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(dist)],
         "building the wheel", cwd=tmp_path, network=True)
    (wheel,) = dist.glob("govsim-*.whl")
    times["build"] = time.perf_counter() - started

    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "govsim").rglob("*.py")}
    assert not modules - names, f"modules missing from the wheel: {sorted(modules - names)}"
    shipped = {f"govsim/shipped/{name}.toml" for name in SHIPPED}
    assert not shipped - names, f"scenarios missing from the wheel: {sorted(shipped - names)}"
    assert {"govsim/py.typed", "govsim/shipped/__init__.py"} <= names
    stray = sorted(n for n in names if not n.startswith(("govsim/", "govsim-")))
    assert not stray, f"the wheel installs files outside govsim/: {stray}"

    # -- a fresh environment, outside the repository -----------------------------------------
    venv, work = tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    assert not work.resolve().is_relative_to(ROOT)
    _run([sys.executable, "-m", "venv", str(venv)], "creating a virtual environment", cwd=work)
    python = venv / "bin" / "python"
    mark = time.perf_counter()
    _run([str(python), "-m", "pip", "install", str(wheel)], "installing the wheel", cwd=work,
         venv=venv, network=True)
    times["install"] = time.perf_counter() - mark

    # -- what a researcher does next ---------------------------------------------------------
    mark = time.perf_counter()
    code = ("import sys, importlib.resources as r, govsim\n"
            "s = govsim.load_scenario('district')\n"
            "print(govsim.__file__); print(r.files('govsim.shipped')); print(s.name)\n"
            "print(*sys.path, sep='\\n')\n")
    out = _run([str(python), "-c", code], "loading a scenario by name", cwd=work,
               venv=venv).stdout.splitlines()
    package, shipped_at, name, *path = out
    assert Path(package).resolve().is_relative_to(venv.resolve()), package
    assert Path(shipped_at).resolve().is_relative_to(venv.resolve()), shipped_at
    assert name == "district"
    inside = [p for p in path if p and Path(p).resolve().is_relative_to(ROOT)]
    assert not inside, f"the repository is on the installed python's path: {inside}"

    listing = _run([str(venv / "bin" / "govsim"), "scenarios"], "govsim scenarios", cwd=work,
                   venv=venv)
    assert [line.split()[0] for line in listing.stdout.splitlines()] == SHIPPED

    copied = _run([str(venv / "bin" / "govsim"), "scenarios", "copy", "district", "mine"],
                  "govsim scenarios copy", cwd=work, venv=venv)
    assert copied.stdout.strip() == os.path.join("mine", "district.toml")
    assert (work / "mine" / "district.toml").read_bytes() == \
        (ROOT / "scenarios" / "district.toml").read_bytes()

    compared = _run([str(venv / "bin" / "govsim"), "compare", "district", "-n", "2",
                     "--horizon-days", "10", "--no-events", "--lang", "keys"],
                    "govsim compare district",
                    cwd=work, venv=venv)
    assert "scenario 'district': 2 replications" in compared.stdout
    assert "consolidated - fragmented (paired)" in compared.stdout
    times["run"] = time.perf_counter() - mark

    mark = time.perf_counter()
    _run([str(python), "-m", "pip", "install", *NOTEBOOK_TOOLS], "installing the notebook tools",
         cwd=work, venv=venv, network=True)
    times["notebook tools"] = time.perf_counter() - mark
    times["notebook"] = _run_classroom(python, venv, work)
    print("installed-wheel test, seconds:",
          ", ".join(f"{step} {seconds:.1f}" for step, seconds in times.items()))


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_notebooks_load_scenarios_by_name(notebook: str) -> None:
    """No notebook reads a scenario file by a path into the repository, so each runs wherever
    govsim is installed (the shipped scenarios are loaded by name)."""
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    for path_like in ('"..', "'..", "scenarios/", "scenarios\"", ".toml", "Path.cwd()"):
        assert path_like not in code, f"{notebook} reads {path_like!r}"


def test_notebooks_extra_installs_jupyter_and_the_sliders() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = config["project"]["optional-dependencies"]["notebooks"]
    names = {re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower() for req in extra}
    assert {"jupyterlab", "ipywidgets", "ipykernel"} <= names

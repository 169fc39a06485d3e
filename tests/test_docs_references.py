"""docs/architecture.md names real code: every ``govsim/...py:Name`` or ``govsim/...py:Class.attr``
it cites is defined in that module (and that class), and every file it mentions exists.

A reference is a code span (between backticks). In a table cell, a later span of the form
``Class.attr`` with no path is in the module of the last path before it in the same cell (the
convention the document states). A name must be *defined* where the document says, not merely
importable from there: a class or function must have that module as its ``__module__``, and a
class attribute must be in that class's own body (not inherited).
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"

#: a path:name reference, the whole of a code span
EXPLICIT = re.compile(r"(?P<path>govsim/[\w/]+\.py):(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)")
#: a bare Class.attr, the whole of a code span (a class name starts with a capital)
BARE = re.compile(r"[A-Z]\w*\.[A-Za-z_]\w*")
#: a file or directory of the repository mentioned anywhere in the text
FILE = re.compile(r"(?<![\w/.])(?:govsim|tests|benchmarks|calibration)/[\w/.-]*\.py\b")
DIRECTORY = re.compile(r"(?<![\w/.])govsim/(?:[\w]+/)+(?![\w.])")
SPAN = re.compile(r"`([^`\n]+)`")
CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class Ref:
    """One reference: ``name`` (``Name`` or ``Class.attr``) in the file ``path``."""

    path: str
    name: str
    line: int
    explicit: bool

    def __str__(self) -> str:
        how = "" if self.explicit else " (bare, after that path)"
        return f"line {self.line}: {self.path}:{self.name}{how}"


def _cells(line: str) -> list[str]:
    """The cells of a table row, or the whole line as one block when it is not a row."""
    if not line.lstrip().startswith("|"):
        return [line]
    return CELL_SPLIT.split(line.strip().strip("|"))


def find_references(text: str) -> list[Ref]:
    """Every path:name reference in ``text``, and in table cells the bare ``Class.attr`` ones
    that follow one (resolved against the last path before them in the cell)."""
    refs: list[Ref] = []
    for number, line in enumerate(text.splitlines(), start=1):
        in_table = line.lstrip().startswith("|")
        for cell in _cells(line):
            last_path: str | None = None
            for span in SPAN.findall(cell):
                span = span.strip()
                m = EXPLICIT.fullmatch(span)
                if m:
                    last_path = m["path"]
                    refs.append(Ref(m["path"], m["name"], number, True))
                elif in_table and last_path is not None and BARE.fullmatch(span):
                    refs.append(Ref(last_path, span, number, False))
    return refs


def module_of(path: str) -> str:
    """``govsim/model/case.py`` → ``govsim.model.case`` (a package's ``__init__.py`` → the package)."""
    parts = list(Path(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def problem(ref: Ref) -> str | None:
    """Why ``ref`` does not name code defined where it says, or ``None`` when it does."""
    if not (ROOT / ref.path).is_file():
        return f"{ref}: no such file"
    dotted = module_of(ref.path)
    try:
        module = importlib.import_module(dotted)
    except Exception as exc:  # noqa: BLE001 - any import failure is the doc's problem to report
        return f"{ref}: cannot import {dotted}: {exc!r}"
    head, _, attr = ref.name.partition(".")
    if not hasattr(module, head):
        return f"{ref}: {dotted} has no {head!r}"
    obj = getattr(module, head)
    if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__ != dotted:
        return f"{ref}: {head!r} is defined in {obj.__module__}, not {dotted}"
    if not attr:
        return None
    if not inspect.isclass(obj):
        return f"{ref}: {head!r} is not a class, so {attr!r} is no method of it"
    if not hasattr(obj, attr):
        return f"{ref}: class {head} has no {attr!r}"
    if attr not in vars(obj) and attr not in getattr(obj, "__annotations__", {}):
        owner = next((k.__name__ for k in obj.__mro__ if attr in vars(k)), "?")
        return f"{ref}: {attr!r} is defined in {owner}, not in {head} itself"
    return None


def missing_files(text: str) -> list[str]:
    """Files and directories of the repository the text mentions that do not exist; in a table
    cell, a bare ``name.py`` is looked for in the directory of the last ``govsim/`` path before
    it."""
    missing = [f"{path}: no such file" for path in sorted(set(FILE.findall(text)))
               if not (ROOT / path).is_file()]
    missing += [f"{path}: no such directory" for path in sorted(set(DIRECTORY.findall(text)))
                if not (ROOT / path).is_dir()]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith("|"):
            continue
        for cell in _cells(line):
            folder: str | None = None
            for span in SPAN.findall(cell):
                span = span.strip()
                if span.startswith("govsim/"):
                    folder = span if span.endswith("/") else span.rsplit("/", 1)[0] + "/"
                elif folder is not None and re.fullmatch(r"\w+\.py", span) \
                        and not (ROOT / folder / span).is_file():
                    missing.append(f"line {number}: {folder}{span}: no such file")
    return missing


def _section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of any level."""
    start = text.index(heading + "\n") + len(heading) + 1
    nxt = re.search(r"^#{1,6} ", text[start:], flags=re.MULTILINE)
    return text[start:start + nxt.start()] if nxt else text[start:]


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_reference_names_code_defined_there(doc: str) -> None:
    refs = find_references(doc)
    # the parser found the document's references (a broken pattern would find none and pass)
    assert sum(r.explicit for r in refs) > 100
    assert sum(not r.explicit for r in refs) > 30
    problems = [p for p in map(problem, refs) if p is not None]
    assert not problems, "docs/architecture.md cites code that is not there:\n" + "\n".join(problems)


def test_every_file_mentioned_exists(doc: str) -> None:
    missing = missing_files(doc)
    assert not missing, "docs/architecture.md mentions files that do not exist:\n" + "\n".join(missing)


def test_layers_table_lists_every_module(doc: str) -> None:
    """Each module of the package is in the "Layers and files" table (packages' ``__init__``
    aside), and the experiment layer's table names each of its modules."""
    layers = _section(doc, "## Layers and files")
    listed: set[str] = set()
    for line in layers.splitlines():
        for cell in _cells(line) if line.lstrip().startswith("|") else []:
            folder = "govsim/"
            for span in SPAN.findall(cell):
                if span.startswith("govsim/"):
                    folder = span if span.endswith("/") else span.rsplit("/", 1)[0] + "/"
                    if span.endswith(".py"):
                        listed.add(span)
                elif re.fullmatch(r"\w+\.py", span):
                    listed.add(folder + span)
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "govsim").rglob("*.py")
               if p.name != "__init__.py" or p.parent.name == "govsim"}
    assert not modules - listed, f"modules missing from the layers table: {sorted(modules - listed)}"

    experiment = _section(doc, "### The experiment layer")
    named = {m for line in experiment.splitlines() if line.startswith("| `")
             for m in re.findall(r"^\| `(\w+\.py)`", line)}
    package = {p.name for p in (ROOT / "govsim" / "experiment").glob("*.py") if p.name != "__init__.py"}
    assert named == package, f"experiment table: missing {sorted(package - named)}, " \
                             f"unknown {sorted(named - package)}"


# ------------------------------------------------------------------ the checks can fail
def test_parser_reads_explicit_and_bare_references() -> None:
    row = ("| m | A | `govsim/model/engine.py:Engine.work` (not `R.intake = 1`) → `Engine.meeting`; "
           "`govsim/model/duty.py:Duty` | `Engine.keys_column` |")
    refs = find_references(row)
    assert [(r.path, r.name, r.explicit) for r in refs] == [
        ("govsim/model/engine.py", "Engine.work", True),
        ("govsim/model/engine.py", "Engine.meeting", False),
        ("govsim/model/duty.py", "Duty", True),
    ]
    # outside a table a bare Class.attr is not resolved against an earlier path
    prose = "`govsim/model/engine.py:Engine` then `Engine.work`"
    assert [r.name for r in find_references(prose)] == ["Engine"]


@pytest.mark.parametrize("text, reason", [
    ("| `govsim/model/nowhere.py:Ghost.method` |", "no such file"),
    ("| `govsim/model/engine.py:Ghost` |", "has no 'Ghost'"),
    ("| `govsim/model/engine.py:Engine.no_such_method` |", "has no 'no_such_method'"),
    ("| `govsim/model/engine.py:Engine.work`, `Engine.haunt` |", "has no 'haunt'"),
    # importable from there, but defined elsewhere
    ("| `govsim/model/engine.py:build_calendar` |", "defined in govsim.model.state"),
    ("| `govsim/model/case.py:RegimeRun.work` |", "defined in Engine"),
    ("| `govsim/model/log.py:ACTIVITIES.count` |", "is not a class"),
])
def test_bad_references_are_caught(text: str, reason: str) -> None:
    (ref,) = [r for r in find_references(text) if problem(r) is not None]
    assert reason in problem(ref)


def test_good_references_pass() -> None:
    text = ("| `govsim/model/case.py:RegimeRun.case` → `RegimeRun.reopen`; "
            "`govsim/model/log.py:MONITORING_POINTS`; `govsim/model/log.py:Work`, `Work.MEETING` |")
    refs = find_references(text)
    assert len(refs) == 5
    assert [problem(r) for r in refs] == [None] * 5


def test_missing_files_are_caught() -> None:
    text = ("`govsim/model/fragmented.py` and `govsim/nowhere/`\n"
            "| `govsim/model/`: `engine.py`, `consolidated.py` |")
    assert missing_files(text) == [
        "govsim/model/fragmented.py: no such file",
        "govsim/nowhere/: no such directory",
        "line 2: govsim/model/consolidated.py: no such file",
    ]

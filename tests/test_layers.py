"""The layer rule of docs/architecture.md, read off the source: imports point downward only and
no module imports itself back through others.

Every ``import`` and ``from ... import`` of a govsim module counts, at the top of a file, inside
a function (a lazy import is still a dependency) or under ``if TYPE_CHECKING:`` (a typed import
never runs, but it still ties the two modules together: a renderer typed against the class that
calls it is a circle, which a small protocol breaks).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "govsim"

#: lowest first; a module may import modules of its own layer or of a layer below
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shared utilities", ("govsim.errors", "govsim.version", "govsim.atomic", "govsim.inputs", "govsim.progress",
                          "govsim.lang", "govsim.moved", "govsim.lazy")),
    ("calendar", ("govsim.calendar",)),
    ("scenario", ("govsim.scenario",)),
    ("model", ("govsim.model",)),
    ("recording", ("govsim.recording",)),
    ("stats", ("govsim.stats",)),
    ("measure", ("govsim.measure",)),
    ("figures", ("govsim.figures",)),
    ("data", ("govsim.data",)),
    ("report", ("govsim.report",)),
    ("experiment", ("govsim.experiment",)),
    ("calibration", ("govsim.calibration",)),
    ("interfaces", ("govsim.cli", "govsim.classroom", "govsim")),
)


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of ``module`` (the longest matching prefix wins)."""
    best, found = -1, None
    for k, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), k
    if found is None:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and the docs")
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, modules: set[str]) -> set[str]:
    """The govsim modules ``source`` imports (``from a import b`` counts ``a.b`` when that is a
    module, else ``a``)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "govsim")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "govsim":
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            found.update(subs or {node.module})
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def import_graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(f) for f in files}
    return {module_name(f): imports_of(f.read_text(encoding="utf-8"), modules) - {module_name(f)}
            for f in files}


def upward_imports(graph: Mapping[str, Iterable[str]]) -> list[str]:
    return sorted(f"{m} ({LAYERS[layer_of(m)][0]}) imports {d} ({LAYERS[layer_of(d)][0]})"
                  for m, deps in graph.items() for d in deps if layer_of(d) > layer_of(m))


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state and (found := visit(d)) is not None:
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)) is not None:
            return found
    return None


def test_every_module_has_a_layer() -> None:
    for m in import_graph():
        layer_of(m)


def test_imports_point_downward_only() -> None:
    assert upward_imports(import_graph()) == []


def test_no_import_cycle() -> None:
    assert find_cycle(import_graph()) is None


def test_the_checks_catch_what_they_look_for() -> None:
    # an upward import and a circle, in a made-up graph: both are found
    graph = {"govsim.model.engine": {"govsim.stats.summary"},
             "govsim.experiment.a": {"govsim.experiment.b"},
             "govsim.experiment.b": {"govsim.experiment.a"}}
    assert upward_imports(graph) == [
        "govsim.model.engine (model) imports govsim.stats.summary (stats)"]
    assert find_cycle(graph) == ["govsim.experiment.a", "govsim.experiment.b",
                                 "govsim.experiment.a"]
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import govsim.cli\n"
              "def f():\n    from govsim.figures import swimlane as plots\n")
    assert imports_of(source, {"govsim.figures.swimlane"}) == {"govsim.figures.swimlane",
                                                             "govsim.cli"}


@pytest.mark.parametrize("module, layer", [
    ("govsim.errors", "shared utilities"), ("govsim.scenario.edit", "scenario"),
    ("govsim.experiment.executors", "experiment"), ("govsim.data.rates", "data"),
    ("govsim", "interfaces")])
def test_layer_names(module: str, layer: str) -> None:
    assert LAYERS[layer_of(module)][0] == layer


def test_every_public_signature_can_be_read() -> None:
    """The names a signature uses are defined at run time, not only for a type checker, so
    ``typing.get_type_hints`` (and the documentation tools that call it) can read every
    public function and class of ``govsim`` (it once failed on a ``Progress`` that
    ``govsim.progress`` did not define)."""
    import inspect
    import typing

    import govsim

    for name in govsim.__all__:
        obj = getattr(govsim, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            typing.get_type_hints(obj.__init__ if inspect.isclass(obj) else obj)


def runtime_imports_of(source: str, package: str) -> set[str]:
    """The top-level names of ``package`` imported by ``source`` where the import runs (at the
    top of the file or inside a function; not under ``if TYPE_CHECKING:``)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == package)
        elif isinstance(node, ast.ImportFrom) and node.module \
                and node.module.split(".")[0] == package:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def test_only_the_figures_import_matplotlib() -> None:
    """Drawing lives in ``govsim.figures``: no other module loads matplotlib (a typed import,
    for an annotation, is not a load)."""
    outside = sorted(module_name(f) for f in PACKAGE.rglob("*.py")
                     if runtime_imports_of(f.read_text(encoding="utf-8"), "matplotlib")
                     and not module_name(f).startswith("govsim.figures"))
    assert outside == []
    assert runtime_imports_of("if TYPE_CHECKING:\n    import matplotlib\n", "matplotlib") == set()
    assert runtime_imports_of("def f():\n    from matplotlib import pyplot\n",
                              "matplotlib") == {"matplotlib"}

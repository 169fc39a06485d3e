"""The pages that quote runs are built to run (docs/docrun.py), checked without building them.

``make docs`` executes every page whose front matter makes it a MyST-NB text notebook, glues
the figures its prose quotes from those runs, and reruns the probe of every long run stored by
docs/regenerate.py. These checks catch, with the tests, what would otherwise surface only in
the build: a page that quotes a glued figure but is not executed, a figure quoted and never
glued, a stored run that no longer matches the command that is said to make it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

GLUE_ROLE = re.compile(r"\{glue:text\}`([A-Za-z0-9_]+)(?::[^`]*)?`")
GLUED = re.compile(r"""\b(?:figure|glue)\(\s*(?:f?["'])([A-Za-z0-9_{}]+)["']""")
CELL = re.compile(r"^```\{code-cell\}", re.MULTILINE)
#: a function defined in a page whose first parameter is a glued name
HELPER = re.compile(r"^def (\w+)\(name\b", re.MULTILINE)
CELLS = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
STORED_CALL = re.compile(r"""\bstored\(\s*["']([A-Za-z0-9_]+)["']""")


def _is_run_page(text: str) -> bool:
    head = text.split("\n---\n", 1)[0] if text.startswith("---\n") else ""
    return "file_format: mystnb" in head


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_a_page_with_code_cells_or_glued_figures_is_executed(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    if CELL.search(text) or GLUE_ROLE.search(text):
        assert _is_run_page(text), f"{page.name}: code cells or glued figures, but no " \
                                   "`file_format: mystnb` front matter, so the build won't run it"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_figure_the_prose_quotes_is_glued_by_a_cell_of_the_page(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    if HELPER.search(text):
        pytest.skip("glues through a helper of its own: checked only by the build")
    quoted = set(GLUE_ROLE.findall(text))
    glued = set(GLUED.findall(text))
    # a page's own helper that glues (def measured(name, ...): figure(name, ...); figure(f"{name}_th"
    # ...)) glues the names it is called with, and those names with its suffixes
    for helper in HELPER.findall(text):
        body = text.split(f"def {helper}(", 1)[1].split("\n\n\n", 1)[0]
        suffixes = [""] + re.findall(r'figure\(f"\{name\}(\w+)"', body)
        for name in re.findall(r"[\"']([A-Za-z0-9_]+)[\"']", "".join(CELLS.findall(text))):
            glued |= {name + suffix for suffix in suffixes}
    # names glued in a loop (f"dec_{rule}") match by their fixed prefix
    prefixes = {g.split("{", 1)[0] for g in glued if "{" in g}
    missing = {q for q in quoted - glued if not any(q.startswith(p) for p in prefixes if p)}
    assert not missing, f"{page.name} quotes figures no cell glues: {sorted(missing)}"


def _registry():
    sys.path.insert(0, str(DOCS))
    try:
        import regenerate
    finally:
        sys.path.remove(str(DOCS))
    return regenerate.REGISTRY


def test_every_stored_run_matches_the_command_that_is_said_to_make_it() -> None:
    registry = _registry()
    records = {p.stem: json.loads(p.read_text(encoding="utf-8"))
               for p in (DOCS / "generated").glob("*.json")}
    assert set(records) == set(registry), "docs/generated/ and docs/regenerate.py disagree: " \
        f"stored {sorted(records)}, named {sorted(registry)}"
    for name, record in records.items():
        run = registry[name]
        assert record["probe"] == run.probe, name
        assert record["command"] == run.command.format(out=f"site/runs/stored/{name}"), name
        assert record["output"].strip() and len(record["probe_sha256"]) == 64, name


def test_every_stored_run_a_page_shows_exists() -> None:
    registry = _registry()
    for page in PAGES:
        for name in STORED_CALL.findall(page.read_text(encoding="utf-8")):
            assert name in registry, f"{page.name} shows stored run {name!r}, which " \
                                     "docs/regenerate.py does not make"

"""The documentation site (docs/conf.py, built by ``make docs``) covers what it must, checked
without building it: every name in ``govsim.__all__`` is documented on a reference page, and
every page and notebook is in the site's navigation (docs/index.md).

The build itself (Sphinx, warnings as errors) is ``make docs``; these checks run with the tests
so that a new public name or a new page cannot be forgotten by the site.
"""

from __future__ import annotations

import re
from pathlib import Path

import govsim

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"

#: an autodoc directive (or a plain ``data`` entry) and the name it documents
DIRECTIVE = re.compile(r"^\.\. (?:auto)?(?:function|class|exception|data|module)::\s+(\S+)",
                       re.MULTILINE)
CURRENT = re.compile(r"^\.\. currentmodule::\s+(\S+)", re.MULTILINE)
TOCTREE = re.compile(r"```\{toctree\}\n(.*?)```", re.DOTALL)


def documented() -> set[str]:
    """The full names documented on the reference pages."""
    names: set[str] = set()
    for page in sorted(REFERENCE.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        current = CURRENT.findall(text)
        prefix = f"{current[0]}." if current else ""
        for name in DIRECTIVE.findall(text):
            names.add(name if name.startswith("govsim") else prefix + name)
    return names


def navigation() -> set[str]:
    """The entries of the toctrees of docs/index.md, as paths relative to docs/."""
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    entries: set[str] = set()
    for block in TOCTREE.findall(text):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                entries.add(line)
    return entries


def test_every_public_name_is_on_a_reference_page() -> None:
    missing = [name for name in govsim.__all__ if f"govsim.{name}" not in documented()]
    assert not missing, f"not on any page of docs/reference/: {missing}"


def test_every_page_and_notebook_is_in_the_navigation() -> None:
    pages = {p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.rglob("*.md")}
    pages.discard("index")
    pages |= {f"../notebooks/{p.stem}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    missing = sorted(pages - navigation())
    assert not missing, f"in no toctree of docs/index.md: {missing}"


def test_the_navigation_names_only_pages_that_exist() -> None:
    for entry in navigation():
        suffix = ".ipynb" if entry.startswith("../notebooks/") else ".md"
        assert (DOCS / f"{entry}{suffix}").is_file(), entry

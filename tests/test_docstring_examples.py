"""Every public name's docstring has a numpy-style ``Examples`` section, and its examples run.

The examples are what a reader of the reference copies, so each one is a doctest that runs
here, against the real library: every name in ``govsim.__all__`` (but ``__version__``, a
string) must have an ``Examples`` section with ``>>>`` lines in its own docstring (a class's:
the class docstring), and those examples -- that docstring's only, not its methods' -- must
give the outputs they show. They run in a fresh namespace (each imports what it uses), from a
temporary working directory, so that none relies on being run from the repository's root.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import matplotlib
import pytest

import govsim

matplotlib.use("Agg")  # a report or a written calibration draws figures

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
#: a numpy-style section heading: ``Examples`` underlined with dashes
EXAMPLES = re.compile(r"^\s*Examples\n\s*-{8,}\s*$", re.MULTILINE)
NAMES = [name for name in govsim.__all__ if name != "__version__"]


def _doc(name: str) -> str:
    return getattr(govsim, name).__doc__ or ""


def test_version_is_the_only_name_left_out() -> None:
    assert isinstance(govsim.__version__, str)
    assert set(govsim.__all__) - set(NAMES) == {"__version__"}


@pytest.mark.parametrize("name", NAMES)
def test_the_docstring_has_an_examples_section(name: str) -> None:
    doc = _doc(name)
    found = EXAMPLES.search(doc)
    assert found, f"govsim.{name}: no 'Examples' section (numpy style) in its docstring"
    assert ">>>" in doc[found.end():], f"govsim.{name}: its Examples section has no '>>>' line"


@pytest.mark.parametrize("name", NAMES)
def test_the_examples_run_and_show_their_real_output(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # scenarios by name, files in temporary directories
    obj = getattr(govsim, name)
    tests = doctest.DocTestFinder(recurse=False).find(obj, f"govsim.{name}", globs={})
    examples = [t for t in tests if t.examples]
    assert examples, f"govsim.{name}: no doctest examples found in its docstring"
    out: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failed = sum(runner.run(test, out=out.append).failed for test in examples)
    assert not failed, f"govsim.{name}: {failed} example(s) failed\n" + "".join(out)

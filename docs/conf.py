"""Sphinx configuration of the govsim documentation site (``make docs``).

The source directory is the repository root (``sphinx-build -c docs . site/html``), so the
notebooks in ``notebooks/`` are pages of the site where they are, and their links to
``../docs/*.md`` resolve as they do on GitHub. ``include_patterns`` keeps everything else out.
Why Sphinx and not MkDocs: docs/about-these-docs.md.
"""

from __future__ import annotations

import govsim

project = "govsim"
author = "the govsim authors"
copyright = "the govsim authors, MIT licence"
release = version = govsim.__version__

extensions = [
    "myst_nb",  # Markdown (MyST, a CommonMark superset) and notebooks
    "sphinx.ext.autodoc",  # the reference, from the docstrings
    "sphinx.ext.napoleon",  # their "Parameters" sections (numpy style)
]

root_doc = "docs/index"
include_patterns = ["docs/**.md", "notebooks/*.ipynb"]
exclude_patterns = ["docs/img/**", "site/**", ".venv/**"]

# --- Markdown ---------------------------------------------------------------------------------
# GitHub-style anchors for "## Heading" so that the existing in-page links (#world-citizens) resolve
myst_heading_anchors = 4

# --- notebooks ----------------------------------------------------------------------------------
# Not executed by default. The notebooks are stored without outputs, so the tutorials show code
# and prose only; `make docs NOTEBOOKS=cache` runs them (about 5 minutes on 2 cores; they run as
# tests already, under nbmake) and fails the build on a cell that errors.
nb_execution_mode = "off"
nb_execution_raise_on_error = True

# --- the reference ------------------------------------------------------------------------------
autodoc_member_order = "bysource"
# a method without a docstring shows none, not its base class's (the standard library's are not
# reStructuredText)
autodoc_inherit_docstrings = False
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
# an "Attributes" section as fields of the class, not entries that clash with its members
napoleon_use_ivar = True

# --- HTML ---------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"govsim {release}"
# the top of the site (site/html/index.html) sends the reader to docs/index.html
html_extra_path = ["_extra"]

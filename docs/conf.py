"""Sphinx configuration of the govsim documentation site (``make docs``).

The source directory is the repository root (``sphinx-build -c docs . site/html``), so the
notebooks in ``notebooks/`` are pages of the site where they are, and their links to
``../docs/*.md`` resolve as they do on GitHub. ``include_patterns`` keeps everything else out.
Why Sphinx and not MkDocs: docs/about-these-docs.md.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import sys

from sphinx.util.nodes import make_refnode

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

# --- notebooks and pages that run ------------------------------------------------------------
# Every notebook, and every page whose front matter says `file_format: mystnb` (those that quote
# a command's output or a figure from a run: docs/docrun.py), is executed when the site is
# built, and a cell that errors fails the build. `make docs` keeps the executed notebooks in a
# cache under site/, keyed by a digest of the package's and the repository's code, so a change to
# the model runs every page again; CI builds from a fresh clone, so it runs them all.
# `make docs NOTEBOOKS=off` skips execution (a quick look at the prose; the run pages then show
# no outputs and their glued figures are missing, so that build warns and fails).
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_execution_timeout = 900  # seconds per cell; the longest cell (a sweep) takes about 90 s
nb_merge_streams = True
# the run pages are stored with outputs nowhere: what a reader sees comes from this build
nb_output_stderr = "remove"

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

# --- cross-references -------------------------------------------------------------------------
# `make docs` builds with -n (nitpicky): every cross-reference must resolve, or the build fails.
# Every govsim name a page or a docstring refers to is documented (docs/reference/); what stays
# unresolved on purpose is below.


# Names outside govsim. The build fetches nothing (no network), so there is no intersphinx
# inventory for Python, numpy, pandas, ..., and a reference to one of their names cannot
# resolve: it shows as plain text. Keyed on the library's package, never on govsim.
_EXTERNAL = ("typing", "collections", "os", "pathlib", "datetime", "concurrent", "importlib",
             "array", "numpy", "pandas", "scipy", "matplotlib", "simpy", "pydantic", "pyarrow",
             "dask")
nitpick_ignore_regex = [
    ("py:.*", rf"(?:{'|'.join(_EXTERNAL)})\..+"),
    # numpydoc's type words ("mapping of str to float, optional"), and the names docstrings
    # and TYPE_CHECKING-only annotations give those libraries' types unqualified
    ("py:class", r"optional|mapping|sequence|iterable|array_like"),
    ("py:class", r"date|datetime|tzinfo|Figure|Axes|RendererBase"),
]
# govsim's own names that are nowhere to document: the type variables of two generic signatures
# and the private protocol one of them is bound by
nitpick_ignore = [
    ("py:class", "govsim.scenario.presets.R"),
    ("py:class", "govsim.scenario.presets._Model"),
    ("py:class", "govsim.experiment.executors.K"),
]


# The scenario's schema is pydantic models, and three things pydantic does made their reference
# hundreds of unresolvable names; each is handled at its cause:
# - a model's ``__signature__`` carries the *evaluated* field types (``Annotated[float,
#   FieldInfo(annotation=NoneType, metadata=[Ge(ge=0.0), Le(le=1.0)])]``, validators and
#   serializers), which ``autodoc_typehints = "description"`` listed as the constructor's
#   parameter types: dropped, since the fields are documented one by one under the class;
# - a hand-written model's fields show their types as written (``Probability``, ``dt.date``,
#   ``FrozenMap(Unit, min_length=1)``), in the names of the module that wrote them: each is looked
#   up there (_resolve; the vocabulary of govsim.scenario.base is documented) and links to the
#   documented object it is, or shows as plain text when it is not govsim's (pydantic's Field);
# - ``Regime``'s rule keys, made by ``create_model`` from the rule groups' declarations, have only
#   evaluated types: its docstring lists every key with pydantic's plain type, bounds and default
#   (docs/reference/scenario.md documents no attribute of it). ``model_config``, pydantic's, with
#   pydantic's docstring, is not repeated under every model.
def _is_model(obj):
    from pydantic import BaseModel

    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _generated_keys(cls):
    """The fields of ``cls`` that no class body wrote (``create_model``'s)."""
    written = set()
    for klass in cls.__mro__:
        try:
            inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        written |= set(vars(klass).get("__annotations__", {}))
    return [name for name in cls.model_fields if name not in written]


def _signature(app, what, name, obj, options, signature, return_annotation):
    if what == "class" and _is_model(obj):
        app.env.current_document.autodoc_annotations.pop(name, None)


def _skip(app, what, name, obj, skip, options):
    if what == "class" and name == "model_config" and isinstance(obj, dict):
        return True  # pydantic's settings of every model, with pydantic's docstring
    return None


def _bound(item):
    """``Ge(ge=0.0)`` -> ``"≥ 0.0"`` (an annotated_types bound), or ``""``."""
    words = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "min_length": "length ≥"}
    return ", ".join(f"{word} {getattr(item, attr)!r}" for attr, word in words.items()
                     if getattr(item, attr, None) is not None)


def _plain(annotation):
    """A field's type in words: no module paths, bounds nested in it written after the type."""
    from typing import Annotated, Literal, Union, get_args, get_origin

    from sphinx.util.typing import stringify_annotation

    def strip(tp):
        if get_origin(tp) is Annotated:
            inner, *meta = get_args(tp)
            bounds = [_bound(m) for info in meta for m in getattr(info, "metadata", [info])]
            return f"{strip(inner)} ({', '.join(b for b in bounds if b)})"
        args = get_args(tp)
        if not args or get_origin(tp) in (None, Literal):
            return stringify_annotation(tp, "fully-qualified-except-typing")
        if type(tp).__name__ in ("UnionType", "_UnionGenericAlias") or get_origin(tp) is Union:
            return " | ".join(strip(a) for a in args)
        name = stringify_annotation(get_origin(tp), "fully-qualified-except-typing")
        return f"{name}[{', '.join('...' if a is Ellipsis else strip(a) for a in args)}]"

    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", strip(annotation))


def _regime_keys(app, what, name, obj, options, lines):
    if what != "class" or not _is_model(obj) or not _generated_keys(obj):
        return
    from pydantic_core import PydanticUndefined

    lines += ["", "Its keys, the rule groups' among them (``docs/scenarios.md``):", ""]
    for key in obj.model_fields:
        field = obj.model_fields[key]
        about = [f"``{_plain(field.annotation)}``"]
        about += [_bound(m) for m in field.metadata if _bound(m)]
        required = field.default is PydanticUndefined and field.default_factory is None
        about.append("required" if required else f"default ``{field.get_default()!r}``")
        lines.append(f":ivar {key}: {', '.join(about)}")
    lines.append("")


# napoleon reads an attribute's or a property's first line "X: Y" as "type: description" (Google's
# inline attribute types, which no setting turns off); govsim's attribute comments are prose
# ("relative change of the rate per year, compounding (0.18: +18% a year)") and their types
# come from the annotations, so napoleon reads them as it reads any other docstring.
def _napoleon_prose_attributes(app, what, name, obj, options, lines):
    from sphinx.ext.napoleon import _process_docstring

    _process_docstring(app, "" if what in ("attribute", "data", "property") else what, name,
                       obj, options, lines)


def _lookup(path):
    """The object a dotted path names: a module, or attributes of one (LookupError if none)."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            return functools.reduce(getattr, parts[i:], obj)
        except AttributeError:
            break
    raise LookupError(path)


def _documented_as(env, obj, name):
    """The documented Python object named ``...name`` that *is* ``obj``, or None."""
    if isinstance(obj, (str, int, float, bool, type(None))):
        return None  # a value, not an object with one home
    obj = getattr(obj, "__func__", obj)  # a classmethod is a new bound method on each lookup
    for fullname, entry in env.get_domain("py").objects.items():
        if fullname.rsplit(".", 1)[-1] == name and not entry.aliased:
            try:
                documented = _lookup(fullname)
            except Exception:  # noqa: BLE001 - a documented name that does not import
                continue
            if getattr(documented, "__func__", documented) is obj:
                return fullname, entry
    return None


def _candidates(target, module, klass, source):
    """Where ``target`` may be, as (dotted path or None, a function returning the object): a full
    path; where the docstring that says it was written (``docstring of
    govsim.data.columns.read_log``); a name in the namespace of the module that wrote the class
    (its annotations); a member of the class; a name of the module."""
    if target.startswith("govsim."):
        yield target, functools.partial(_lookup, target)
        return
    head, *rest = target.split(".")
    if written := re.search(r"docstring of (govsim[\w.]*)", source or ""):
        parts = written[1].split(".")
        for i in range(len(parts), 1, -1):
            path = ".".join([*parts[:i], target])
            yield path, functools.partial(_lookup, path)
    if module and klass:
        yield None, lambda: functools.reduce(getattr, rest, vars(sys.modules[
            _lookup(f"{module}.{klass}").__module__])[head])
        yield f"{module}.{klass}.{target}", functools.partial(_lookup, f"{module}.{klass}.{target}")
    if module:
        yield f"{module}.{target}", functools.partial(_lookup, f"{module}.{target}")


def _resolve(app, env, node, contnode):
    """References Sphinx cannot resolve by name alone, resolved by the object they name.

    - ``govsim.measure.journey.case_journey``: a govsim object named by the module that defines
      it, documented where govsim exports it (``govsim.case_journey``);
    - ``resolve_columns`` in the docstring of govsim.data.columns: a name of that module,
      documented under another path (``govsim.data.resolve_columns``);
    - a type in a class's annotation, named as the module that wrote the class names it
      (``Probability``, ``dt.date``).
    A govsim object links to where it is documented (the very object, not a namesake); another
    library's object, found this way, shows as plain text. A name that is not found, or a
    govsim object documented nowhere, stays a warning.
    """
    target, module, klass = node.get("reftarget", ""), node.get("py:module"), node.get("py:class")
    if node.get("refdomain") != "py":
        return None
    if re.fullmatch(r"-?\d[\d_.e+-]*", target) and node.get("py:class"):
        return contnode  # a number of an annotation's bounds (``Field(ge=1.0)``), not a name
    if not target[:1].isalpha():
        return None
    obj = _MISSING = object()
    for path, where in _candidates(target, module, klass, node.source):  # noqa: B007 (used after)
        try:
            obj = where()
            break
        except (LookupError, KeyError, AttributeError, TypeError):
            continue
    if obj is _MISSING:
        return None
    objects = env.get_domain("py").objects
    if path in objects and not objects[path].aliased:  # a value (a number) is found by its path
        found = path, objects[path]
    else:
        found = _documented_as(env, obj, target.rsplit(".", 1)[-1])
    if found:
        fullname, entry = found
        return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode,
                            fullname)
    home = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", None)
    if not target.startswith("govsim.") and isinstance(home, str) and home.split(".")[0] not in (
            "govsim", "__main__"):
        return contnode  # another library's (pydantic's Field, the datetime module's date)
    return None  # a govsim object documented nowhere, or a value with no home: a warning


def setup(app):
    app.connect("autodoc-process-signature", _signature, priority=900)
    app.connect("autodoc-skip-member", _skip)
    app.connect("autodoc-process-docstring", _regime_keys)
    from sphinx.ext.napoleon import _process_docstring

    for listener in list(app.events.listeners["autodoc-process-docstring"]):
        if listener.handler is _process_docstring:
            app.disconnect(listener.id)
            app.connect("autodoc-process-docstring", _napoleon_prose_attributes,
                        priority=listener.priority)
    app.connect("missing-reference", _resolve)

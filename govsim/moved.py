"""Modules that moved when the folders were named by purpose, and names that now mean one
thing only, importable under their old names for one release.

Layer: shared utilities. ``import govsim`` installs a finder for the old names: importing one
warns (:class:`DeprecationWarning`, naming the new home) and gives the new module itself, or,
where an old module was split in two, a module that reads each name from the new module that
holds it. A module that kept its place but renamed a name sets ``__getattr__ = renamed(__name__)``
so the old name still works, with a warning. Nothing else of govsim is imported until an old name is asked for. The CHANGELOG
lists every moved public name.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

from govsim.lazy import submodule

__all__ = ["MOVED", "RENAMED", "install", "renamed", "warn_moved"]

#: old module -> the module(s) that now hold its names (first match wins)
MOVED: dict[str, tuple[str, ...]] = {
    "govsim.analysis.intervals": ("govsim.stats.intervals",),
    "govsim.analysis.stats": ("govsim.stats.summary",),
    "govsim.analysis.survival": ("govsim.stats.survival",),
    "govsim.analysis.shapley": ("govsim.stats.shapley",),
    "govsim.analysis.effects": ("govsim.stats.effects",),
    "govsim.analysis.theory": ("govsim.stats.theory",),
    "govsim.analysis.warmup": ("govsim.stats.warmup", "govsim.figures.warmup"),
    "govsim.analysis.metrics": ("govsim.measure.metrics",),
    "govsim.analysis.casestudy": ("govsim.measure.casestudy",),
    "govsim.analysis.journey": ("govsim.measure.journey",),
    "govsim.analysis.journey_extras": ("govsim.measure.journey_extras",),
    "govsim.analysis.supervision": ("govsim.measure.lights",),
    "govsim.analysis.targets": ("govsim.measure.targets",),
    "govsim.analysis.over_time": ("govsim.measure.over_time",),
    "govsim.analysis.fig_costs": ("govsim.figures.costs", "govsim.measure.figure_tables"),
    "govsim.analysis.fig_survival": ("govsim.figures.survival", "govsim.measure.figure_tables"),
    "govsim.analysis.fig_workload": ("govsim.figures.workload", "govsim.measure.figure_tables"),
    "govsim.analysis.fig_process": ("govsim.figures.process_map",
                                    "govsim.measure.figure_tables"),
    "govsim.analysis.fig_over_time": ("govsim.figures.over_time",),
    "govsim.analysis.fig_request_check": ("govsim.figures.request_check",),
    "govsim.analysis.fig_sweep": ("govsim.figures.sweep",),
    "govsim.analysis.plots": ("govsim.figures.swimlane",),
    "govsim.analysis.swimlane_layout": ("govsim.figures.swimlane_layout",),
    "govsim.analysis.swimlane_marks": ("govsim.figures.swimlane_marks",),
    "govsim.analysis.swimlane_text": ("govsim.figures.swimlane_text",),
    "govsim.analysis.waterfall": ("govsim.figures.waterfall",),
    "govsim.analysis.calibration_plots": ("govsim.figures.calibration",),
    "govsim.analysis.style": ("govsim.figures.style",),
    "govsim.plot": ("govsim.figures", "govsim.measure.figure_tables"),
    "govsim.experiment.report": ("govsim.report.text",),
    "govsim.experiment.report_words": ("govsim.report.words",),
    "govsim.experiment.report_decomposition": ("govsim.report.decomposition",),
    "govsim.experiment.robustness_table": ("govsim.report.robustness",),
    "govsim.experiment.html_page": ("govsim.report.html_page",),
    "govsim.experiment.html_report": ("govsim.experiment.report_study", "govsim.report.html"),
    "govsim.experiment.xes": ("govsim.report.xes",),
    "govsim.experiment.views": ("govsim.report.views",),
    "govsim.experiment.calibration": ("govsim.calibration.evaluate", "govsim.experiment.parameters"),
    "govsim.experiment.calibration_search": ("govsim.calibration.search",),
    "govsim.experiment.calibration_abc": ("govsim.calibration.abc",),
    "govsim.recording_daily": ("govsim.recording.daily",),
    "govsim.cli_flags": ("govsim.cli.flags",),
    "govsim.cli_calibrate": ("govsim.cli.calibrate",),
    "govsim.cli_decompose": ("govsim.cli.decompose",),
    "govsim.cli_report": ("govsim.cli.report",),
    "govsim.cli_robustness": ("govsim.cli.robustness",),
    "govsim.cli_scenarios": ("govsim.cli.scenarios",),
    "govsim.model.supervision": ("govsim.model.monitoring",),
    "govsim.model.world": ("govsim.model.draws",),
}

#: module -> {old name: new name, or "module:new name" for one that lives elsewhere now}:
#: names that now mean one thing only, or have one home (a moved module's old name included)
RENAMED: dict[str, dict[str, str]] = {
    "govsim.model.supervision": {"Supervision": "Monitoring"},
    "govsim.model.case": {"CaseModel": "RegimeRun"},
    "govsim.model": {"CaseModel": "RegimeRun"},
    "govsim.model.log": {"Money": "MoneyKind"},
    "govsim.scenario.base": {"Factor": "Coefficient"},
    "govsim.data.shapes": {"PRESETS": "SHAPES"},
    "govsim.data.columns": {"PRESETS": "SHAPES"},
    "govsim.data.durations": {"FAMILIES": "DISTRIBUTION_FAMILIES"},
    "govsim.lang": {"rule_name": "govsim.scenario.rules.registry:rule_name"},
    "govsim.cli": {"CASE_STUDY_MAX_CASES": "govsim.cli.simulate:CASE_STUDY_MAX_CASES",
                   "DEFAULT_SWEEP_METRICS": "govsim.cli.sweep:DEFAULT_SWEEP_METRICS",
                   "EXIT_USAGE": "govsim.cli.command:EXIT_USAGE"},
}

#: old packages that no longer exist: importing one gives an empty package whose submodules
#: are the old names above
_PACKAGES = {"govsim.analysis": "govsim.stats, govsim.measure and govsim.figures"}


def _warn(old: str, new: str, what: str = "has moved to", extra: int = 0) -> None:
    # point the warning at the user's import statement: past this module's frames, counting
    # no frame of importlib's (``warnings`` passes over those by itself)
    frame, level = sys._getframe(1), 2 + extra  # 2: the caller of _warn
    while frame is not None and (frame.f_code.co_filename == __file__
                                 or "importlib" in frame.f_code.co_filename):
        if frame.f_code.co_filename == __file__:
            level += 1
        frame = frame.f_back
    warnings.warn(f"{old} {what} {new}; the old name works until the next release",
                  DeprecationWarning, stacklevel=level)


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # a plain module, replaced or filled in below

    def exec_module(self, module: ModuleType) -> None:
        old = module.__name__
        if old in _PACKAGES:
            # a package, so its old submodules can be imported (each warns, naming its home)
            module.__path__ = []
            module.__getattr__ = lambda name: submodule(old, name)  # type: ignore[method-assign]
            return
        targets = MOVED[old]
        _warn(old, " and ".join(targets))
        if len(targets) == 1 and old not in RENAMED:
            # the import system returns what sys.modules holds once this returns
            sys.modules[old] = importlib.import_module(targets[0])
            return
        homes = [importlib.import_module(t) for t in targets]

        def lookup(name: str) -> Any:
            if name in RENAMED.get(old, {}):
                _warn(f"{old}.{name}", f"{targets[0]}.{RENAMED[old][name]}", "is now")
                name = RENAMED[old][name]  # (a moved module's renames stay in its new home)
            for home in homes:
                if hasattr(home, name):
                    return getattr(home, name)
            raise AttributeError(f"module {old!r} has no attribute {name!r}")

        module.__getattr__ = lookup  # type: ignore[method-assign]
        module.__all__ = [n for home in homes for n in getattr(home, "__all__", ())]


def warn_moved(old: str, new: str) -> None:
    """Warn, at the line of the user who read ``old`` (the caller's caller), that the name has
    moved to ``new``."""
    _warn(old, new, extra=1)


def renamed(module: str) -> Callable[[str], Any]:
    """A module's ``__getattr__`` that gives each of its :data:`RENAMED` old names, with a
    warning naming the new one."""
    table = RENAMED[module]

    def __getattr__(name: str) -> Any:
        if name not in table:
            return submodule(module, name)  # a module of a package (a moved one's old name too)
        home, _, new = table[name].rpartition(":")
        _warn(f"{module}.{name}", f"{home or module}.{new}", "is now")
        value = getattr(importlib.import_module(home) if home else sys.modules[module], new)
        setattr(sys.modules[module], name, value)  # said once
        return value

    return __getattr__


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname in MOVED or fullname in _PACKAGES:
            return importlib.machinery.ModuleSpec(fullname, _LOADER,
                                                  is_package=fullname in _PACKAGES)
        return None


_LOADER = _Loader()
_FINDER = _Finder()


def install() -> None:
    """Let the old module names be imported (once; ``import govsim`` calls this)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)

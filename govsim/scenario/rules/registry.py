"""The rule groups in force: govsim's own, then any installed plug-in's.

Layer: scenario. govsim's own groups are the modules of :mod:`govsim.scenario.rules` that
declare a ``GROUP``; a group from outside the package is declared by an installed
distribution under the ``govsim.rules`` entry point (its value names a :class:`RuleGroup`, or a
module holding one as ``GROUP``)::

    [project.entry-points."govsim.rules"]
    summons = "my_rules.summons:GROUP"

They are read once, when this module is first imported, so every process -- a worker too --
sees the same groups. :data:`GROUPS` lists them by ``order``; every declaration is checked
here, and a plug-in that cannot be loaded or clashes with another group is an error naming
it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from govsim.errors import GovsimError
from govsim.lang import add_names
from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["GROUPS", "RULES", "PRESETS", "PRESET_NAMES", "NOT_RULES", "ENTRY_POINT",
           "check_groups", "apply_preset", "rule_name"]

#: the presets every group may give settings for
PRESET_NAMES = ("fragmented", "consolidated")
#: regime keys that are no rule: its preset's name and its labels
NOT_RULES = ("preset", "label", "label_zh")
#: a key no group may take: what older files call the preset (read as ``preset``)
_RESERVED = ("kind",)
#: set (to anything) to leave installed plug-ins out, e.g. to run govsim past a broken one
SKIP_PLUGINS = "GOVSIM_NO_RULE_PLUGINS"
#: the entry-point group plug-in rule groups are declared under
ENTRY_POINT = "govsim.rules"
_NOT_GROUPS = {"group", "registry", "regime"}


def _group_of(value: object, where: str) -> RuleGroup:
    if isinstance(value, ModuleType):
        value = getattr(value, "GROUP", None)
    if not isinstance(value, RuleGroup):
        raise GovsimError(f"{where} is not a RuleGroup (govsim.scenario.rules.RuleGroup)",
                          ENTRY_POINT)
    return value


def _own() -> list[RuleGroup]:
    here = [str(Path(__file__).parent)]
    return [_group_of(importlib.import_module(f"{__package__}.{m.name}"), m.name)
            for m in pkgutil.iter_modules(here) if m.name not in _NOT_GROUPS]


def _plugins() -> list[RuleGroup]:
    if os.environ.get(SKIP_PLUGINS):
        return []
    found = []
    for ep in entry_points(group=ENTRY_POINT):
        try:
            value = ep.load()
        except Exception as exc:  # any failure of someone else's code, said with its name
            # govsim cannot give its model or studies while it gathers the groups
            half = any(isinstance(e, ImportError) and (e.name or "").startswith("govsim")
                       for e in _chain(exc))
            why = ("it imports more of govsim than govsim.scenario.rules at its top, so the "
                   "groups are gathered while it is half loaded: import the rest inside its "
                   "behaviour" if half else f"{type(exc).__name__}: {exc}")
            raise GovsimError(f"the rule plug-in {ep.name!r} ({ep.value}) could not be loaded: "
                              f"{why} (set {SKIP_PLUGINS}=1 to run without plug-ins)",
                              ENTRY_POINT) from exc
        found.append(_group_of(value, f"the rule plug-in {ep.name!r} ({ep.value})"))
    return found


def _chain(exc: BaseException | None) -> list[BaseException]:
    """An exception and those it was raised from or during."""
    out: list[BaseException] = []
    while exc is not None and exc not in out:
        out.append(exc)
        exc = exc.__cause__ or exc.__context__
    return out


def check_groups(groups: Iterable[RuleGroup]) -> tuple[RuleGroup, ...]:
    """``groups`` in order, each checked: a unique name, keys no other group (and no
    :data:`NOT_RULES` key) holds, preset settings only for known presets and its own keys,
    unique column attributes, activities and metrics."""
    ordered = tuple(sorted(groups, key=lambda g: (g.order, g.name)))
    seen: dict[str, str] = {k: "the regime itself" for k in NOT_RULES + _RESERVED}
    names: set[str] = set()
    extras: dict[tuple[str, str], str] = {}
    for g in ordered:
        where = f"rule group {g.name!r}"
        if not g.name.isidentifier() or g.name in names:
            raise GovsimError(f"{where}: a group's name must be a new identifier", ENTRY_POINT)
        names.add(g.name)
        if not g.keys:
            raise GovsimError(f"{where} declares no regime key", ENTRY_POINT)
        for key in g.keys:
            if key in seen:
                raise GovsimError(f"{where}: key {key!r} belongs to {seen[key]} already",
                                  ENTRY_POINT)
            seen[key] = f"rule group {g.name!r}"
        for key, (_, default) in g.keys.items():
            unset = [p for p in PRESET_NAMES if key not in g.presets.get(p, {})]
            if default is NO_DEFAULT and unset:
                raise GovsimError(f"{where}: key {key!r} has no default and preset {unset[0]!r} "
                                  "does not set it, so no regime of that preset could be read",
                                  ENTRY_POINT)
        for preset, settings in g.presets.items():
            if preset not in PRESET_NAMES:
                raise GovsimError(f"{where}: unknown preset {preset!r} (known: "
                                  f"{', '.join(PRESET_NAMES)})", ENTRY_POINT)
            for key in settings:
                if key not in g.keys:
                    raise GovsimError(f"{where}: preset {preset!r} sets {key!r}, which is not "
                                      "one of the group's keys", ENTRY_POINT)
        for kind, values in (("column", [c.attr for c in g.columns]),
                             ("activity", [a.name for a in g.activities]),
                             ("metric", [m.name for m in g.metrics])):
            for value in values:
                if (kind, value) in extras:
                    raise GovsimError(f"{where}: {kind} {value!r} is declared by "
                                      f"{extras[(kind, value)]} too", ENTRY_POINT)
                extras[(kind, value)] = where
    return ordered


#: every rule group in force, by ``order``
GROUPS: tuple[RuleGroup, ...] = check_groups(_own() + _plugins())

#: rule group -> the regime keys it holds; decomposition switches whole groups
RULES: dict[str, tuple[str, ...]] = {g.name: tuple(g.keys) for g in GROUPS}

#: preset name -> the rule settings it fixes (a regime's own keys override them; a table such
#: as ``funding`` is merged key by key)
PRESETS: dict[str, dict[str, Any]] = {
    preset: {k: v for g in GROUPS for k, v in g.presets.get(preset, {}).items()}
    for preset in PRESET_NAMES}

_LABELS = {"zh": {g.name: g.label_zh or g.name for g in GROUPS},
           "en": {g.name: g.label or g.name.replace("_", " ") for g in GROUPS}}
for _g in GROUPS:  # a plug-in's activities and metrics, named where it says how
    for _lang in ("en", "zh"):
        add_names("activity", {a.name: getattr(a, f"label_{_lang}") for a in _g.activities},
                  _lang)
        add_names("metric", {m.name: getattr(m, f"label_{_lang}") for m in _g.metrics}, _lang)


def rule_name(rule: str, lang: str = "en") -> str:
    """A rule group's name in ``lang`` (English: its ``label``; Chinese: its ``label_zh``;
    ``"keys"``: its name); rules attributed together (``"a+b"``) part by part."""
    if lang not in _LABELS:
        return rule
    return "+".join(_LABELS[lang].get(r, r) for r in rule.split("+"))


def apply_preset(data: Any) -> Any:
    """A regime's table with its preset's settings filled in under its own keys.

    ``kind`` (the name older files use) is read as ``preset``. A value that is not a table, or
    names no known preset, is passed on unchanged for the schema to report.
    """
    if not isinstance(data, Mapping):
        return data
    data = dict(data)
    if "kind" in data:
        kind = data.pop("kind")
        if "preset" in data and data["preset"] != kind:
            raise ValueError(f"'kind' ({kind!r}) and 'preset' ({data['preset']!r}) disagree; "
                             "write only 'preset'")
        data["preset"] = kind
    preset = PRESETS.get(data.get("preset")) if isinstance(data.get("preset"), str) else None
    if preset is None:
        return data
    for key, value in preset.items():
        if key not in data:
            data[key] = dict(value) if isinstance(value, dict) else value
        elif isinstance(value, dict) and isinstance(data[key], Mapping):
            data[key] = {**value, **data[key]}
    return data

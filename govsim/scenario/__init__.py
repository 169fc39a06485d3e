"""Scenario files: TOML → validated, immutable objects.

Layer: scenario (no SimPy here). A scenario holds one :class:`World` -- the city as it is -- and
one or more named regimes -- the institutional rules laid over it. Every key is documented in
``docs/scenarios.md``; the models are the single source of truth for names, types, defaults and
bounds.

- :mod:`~govsim.scenario.base`: the strict, frozen base model and read-only tables;
- :mod:`~govsim.scenario.world`: the world's schema (units, categories, funds, citizens, calendar);
- :mod:`~govsim.scenario.rules`: the regimes' schema (channels, ladder, funding, limits, ...);
- :mod:`~govsim.scenario.presets`: presets (``fragmented``, ``consolidated``), the rule groups
  every regime key belongs to, and :func:`hybrid` regimes between two regimes;
- :mod:`~govsim.scenario.like`: regimes written ``like = "OTHER"`` plus overrides;
- :mod:`~govsim.scenario.parse`: :class:`Scenario`, reading and validating (references and the
  horizon's calendar included), choosing regimes by name;
- :mod:`~govsim.scenario.assumptions`: the ``[assumptions]`` table (parameters set by hand,
  each with its bounds);
- :mod:`~govsim.scenario.edit`: values read and set by key path (:func:`with_values`,
  :func:`with_overrides`);
- :mod:`~govsim.scenario.examples`: :func:`mmc_scenario`.

Problems are reported as :class:`govsim.errors.GovsimError` with the dotted key path, e.g.
``regimes.fragmented.channels[2].unit: unknown unit 'housing_burea'``.
"""

from __future__ import annotations

from govsim.lazy import lazy

__all__ = [
    "Names",
    "display_names",
    "PRESETS",
    "RULES",
    "NOT_RULES",
    "differing_rules",
    "hybrid",
    "Scenario",
    "Assumption",
    "World",
    "Unit",
    "Category",
    "Citizens",
    "Demand",
    "Fund",
    "CalendarSpec",
    "Channel",
    "CallCentre",
    "Deflection",
    "Rung",
    "Meeting",
    "Funding",
    "Limits",
    "Supervision",
    "Adjudication",
    "Regime",
    "PUBLIC_KINDS",
    "load_scenario",
    "parse_scenario",
    "check_baseline",
    "with_overrides",
    "with_values",
    "scenario_data",
    "scenario_toml",
    "to_toml",
    "check_path",
    "set_path",
    "mmc_scenario",
]

# each name is loaded from its module when first read, so a rule group's module (a plug-in's
# too) can import the declarations' vocabulary before the schema is built from them
__getattr__, __dir__ = lazy(__name__, {
    "Assumption": f"{__name__}.assumptions", "check_path": f"{__name__}.edit",
    "scenario_data": f"{__name__}.edit", "set_path": f"{__name__}.edit",
    "with_overrides": f"{__name__}.edit", "with_values": f"{__name__}.edit",
    "mmc_scenario": f"{__name__}.examples", "Names": f"{__name__}.names",
    "display_names": f"{__name__}.names", "Scenario": f"{__name__}.parse",
    "check_baseline": f"{__name__}.parse", "load_scenario": f"{__name__}.parse",
    "parse_scenario": f"{__name__}.parse", "NOT_RULES": f"{__name__}.presets",
    "PRESETS": f"{__name__}.presets", "RULES": f"{__name__}.presets",
    "differing_rules": f"{__name__}.presets", "hybrid": f"{__name__}.presets",
    "Adjudication": f"{__name__}.rules", "CallCentre": f"{__name__}.rules",
    "Channel": f"{__name__}.rules", "Deflection": f"{__name__}.rules",
    "Funding": f"{__name__}.rules", "Limits": f"{__name__}.rules", "Meeting": f"{__name__}.rules",
    "Regime": f"{__name__}.rules", "Rung": f"{__name__}.rules",
    "Supervision": f"{__name__}.rules", "scenario_toml": f"{__name__}.toml_text",
    "to_toml": f"{__name__}.toml_text", "PUBLIC_KINDS": f"{__name__}.world",
    "CalendarSpec": f"{__name__}.world", "Category": f"{__name__}.world",
    "Citizens": f"{__name__}.world", "Demand": f"{__name__}.world", "Fund": f"{__name__}.world",
    "Unit": f"{__name__}.world", "World": f"{__name__}.world",
})

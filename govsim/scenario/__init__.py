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

from govsim.scenario.assumptions import Assumption
from govsim.scenario.edit import check_path, scenario_data, set_path, with_overrides, with_values
from govsim.scenario.examples import mmc_scenario
from govsim.scenario.names import Names, display_names
from govsim.scenario.parse import Scenario, check_baseline, load_scenario, parse_scenario
from govsim.scenario.presets import NOT_RULES, PRESETS, RULES, differing_rules, hybrid
from govsim.scenario.rules import (
    Adjudication,
    CallCentre,
    Channel,
    Deflection,
    Funding,
    Limits,
    Meeting,
    Regime,
    Rung,
    Supervision,
)
from govsim.scenario.toml_text import scenario_toml, to_toml
from govsim.scenario.world import (
    PUBLIC_KINDS,
    CalendarSpec,
    Category,
    Citizens,
    Demand,
    Fund,
    Unit,
    World,
)

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

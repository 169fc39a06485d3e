"""Supervision that acts (issue 20, item 1): the section urges the unit behind every light, and
an urged or assessed unit cuts fewer corners and acts on the case sooner; how strongly is the
world's ``behaviour``, the same under every regime, and whether anyone urges is the rule.
A unit's backlog can raise its propensities under any regime (``load_sensitivity``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from _factory import UNITS, category, consolidated, fragmented, scenario

from govsim.model import simulate
from govsim.recording import tables
from govsim.scenario import Scenario, with_values

SEED = 11
#: one busy owner: late steps, lights, and patches that a callback reopens
BUSY = {**UNITS, "owner": {"kind": "property_company", "staff": 2, "hours": "24h"}}
PATCHY = {"leak": category(rate_per_day=4.0, work_hours=10.0, work_cv=1.0,
                           surface_fix_prob=0.6, surface_fix_holds_days=20.0)}


def run(s: Scenario, regime: str, seed: int = SEED) -> Any:
    raw = simulate(s, regime, seed, 0)
    raw.t = tables(raw)
    return raw


def world(**behaviour: float) -> Scenario:
    s = scenario({"c": consolidated(), "f": fragmented()}, units=BUSY, categories=PATCHY,
                 horizon_days=120)
    return with_values(s, {f"world.behaviour.{k}": v for k, v in behaviour.items()})


def patches(raw: Any) -> int:
    return int(raw.cases["surface_fixes"].sum())


def test_nobody_urges_under_many_hotlines_so_responses_change_nothing() -> None:
    calm, keen = world(urged_response=0.0, assessed_response=0.0), world(
        urged_response=1.0, assessed_response=1.0, assessment_memory_days=300.0)
    a, b = run(calm, "f"), run(keen, "f")
    for key in a.cases:
        np.testing.assert_array_equal(a.cases[key], b.cases[key], err_msg=key)


def test_urged_and_assessed_units_patch_less() -> None:
    none = run(world(urged_response=0.0, assessed_response=0.0), "c")
    urged = run(world(urged_response=1.0, assessed_response=0.0), "c")
    both = run(world(urged_response=1.0, assessed_response=1.0), "c")
    assert len(none.t.lights) > 20  # there is something to urge about
    assert patches(both) < patches(urged) < patches(none)


def test_the_rule_decides_whether_anyone_urges() -> None:
    keen = world(urged_response=1.0, assessed_response=1.0)
    silent = with_values(keen, {"regimes.c.supervision.urge": False})
    on, off = run(keen, "c"), run(silent, "c")
    assert patches(on) < patches(off)
    # the section spends its urging hours on the yellow lights
    centre_on = on.t.units.set_index("unit").loc["centre", "staff_hours"]
    centre_off = off.t.units.set_index("unit").loc["centre", "staff_hours"]
    assert centre_on > centre_off
    # with nobody urging, how strongly units would respond changes nothing
    meek = with_values(silent, {"world.behaviour.urged_response": 0.0,
                                "world.behaviour.assessed_response": 0.0})
    a = run(meek, "c")
    for key in a.cases:
        np.testing.assert_array_equal(a.cases[key], off.cases[key], err_msg=key)


def test_an_urged_case_goes_ahead_in_its_unit() -> None:
    fast = run(world(urged_response=1.0, assessed_response=0.0), "c")
    slow = run(with_values(world(urged_response=1.0, assessed_response=0.0),
                           {"world.behaviour.urged_response": 0.0}), "c")
    # the cases with a light: urged ones are finished sooner when the unit responds
    lit = slow.t.lights["case"].unique()
    assert len(lit) > 20
    assert fast.t.cases.loc[lit, "duration_days"].mean() < \
        slow.t.cases.loc[lit, "duration_days"].mean()


def test_a_backlog_raises_the_propensities_under_any_regime() -> None:
    for regime in ("f", "c"):
        off = run(world(load_sensitivity=0.0, urged_response=0.0, assessed_response=0.0), regime)
        on = run(world(load_sensitivity=5.0, urged_response=0.0, assessed_response=0.0), regime)
        assert patches(on) > patches(off), regime

"""Adjudication's winner comes from the scenario (a category's ``lead``, or a stated rule),
never from the order of ``owners``: reordering any category's owners changes no result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import govsim
from govsim.errors import GovsimError
from govsim.scenario import Scenario, parse_scenario
from govsim.scenario.edit import scenario_data

DISTRICT = Path(__file__).resolve().parent.parent / "scenarios" / "district.toml"
SHIPPED = sorted((DISTRICT.parent).glob("*.toml"))


def _edited(s: Scenario, edit: Any) -> Scenario:
    data = scenario_data(s)
    for cat in data["world"]["categories"].values():
        edit(cat)
    return parse_scenario(data)


def _reverse_owners(cat: dict[str, Any]) -> None:
    cat["owners"] = list(reversed(cat["owners"]))


def _drop_lead(cat: dict[str, Any]) -> None:
    cat.pop("lead", None)


def _same_results(a: govsim.Results, b: govsim.Results) -> None:
    pd.testing.assert_frame_equal(a.metrics, b.metrics, check_exact=True)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)
    pd.testing.assert_frame_equal(a.units, b.units, check_exact=True)
    pd.testing.assert_frame_equal(a.cases, b.cases, check_exact=True)


def test_reordering_owners_changes_no_result_byte_for_byte():
    s = govsim.load_scenario(DISTRICT)
    shared = [name for name, cat in s.world.categories.items() if len(cat.owners) > 1]
    assert len(shared) >= 2
    reordered = _edited(s, _reverse_owners)
    assert all(reordered.world.categories[k].owners != s.world.categories[k].owners
               for k in shared)
    a = govsim.compare(s, replications=2, horizon_days=20, seed=1)
    b = govsim.compare(reordered, replications=2, horizon_days=20, seed=1)
    assert len(a.events) > 0
    _same_results(a, b)


def test_reordering_owners_changes_nothing_under_the_default_rule_either():
    """Without ``lead`` the owner first in ``[world.units]`` is the lead, whatever the order of
    ``owners``."""
    s = _edited(govsim.load_scenario(DISTRICT), _drop_lead)
    reordered = _edited(s, _reverse_owners)
    a = govsim.run(s, "consolidated", replications=1, horizon_days=15, seed=3, jobs=1)
    b = govsim.run(reordered, "consolidated", replications=1, horizon_days=15, seed=3, jobs=1)
    _same_results(a, b)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_category_with_several_owners_names_its_lead(path: Path):
    s = govsim.load_scenario(path)
    for name, cat in s.world.categories.items():
        if len(cat.owners) > 1:
            assert cat.lead in cat.owners, name
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("lead = "):
            assert "# assumption" in line


def test_district_leads_are_the_owners_listed_first_before():
    cats = govsim.load_scenario(DISTRICT).world.categories
    assert cats["illegal_construction"].lead == "city_management"
    assert cats["neighbourhood_order"].lead == "residents_committee"


def test_default_lead_is_the_owner_first_in_world_units():
    s = _edited(govsim.load_scenario(DISTRICT), _drop_lead)
    units = {name: i for i, name in enumerate(s.world.units)}
    cat = s.world.categories["illegal_construction"]
    assert cat.lead is None
    first = min(cat.owners, key=units.__getitem__)
    assert cat.lead_among(units) == first == "street_office"
    reordered = _edited(s, _reverse_owners).world.categories["illegal_construction"]
    assert reordered.lead_among(units) == first


def test_model_owners_are_in_unit_order_and_the_lead_from_the_scenario():
    from govsim.model.state import CategoryState

    s = govsim.load_scenario(DISTRICT)
    units = {name: i for i, name in enumerate(s.world.units)}
    relay = [False] * len(units)
    for edit in (lambda cat: None, _reverse_owners):
        cat = _edited(s, edit).world.categories["illegal_construction"]
        state = CategoryState(0, "illegal_construction", cat, units, {}, len(units), relay)
        assert state.owners == tuple(sorted(units[o] for o in cat.owners))
        assert state.lead == units["city_management"]


def test_a_lead_that_is_not_an_owner_is_refused_at_its_key_path():
    data = scenario_data(govsim.load_scenario(DISTRICT))
    data["world"]["categories"]["neighbourhood_order"]["lead"] = "city_management"
    with pytest.raises(GovsimError) as exc:
        parse_scenario(data)
    assert exc.value.path == "world.categories.neighbourhood_order.lead"
    assert "not one of the category's owners" in exc.value.message
    data["world"]["categories"]["neighbourhood_order"]["lead"] = "nobody"
    with pytest.raises(GovsimError) as exc:
        parse_scenario(data)
    assert exc.value.path == "world.categories.neighbourhood_order.lead"


def test_a_ruling_names_the_lead():
    s = govsim.load_scenario(DISTRICT)
    cmp = govsim.run(s, "consolidated", replications=1, horizon_days=15, seed=2, jobs=1)
    ev = cmp.events
    cases = cmp.cases.set_index("case")["category"]
    ruled = ev[ev["concept:name"] == "adjudicate"]
    assert len(ruled) > 0
    by_category = ruled.groupby(cases.loc[ruled["case:concept:name"]].to_numpy(),
                                observed=True)["org:resource"].agg(lambda x: set(x.astype(str)))
    assert by_category["illegal_construction"] == {"city_management"}
    assert by_category["neighbourhood_order"] == {"residents_committee"}

"""The street office's whole burden: its own duty, duty assigned to it by adjudication, and cost
shifted onto it (unrecovered advances included) -- one definition for every regime, parts that
add up, every staff-hour and yuan it spent counted once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _factory import category, consolidated, fragmented, scenario

import govsim
from govsim.lang import metric_name
from govsim.measure.metrics import FEASIBLE, HEADLINE, METRICS
from govsim.model import simulate
from govsim.recording import tables
from govsim.report.text import results_json
from govsim.scenario import with_values

DISTRICT = Path(__file__).resolve().parent.parent / "scenarios" / "district.toml"
SHARED = ("illegal_construction", "neighbourhood_order")
PARTS = ("street_office_own_duty_yuan", "street_office_assigned_duty_yuan",
         "street_office_shifted_cost_yuan")
SHIFTED_PARTS = ("handling", "meeting", "advance", "adjudication", "other")


def _street_lead(s: govsim.Scenario) -> govsim.Scenario:
    return with_values(s, {f"world.categories.{k}.lead": "street_office" for k in SHARED})


@pytest.fixture(scope="module")
def district():
    return govsim.compare(DISTRICT, replications=2, horizon_days=20, seed=1)


@pytest.fixture(scope="module")
def street_lead():
    s = _street_lead(govsim.load_scenario(DISTRICT))
    return govsim.compare(s, ["fragmented", "consolidated"], replications=2, horizon_days=20,
                          seed=1)


def test_burden_metrics_are_headline_metrics_with_chinese_names():
    for name in ("street_office_burden_yuan", *PARTS):
        assert name in METRICS and name in HEADLINE and FEASIBLE[name] == (0.0, float("inf"))
        assert metric_name(name, "zh") != name
    at = HEADLINE.index
    assert at("street_office_burden_yuan") < at("street_office_own_duty_yuan") \
        < at("street_office_assigned_duty_yuan") < at("street_office_shifted_cost_yuan")


def _check_parts(cmp: govsim.Comparison) -> None:
    units = cmp.units[cmp.units["kind"] == "street_office"]
    spent = (units["staff_hours"] * units["hourly_cost_yuan"] + units["money_paid_yuan"]) \
        .groupby([units["regime"], units["replication"]], observed=True).sum()
    for row in cmp.metrics.itertuples():
        m = row._asdict()
        # the three parts add up to the burden exactly ...
        assert m["street_office_burden_yuan"] == sum(m[p] for p in PARTS), (row.regime, row.replication)
        # ... the shifted cost's five parts to it (handling is what the others leave) ...
        assert m["street_office_shifted_cost_yuan"] == pytest.approx(
            sum(m[f"street_office_shifted_{p}_yuan"] for p in SHIFTED_PARTS), rel=1e-12, abs=1e-6)
        # ... and the burden is everything the street office spent, each hour and yuan once
        assert m["street_office_burden_yuan"] == pytest.approx(
            spent[(row.regime, row.replication)], rel=1e-9)
        assert all(m[p] >= -1e-6 for p in PARTS)
    # per unit too: own, assigned and shifted hours are all its hours
    u = cmp.units
    np.testing.assert_allclose(u["own_hours"] + u["assigned_hours"] + u["shifted_hours"],
                               u["staff_hours"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        u["own_money_yuan"] + u["assigned_money_yuan"] + u["shifted_money_yuan"],
        u["money_paid_yuan"], rtol=1e-9, atol=1e-6)


def test_parts_add_up_in_every_replication_of_every_regime(district):
    assert len(district.metrics) == 2 * len(district.regimes)
    _check_parts(district)


def test_parts_add_up_with_the_street_office_as_lead(street_lead):
    _check_parts(street_lead)


def test_shipped_district_assigns_nothing_to_the_street_office(district):
    # its leads are the city management bureau and the residents' committee
    assert (district.metrics["street_office_assigned_duty_yuan"] == 0.0).all()
    cons = district.units[(district.units["regime"] == "consolidated")]
    assert cons.groupby("unit", observed=True)["assigned_hours"].sum()[
        ["city_management", "residents_committee"]].gt(0).all()


def test_street_office_as_lead_is_assigned_duty_under_consolidated_only(street_lead):
    m = street_lead.metrics.set_index(["regime", "replication"])
    assert (m.loc["consolidated", "street_office_assigned_duty_yuan"] > 0).all()
    assert (m.loc["consolidated", "street_office_assigned_duty_hours"] > 0).all()
    # no adjudication under the fragmented preset: no ruling, nothing assigned
    assert (m.loc["fragmented", "street_office_assigned_duty_yuan"] == 0).all()
    assert (m.loc["fragmented", "street_office_assigned_duty_hours"] == 0).all()


def test_street_office_as_lead_moves_other_units_hours_into_its_assigned_part(district,
                                                                               street_lead):
    """街道办越位: a ruling for the street office takes the shared categories' work off their
    former leads and puts it on the street office -- as assigned duty, not shifted cost."""
    def hours(cmp: govsim.Comparison) -> object:
        u = cmp.units[cmp.units["regime"] == "consolidated"]
        return u.groupby("unit", observed=True)[
            ["staff_hours", "assigned_hours", "shifted_hours"]].sum()

    before, after = hours(district), hours(street_lead)
    others = ["city_management", "residents_committee"]
    moved_off = (before.loc[others, "staff_hours"] - after.loc[others, "staff_hours"]).sum()
    gained = after.loc["street_office", "staff_hours"] - before.loc["street_office", "staff_hours"]
    assert moved_off > 0 and gained > 0
    assert after.loc[others, "assigned_hours"].sum() == 0.0
    assigned = after.loc["street_office", "assigned_hours"]
    assert before.loc["street_office", "assigned_hours"] == 0.0
    # the shift lands in the assigned part: nearly all the street office's new hours are there,
    # its shifted hours barely move
    assert assigned > 0.8 * gained
    shifted_change = after.loc["street_office", "shifted_hours"] \
        - before.loc["street_office", "shifted_hours"]
    assert abs(shifted_change) < 0.2 * assigned
    b = street_lead.metrics.groupby("regime")["street_office_burden_yuan"].mean()
    a = district.metrics.groupby("regime")["street_office_burden_yuan"].mean()
    assert b["consolidated"] > a["consolidated"]


def test_assigned_duty_counts_time_and_money_from_the_ruling_on():
    """A small world: the street office leads a shared category whose fix it pays for."""
    cats = {"shared": category(owners=["owner", "street"], lead="street", rate_per_day=4.0,
                               fix_cost_yuan=1000.0, work_hours=2.0)}
    s = scenario({"f": fragmented(channels=[{"name": "owner line", "unit": "owner"},
                                            {"name": "street line", "unit": "street"}],
                                  overlap_deflect_prob=0.3),
                  "c": consolidated(adjudication={"dispute_prob": 0.5,
                                                  "meets_every_working_days": 5.0})},
                 categories=cats, horizon_days=40)
    runs = {}
    for regime in ("f", "c"):
        raw = simulate(s, regime, 3, 0)
        rulings = list(raw.log.rulings)
        runs[regime] = (rulings, tables(raw))
    rulings, t = runs["c"]
    assert [(cat, unit) for cat, unit, *_ in rulings] == [(0, 0)]  # one ruling, for the street
    street = t.units.set_index("unit").loc["street"]
    assert street["assigned_hours"] > 0 and street["assigned_money_yuan"] > 0
    # after the ruling the owner does none of it: its work there is a non-owner's (shifted)
    owner = t.units.set_index("unit").loc["owner"]
    assert owner["assigned_hours"] == 0 and owner["assigned_money_yuan"] == 0
    # money paid by the street office with share 1 is the assigned money
    ledger = t.ledger[t.ledger["payer"].astype(str) == "street"]
    after = ledger[ledger["payer_share"] == 1.0]
    assert street["assigned_money_yuan"] == pytest.approx(after["amount_yuan"].sum())
    frag_rulings, frag = runs["f"]
    assert frag_rulings == []
    f_street = frag.units.set_index("unit").loc["street"]
    assert f_street["assigned_hours"] == 0 and f_street["assigned_money_yuan"] == 0
    assert f_street["own_hours"] > 0


def test_burden_is_in_the_table_and_the_json(district):
    text, keys = district.table(), district.table(lang="keys")
    for name in ("street_office_burden_yuan", *PARTS):
        assert metric_name(name) in text and name in keys
    zh = district.table(lang="zh")
    assert metric_name("street_office_burden_yuan", "zh") in zh
    doc = json.loads(json.dumps(results_json(district, HEADLINE)))
    for regime in district.regimes:
        for name in ("street_office_burden_yuan", *PARTS):
            assert doc["regimes"][regime][name]["mean"] is not None
    diff = doc["differences"]["consolidated - fragmented"]
    assert "street_office_burden_yuan" in diff

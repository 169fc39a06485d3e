"""The shipped district scenario: it validates, runs, and the comparison comes out of the
mechanisms (no figure is written in to make it so; these tests only read outcomes)."""

from __future__ import annotations

from pathlib import Path

import pytest

import govsim

DISTRICT = Path(__file__).resolve().parent.parent / "scenarios" / "district.toml"


@pytest.fixture(scope="module")
def short_comparison():
    return govsim.compare(DISTRICT, ["fragmented", "consolidated"], replications=3, seed=1,
                          horizon_days=30, jobs=2)


def test_district_is_district_scale():
    s = govsim.load_scenario(DISTRICT)
    per_year = 365 * sum(c.rate_per_day for c in s.world.categories.values())
    assert 0.8 * 152_136 < per_year < 1.2 * 152_136  # Yangpu's city-management complaints (seed)
    kinds = {u.kind for u in s.world.units.values()}
    assert {"street_office", "property_company", "housing_bureau", "market", "social"} <= kinds
    assert len(s.world.units) >= 8 and len(s.world.categories) >= 6
    cats = s.world.categories
    assert any(c.kind == "consultation" for c in cats.values())
    assert any(c.kind == "market_social" for c in cats.values())
    assert any(len(c.owners) > 1 for c in cats.values())
    assert cats["roof_leak"].fix_money_source == "maintenance_fund"
    assert {r.kind for r in s.regimes.values()} == {"fragmented", "consolidated"}


def test_the_two_presets_differ_only_in_the_rules_the_file_names():
    """A fair district: every assumption the case study does not tie to the rules is shared;
    what differs is the rules (and the centre and channels they need), each named with its
    source in the file's comment above [regimes.fragmented]."""
    s = govsim.load_scenario(DISTRICT)
    a = s.regimes["fragmented"].model_dump()
    b = s.regimes["consolidated"].model_dump()
    differing = {k for k in a if a[k] != b[k]}
    assert differing == {
        "preset", "label", "label_zh",
        "intake", "centre", "channels",                   # 36 numbers merged into one
        "record",                                         # a tracking number per demand
        "routing", "kb_coverage", "accuracy",             # triage and dispatch
        "non_owner",                                      # returned and re-dispatched
        "overlap",                                        # the adjudication group
        "time_limits", "callback", "reopened_requires_real_fix",  # 1-2-5, lights, callbacks
        "escalation",                                     # hotline rungs merged into 12345
    }
    text = DISTRICT.read_text()
    for rule in ("intake, case record, routing", "non-owner", "overlapping duty",
                 "time limits, callbacks", "escalation"):
        assert rule in text
    # the upper rungs of the ladder (newspaper, supervisory office and its meeting) are shared
    assert a["escalation"][-2:] == b["escalation"]


def test_every_number_in_district_carries_a_comment():
    for k, line in enumerate(DISTRICT.read_text().splitlines(), 1):
        code = line.split("#", 1)[0]
        value = code.split("=", 1)[1] if "=" in code else ""
        if any(ch.isdigit() for ch in value) and not value.strip().startswith('"'):
            assert "#" in line, f"line {k} has a number without a source comment: {line!r}"


def test_consolidated_is_faster_and_shifts_less_onto_the_street_office(short_comparison):
    d = short_comparison.differences().set_index("metric")
    for metric in ("resolution_days_median", "street_office_shifted_cost_yuan"):
        assert d.loc[metric, "ci_high"] < 0, metric
    table = short_comparison.table()
    assert "One number, 12345 - Many hotlines (paired)" in table and "[" in table

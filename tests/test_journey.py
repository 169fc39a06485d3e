"""One case's journey: the ordered steps, the contacts table and the swimlane figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from _factory import category, consolidated, fragmented, scenario
from matplotlib.figure import Figure

import govsim
from govsim.figures.swimlane import plot_swimlane, save_swimlane
from govsim.figures.swimlane_marks import TEXT
from govsim.measure.journey import (
    CITIZEN,
    CONTACT_COLUMNS,
    DESCRIPTIONS,
    JOURNEY_COLUMNS,
    case_journey,
    contacts_table,
    describe,
)


@pytest.fixture(scope="module")
def fragmented_run() -> govsim.Results:
    """Channels to a non-owner (which deflects) and to the owner, who patches leaks that recur."""
    cats = {"leak": category(rate_per_day=2.0, surface_fix_prob=0.6, surface_fix_holds_days=8.0)}
    frag = fragmented(
        channels=[{"name": "street line", "unit": "street"}, {"name": "owner line", "unit": "owner"}],
        deflection={"refer_prob": 0.0, "referral_lost_prob": 0.0},
    )
    s = scenario({"frag": frag}, categories=cats, horizon_days=90)
    return govsim.run(s, replications=2, seed=1, jobs=1)


@pytest.fixture(scope="module")
def worst(fragmented_run: govsim.Results) -> tuple[pd.Series, pd.DataFrame]:
    """The case with the most contacts (replication 1, to check replication selection) and its
    journey."""
    cases = fragmented_run.cases
    cases = cases[cases["replication"] == 1]
    row = cases.sort_values("contacts", ascending=False, kind="stable").iloc[0]
    journey = case_journey(fragmented_run.events, int(row["case"]), replication=1)
    return row, journey


@pytest.fixture(scope="module")
def two_regimes() -> govsim.Comparison:
    s = scenario({"frag": fragmented(), "cons": consolidated()},
                 categories={"leak": category(rate_per_day=2.0)}, horizon_days=10)
    return govsim.compare(s, replications=1, seed=3, jobs=1)


# ---------------------------------------------------------------------------- the journey
def test_journey_is_ordered_and_numbered(worst):
    row, journey = worst
    assert row["contacts"] >= 3  # the scenario does fragment cases
    assert tuple(journey.columns) == JOURNEY_COLUMNS
    assert journey["time"].is_monotonic_increasing
    assert journey["step"].tolist() == list(range(1, len(journey) + 1))
    assert journey["activity"].iloc[0] == "file"
    assert journey["time"].iloc[0] == row["first_filing"]
    assert journey["day"].iloc[0] == 0.0 and journey["day"].is_monotonic_increasing
    assert journey["contact"].is_monotonic_increasing and journey["contact"].iloc[0] == 1


def test_journey_counts_the_case_contacts(worst):
    row, journey = worst
    files = journey["activity"] == "file"
    assert int(files.sum()) == int(row["contacts"])
    assert journey.loc[files, "contact"].tolist() == list(range(1, int(row["contacts"]) + 1))
    assert int(journey["contact"].max()) == int(row["contacts"])


def test_journey_units_and_descriptions(worst):
    _, journey = worst
    # steps without a unit (the problem coming back) are the citizen's
    recur = journey["activity"] == "recurrence"
    assert recur.any()
    assert (journey.loc[recur, "unit"] == CITIZEN).all()
    assert set(journey["unit"]) <= {CITIZEN, "street", "owner"}
    assert journey["unit"].map(type).eq(str).all()
    for act, what in zip(journey["activity"], journey["what"], strict=True):
        assert what == DESCRIPTIONS[act]
    assert {"deflect", "surface_fix"} <= set(journey["activity"])


def test_journey_does_not_depend_on_table_order(fragmented_run, worst):
    row, journey = worst
    shuffled = fragmented_run.events.sample(frac=1.0, random_state=0)
    again = case_journey(shuffled, int(row["case"]), replication=1)
    assert again["time"].is_monotonic_increasing
    assert again["step"].tolist() == journey["step"].tolist()
    pd.testing.assert_series_equal(again["time"], journey["time"])
    assert sorted(again["activity"]) == sorted(journey["activity"])


def test_unknown_case_or_replication_is_a_clear_error(fragmented_run):
    n = int((fragmented_run.cases["replication"] == 0).sum())
    with pytest.raises(ValueError, match=rf"case {n} is not in replication 0"):
        case_journey(fragmented_run.events, n)
    with pytest.raises(ValueError, match=r"replication 7 is not in the events table.*0, 1"):
        case_journey(fragmented_run.events, 0, replication=7)
    with pytest.raises(ValueError, match=r"regime 'cons' is not in the events table.*frag"):
        case_journey(fragmented_run.events, 0, regime="cons")
    with pytest.raises(ValueError, match="empty"):
        case_journey(fragmented_run.events.iloc[:0], 0)
    with pytest.raises(ValueError, match="time:timestamp"):
        case_journey(fragmented_run.events.drop(columns="time:timestamp"), 0)


def test_several_regimes_need_a_choice(two_regimes):
    events = two_regimes.events
    with pytest.raises(ValueError, match=r"several regimes.*cons.*frag|several regimes.*frag.*cons"):
        case_journey(events, 0)
    frag = case_journey(events, 0, regime="frag")
    cons = case_journey(events, 0, regime="cons")
    assert set(frag["unit"]) - {CITIZEN} <= {"owner"}
    assert "centre" in set(cons["unit"])
    # common random numbers: the same citizen files first at the same moment under both
    assert frag["time"].iloc[0] == cons["time"].iloc[0]


def test_new_activities_fall_back_to_their_name():
    events = pd.DataFrame({
        "regime": ["r"] * 3,
        "replication": [0, 0, 0],
        "case:concept:name": [5, 5, 5],
        "concept:name": ["mayor_letter", "file", "press_report"],
        "time:timestamp": pd.to_datetime(["2025-01-02 10:00", "2025-01-01 09:00",
                                          "2025-01-03 12:00"]),
        "org:resource": pd.Categorical([np.nan, "desk", "desk"]),
    })
    journey = case_journey(events, 5)
    assert journey["activity"].tolist() == ["file", "mayor_letter", "press_report"]
    assert journey["what"].tolist()[1:] == ["mayor letter", "press report"]
    assert journey["unit"].tolist() == ["desk", CITIZEN, "desk"]
    assert journey["day"].tolist() == pytest.approx([0.0, 25 / 24, 51 / 24])
    assert describe("file") == DESCRIPTIONS["file"]
    table = contacts_table(journey)
    assert table["outcome"].tolist() == ["press_report"]  # an unknown step counts as an outcome
    assert "mayor_letter" not in DESCRIPTIONS
    plt.close(plot_swimlane(journey))  # drawn in the "other" family


def test_steps_between_contacts_are_not_outcomes():
    acts = ["call_abandoned", "file", "ticket", "deflect", "call_abandoned", "escalate", "file",
            "ticket", "work_start", "resolved"]
    units = ["hotline", "street", "street", "street", "hotline", "bureau", "bureau", "owner",
             "owner", "owner"]
    events = pd.DataFrame({
        "regime": "r",
        "replication": 0,
        "case:concept:name": 0,
        "concept:name": acts,
        "time:timestamp": pd.Timestamp("2025-03-03") + pd.to_timedelta(
            [0, 1, 1, 2, 30, 48, 48, 49, 50, 60], unit="h"),
        "org:resource": units,
    })
    journey = case_journey(events, 0)
    assert journey["contact"].tolist() == [0, 1, 1, 1, 1, 1, 2, 2, 2, 2]
    assert journey["day"].iloc[0] == pytest.approx(-1 / 24)
    table = contacts_table(journey)
    assert table["outcome"].tolist() == ["deflect", "resolved"]
    assert table["units"].tolist() == [["street"], ["bureau", "owner"]]
    assert table["unit"].tolist() == ["street", "bureau"]


# ------------------------------------------------------------------------- contacts table
def test_contacts_table_has_one_row_per_contact(worst):
    row, journey = worst
    table = contacts_table(journey)
    assert tuple(table.columns) == CONTACT_COLUMNS
    assert len(table) == int(row["contacts"])
    assert table["contact"].tolist() == list(range(1, len(table) + 1))
    assert table["steps"].sum() == len(journey)
    files = journey[journey["activity"] == "file"]
    assert table["time"].tolist() == files["time"].tolist()
    assert table["unit"].tolist() == files["unit"].tolist()
    assert set(table["outcome"]) <= {"deflect", "surface_fix", "resolved", "abandon", "open"}
    assert "deflect" in set(table["outcome"]) and "surface_fix" in set(table["outcome"])
    for unit, units in zip(table["unit"], table["units"], strict=True):
        assert units[0] == unit and CITIZEN not in units
    last = {"resolved": "resolved", "abandoned": "abandon"}.get(str(row["state"]))
    if last is not None:
        assert table["outcome"].iloc[-1] == last
    # the outcome is one of the contact's own steps
    for _, c in table.iterrows():
        acts = set(journey.loc[journey["contact"] == c["contact"], "activity"])
        assert c["outcome"] in acts or c["outcome"] == "open"


def test_every_contact_of_a_run_is_accounted_for(fragmented_run):
    events, cases = fragmented_run.events, fragmented_run.cases
    for rep in (0, 1):
        sub = cases[cases["replication"] == rep]
        for case in sub["case"].head(15):
            table = contacts_table(case_journey(events, int(case), replication=rep))
            assert len(table) == int(sub.loc[sub["case"] == case, "contacts"].iloc[0])


# ----------------------------------------------------------------------------- the figure
def test_plot_swimlane_lanes(worst):
    _, journey = worst
    fig = plot_swimlane(journey)
    try:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        lanes = [t.get_text() for t in ax.get_yticklabels()]
        first_seen = list(dict.fromkeys(u for u in journey["unit"] if u != CITIZEN))
        # the contact numbers' strip on top, then the citizen, then units as they appear
        assert lanes == [TEXT["lane.contacts"], CITIZEN, *first_seen]
        assert ax.get_legend() is not None
        assert ax.get_title(loc="left").startswith("One case's journey")
    finally:
        plt.close(fig)


def test_plot_swimlane_into_given_axes(worst):
    _, journey = worst
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_swimlane(journey, ax=ax, title="my case") is fig
    assert ax.get_title(loc="left") == "my case"


def test_save_swimlane_png_and_svg(worst, tmp_path):
    _, journey = worst
    png = save_swimlane(journey, tmp_path / "case.png")
    assert png == tmp_path / "case.png"
    data = png.read_bytes()
    assert len(data) > 1000 and data.startswith(b"\x89PNG")
    svg = save_swimlane(journey, str(tmp_path / "case.SVG"), title="a case")
    assert "<svg" in svg.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.SVG", "case.png"]


def test_save_swimlane_refuses_other_suffixes(worst, tmp_path):
    _, journey = worst
    with pytest.raises(ValueError, match=r"\.pdf"):
        save_swimlane(journey, tmp_path / "case.pdf")
    with pytest.raises(ValueError, match="no suffix"):
        save_swimlane(journey, tmp_path / "case")
    assert list(tmp_path.iterdir()) == []


def test_figure_needs_a_journey():
    with pytest.raises(ValueError, match="journey"):
        plot_swimlane(pd.DataFrame({"x": [1]}))

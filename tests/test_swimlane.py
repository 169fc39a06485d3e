"""The swimlane for long histories and either regime, checked against the run's own records:
contact numbers that never overlap and account for every contact once, meetings with their
attendees, money in yuan, and filings outside office hours."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import govsim
from govsim.calendar import parse_hours
from govsim.figures import swimlane_marks
from govsim.figures.swimlane import plot_swimlane
from govsim.figures.swimlane_marks import (
    TEXT,
    SwimlaneMarks,
    contact_groups,
    parse_range,
)
from govsim.measure.journey import (
    JOURNEY_COLUMNS,
    case_journey,
    journey_from,
    office_hours_mask,
)
from govsim.model.state import build_calendar

# Fixed seeds of the shipped leak (one case per replication), chosen for what they show:
LONG = 8  # 286 contacts over eight years; a residents' committee meeting and the 14-unit one
ABSENT = 4  # the 14-unit coordination meeting with one invitee absent (13 came)
REPAID = 22  # six residents' committee meetings in a row, an advance and its recovery


def _leak(seed: int, regime: str = "fragmented") -> govsim.Results:
    return govsim.run("shanghai_leak", regime=regime, replications=1, seed=seed)


@pytest.fixture(scope="module")
def leak() -> dict[int, govsim.Results]:
    return {seed: _leak(seed) for seed in (LONG, ABSENT, REPAID)}


@pytest.fixture(scope="module")
def leak_12345() -> govsim.Results:
    return _leak(5, "consolidated")


@pytest.fixture(scope="module")
def district() -> govsim.Comparison:
    return govsim.compare("district", ["fragmented", "consolidated"], replications=1, seed=2,
                          horizon_days=12, jobs=1)


def _drawn(journey: pd.DataFrame, figsize: tuple[float, float] | None = None,
           dense: bool | None = None) -> tuple[Figure, SwimlaneMarks]:
    if figsize is None:
        fig = plot_swimlane(journey, dense=dense)
    else:
        fig = plt.figure(figsize=figsize, layout="constrained")
        plot_swimlane(journey, ax=fig.add_subplot(), dense=dense)
    fig.canvas.draw()
    marks = [a for a in fig.axes[0].artists if isinstance(a, SwimlaneMarks)]
    assert len(marks) == 1
    return fig, marks[0]


def _disjoint(boxes: list) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap (touching edges allowed)."""
    return [(i, j) for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2)
            if a.x0 < b.x1 - 1e-6 and b.x0 < a.x1 - 1e-6 and a.y0 < b.y1 - 1e-6
            and b.y0 < a.y1 - 1e-6]


# -------------------------------------------------------------------- contact numbers
@pytest.mark.parametrize("figsize", [None, (8.0, 9.0)])
def test_contact_numbers_cover_every_contact_once_and_never_overlap(leak, figsize):
    res = leak[LONG]
    n = int(res.cases["contacts"].iloc[0])
    assert n > 250  # a long history
    fig, marks = _drawn(journey_from(res, 0), figsize)
    try:
        labels = [t.get_text() for t in marks.contact_texts]
        ranges = [parse_range(label) for label in labels]
        assert ranges == marks.groups
        numbers = [k for first, last in ranges for k in range(first, last + 1)]
        assert numbers == list(range(1, n + 1))  # each once, in order
        assert any(first < last for first, last in ranges)  # crowds folded into ranges
        if figsize is None:  # (the narrow axes fold more)
            assert len(ranges) >= 10
            assert sum(first == last for first, last in ranges) >= 2  # lone filings kept
        boxes = [t.get_window_extent() for t in marks.contact_texts]
        assert not _disjoint(boxes)
        # nor do they overlap the notes (money, meetings), and all are inside the axes
        notes = [t.get_window_extent() for t in marks.note_texts]
        assert len(notes) >= 3 and not _disjoint(boxes + notes)
        frame = fig.axes[0].get_window_extent()
        for b in boxes + notes:
            assert frame.x0 - 1 <= b.x0 and b.x1 <= frame.x1 + 1
            assert frame.y0 - 1 <= b.y0 and b.y1 <= frame.y1 + 1
    finally:
        plt.close(fig)


def test_a_few_filings_are_numbered_one_by_one(district):
    cases = district.cases[district.cases["regime"] == "fragmented"]
    row = cases.sort_values("contacts", ascending=False, kind="stable").iloc[0]
    fig, marks = _drawn(journey_from(district, int(row["case"]), regime="fragmented"))
    try:
        n = int(row["contacts"])
        assert 3 <= n <= 10
        assert marks.groups == [(k, k) for k in range(1, n + 1)]
        assert [t.get_text() for t in marks.contact_texts] == [str(k) for k in range(1, n + 1)]
    finally:
        plt.close(fig)


def test_contact_groups_fold_only_what_collides():
    x = [0.0, 100.0, 103.0, 106.0, 109.0, 300.0]
    groups = contact_groups(x, lambda a, b: 10.0 if a == b else 20.0, rows=1, gap=2.0)
    assert groups == [(0, 0, 0, 0.0), (1, 4, 0, 104.5), (5, 5, 0, 300.0)]
    # with two rows, neighbours take turns before anything is folded
    two = contact_groups(x, lambda a, b: 4.0 if a == b else 8.0, rows=2, gap=1.0)
    assert [(a, b) for a, b, _, _ in two] == [(k, k) for k in range(6)]
    assert [r for _, _, r, _ in two] == [0, 0, 1, 0, 1, 0]
    # labels are kept within bounds
    inside = contact_groups(x, lambda a, b: 10.0, rows=1, gap=2.0, bounds=(-1.0, 302.0))
    assert inside[0][3] == 4.0 and inside[-1][3] == 297.0
    assert contact_groups([], lambda a, b: 1.0) == []


# ---------------------------------------------------------------------------- meetings
@pytest.mark.parametrize("seed", [LONG, ABSENT, REPAID])
def test_meeting_notes_count_the_attendees_the_run_recorded(leak, seed):
    res = leak[seed]
    row = res.cases.iloc[0]
    journey = journey_from(res, 0)
    meetings = journey[journey["activity"] == "meeting"]
    assert len(meetings) == int(row["meetings"]) >= 2
    # the journey: every meeting's attendance, adding up to the cases table's
    assert meetings["attendees"].notna().all()
    assert meetings["attendees"].sum() == row["meeting_attendees"]
    assert meetings["attendees"].max() == row["largest_meeting"]
    ladder = {r.unit: r.meeting for r in res.scenario.regimes["fragmented"].escalation
              if r.meeting is not None}
    for unit, invited, came in zip(meetings["unit"], meetings["invited"],
                                   meetings["attendees"], strict=True):
        assert invited == tuple(ladder[unit].attendees)
        assert came <= len(invited)
    fig, marks = _drawn(journey)
    try:
        notes = [(n, t.get_text()) for n, t in zip(marks.notes, marks.note_texts, strict=True)
                 if n.kind == "meeting"]
        assert sum(n.count for n, _ in notes) == int(row["meetings"])
        assert sum(n.value * n.count for n, _ in notes) == row["meeting_attendees"]
        for note, label in notes:
            # the note says how many came (and how many were invited, when some stayed away)
            shown = [int(v) for v in re.findall(r"\d+", label)]
            assert int(note.value) in shown and (note.count == 1 or note.count in shown)
        # the big meeting: its 14 invitees each have a lane
        lanes = {t.get_text() for t in fig.axes[0].get_yticklabels()}
        assert set(ladder["anti_malpractice_office"].attendees) <= lanes
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        invitations = sum(len(i) - 1 for i in meetings["invited"])  # the convener aside
        assert f"  invited to a meeting ({invitations})" in legend
    finally:
        plt.close(fig)


def test_an_absent_invitee_is_shown(leak):
    res = leak[ABSENT]
    journey = journey_from(res, 0)
    big = journey[(journey["activity"] == "meeting")
                  & (journey["unit"] == "anti_malpractice_office")].iloc[0]
    assert big["attendees"] == res.cases["largest_meeting"].iloc[0] == 13
    assert len(big["invited"]) == 14
    fig, marks = _drawn(journey)
    try:
        assert "meeting of 13 units (14 invited)" in [t.get_text() for t in marks.note_texts]
    finally:
        plt.close(fig)


def test_like_meetings_share_a_note(leak):
    fig, marks = _drawn(journey_from(leak[REPAID], 0))
    try:
        counts = sorted(n.count for n in marks.notes if n.kind == "meeting")
        assert counts == [1, 6]
        assert "6 meetings\nof 4 units each" in [t.get_text() for t in marks.note_texts]
    finally:
        plt.close(fig)


# ------------------------------------------------------------------------------- money
def _yuan(label: str) -> float:
    return float(re.search(r"¥([\d,]+)", label).group(1).replace(",", ""))


@pytest.mark.parametrize("which", ["long", "repaid", "12345"])
def test_money_notes_are_the_ledgers_amounts(leak, leak_12345, which):
    res = {"long": leak[LONG], "repaid": leak[REPAID], "12345": leak_12345}[which]
    ledger = res.ledger
    journey = journey_from(res, 0)
    fig, marks = _drawn(journey)
    try:
        money = {t.get_text(): n for n, t in zip(marks.notes, marks.note_texts, strict=True)
                 if n.kind == "money"}
        for label, note in money.items():
            assert _yuan(label) == note.value
        by_kind = {k: g["amount_yuan"].tolist() for k, g in ledger.groupby("kind", observed=True)}
        shown = sorted(note.value for note in money.values())
        expected = sorted(by_kind.get("advance", []) + by_kind.get("real_fix", [])
                          + [-a for a in by_kind.get("recovery", []) if a < 0])
        assert shown == expected and shown
        if which == "repaid":
            assert {"¥90,000 advanced", "¥90,000 paid back"} <= set(money)
        if which == "12345":
            assert set(money) == {"¥90,000 released"}
        # patches are summed in the legend
        patches = by_kind.get("surface_fix", [])
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        if patches:
            assert f"surface repair ({len(patches)}; ¥{sum(patches):,.0f})" in legend
    finally:
        plt.close(fig)


def test_every_payment_of_a_district_run_lands_on_one_step(district):
    ledger, cases = district.ledger, district.cases
    checked = 0
    for regime in ("fragmented", "consolidated"):
        mine = ledger[ledger["regime"] == regime]
        paid_cases = pd.unique(mine["case"])[:60]
        for case in paid_cases:
            rows = mine[mine["case"] == case]
            journey = case_journey(district.events, int(case), regime=regime, ledger=ledger,
                                   cases=cases, scenario=district.scenario)
            amount = journey["amount_yuan"]
            assert amount.notna().sum() == len(rows)  # one step per payment
            for kind, acts in (("surface_fix", {"surface_fix"}),
                               ("real_fix", {"resolved", "share_done", "fund_release"})):
                on = journey["activity"].isin(acts) & amount.notna()
                want = rows.loc[rows["kind"] == kind, "amount_yuan"]
                assert amount[on].sum() == pytest.approx(want.sum())
                assert on.sum() == len(want)
            checked += 1
    assert checked >= 60


def test_without_a_ledger_no_money_is_claimed(leak):
    res = leak[LONG]
    journey = case_journey(res.events, 0)
    assert tuple(journey.columns) == JOURNEY_COLUMNS
    assert journey["amount_yuan"].isna().all()
    assert journey["invited"].isna().all() and journey["attendees"].isna().all()
    fig, marks = _drawn(journey)
    try:
        assert not marks.note_texts
    finally:
        plt.close(fig)


# ------------------------------------------------------------------------ office hours
def _outside_by_the_model(res: govsim.Results, times: pd.Series) -> int:
    """Filings outside office hours by the model's own clock (its calendar, its office)."""
    s = res.scenario
    official = build_calendar(s).office(parse_hours(s.world.calendar.office_hours))
    hours = (pd.to_datetime(times) - pd.Timestamp(s.world.start)) / pd.Timedelta(hours=1)
    return sum(not official.is_open(float(h)) for h in hours)


@pytest.mark.parametrize("which", ["long", "12345"])
def test_filings_outside_office_hours_are_counted_and_hollow(leak, leak_12345, which):
    res = leak[LONG] if which == "long" else leak_12345
    journey = journey_from(res, 0)
    files = journey[journey["activity"] == "file"]
    outside = _outside_by_the_model(res, files["time"])
    assert int((~files["office_hours"]).sum()) == outside
    assert outside >= 1
    # (a crowded case counts its filings in bars unless asked to mark every step)
    fig, _ = _drawn(journey, dense=False)
    try:
        ax = fig.axes[0]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert f"  outside office hours ({outside})" in legend
        # drawn hollow: white inside, edged in the filing colour
        hollow = [c for c in ax.collections if len(c.get_offsets()) == outside
                  and np.allclose(c.get_facecolor()[0][:3], 1.0)]
        assert hollow
    finally:
        plt.close(fig)


def test_office_hours_follow_the_scenario_calendar(leak):
    s = leak[LONG].scenario
    times = pd.to_datetime([
        "2006-09-25 08:29", "2006-09-25 08:30", "2006-09-25 17:29", "2006-09-25 17:30",
        "2006-09-30 10:00",  # a Saturday worked in exchange for the National Day week
        "2006-10-03 10:00",  # a Tuesday of the National Day holiday
        "2006-10-07 10:00",  # a Saturday of it
    ])
    assert office_hours_mask(times, s).tolist() == [False, True, True, False, True, False,
                                                    False]
    # without a scenario: 08:30-17:30, Monday to Friday, no public holidays
    assert office_hours_mask(times).tolist() == [False, True, True, False, False, True, False]
    assert dt.date(2006, 10, 3).weekday() == 1


# ------------------------------------------------------------------- the other regime
def test_a_consolidated_case_is_drawn(district):
    cases = district.cases[district.cases["regime"] == "consolidated"]
    row = cases.sort_values(["contacts", "case"], ascending=[False, True], kind="stable").iloc[0]
    journey = journey_from(district, int(row["case"]), regime="consolidated")
    assert {"dispatch", "callback"} <= set(journey["activity"])
    fig, marks = _drawn(journey)
    try:
        lanes = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert lanes[:2] == [TEXT["lane.contacts"], "citizen"]
        assert "centre" in lanes or any("12345" in lane for lane in lanes)
        numbers = [k for a, b in marks.groups for k in range(a, b + 1)]
        assert numbers == list(range(1, int(row["contacts"]) + 1))
    finally:
        plt.close(fig)


# ------------------------------------------------------------------------------ words
def test_every_word_comes_from_the_one_mapping(leak, monkeypatch):
    for key, value in TEXT.items():
        monkeypatch.setitem(TEXT, key, "§" + value)
    monkeypatch.setitem(swimlane_marks.ACTIVITY_TEXT, "file", "§file")
    fig, marks = _drawn(journey_from(leak[REPAID], 0))
    try:
        ax = fig.axes[0]
        assert ax.get_title(loc="left").startswith("§")
        legend = ax.get_legend()
        assert legend.get_title().get_text().startswith("§")
        assert all("§" in t.get_text() for t in legend.get_texts())
        assert ax.get_yticklabels()[0].get_text() == "§contact no."
        assert ax.get_yticklabels()[1].get_text() == "§citizen"
        top = [c for c in ax.child_axes if c.get_xlabel()]
        assert top and top[0].get_xlabel().startswith("§")
        assert marks.note_texts and all("§" in t.get_text() for t in marks.note_texts)
        ranges = [t.get_text() for t in marks.contact_texts if not t.get_text().isdigit()]
        assert ranges and all(r.startswith("§") for r in ranges)
    finally:
        plt.close(fig)


def test_a_table_without_the_new_columns_still_draws(leak):
    journey = journey_from(leak[LONG], 0)
    bare = journey[["step", "time", "day", "contact", "unit", "activity", "what"]]
    fig, marks = _drawn(bare)
    try:
        n = int(journey["contact"].max())
        assert [k for a, b in marks.groups for k in range(a, b + 1)] == list(range(1, n + 1))
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        default = int((~office_hours_mask(bare.loc[bare["activity"] == "file", "time"])).sum())
        assert f"  outside office hours ({default})" in legend
    finally:
        plt.close(fig)


def test_extra_tables_are_checked(leak):
    res = leak[LONG]
    with pytest.raises(ValueError, match="ledger table lacks.*amount_yuan"):
        case_journey(res.events, 0, ledger=res.ledger.drop(columns="amount_yuan"))
    with pytest.raises(ValueError, match="cases table lacks.*meeting_attendees"):
        case_journey(res.events, 0, cases=res.cases.drop(columns="meeting_attendees"))
    other = govsim.load_scenario("district")
    with pytest.raises(ValueError, match="no regime 'fragmented'|has no regime"):
        case_journey(res.events, 0, scenario=other.model_copy(
            update={"regimes": {"x": other.regimes["consolidated"]}}))

"""The classroom lesson's library: the case study's tables (govsim.measure.lesson), the
try-it-yourself levers run through govsim.what_if (govsim.experiment.lesson) and their sliders
(govsim.experiment.lesson_widgets)."""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.errors import GovsimError
from govsim.experiment import lesson as xl
from govsim.experiment import lesson_widgets as xw
from govsim.experiment.whatif import BASE, CHANGED
from govsim.measure import lesson as ml
from govsim.measure.casestudy import case_outcomes
from govsim.measure.journey import contacts_table, journey_from
from govsim.scenario import load_scenario, with_values

SEED = 2026


@pytest.fixture(scope="module")
def leak() -> govsim.Comparison:
    return govsim.compare("shanghai_leak", ["fragmented", "consolidated"], replications=6,
                          seed=SEED, executor="serial")


@pytest.fixture(scope="module")
def journey(leak: govsim.Comparison) -> pd.DataFrame:
    longest = int(leak.cases[leak.cases["regime"] == "fragmented"]
                  .sort_values("contacts").iloc[-1]["replication"])
    return journey_from(leak, case=0, replication=longest, regime="fragmented")


# -- the case study's tables ------------------------------------------------------------------

def test_ingredients_read_the_scenario_and_follow_its_changes() -> None:
    s = load_scenario("shanghai_leak")
    table = ml.ingredients(s)
    assert list(table.columns) == ["value", "source"]
    assert len(table) == len(ml.LEAK_INGREDIENTS)
    frag = s.regimes["fragmented"]
    meeting = [r.meeting for r in frag.escalation if r.meeting][-1]
    assert table.loc["units invited to the coordination meeting", "value"] == \
        len(meeting.attendees)
    assert table.loc["maintenance fund open?", "value"] is False
    assert table.loc["chance the advance is ever repaid", "value"] == frag.funding.recovery_prob
    changed = with_values(s, {"world.funds.maintenance_fund.available": True,
                              "regimes.fragmented.funding.recovery_prob": 0.35})
    again = ml.ingredients(changed)
    assert again.loc["maintenance fund open?", "value"] is True
    assert again.loc["chance the advance is ever repaid", "value"] == 0.35
    assert all(str(src).split(":")[0].split(" ")[0] in {"seed", "fitted", "assumption"}
               for src in table["source"])


def test_ingredients_of_another_scenario_name_the_row() -> None:
    with pytest.raises(GovsimError, match="the leak arises on") as err:
        ml.ingredients(load_scenario("district"))
    assert err.value.path == "scenario"


def test_most_like_takes_the_closest_row_and_skips_missing_values() -> None:
    table = pd.DataFrame({"reports": [90.0, 125.0, 121.0, 300.0],
                          "years": [7.0, 7.4, np.nan, 7.3]}, index=[10, 11, 12, 13])
    assert ml.most_like(table, {"reports": 121, "years": 7.3}) == 11
    assert ml.most_like(table, {"reports": 121}) == 12
    with pytest.raises(GovsimError, match="no column 'nope'"):
        ml.most_like(table, {"nope": 1})
    with pytest.raises(GovsimError):
        ml.most_like(table.assign(years=np.nan), {"years": 7.3})


def test_years_until_counts_from_the_first_filing() -> None:
    day = pd.Timestamp("2006-01-01")
    cases = pd.DataFrame({"regime": ["fragmented"] * 2, "replication": [0, 1], "case": [0, 0],
                          "first_filing": [day, day + pd.Timedelta(days=100)]})
    events = pd.DataFrame({
        "regime": ["fragmented"] * 3, "replication": [0, 0, 1],
        "concept:name": ["advance", "advance", "file"],
        "time:timestamp": [day + pd.Timedelta(days=730.5), day + pd.Timedelta(days=2000), day]})
    years = ml.years_until(cases, events, "advance")
    assert years.loc[0] == pytest.approx(2.0)
    assert np.isnan(years.loc[1])
    with pytest.raises(GovsimError):
        ml.years_until(cases, events.iloc[:0], "advance")


def test_years_until_a_real_run_matches_the_event_log(leak: govsim.Comparison) -> None:
    years = ml.years_until(leak.cases, leak.events, "advance")
    assert list(years.index) == sorted(leak.cases["replication"].unique())
    ev = leak.events
    adv = ev[(ev["regime"] == "fragmented") & (ev["concept:name"] == "advance")]
    assert years.notna().sum() == adv["replication"].nunique()
    assert (years.dropna() > 0).all()


def test_first_report_and_key_moments(journey: pd.DataFrame) -> None:
    assert ml.first_report(journey) == 1
    assert ml.first_report(journey, "no_such_step") is None
    moments = ml.key_moments(journey)
    numbers = [k for _, k in moments]
    assert numbers == sorted(numbers)
    assert moments[0] == ("the first report", 1)
    for title, k in moments:
        activity, unit = next((a, u) for t, a, u in ml.KEY_MOMENTS if t == title)
        steps = journey[journey["contact"] == k]
        if activity is not None:
            assert activity in set(steps["activity"])
        if unit is not None:
            assert unit in set(steps["unit"])


def test_report_steps_show_one_report(journey: pd.DataFrame) -> None:
    contacts = contacts_table(journey)
    k = int(contacts["contact"].iloc[len(contacts) // 2])
    view = ml.report_steps(journey, contacts, k)
    assert view.number == k and view.reports == len(contacts)
    assert view.title.startswith(f"Report {k} of {len(contacts)}")
    assert len(view.steps) == int((journey["contact"] == k).sum())
    assert "<table" in view._repr_html_() and view.title in str(view)
    with pytest.raises(GovsimError, match=f"1 to {len(contacts)}") as err:
        ml.report_steps(journey, contacts, len(contacts) + 1)
    assert err.value.path == "k"


def test_outcome_counts_name_outcomes_in_words(journey: pd.DataFrame) -> None:
    contacts = contacts_table(journey)
    words = ml.outcome_counts(contacts)
    keys = ml.outcome_counts(contacts, "keys")
    assert words.sum() == keys.sum() == len(contacts)
    assert set(keys.index) == set(contacts["outcome"])
    if "deflect" in set(keys.index):
        assert "'not ours'" in set(words.index)


def test_where_figures_fall(leak: govsim.Comparison) -> None:
    outcomes = case_outcomes(leak.cases, leak.events, reports_within_years=6.0)
    years = ml.years_until(leak.cases, leak.events, "advance")
    table = ml.where_figures_fall(outcomes, years)
    assert list(table.index) == [f for f, _, _ in ml.CASE_STUDY_FIGURES]
    below = table["share of histories below"]
    assert ((below >= 0) & (below <= table["below or equal"]) & (table["below or equal"] <= 1)).all()
    frag = outcomes[outcomes["regime"] == "fragmented"]
    assert below["reports within six years"] == pytest.approx((frag["reports_by"] < 121).mean())
    assert below["years to the coordination meeting"] == pytest.approx(
        (years.fillna(np.inf) < 7.3).mean())


@pytest.mark.parametrize(("mean", "low", "high", "words"), [
    (0.0, 0.0, 0.0, "no difference"), (5.0, 1.0, 9.0, "higher"), (-5.0, -9.0, -1.0, "lower"),
    (-1.0, -3.0, 1.0, "cannot be told from chance"), (1.0, np.nan, np.nan,
                                                     "cannot be told from chance"),
    (np.nan, np.nan, np.nan, "n/a")])
def test_verdict(mean: float, low: float, high: float, words: str) -> None:
    assert ml.verdict(mean, low, high) == words


# -- the levers ---------------------------------------------------------------------------------

def test_lever_values_are_the_files() -> None:
    leak = load_scenario("shanghai_leak")
    values = xl.lever_values(leak, xl.ROOF_LEVERS)
    assert values == {"fund_open": leak.world.funds["maintenance_fund"].available,
                      "referral_lost": leak.regimes["fragmented"].deflection.referral_lost_prob,
                      "false_solved": leak.regimes["fragmented"].false_closure_prob,
                      "repaid": leak.regimes["fragmented"].funding.recovery_prob}
    district = load_scenario("district")
    assert xl.lever_values("district", xl.CENTRE_LEVERS) == {
        "coverage": district.regimes["consolidated"].kb_coverage,
        "accuracy": district.regimes["consolidated"].accuracy}
    for lv in (*xl.ROOF_LEVERS, *xl.CENTRE_LEVERS):   # every slider starts at the file's value
        value = (values | xl.lever_values(district, xl.CENTRE_LEVERS))[lv.name]
        if lv.low is not None:
            assert lv.low <= value <= lv.high
            assert abs(round((value - lv.low) / lv.step) * lv.step + lv.low - value) < 1e-9


ROOF_METRICS = ["resolved_share", "contacts_per_case", "street_office_shifted_advance_yuan"]


def test_lesson_at_the_files_values_shows_no_difference() -> None:
    roof = xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                           replications=4, seed=SEED)
    view = roof()
    assert list(view.comparison.regimes) == [BASE, CHANGED]
    assert list(view.table.columns) == ["as written", "changed", "changed − as written",
                                        "the change"]
    assert (view.table["the change"] == "no difference").all()
    assert (view.table["as written"] == view.table["changed"]).all()
    assert "4 replications" in view.caption and "<table" in view._repr_html_()


def test_lesson_shows_the_paired_difference_of_a_change() -> None:
    roof = xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                           replications=6, seed=SEED)
    view = roof(repaid=1.0)
    cmp = view.comparison
    m = cmp.metrics.set_index(["regime", "replication"])["street_office_shifted_advance_yuan"]
    diffs = m[CHANGED] - m[BASE]
    assert (diffs <= 0).all()               # repaid advances can only lower what is owed
    row = view.table.iloc[ROOF_METRICS.index("street_office_shifted_advance_yuan")]
    expected = xl._cell(*cmp.differences(["street_office_shifted_advance_yuan"])
                        [["mean_diff", "ci_low", "ci_high"]].iloc[0])
    assert row["changed − as written"] == expected
    assert row["the change"] in {"lower", "cannot be told from chance"}
    # the household files exactly as often: repayment changes nothing it sees
    assert view.table.iloc[ROOF_METRICS.index("contacts_per_case")]["the change"] == \
        "no difference"


def test_lesson_against_a_reference_run_on_the_same_worlds() -> None:
    ref = govsim.compare("shanghai_leak", ["fragmented", "consolidated"], replications=4,
                         seed=SEED, executor="serial", record_events=False)
    levers = [xl.Lever("accuracy", "regimes.consolidated.accuracy", "dispatch accuracy",
                       0.3, 1.0, 0.05)]
    one = xl.WhatIfLesson("shanghai_leak", "consolidated", levers, ROOF_METRICS,
                          replications=4, seed=SEED, reference=ref,
                          reference_regime="fragmented")
    table = one().table
    label = ref.names("en").regime("fragmented")
    expected = ref.differences(ROOF_METRICS).set_index("metric")
    for i, metric in enumerate(ROOF_METRICS):   # unchanged: changed − many hotlines = B − A
        e = expected.loc[metric]
        assert table.iloc[i][f"changed − {label}"] == xl._cell(e["mean_diff"], e["ci_low"],
                                                               e["ci_high"])
        assert table.iloc[i][f"against {label}"] == ml.verdict(e["mean_diff"], e["ci_low"],
                                                               e["ci_high"])
    with pytest.raises(GovsimError, match="same to be paired") as err:
        xl.WhatIfLesson("shanghai_leak", "consolidated", levers, ROOF_METRICS,
                        replications=4, seed=SEED + 1, reference=ref,
                        reference_regime="fragmented")
    assert err.value.path == "reference"
    with pytest.raises(GovsimError) as err:
        xl.WhatIfLesson("shanghai_leak", "consolidated", levers, ROOF_METRICS,
                        replications=4, seed=SEED, reference=ref, reference_regime="nope")
    assert err.value.path == "reference_regime"


def test_lesson_checks_what_it_is_given() -> None:
    with pytest.raises(GovsimError) as err:
        xl.WhatIfLesson("shanghai_leak", "fragmented",
                        [xl.Lever("x", "regimes.fragmented.no_such_key", "x", 0, 1, 0.1)],
                        ROOF_METRICS, replications=2)
    assert err.value.path == "levers.x"
    with pytest.raises(GovsimError) as err:
        xl.WhatIfLesson("shanghai_leak", "nope", xl.ROOF_LEVERS, ROOF_METRICS)
    assert err.value.path == "regime"
    with pytest.raises(GovsimError) as err:
        xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ["no_metric"])
    assert err.value.path == "metrics"
    roof = xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                           replications=2)
    with pytest.raises(GovsimError, match="no lever named 'speed'"):
        roof.changes(speed=1.0)
    with pytest.raises(GovsimError) as err:
        roof.changes(repaid="a lot")
    assert err.value.path == "values.repaid"
    assert roof.changes(fund_open=1)["world.funds.maintenance_fund.available"] is True


def test_explore_without_widgets_runs_once_at_the_files_values(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)    # import ipywidgets fails
    roof = xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                           replications=2, seed=SEED)
    view = xw.explore(roof)
    assert isinstance(view, xl.ChangeView)
    assert (view.table["the change"] == "no difference").all()


def test_explore_with_widgets_labels_in_full_and_runs_on_release(
        monkeypatch: pytest.MonkeyPatch) -> None:
    made: dict[str, dict] = {}

    def widget(kind: str):
        def make(**kw):
            made[kw["description"]] = {"kind": kind, **kw}
            return types.SimpleNamespace(kind=kind, **kw)
        return make

    calls: list[dict] = []

    def interact(fn, **controls):
        calls.append(controls)
        fn(**{name: c.value for name, c in controls.items()})   # as interact does, once
        return fn

    fake = types.ModuleType("ipywidgets")
    fake.Checkbox, fake.FloatSlider = widget("checkbox"), widget("slider")
    fake.Layout = lambda **kw: kw
    fake.interact = interact
    monkeypatch.setitem(sys.modules, "ipywidgets", fake)
    roof = xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                           replications=2, seed=SEED)
    assert xw.explore(roof) is None
    assert len(calls) == 1 and set(calls[0]) == {lv.name for lv in xl.ROOF_LEVERS}
    for lv in xl.ROOF_LEVERS:
        w = made[lv.label]
        assert w["style"] == {"description_width": "initial"}
        assert w["value"] == roof.defaults()[lv.name]
        if lv.low is None:
            assert w["kind"] == "checkbox"
        else:
            assert w["kind"] == "slider" and w["continuous_update"] is False
            assert (w["min"], w["max"], w["step"]) == (lv.low, lv.high, lv.step)


def test_browse_reports_with_and_without_widgets(journey: pd.DataFrame,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    contacts = contacts_table(journey)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    view = xw.browse_reports(journey, contacts, start=2)
    assert isinstance(view, ml.ReportSteps) and view.number == 2
    with pytest.raises(GovsimError):
        xw.browse_reports(journey, contacts, start=len(contacts) + 5)
    shown: list[ml.ReportSteps] = []
    fake = types.ModuleType("ipywidgets")
    fake.IntSlider = lambda **kw: types.SimpleNamespace(**kw)
    fake.Layout = lambda **kw: kw
    fake.interact = lambda fn, **c: shown.append(fn(**{k: w.value for k, w in c.items()}))
    monkeypatch.setitem(sys.modules, "ipywidgets", fake)
    assert xw.browse_reports(journey, contacts, start=3) is None
    assert [v.number for v in shown] == [3]


def test_lesson_at_the_files_values_reuses_the_run_it_was_given(
        leak: govsim.Comparison, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                          replications=6, seed=SEED)()
    reused = xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                             replications=6, seed=SEED, as_written=leak)

    def no_run(*args, **kwargs):
        raise AssertionError("ran a simulation at the file's values")

    monkeypatch.setattr(xl, "what_if", no_run)
    view = reused()
    assert view.comparison is None and "nothing new was run" in view.caption
    pd.testing.assert_frame_equal(view.table, ran.table)
    with pytest.raises(AssertionError, match="ran a simulation"):
        reused(repaid=0.5)                  # a change runs


def test_as_written_must_be_the_same_runs(leak: govsim.Comparison) -> None:
    for kwargs in ({"seed": SEED + 1}, {"replications": 5}):
        with pytest.raises(GovsimError, match="same to be paired") as err:
            xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                            **({"replications": 6, "seed": SEED} | kwargs), as_written=leak)
        assert err.value.path == "as_written"
    changed = with_values(load_scenario("shanghai_leak"),
                          {"regimes.fragmented.funding.recovery_prob": 0.9})
    with pytest.raises(GovsimError, match="another 'fragmented'"):
        xl.WhatIfLesson(changed, "fragmented", xl.ROOF_LEVERS, ROOF_METRICS, replications=6,
                        seed=SEED, as_written=leak)
    other_world = with_values(load_scenario("shanghai_leak"),
                              {"world.funds.maintenance_fund.available": True})
    with pytest.raises(GovsimError, match="another world"):
        xl.WhatIfLesson(other_world, "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                        replications=6, seed=SEED, as_written=leak)
    with pytest.raises(GovsimError) as err:
        xl.WhatIfLesson("shanghai_leak", "fragmented", xl.ROOF_LEVERS, ROOF_METRICS,
                        replications=6, seed=SEED, as_written="leak")
    assert err.value.path == "as_written"


def test_the_classroom_notebook_is_a_lesson() -> None:
    """Its code cells are folded away and short; the helpers live in govsim."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / \
        "03_classroom_shanghai_vs_shishi.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["metadata"].get("jupyter", {}).get("source_hidden") for c in code)
    lines = ["".join(c["source"]).splitlines() for c in code]
    assert sum(map(len, lines)) <= 80
    assert max(map(len, lines)) <= 12            # the set-up cell; the rest are a few lines
    source = "\n".join("\n".join(cell) for cell in lines)
    assert "def " not in source and "interact_manual" not in source
    assert "explore(roof)" in source and "explore(centre)" in source

"""Results over time (issue 20, item 5): the street office's cumulative burden by component,
resolution and backlog per period, so that a reversal of the headline with the horizon is seen.

The per-period values are built from each run's small ``daily`` and ``cohorts`` tables, never
from the event log: they end exactly at the run's metrics, and survive runs made without the
event log (``record_events=False``) or without any table (``keep_tables=False``).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import govsim
import govsim.figures as gp
from govsim.errors import GovsimError
from govsim.experiment.replication import run_replication
from govsim.figures.style import EMPTY
from govsim.measure.over_time import BURDEN, OVER_TIME, SHIFTED, crossings
from govsim.recording import DAILY_BURDEN
from govsim.scenario import load_scenario, with_values
from tests.test_empty_results import _zero

matplotlib.use("Agg")

REGIMES = ["fragmented", "consolidated"]
KEYS = ["regime", "replication"]


def _scenario(days: int = 45) -> govsim.Scenario:
    return with_values(load_scenario("district"), {"world.horizon_days": days})


@pytest.fixture(scope="module")
def cmp() -> govsim.Comparison:
    return govsim.compare(_scenario(), REGIMES, replications=3, seed=5, executor="serial")


@pytest.fixture(scope="module")
def lean() -> govsim.Comparison:
    return govsim.compare(_scenario(), REGIMES, replications=3, seed=5, executor="serial",
                          record_events=False)


def _last(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.groupby(KEYS, observed=True, sort=False).tail(1).copy()
    out["regime"] = out["regime"].astype(str)
    return out.set_index(KEYS)


def _metrics(results: govsim.Results) -> pd.DataFrame:
    return results.metrics.assign(regime=results.metrics["regime"].astype(str)).set_index(KEYS)


@pytest.mark.parametrize("freq", ["W", "M", "ME", "Q"])
def test_the_last_period_is_the_runs_metrics_exactly(cmp, freq) -> None:
    frame = cmp.over_time(freq)
    last, m = _last(frame), _metrics(cmp)
    assert len(last) == len(m) == 2 * 3
    for column in BURDEN:  # every regime and replication, to the last bit
        assert (last[column] == m.loc[last.index, column]).all(), column
    # and the last period ends on the horizon's last day
    end = pd.Timestamp(cmp.scenario.world.start) + pd.Timedelta(days=44)
    assert (frame.groupby(KEYS, observed=True)["period_end"].max() == end).all()


def test_the_daily_sums_reach_the_metrics_up_to_rounding(cmp) -> None:
    """The last value is the metric itself; the days' sums are the same quantity added in
    another order (so they agree to rounding, and the pinning hides no other difference)."""
    sums = cmp.daily.assign(regime=cmp.daily["regime"].astype(str)).groupby(KEYS).sum(
        numeric_only=True)
    m = _metrics(cmp).loc[sums.index]
    for column in DAILY_BURDEN:
        np.testing.assert_allclose(sums[column], m[column], rtol=1e-12, atol=1e-6)
    assert len(cmp.daily) == 2 * 3 * 45  # one row a day, regime and replication
    # the parts add up to the whole in every period, not only at the horizon
    frame = cmp.over_time("W")
    np.testing.assert_allclose(frame[list(SHIFTED)].sum(axis=1),
                               frame["street_office_shifted_cost_yuan"], rtol=1e-12)
    np.testing.assert_allclose(
        frame[["street_office_own_duty_yuan", "street_office_assigned_duty_yuan",
               "street_office_shifted_cost_yuan"]].sum(axis=1),
        frame["street_office_burden_yuan"], rtol=1e-12)


def test_cumulative_costs_fall_only_when_money_comes_back(cmp) -> None:
    """Hours never go down, and neither does money other than advances: the handling,
    meeting, adjudication and other parts are non-decreasing. The advance part, the duty
    parts and so the whole burden can fall, but only in a period in which the street office
    was paid back an advance (a recovery in the ledger)."""
    frame = cmp.over_time("W")
    ledger = cmp.ledger
    street = set(cmp.units.loc[cmp.units["kind"] == "street_office", "unit"].astype(str))
    back = ledger[(ledger["kind"].astype(str) == "recovery")
                  & ledger["payer"].astype(str).isin(street)]
    start = pd.Timestamp(cmp.scenario.world.start)
    back_days = {(str(r), int(rep), int(d)) for r, rep, d in zip(
        back["regime"], back["replication"], (back["time"] - start).dt.days, strict=True)}
    for (regime, rep), g in frame.groupby(KEYS, observed=True):
        steps = g[list(BURDEN)].diff().iloc[1:]
        for column in ("street_office_shifted_handling_yuan", "street_office_shifted_meeting_yuan",
                       "street_office_shifted_adjudication_yuan",
                       "street_office_shifted_other_yuan"):
            assert (steps[column] >= -1e-6).all(), column
        fell = steps.index[(steps < -1e-6).any(axis=1)]
        for i in fell:
            first = (g.loc[i, "period"] - start).days
            last = (g.loc[i, "period_end"] - start).days
            assert any((str(regime), int(rep), d) in back_days
                       for d in range(first, last + 1)), (regime, rep, g.loc[i, "period"])
        assert (g[list(BURDEN)] >= -1e-6).all().all()


def test_resolved_share_and_open_cases_agree_with_the_cases_table(cmp) -> None:
    frame = cmp.over_time("M")
    last = _last(frame)
    cases = cmp.cases.assign(regime=cmp.cases["regime"].astype(str))
    per = cases.groupby(KEYS).agg(n=("case", "size"), resolved=("resolved", "mean"),
                                  open=("state", lambda s: int((s == "open").sum())))
    per = per.loc[last.index]
    assert (last["cases"] == per["n"]).all()
    assert (last["resolved_share"] == per["resolved"]).all()
    assert (last["open_cases"] == per["open"]).all()
    m = _metrics(cmp).loc[last.index]
    assert (last["resolved_share"] == m["resolved_share"]).all()
    assert (last["open_cases"] == m["open_cases"]).all()
    # cases filed per period add up to the cases, and each period's count is the cases table's
    assert (frame.groupby(KEYS, observed=True)["filed"].sum().to_numpy()
            == frame.groupby(KEYS, observed=True)["cases"].max().to_numpy()).all()
    start = pd.Timestamp(cmp.scenario.world.start)
    first = cases[(cases["regime"] == "fragmented") & (cases["replication"] == 0)]
    january = int((first["first_filing"] < start + pd.Timedelta(days=31)).sum())
    row = frame[(frame["regime"] == "fragmented") & (frame["replication"] == 0)].iloc[0]
    assert row["period"] == start and row["filed"] == january


def test_medians_are_kaplan_meier_of_the_cases_filed_in_the_period(cmp) -> None:
    from govsim.stats.survival import km_quantile

    frame = cmp.over_time("M")
    cases = cmp.cases[(cmp.cases["regime"] == "consolidated") & (cmp.cases["replication"] == 1)]
    month = cases[cases["first_filing"].dt.month == 1]
    expected = km_quantile(month["duration_days"], month["resolved"], 0.5)
    row = frame[(frame["regime"] == "consolidated") & (frame["replication"] == 1)].iloc[0]
    assert row["filed_median_days"] == expected


def test_the_same_without_the_event_log_and_without_tables(cmp, lean) -> None:
    for freq in ("W", "M"):
        pd.testing.assert_frame_equal(lean.over_time(freq), cmp.over_time(freq))
    assert len(lean.events) == 0
    # a replication that keeps only its metrics keeps its results over time too
    out = run_replication(_scenario(), REGIMES, 5, 1, record_events=False, keep_tables=False)
    assert out.cases == [] and out.ledger == [] and len(out.daily) == len(out.cohorts) == 2
    for k, name in enumerate(REGIMES):
        mine = cmp.daily[(cmp.daily["regime"] == name) & (cmp.daily["replication"] == 1)]
        pd.testing.assert_frame_equal(out.daily[k].reset_index(drop=True),
                                      mine.reset_index(drop=True), check_categorical=False)


def test_summary_and_paired_differences(cmp) -> None:
    summary = cmp.over_time_summary("M", ["street_office_burden_yuan", "resolved_share"])
    assert list(summary.columns) == ["regime", "period", "period_end", "metric", "mean",
                                     "ci_low", "ci_high", "half_width", "n"]
    assert set(summary["n"]) == {3}
    last = summary[summary["period"] == summary["period"].max()]
    horizon = cmp.summary(["street_office_burden_yuan", "resolved_share"])
    for row in last.itertuples():
        h = horizon[(horizon["regime"] == row.regime) & (horizon["metric"] == row.metric)]
        assert row.mean == pytest.approx(float(h["mean"].iloc[0]), rel=1e-12)
        assert row.ci_low == pytest.approx(float(h["ci_low"].iloc[0]), rel=1e-9)
    diffs = cmp.over_time_differences("W", ["street_office_burden_yuan"])
    end = diffs[diffs["period"] == diffs["period"].max()].iloc[0]
    d = cmp.differences(["street_office_burden_yuan"]).iloc[0]
    assert end["mean_diff"] == pytest.approx(float(d["mean_diff"]), rel=1e-12)
    assert set(diffs["regime"].astype(str)) == {"consolidated"}
    assert (diffs["baseline"] == "fragmented").all()
    with pytest.raises(GovsimError) as err:
        cmp.over_time_summary("M", ["cases_per_fortnight"])
    assert err.value.path == "metrics"


def test_crossings_say_where_the_sign_changes() -> None:
    diffs = pd.DataFrame({
        "period": pd.date_range("2025-01-01", periods=5, freq="MS"),
        "period_end": pd.date_range("2025-01-31", periods=5, freq="ME"),
        "regime": "b", "baseline": "a", "metric": "street_office_burden_yuan",
        "mean_diff": [-5.0, 0.0, -1.0, 2.0, 3.0], "ci_low": 0.0, "ci_high": 0.0, "n": 3,
        "p_value": 0.5})
    turns = crossings(diffs)
    assert len(turns) == 1 and turns.iloc[0]["period"] == pd.Timestamp("2025-04-01")
    assert (turns.iloc[0]["before"], turns.iloc[0]["after"]) == (-1, 1)
    assert crossings(diffs.assign(mean_diff=[1.0, 2.0, 0.0, 4.0, 5.0])).empty


@pytest.mark.parametrize("freq", ["D", "MS", "month", "", None, 3, "w"])
def test_freq_is_checked(cmp, freq) -> None:
    with pytest.raises(GovsimError) as err:
        cmp.over_time(freq)
    assert err.value.path == "freq" and "W (weeks), M or ME (months), Q (quarters)" in str(
        err.value)


def test_periods_are_calendar_periods_from_the_start(cmp) -> None:
    start = pd.Timestamp(cmp.scenario.world.start)  # 2025-01-01, a Wednesday
    weeks = cmp.over_time("W")
    mine = weeks[(weeks["regime"] == "fragmented") & (weeks["replication"] == 0)]
    assert mine["period"].iloc[0] == start
    assert (mine["period"].iloc[1:].dt.day_of_week == 0).all()  # Mondays
    assert mine["period_end"].iloc[0] == pd.Timestamp("2025-01-05")  # the first Sunday
    assert list(cmp.over_time("Q")["period"].unique()) == [start]
    assert list(cmp.over_time("M").columns) == [*KEYS, "period", "period_end", *OVER_TIME]


def test_the_figure_draws(cmp) -> None:
    fig = gp.plot_over_time(cmp, freq="W")
    assert len(fig.axes) == 4  # the burden, the medians, one panel a regime
    texts = {t.get_text() for ax in fig.axes for t in (ax.title, ax.yaxis.label)}
    assert any("cumulative" in t for t in texts)
    frame = cmp.over_time("M")
    fig = gp.plot_over_time(frame, metric="open_cases", components=False)
    assert len(fig.axes) == 2
    with pytest.raises(GovsimError) as err:
        gp.plot_over_time(cmp, metric="nonsense")
    assert err.value.path == "metric"
    with pytest.raises(GovsimError) as err:
        gp.plot_over_time(42)
    assert err.value.path == "results"


def test_a_zero_rate_scenario_says_no_cases() -> None:
    zero = govsim.compare(_zero(), REGIMES, replications=2, seed=0, executor="serial")
    frame = zero.over_time("W")
    assert len(frame) > 0 and (frame["cases"] == 0).all()
    assert (frame[list(BURDEN)] == 0).all().all() and frame["filed_median_days"].isna().all()
    fig = gp.plot_over_time(zero, freq="W")
    said = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert EMPTY["cases"][0] in said
    fig = gp.plot_over_time(frame.iloc[:0])  # nothing at all
    assert EMPTY["cases"][0] in {t.get_text() for ax in fig.axes for t in ax.texts}


def test_results_made_by_hand_without_a_daily_table_are_refused(cmp) -> None:
    bare = govsim.Results(**{k: getattr(cmp, k) for k in (
        "scenario", "regimes", "seed", "replications", "cases", "events", "units", "ledger",
        "lights", "metrics")})
    with pytest.raises(GovsimError) as err:
        bare.over_time()
    assert err.value.path == "daily"


def test_the_ledger_has_a_time(cmp) -> None:
    ledger = cmp.ledger
    start = pd.Timestamp(cmp.scenario.world.start)
    assert ledger["time"].dtype.kind == "M" and ledger["time"].notna().all()
    assert (ledger["time"] >= start).all()
    assert (ledger["time"] <= start + pd.Timedelta(days=45)).all()


def test_the_report_has_the_section() -> None:
    from govsim.experiment.report_study import make_report

    page = make_report("district", REGIMES, replications=2, horizon_days=6, seed=4,
                       executor="serial", decompose=False)
    html = page.html
    assert 'id="over-time"' in html and "Over time" in html
    section = html[html.index('id="over-time"'):html.index('id="figures"')]
    assert "cumulative burden" in section and "<img" in section
    assert "One number, 12345 − Many hotlines" in section


def test_cohort_medians_do_not_depend_on_the_order_of_the_rows():
    """A run's cases come in filing order (each period one stretch of rows, read as it is);
    the same cases in any order give the same medians (sorted into periods first)."""
    import numpy as np
    import pandas as pd

    from govsim.measure.over_time import cohort_medians

    rng = np.random.default_rng(4)
    n = 3000
    filed = np.sort(rng.uniform(0, 200 * 24.0, n))
    cases = pd.DataFrame({
        "first_filing": pd.Timestamp("2025-01-01") + pd.to_timedelta(filed, unit="h"),
        "duration_days": rng.exponential(9.0, n), "resolved": rng.random(n) < 0.7})
    ordered = cohort_medians(cases, "2025-01-01", "r", 0)
    shuffled = cohort_medians(cases.sample(frac=1.0, random_state=1), "2025-01-01", "r", 0)
    pd.testing.assert_frame_equal(ordered, shuffled)
    assert len(ordered) == 29 + 7 + 3 and ordered["filed_median_days"].notna().all()

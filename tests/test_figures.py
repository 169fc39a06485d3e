"""Figures drawn from real results: their data, axes and labels."""

from __future__ import annotations

import numpy as np
import pytest

import govsim
import govsim.measure.figure_tables as ft
from govsim.measure.figure_tables import PAYERS
from govsim.stats.survival import km_survival
from tests._factory import category, consolidated, fragmented, scenario


@pytest.fixture(scope="module")
def results():
    s = scenario({"f": fragmented(), "c": consolidated()}, horizon_days=30, categories={
        "a": category(rate_per_day=4.0, work_hours=20.0), "b": category(rate_per_day=2.0)})
    return govsim.compare(s, ["f", "c"], replications=3, seed=5, executor="serial")


def test_km_survival_steps() -> None:
    s = km_survival([1.0, 2.0, 2.0, 5.0], [True, True, False, True], [0.0, 1.0, 1.5, 2.0, 4.9, 5.0, 6.0])
    # 4 at risk: 1 falls at t=1 (3/4); at t=2 one of 3 falls (1/2); at t=5 the last (0)
    np.testing.assert_allclose(s[:6], [1.0, 0.75, 0.75, 0.5, 0.5, 0.0])
    assert s[6] == 0.0  # everyone had the event by 5
    censored = km_survival([1.0, 4.0], [True, False], [3.0, 5.0])
    assert censored[0] == 0.5 and np.isnan(censored[1])  # nobody was followed past 4


def test_survival_figure_shows_each_regimes_mean_curve(results) -> None:
    import govsim.figures as gp

    days = np.linspace(0, 30, 31)
    table = ft.survival_table(results.cases, days)
    assert set(table["regime"]) == {"f", "c"} and (table["n"] == 3).all()
    for r, t in table.groupby("regime"):
        # by hand: the mean over replications of each replication's Kaplan-Meier curve
        mine = results.cases[results.cases["regime"].astype(str) == r]
        curves = [km_survival(g["duration_days"], g["resolved"], days)
                  for _, g in mine.groupby("replication")]
        np.testing.assert_allclose(t["mean"], np.nanmean(curves, axis=0))
        assert (np.diff(t["mean"]) <= 1e-12).all()
        assert ((t["ci_low"] <= t["mean"] + 1e-12) & (t["mean"] <= t["ci_high"] + 1e-12)).all()
        assert (t["ci_low"] >= 0).all() and (t["ci_high"] <= 1).all()
    fig = gp.plot_survival(results.cases, days)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "days since the first filing"
    assert ax.get_ylabel() == "share not yet truly resolved"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f", "c"]
    lines = [ln for ln in ax.get_lines() if ln.get_label() in ("f", "c")]
    assert len(lines) == 2
    f = table[table["regime"] == "f"]
    np.testing.assert_allclose(lines[0].get_ydata(), f["mean"])
    assert "3 replications" in ax.get_title()


def test_cost_figure_adds_up(results) -> None:
    import govsim.figures as gp

    table = ft.cost_table(results.units, results.metrics)
    assert set(table["payer"]) == set(PAYERS)
    for (regime, rep), t in table.groupby(["regime", "replication"]):
        u = results.units[(results.units["regime"].astype(str) == regime)
                          & (results.units["replication"] == rep)]
        m = results.metrics[(results.metrics["regime"].astype(str) == regime)
                            & (results.metrics["replication"] == rep)]
        everything = (u["capacity_cost_yuan"] + u["money_paid_yuan"]).sum() \
            + m["fund_money_yuan"].item()
        assert t["yuan"].sum() == pytest.approx(everything)
        shifted = t[t["payer"].str.contains("shifted|unrecovered")]["yuan"].sum()
        assert shifted == pytest.approx(m["street_office_shifted_cost_yuan"].item())
    fig = gp.plot_costs(results.units, results.metrics)
    left, right = fig.axes[:2]
    assert [t.get_text() for t in left.get_xticklabels()] == ["f", "c"]
    assert len(left.patches) == len(PAYERS) * 2 and len(right.patches) == 6 * 2
    heights = {}
    for patch in left.patches:
        heights.setdefault(round(patch.get_x(), 6), []).append(patch.get_height())
    means = table.groupby(["regime", "replication"])["yuan"].sum().groupby("regime").mean()
    for x, regime in zip(sorted(heights), ["f", "c"], strict=True):
        assert sum(heights[x]) == pytest.approx(means[regime] / 1e6)
    assert "million yuan" in left.get_ylabel() and right.get_ylabel() == "thousand yuan"


def test_directly_follows_counts_by_hand() -> None:
    import pandas as pd

    from govsim.figures.process_map import plot_process_map
    from govsim.measure.figure_tables import directly_follows

    t0 = np.datetime64("2025-01-01T00:00")
    rows = [  # (replication, case, activity, hours) -- logged out of time order on purpose
        (0, 1, "file", 0.0), (0, 1, "resolved", 5.0), (0, 1, "ticket", 1.0),
        (0, 2, "file", 2.0), (0, 2, "ticket", 4.0), (0, 2, "ticket", 7.0),
        (1, 1, "file", 0.5), (1, 1, "ticket", 1.5), (1, 1, "resolved", 3.5)]
    events = pd.DataFrame({
        "regime": "f", "replication": [r[0] for r in rows],
        "case:concept:name": [r[1] for r in rows], "concept:name": [r[2] for r in rows],
        "time:timestamp": [t0 + np.timedelta64(int(r[3] * 60), "m") for r in rows],
        "org:resource": "u"})
    g = directly_follows(events).set_index(["source", "target"])
    assert g.loc[("start", "file"), "count"] == 3
    assert g.loc[("file", "ticket"), "count"] == 3
    assert g.loc[("file", "ticket"), "median_hours"] == pytest.approx(1.0)  # 1, 2, 1 hours
    assert g.loc[("ticket", "resolved"), "count"] == 2
    assert g.loc[("ticket", "resolved"), "median_hours"] == pytest.approx(3.0)  # 4 and 2
    assert g.loc[("ticket", "ticket"), "count"] == 1
    assert g.loc[("resolved", "end"), "count"] == 2 and g.loc[("ticket", "end"), "count"] == 1
    assert int(g["count"].sum()) == len(rows) + 3  # every event once as a target, plus ends
    from govsim.lang import activity_name

    fig = plot_process_map(events, min_share=0.0)
    ax = fig.axes[0]
    labels = {" ".join(t.get_text().split()) for t in ax.texts}  # (names wrapped in lines)
    assert {activity_name(a, "en") for a in ("start", "file", "ticket", "resolved", "end")
            } <= labels
    assert len(ax.patches) == len(g)  # one arrow per edge kept
    # the title is the figure's (it spans the graph and the list of edges beside it)
    assert "12 transitions" in " ".join(fig.get_suptitle().split())


def test_process_map_of_a_real_run(results) -> None:
    from govsim.figures.process_map import plot_process_map
    from govsim.measure.figure_tables import directly_follows

    g = directly_follows(results.events, "c")
    n_cases = len(results.events[results.events["regime"].astype(str) == "c"]
                  .groupby(["replication", "case:concept:name"]))
    assert g.loc[g["source"] == "start", "count"].sum() == n_cases
    assert g.loc[g["target"] == "end", "count"].sum() == n_cases
    fig = plot_process_map(results.events, "c", min_share=0.05)
    kept = g[g["count"] >= 0.05 * g["count"].sum()]
    assert len(fig.axes[0].patches) == len(kept)


def test_sweep_plot_draws_each_point_with_its_interval(tmp_path) -> None:
    import sys

    import govsim.figures as gp
    from govsim.experiment.sweeper import sweep

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from _sweeps import small_experiment

    res = sweep(small_experiment(keep=()), tmp_path / "s", executor="serial")
    summary = res.summary(["resolution_days_median"])
    fig = gp.plot_sweep(summary, "regimes.consolidated.accuracy", "resolution_days_median",
                        "days")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "regimes.consolidated.accuracy"
    from govsim.lang import metric_label

    # (long labels are wrapped in lines)
    assert " ".join(ax.get_ylabel().split()) == metric_label("resolution_days_median", "days",
                                                             "en")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fragmented", "consolidated"]
    # a factorial design: one joined line per regime and staff level, through both accuracies
    lines = [ln for ln in ax.get_lines() if ln.get_marker() == "o" and ln.get_linestyle() == "-"]
    assert len(lines) == 2 * 2
    plotted = sorted(float(y) for ln in lines for y in ln.get_ydata())
    assert plotted == pytest.approx(sorted(summary["mean"]))
    with pytest.raises(ValueError, match="no factor"):
        gp.plot_sweep(summary, "nothing", "resolution_days_median")


def test_workload_and_lights_figures(results) -> None:
    import govsim.figures as gp

    table = ft.workload_table(results.units, top=3)
    assert table["unit"].nunique() <= 3 and set(table["regime"]) == {"f", "c"}
    for r in table.itertuples():
        u = results.units[(results.units["regime"].astype(str) == r.regime)
                          & (results.units["unit"] == r.unit)]
        assert r.staff_hours == pytest.approx(u["staff_hours"].mean())
        assert r.tickets == pytest.approx(u["tickets"].mean())
    fig = gp.plot_workload(results.units, top=3)
    top, bottom = fig.axes[:2]
    assert len(top.patches) == len(bottom.patches) == len(table)
    assert sorted(p.get_height() for p in bottom.patches) == pytest.approx(sorted(table["tickets"]))
    assert [t.get_text() for t in bottom.get_xticklabels()] == list(dict.fromkeys(table["unit"]))
    if len(results.lights):
        fig = gp.plot_lights(results.lights)
        total = sum(float(np.sum(ln.get_ydata())) for ax in fig.axes for ln in ax.get_lines())
        assert total == pytest.approx(len(results.lights) / 3)  # mean over 3 replications
    else:  # an empty lights table is a result too: the figure says so
        fig = gp.plot_lights(results.lights)
        assert any("no monitoring lights" in t.get_text() for ax in fig.axes for t in ax.texts)

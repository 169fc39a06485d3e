"""Tests for govsim.stats.summary: grouped summaries and paired differences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from govsim.stats.intervals import mean_ci
from govsim.stats.summary import paired_differences, summarise


@pytest.fixture
def replications() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "regime": ["zeta", "zeta", "alpha", "zeta", "alpha", "alpha"],
            "wait": [1.0, 2.0, 10.0, 3.0, 12.0, np.nan],
            "backlog": [5.0, 5.0, 7.0, 5.0, 9.0, 11.0],
        }
    )


def test_summarise_columns_and_order(replications: pd.DataFrame) -> None:
    out = summarise(replications, by="regime", metrics=["wait", "backlog"])

    assert list(out.columns) == ["regime", "metric", "mean", "ci_low", "ci_high", "half_width", "n"]
    # Groups by first appearance, metrics in the given (non-alphabetical) order.
    assert list(out["regime"]) == ["zeta", "zeta", "alpha", "alpha"]
    assert list(out["metric"]) == ["wait", "backlog", "wait", "backlog"]
    assert list(out["n"]) == [3, 3, 2, 3]


def test_summarise_values_match_mean_ci(replications: pd.DataFrame) -> None:
    out = summarise(replications, by=["regime"], metrics=["wait", "backlog"], confidence=0.9)
    row = out[(out["regime"] == "alpha") & (out["metric"] == "wait")].iloc[0]
    mean, low, high, n = mean_ci([10.0, 12.0], confidence=0.9)
    assert row["mean"] == pytest.approx(mean)
    assert row["ci_low"] == pytest.approx(low)
    assert row["ci_high"] == pytest.approx(high)
    assert row["half_width"] == pytest.approx((high - low) / 2)
    assert row["n"] == n == 2

    constant = out[(out["regime"] == "zeta") & (out["metric"] == "backlog")].iloc[0]
    assert constant["ci_low"] == constant["ci_high"] == constant["mean"] == 5.0
    assert constant["half_width"] == 0.0


def test_summarise_without_grouping(replications: pd.DataFrame) -> None:
    out = summarise(replications, by=None, metrics=["backlog"])
    assert list(out.columns) == ["metric", "mean", "ci_low", "ci_high", "half_width", "n"]
    assert len(out) == 1
    assert out.loc[0, "mean"] == pytest.approx(42.0 / 6.0)
    assert out.loc[0, "n"] == 6


def test_summarise_multiple_keys_keep_first_seen_order() -> None:
    frame = pd.DataFrame(
        {
            "regime": ["b", "a", "b", "a"],
            "district": ["y", "x", "x", "x"],
            "wait": [1.0, 2.0, 3.0, 4.0],
        }
    )
    out = summarise(frame, by=["regime", "district"], metrics=["wait"])
    assert list(zip(out["regime"], out["district"], strict=True)) == [
        ("b", "y"),
        ("a", "x"),
        ("b", "x"),
    ]
    assert list(out["n"]) == [1, 2, 1]


def test_summarise_missing_metric_raises(replications: pd.DataFrame) -> None:
    with pytest.raises(KeyError):
        summarise(replications, by="regime", metrics=["nope"])


def _paired_frame() -> pd.DataFrame:
    rng = np.random.default_rng(99)
    reps = np.arange(10)
    # Large noise shared by both regimes: an unpaired comparison would have
    # a wide interval, the paired one must be essentially exact.
    common = rng.normal(scale=50.0, size=reps.size)
    rows = []
    for rep, noise in zip(reps, common, strict=True):
        rows.append({"regime": "fragmented", "rep": rep, "wait": 100.0 + noise, "cost": noise})
        if rep != 9:  # replication 9 is missing for the consolidated regime
            rows.append(
                {"regime": "consolidated", "rep": rep, "wait": 102.0 + noise, "cost": noise}
            )
        rows.append({"regime": "same", "rep": rep, "wait": 100.0 + noise, "cost": noise})
    return pd.DataFrame(rows)


def test_paired_differences_known_shift() -> None:
    frame = _paired_frame()
    out = paired_differences(
        frame,
        regime_col="regime",
        rep_col="rep",
        metrics=["wait", "cost"],
        baseline="fragmented",
    )

    assert list(out.columns) == [
        "regime",
        "baseline",
        "metric",
        "mean_diff",
        "ci_low",
        "ci_high",
        "n",
        "p_value",
    ]
    assert list(out["regime"]) == ["consolidated", "consolidated", "same", "same"]
    assert list(out["metric"]) == ["wait", "cost", "wait", "cost"]
    assert set(out["baseline"]) == {"fragmented"}

    wait = out.iloc[0]
    assert wait["n"] == 9  # replication 9 has no partner and is excluded
    assert wait["mean_diff"] == pytest.approx(2.0, abs=1e-9)
    assert wait["ci_low"] <= wait["mean_diff"] <= wait["ci_high"]
    assert wait["ci_high"] - wait["ci_low"] < 1e-9
    assert wait["p_value"] < 1e-6

    cost = out.iloc[1]
    assert cost["mean_diff"] == 0.0
    assert math.isnan(cost["p_value"])

    identical = out[out["regime"] == "same"]
    assert list(identical["n"]) == [10, 10]
    assert (identical["mean_diff"] == 0.0).all()
    assert (identical["ci_low"] == 0.0).all() and (identical["ci_high"] == 0.0).all()
    assert identical["p_value"].isna().all()


def test_paired_differences_matches_ttest_and_drops_nan() -> None:
    frame = pd.DataFrame(
        {
            "regime": ["A"] * 5 + ["B"] * 5,
            "rep": [0, 1, 2, 3, 4] * 2,
            "wait": [1.0, 2.0, 3.0, 4.0, 5.0, 1.5, 2.9, 3.1, 5.2, np.nan],
        }
    )
    out = paired_differences(frame, "regime", "rep", ["wait"], baseline="A")
    diffs = np.array([0.5, 0.9, 0.1, 1.2])  # rep 4 is NaN in B and dropped
    mean, low, high, n = mean_ci(diffs)
    row = out.iloc[0]
    assert row["n"] == n == 4
    assert row["mean_diff"] == pytest.approx(mean)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert row["p_value"] == pytest.approx(stats.ttest_1samp(diffs, 0.0).pvalue)


def test_paired_differences_unknown_baseline_raises() -> None:
    with pytest.raises(ValueError):
        paired_differences(_paired_frame(), "regime", "rep", ["wait"], baseline="nope")


def test_paired_differences_duplicate_rows_raise() -> None:
    frame = _paired_frame()
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError):
        paired_differences(frame, "regime", "rep", ["wait"], baseline="fragmented")


def test_summaries_and_differences_use_the_bounds() -> None:
    frame = pd.DataFrame({"regime": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
                          "share": [0.99, 0.93, 0.02, 0.10]})
    s = summarise(frame, "regime", ["share"], 0.95, {"share": (0.0, 1.0)})
    assert (s["ci_low"] >= 0.0).all() and (s["ci_high"] <= 1.0).all()
    # the half-width is the interval's reach from the mean, which clipping may shorten on one side
    row = s.iloc[0]
    assert row["half_width"] == pytest.approx(row["mean"] - row["ci_low"])
    d = paired_differences(frame, "regime", "replication", ["share"], "a", 0.95,
                           {"share": (0.0, 1.0)})
    assert d["ci_low"].iloc[0] >= -1.0 and d["ci_high"].iloc[0] <= 1.0

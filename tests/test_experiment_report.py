"""Text tables and JSON of results (govsim.report.text)."""

from __future__ import annotations

import json
import math

import pytest
from _factory import category, consolidated, fragmented, scenario
from _sweeps import small_experiment

import govsim
from govsim.report.text import (
    comparison_table,
    results_json,
    summary_table,
    sweep_table,
)


@pytest.fixture(scope="module")
def comparison() -> govsim.Comparison:
    s = scenario({"fragmented": fragmented(), "consolidated": consolidated(accuracy=0.9)},
                 categories={"leak": category(rate_per_day=4.0)}, horizon_days=10)
    return govsim.compare(s, replications=3, seed=4, jobs=1)


def test_comparison_table_has_every_regime_the_difference_and_the_notes(
        comparison: govsim.Comparison) -> None:
    text = comparison_table(comparison, ["resolution_days_median", "deadline_breach_share"],
                            "keys")
    head = text.splitlines()[0]
    assert "3 replications, seed 4" in head and "[95% CI]" in head
    assert "consolidated - fragmented (paired)" in text
    # deadline breaches are undefined without limits: n/a under the fragmented rules
    row = next(line for line in text.splitlines() if line.startswith("deadline_breach_share"))
    assert "n/a" in row
    assert "Kaplan-Meier" in text
    assert comparison.table(["resolution_days_median"]).splitlines()[0] == head
    words = comparison.table(["resolution_days_median"])
    assert "time to true resolution, median (days)" in words


def test_summary_table_leaves_out_metrics_no_regime_defines(
        comparison: govsim.Comparison) -> None:
    frag = govsim.Results(**{k: getattr(comparison, k) for k in (
        "scenario", "seed", "replications", "cases", "events", "units", "ledger", "lights")},
        regimes=["fragmented"],
        metrics=comparison.metrics[comparison.metrics["regime"] == "fragmented"])
    text = summary_table(frag, ["resolved_share", "reply_share"], "keys")
    assert "resolved_share" in text and "reply_share" not in text


def test_json_is_plain_data_with_nulls_for_undefined(comparison: govsim.Comparison) -> None:
    data = results_json(comparison, ["reply_share", "resolved_share"])
    text = json.dumps(data, allow_nan=False)  # no NaN survives
    back = json.loads(text)
    assert back["regimes"]["fragmented"]["reply_share"]["mean"] is None
    assert back["baseline"] == "fragmented"
    diff = back["differences"]["consolidated - fragmented"]["resolved_share"]
    assert diff["n"] == 3 and not math.isnan(diff["mean"])


def test_sweep_table_has_a_row_per_point(tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = govsim.sweep(small_experiment(keep=(), replications=2), tmp_path / "s",
                       executor="serial", progress=False)
    text = sweep_table(res, "resolved_share")
    rows = text.split("\n\n")[1].splitlines()[2:]  # the table, after its header
    assert len(rows) == len(res.points) == 4
    assert "consolidated - fragmented" in text.splitlines()[2]


def test_one_replication_gives_no_interval_and_says_so(capsys) -> None:  # type: ignore[no-untyped-def]
    s = scenario({"fragmented": fragmented(), "consolidated": consolidated(accuracy=0.9)},
                 categories={"leak": category(rate_per_day=4.0)}, horizon_days=10)
    one = govsim.compare(s, replications=1, seed=4, jobs=1)
    text = comparison_table(one, ["resolved_share"])
    assert "[95% CI]" not in text.splitlines()[0]
    assert "no confidence interval" in text.splitlines()[0]
    table = text.split("\n\n")[1]  # header, separator and rows
    assert "[" not in table and "CI:" not in text  # no interval, so no word on how it is made
    data = results_json(one, ["resolved_share"])
    entry = data["regimes"]["fragmented"]["resolved_share"]
    assert entry["ci_low"] is None and entry["n"] == 1 and entry["small_sample"] is True


def test_few_replications_are_flagged(comparison: govsim.Comparison) -> None:
    text = comparison_table(comparison, ["resolved_share"])  # 3 replications
    assert "]*" in text and "fewer than 5 replications" in text
    data = results_json(comparison, ["resolved_share"])
    assert data["regimes"]["consolidated"]["resolved_share"]["small_sample"] is True
    assert data["small_sample"] == 5

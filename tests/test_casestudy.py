"""The Shanghai leak case study: the scenario, per-case distributions and the journey command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _factory import category, fragmented, scenario

import govsim
from govsim.cli import main
from govsim.lang import metric_name
from govsim.measure.casestudy import case_outcomes, distribution, share_below

LEAK = Path(__file__).resolve().parent.parent / "scenarios" / "shanghai_leak.toml"


@pytest.fixture(scope="module")
def leak_runs():
    return govsim.run(LEAK, "fragmented", replications=12, seed=0, jobs=1)


def test_shanghai_leak_is_one_household_with_five_channels():
    s = govsim.load_scenario(LEAK)
    frag = s.regimes["fragmented"]
    assert len(frag.channels) == 5
    assert [c.arrivals for c in s.world.categories.values()] == [(s.world.start.replace(month=4, day=10),)]
    top = frag.escalation[-1].meeting
    assert top is not None and len(top.attendees) == 14 and top.can_fund
    assert frag.funding.advancer == "street_office"


def test_one_case_per_replication_and_its_outcomes(leak_runs):
    cases = leak_runs.cases
    assert len(cases) == 12 and (cases.groupby("replication").size() == 1).all()
    out = case_outcomes(cases, leak_runs.events)
    # reports within six years never exceed all reports, and equal them for short journeys
    assert (out["reports_by"] <= out["reports"]).all()
    short = out["duration_years"] < 6
    assert (out.loc[short & out["fixed"], "reports_by"] == out.loc[short & out["fixed"], "reports"]).all()
    # a real fix comes only with money: here, only after the coordination meeting's advance
    fixed = cases[cases["resolved"]]
    assert len(fixed) > 0 and (fixed["advanced_yuan"] == 90000.0).all() and (fixed["top_rung"] == 3).all()
    dist = distribution(out).set_index("quantity")
    assert dist.loc["fixed_share", "mean"] == pytest.approx(cases["resolved"].mean())
    assert dist.loc["reports", "p10"] <= dist.loc["reports", "p50"] <= dist.loc["reports", "p90"]


def test_reports_by_counts_only_the_first_years():
    s = scenario({"f": fragmented(channels=[{"name": "street line", "unit": "street"}])},
                 categories={"leak": category(rate_per_day=0.2)}, citizens={"patience_days": 1.0},
                 horizon_days=40)
    res = govsim.run(s, replications=1, seed=1, jobs=1)
    every = case_outcomes(res.cases, res.events, reports_within_years=1.0)
    assert (every["reports_by"] == every["reports"]).all()
    early = case_outcomes(res.cases, res.events, reports_within_years=5.0 / 365.25)
    assert (early["reports_by"] < early["reports"]).any() and (early["reports_by"] >= 1).all()


def test_share_below_handles_ties_and_infinity():
    assert share_below(np.array([1, 2, 2, 3]), 2) == (0.25, 0.75)
    assert share_below(np.array([1.0, np.inf, np.nan]), 5.0) == (0.5, 0.5)


def test_run_prints_the_case_distribution_table(capsys):
    assert main(["run", str(LEAK), "--replications", "3", "--jobs", "1", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "each case's outcome over 3 replications" in out
    for row in ("years to the fix", "reports within 6 years", "surface repairs",
                "units at the largest meeting", "advances never repaid (yuan)"):
        assert row in out


def test_journey_command_prints_contacts_and_draws_the_swimlane(tmp_path, capsys):
    fig = tmp_path / "leak.svg"
    assert main(["journey", str(LEAK), "--seed", "0", "--replication", "1", "--figure", str(fig)]) == 0
    out = capsys.readouterr().out
    assert "case 0 (Roof seal of a 1998 building degraded" in out and ", replication 1" in out
    assert "outcome" in out and "'not ours'" in out  # units and outcomes in words
    assert fig.exists() and "<svg" in fig.read_text()[:2000]


@pytest.mark.parametrize(("args", "flag"), [
    (["--regime", "nosuch"], "--regime"),
    (["--case", "5"], "--case"),
    (["--figure", "leak.pdf"], "--figure"),
])
def test_journey_bad_flags(args, flag, capsys):
    assert main(["journey", str(LEAK), "--seed", "0", *args]) == 2
    err = capsys.readouterr().err
    assert flag in err and "Traceback" not in err


SHISHI = Path(__file__).resolve().parent.parent / "scenarios" / "shishi_12345.toml"


def test_shishi_scenario_has_64_linkage_units_and_both_regimes():
    s = govsim.load_scenario(SHISHI)
    linkage = [n for n, u in s.world.units.items() if u.kind not in {"centre", "hotline", "media",
                                                                     "supervisory_office"}]
    assert len(linkage) == 64
    per_day = sum(c.rate_per_day for c in s.world.categories.values())
    assert 60_000 / 975 < per_day < 70_000 / 975  # seed: 60,000+ demands (and 3,555 suggestions) in ~32 months
    cons = s.regimes["consolidated"]
    assert [c.name for c in cons.channels] == ["12345 hotline", "12345 website and mobile",
                                               "service hall", "SMS and WeChat"]
    assert (cons.limits.sign_days, cons.limits.contact_days, cons.limits.finish_days) == (1.0, 2.0, 5.0)


def test_shishi_comparison_runs_and_reports_the_seed_figures(capsys):
    assert main(["compare", str(SHISHI), "--replications", "2", "--horizon-days", "30", "--jobs", "1",
                 "--no-events"]) == 0
    out = capsys.readouterr().out
    for metric in ("resolved_share", "reply_share", "callback_satisfaction", "suggestion_adoption_share"):
        assert metric_name(metric) in out

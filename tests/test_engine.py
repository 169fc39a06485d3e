"""The engine: determinism, conservation, common random numbers, and each mechanism on/off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _factory import category, consolidated, fragmented, scenario

import govsim
from govsim.model import draw_world


def run(s, regime=None, reps=1, seed=3, **kw):
    return govsim.run(s, regime, replications=reps, seed=seed, jobs=1, **kw)


def acts(res) -> pd.Series:
    return res.events["concept:name"].value_counts()


def count(res, act: str) -> int:
    return int((res.events["concept:name"] == act).sum())


@pytest.fixture(scope="module")
def tiny_mixed():
    """Every kind of category and both regimes, with most mechanisms switched on."""
    cats = {
        "leak": category(rate_per_day=2.0, surface_fix_prob=0.3, surface_fix_holds_days=10.0,
                         fix_cost_yuan=5000.0, fix_money_source="fund"),
        "shared": category(rate_per_day=3.0, owners=["owner", "street"]),
        "ask": category(kind="consultation", rate_per_day=4.0, owners=["bureau"], work_hours=0.3),
        "home": category(kind="market_social", rate_per_day=2.0, owners=["market"]),
    }
    frag = fragmented(
        channels=[{"name": "street line", "unit": "street"}, {"name": "owner line", "unit": "owner"},
                  {"name": "hotline", "unit": "hotline"}],
        deflection={"refer_prob": 0.5, "referral_lost_prob": 0.5},
        overlap_deflect_prob=0.5, false_closure_prob=0.2,
        escalation=[{"name": "supervisors", "unit": "super", "response_days": 2.0,
                     "meeting": {"attendees": ["super", "street", "owner"], "delay_days": 2.0}}],
        funding={"mode": "advance", "advancer": "street"},
    )
    cons = consolidated(kb_coverage=0.5, accuracy=0.8,
                        adjudication={"members": ["super"], "dispute_prob": 0.5})
    return scenario({"frag": frag, "cons": cons}, categories=cats,
                    funds={"fund": {"available": False}},
                    citizens={"give_up_prob": 0.1, "escalate_prob": 0.3, "knows_owner_prob": 0.3},
                    horizon_days=40)


# ----------------------------------------------------------------------------- basics
def test_same_seed_same_frames(tiny_mixed):
    a = govsim.compare(tiny_mixed, replications=2, seed=11, jobs=1)
    b = govsim.compare(tiny_mixed, replications=2, seed=11, jobs=1)
    for name in ("cases", "events", "units", "ledger", "metrics"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    c = govsim.compare(tiny_mixed, replications=2, seed=12, jobs=1)
    assert not a.cases["first_filing"].equals(c.cases["first_filing"])


def test_parallel_equals_serial(tiny_mixed):
    a = govsim.compare(tiny_mixed, replications=3, seed=5, jobs=1)
    b = govsim.compare(tiny_mixed, replications=3, seed=5, jobs=2)
    for name in ("cases", "events", "units", "ledger", "metrics"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_every_case_ends_in_exactly_one_state(tiny_mixed):
    res = govsim.compare(tiny_mixed, replications=2, seed=2, jobs=1)
    cases, ev = res.cases, res.events
    assert cases["state"].notna().all()
    assert set(cases["state"].unique()) <= {"open", "resolved", "abandoned"}
    key = ["regime", "replication", "case:concept:name"]
    finals = (ev[ev["concept:name"].isin(["resolved", "abandon"])]
              .groupby(key, observed=True).size())
    per_case = cases.set_index(["regime", "replication", "case"])
    per_case.index = per_case.index.set_names(key)
    n_final = finals.reindex(per_case.index, fill_value=0)
    # resolved and abandoned cases have exactly one final event; open ones have none
    assert (n_final[per_case["state"] != "open"] == 1).all()
    assert (n_final[per_case["state"] == "open"] == 0).all()
    # every case was filed at least once, first at its first filing time
    files = ev[ev["concept:name"] == "file"].groupby(key, observed=True)["time:timestamp"].min()
    assert len(files) == len(cases)
    assert (files.reindex(per_case.index) == per_case["first_filing"]).all()
    # resolution only after arrival; durations non-negative; censored cases not dropped
    assert (cases["duration_days"] >= 0).all()
    assert cases.loc[~cases["resolved"], "resolution_days"].isna().all()


def test_common_random_numbers_hold(tiny_mixed):
    res = govsim.compare(tiny_mixed, replications=2, seed=9, jobs=1)
    frag = res.cases[res.cases["regime"] == "frag"].reset_index(drop=True)
    cons = res.cases[res.cases["regime"] == "cons"].reset_index(drop=True)
    assert len(frag) == len(cons) > 0
    for col in ("replication", "case", "category", "first_filing"):
        assert frag[col].astype(str).equals(cons[col].astype(str)), col
    # the world draws do not depend on the regime at all
    a, b = draw_world(tiny_mixed, 9, 0), draw_world(tiny_mixed, 9, 0)
    assert np.array_equal(a.work_hours, b.work_hours) and np.array_equal(a.patience_h, b.patience_h)


def test_arrival_rate_matches_scenario():
    s = scenario({"f": fragmented()}, categories={"leak": category(rate_per_day=40.0)}, horizon_days=100)
    counts = [draw_world(s, 1, r).n for r in range(5)]
    assert abs(np.mean(counts) - 4000) < 3 * np.sqrt(4000 / 5)


# ------------------------------------------------------------------- fragmented paths
def test_single_channel_owned_by_owner_never_deflects():
    s = scenario({"f": fragmented()})
    res = run(s)
    assert count(res, "deflect") == 0 and count(res, "refer") == 0
    assert (res.cases["contacts"] == 1).all()
    assert (res.cases.loc[res.cases["resolved"], "units_touched"] == 1).all()


def test_non_owner_channel_deflects_and_citizen_refiles():
    s = scenario({"f": fragmented(channels=[{"name": "street line", "unit": "street"},
                                            {"name": "owner line", "unit": "owner"}])})
    res = run(s)
    assert count(res, "deflect") > 0
    deflected = res.cases[res.cases["contacts"] > 1]
    assert len(deflected) > 0
    # after a deflection the citizen avoids that channel, so it reaches the owner next time
    assert (deflected["state"] != "abandoned").all()
    assert res.cases["resolved"].mean() > 0.9


def test_referral_with_and_without_loss():
    chans = [{"name": "street line", "unit": "street"}]
    sure = run(scenario({"f": fragmented(channels=chans,
                                         deflection={"refer_prob": 1.0, "referral_lost_prob": 0.0})}))
    assert count(sure, "refer") > 0 and count(sure, "referral_lost") == 0 and count(sure, "deflect") == 0
    assert (sure.cases.loc[sure.cases["resolved"], "contacts"] == 1).all()
    lost = run(scenario({"f": fragmented(channels=chans,
                                         deflection={"refer_prob": 1.0, "referral_lost_prob": 1.0})},
                        citizens={"give_up_prob": 0.5}))
    assert count(lost, "referral_lost") > 0 and lost.cases["resolved"].sum() == 0


def test_overlapping_duty_partial_owner_deflects():
    cats = {"shared": category(owners=["owner", "street"])}
    never = run(scenario({"f": fragmented(overlap_deflect_prob=0.0, overlap_acts_on_share=False)},
                         categories=cats))
    assert count(never, "deflect") == 0
    often = run(scenario({"f": fragmented(overlap_deflect_prob=0.8, overlap_acts_on_share=False)},
                         categories=cats))
    assert count(often, "deflect") > 0
    assert often.metrics["contacts_per_case"].iloc[0] > never.metrics["contacts_per_case"].iloc[0]


def test_surface_fix_recurs_and_refiles():
    cats = {"leak": category(surface_fix_prob=1.0, surface_fix_holds_days=5.0, surface_fix_cost_yuan=100.0)}
    res = run(scenario({"f": fragmented()}, categories=cats))
    assert count(res, "surface_fix") > 0 and count(res, "recurrence") > 0
    assert res.cases["resolved"].sum() == 0  # nothing but patches, and no ladder to climb
    assert (res.ledger["kind"] == "surface_fix").any()
    off = run(scenario({"f": fragmented()}, categories={"leak": category(surface_fix_prob=0.0)}))
    assert count(off, "surface_fix") == 0


def _leak(**kw):
    return {"leak": category(fix_cost_yuan=90000.0, fix_money_source="fund", **kw)}


def test_unavailable_money_stalls_and_available_money_does_not():
    closed = run(scenario({"f": fragmented()}, categories=_leak(), funds={"fund": {"available": False}}))
    assert count(closed, "stall") > 0 and closed.cases["resolved"].sum() == 0
    opened = run(scenario({"f": fragmented()}, categories=_leak(), funds={"fund": {"available": True}}))
    assert count(opened, "stall") == 0 and opened.cases["resolved"].mean() > 0.9
    paid = opened.ledger[opened.ledger["kind"] == "real_fix"]
    assert set(paid["payer"].astype(str)) == {"fund:fund"}


def test_false_closure_switch():
    funds = {"fund": {"available": False}}
    on = run(scenario({"f": fragmented(false_closure_prob=1.0)}, categories=_leak(), funds=funds))
    assert count(on, "false_closure") > 0 and on.cases["false_closures"].sum() > 0
    off = run(scenario({"f": fragmented(false_closure_prob=0.0)}, categories=_leak(), funds=funds))
    assert count(off, "false_closure") == 0


def _ladder(recovery_prob: float):
    return fragmented(
        escalation=[
            {"name": "bureau", "unit": "bureau", "response_days": 1.0, "compel_prob": 0.0},
            {"name": "supervisors", "unit": "super", "response_days": 1.0,
             "meeting": {"attendees": ["super", "bureau", "street", "owner"], "hours_each": 2.0,
                         "delay_days": 3.0}},
        ],
        funding={"mode": "advance", "advancer": "street", "recovery_prob": recovery_prob,
                 "recovery_days": 5.0},
    )


def test_escalation_meeting_and_unrecovered_advance_is_shifted_cost():
    s = scenario({"f": _ladder(0.0)}, categories=_leak(rate_per_day=1.0),
                 funds={"fund": {"available": False}}, citizens={"escalate_prob": 1.0},
                 horizon_days=120)
    res = run(s)
    assert count(res, "escalate") > 0 and count(res, "meeting") > 0 and count(res, "advance") > 0
    fixed = res.cases[res.cases["resolved"]]
    assert len(fixed) > 0 and (fixed["top_rung"] == 2).all() and (fixed["meetings"] == 1).all()
    street = res.units[res.units["unit"] == "street"].iloc[0]
    advanced = res.cases["advanced_yuan"].sum()
    assert advanced == 90000.0 * len(fixed)
    # the street office owns none of it: every yuan advanced is shifted, plus its meeting hours
    assert street["shifted_money_yuan"] == pytest.approx(advanced)
    assert street["shifted_hours"] == pytest.approx(2.0 * res.cases["meetings"].sum())
    assert res.metrics["street_office_shifted_cost_yuan"].iloc[0] == pytest.approx(
        advanced + 50.0 * street["shifted_hours"])


def test_recovered_advance_is_not_shifted():
    s = scenario({"f": _ladder(1.0)}, categories=_leak(rate_per_day=1.0),
                 funds={"fund": {"available": False}}, citizens={"escalate_prob": 1.0},
                 horizon_days=120)
    res = run(s)
    street = res.units[res.units["unit"] == "street"].iloc[0]
    recovered = res.cases["recovered_yuan"].sum()
    assert recovered > 0
    assert street["shifted_money_yuan"] == pytest.approx(res.cases["advanced_yuan"].sum() - recovered)


def test_no_escalation_without_readiness():
    s = scenario({"f": _ladder(0.0)}, categories=_leak(rate_per_day=1.0),
                 funds={"fund": {"available": False}}, citizens={"escalate_prob": 0.0})
    res = run(s)
    assert count(res, "escalate") == 0 and (res.cases["top_rung"] == 0).all()


def test_give_up():
    chans = [{"name": "street line", "unit": "street"}]
    res = run(scenario({"f": fragmented(channels=chans)}, citizens={"give_up_prob": 1.0}))
    assert (res.cases["state"] == "abandoned").all() and count(res, "abandon") == len(res.cases)


# ----------------------------------------------------------------- consolidated paths
def test_knowledge_base_coverage():
    cats = {"ask": category(kind="consultation", owners=["bureau"], work_hours=0.5)}
    full = run(scenario({"c": consolidated(kb_coverage=1.0)}, categories=cats))
    assert count(full, "kb_answer") == len(full.cases) and count(full, "dispatch") == 0
    none = run(scenario({"c": consolidated(kb_coverage=0.0)}, categories=cats))
    assert count(none, "kb_answer") == 0
    dispatched = set(none.events.loc[none.events["concept:name"] == "dispatch", "case:concept:name"])
    # every case is dispatched within a working day, bar those that arrived just before the end
    early = none.cases[none.cases["first_filing"] < none.cases["first_filing"].max() - pd.Timedelta(days=4)]
    assert set(early["case"]) <= dispatched and len(early) > 0


def test_market_social_handed_out():
    cats = {"home": category(kind="market_social", owners=["market"])}
    res = run(scenario({"c": consolidated()}, categories=cats))
    assert count(res, "handoff") == len(res.cases) and count(res, "dispatch") == 0


def test_dispatch_accuracy_and_redispatch():
    perfect = run(scenario({"c": consolidated(accuracy=1.0)}))
    assert count(perfect, "return") == 0 and perfect.cases["returns"].sum() == 0
    poor = run(scenario({"c": consolidated(accuracy=0.5)}))
    assert count(poor, "return") > 0
    # every return is followed by a re-dispatch: dispatches = cases + returns for dispatched cases
    assert count(poor, "dispatch") == count(poor, "return") + int((poor.cases["tickets"] > 0).sum())
    assert poor.cases["resolved"].mean() > 0.9


def test_adjudication_settles_overlapping_duty():
    cats = {"shared": category(owners=["owner", "street"], lead="owner")}
    res = run(scenario({"c": consolidated(adjudication={"dispute_prob": 1.0, "meets_every_working_days": 5.0,
                                                        "members": ["super"]})},
                       categories=cats, country="none"))
    assert count(res, "dispute") >= 1 and count(res, "adjudicate") >= 1
    # after the ruling the category goes straight to its lead owner: disputes stop
    ev = res.events
    ruling = ev.loc[ev["concept:name"] == "adjudicate", "time:timestamp"].min()
    later = ev[(ev["time:timestamp"] > ruling) & (ev["concept:name"] == "dispute")]
    assert len(later) == 0
    late_dispatch = ev[(ev["time:timestamp"] > ruling) & (ev["concept:name"] == "dispatch")]
    assert (late_dispatch["org:resource"] == "owner").all()
    # the ruling assigns the duty: the lead's later work is its own, no longer half shifted
    lead = res.units.set_index("unit").loc["owner"]
    assert 0 < lead["shifted_hours"] < 0.5 * lead["staff_hours"]


def test_limits_breached_by_a_slow_unit():
    units = {**__import__("_factory").UNITS,
             "owner": {"kind": "property_company", "staff": 1, "hours": "24h"}}
    slow = run(scenario({"c": consolidated()}, units=units,
                        categories={"leak": category(rate_per_day=2.0, work_hours=40.0, work_cv=0.0)}))
    assert slow.cases["breaches"].sum() > 0 and slow.metrics["deadline_breach_share"].iloc[0] > 0.5
    fast = run(scenario({"c": consolidated()},
                        categories={"leak": category(rate_per_day=2.0, work_hours=1.0)}))
    assert fast.metrics["deadline_breach_share"].iloc[0] == 0.0


def test_surface_fix_under_consolidated_is_caught():
    cats = {"leak": category(surface_fix_prob=1.0, surface_fix_holds_days=5.0)}
    # units that ignore urging: every first result is a patch (test_supervision_acts.py covers
    # units that respond)
    res = run(scenario({"c": consolidated(supervision={"urge": False})}, categories=cats))
    # the first result is a patch; the repeat contact (or a dissatisfied callback) reopens the
    # same case, and supervision orders a real fix
    assert count(res, "surface_fix") > 0 and count(res, "reopen") > 0
    assert (res.cases.loc[res.cases["resolved"], "surface_fixes"] == 1).all()
    assert res.cases["resolved"].mean() > 0.8


def test_fund_release_under_consolidated():
    res = run(scenario({"c": consolidated(funding={"mode": "release", "release_working_days": 3.0})},
                       categories=_leak(), funds={"fund": {"available": False}}))
    assert count(res, "fund_release") > 0
    paid = res.ledger[res.ledger["kind"] == "real_fix"]
    assert set(paid["payer"].astype(str)) == {"fund:fund"}
    assert res.metrics["street_office_shifted_money_yuan"].iloc[0] == 0.0


# ------------------------------------------------------------ edge cases found in review
OFFICE_UNITS = {name: {**u, "hours": "08:30-17:30"} for name, u in __import__("_factory").UNITS.items()}


def _time_never_runs_backwards(res):
    ev = res.events
    for (_, _), g in ev.groupby(["regime", "case:concept:name"], observed=True):
        d = g.set_index("concept:name")["time:timestamp"]
        if "dispatch" in d.index and "sign" in d.index:
            assert d[["sign"]].min() >= d[["dispatch"]].min()


def test_zero_hour_steps_with_office_hours_do_not_crash():
    cats = {"leak": category(surface_fix_prob=0.5, surface_fix_hours=0.0, surface_fix_holds_days=3.0)}
    frag = fragmented(intake_hours=0.0)
    cons = consolidated(intake_hours=0.0, sign_hours=0.0, contact_hours=0.0,
                        dispatch_within_working_days=0.0)
    res = govsim.compare(scenario({"f": frag, "c": cons}, units=OFFICE_UNITS, categories=cats),
                         replications=1, seed=4, jobs=1)
    assert len(res.cases) > 0
    _time_never_runs_backwards(res)


def test_zero_accuracy_still_reaches_the_owner():
    res = run(scenario({"c": consolidated(accuracy=0.0, sign_hours=0.0, return_hours=0.0)}))
    # every wrong unit returns the case once; then the centre can only send it to the owner
    n_wrong = len([u for u in __import__("_factory").UNITS if u not in ("owner", "centre", "hotline", "super")])
    assert (res.cases["returns"] <= n_wrong).all() and res.cases["resolved"].mean() > 0.9


def test_released_money_buys_a_real_fix_not_a_patch():
    res = run(scenario({"c": consolidated(funding={"mode": "release", "release_working_days": 2.0})},
                       categories=_leak(surface_fix_prob=1.0), funds={"fund": {"available": False}}))
    assert count(res, "fund_release") > 0
    assert (res.cases.loc[res.cases["resolved"], "surface_fixes"] == 0).all()


def test_market_social_handoff_pays_for_the_fix():
    cats = {"home": category(kind="market_social", owners=["market"], fix_cost_yuan=500.0)}
    res = run(scenario({"c": consolidated()}, categories=cats))
    paid = res.ledger[res.ledger["kind"] == "real_fix"]
    assert len(paid) == int(res.cases["resolved"].sum()) > 0
    assert set(paid["payer"].astype(str)) == {"market"}
    # handed out, never dispatched: no working-day limits apply
    assert np.isnan(res.metrics["deadline_breach_share"].iloc[0])


def test_waiting_for_a_ruling_after_a_non_lead_dispute_counts_as_a_breach():
    cats = {"shared": category(rate_per_day=3.0, owners=["owner", "street"])}
    res = run(scenario({"c": consolidated(adjudication={"dispute_prob": 1.0,
                                                        "meets_every_working_days": 20.0})},
                       categories=cats, country="none"))
    street = res.units[res.units["unit"] == "street"].iloc[0]
    assert count(res, "dispute") > 0 and street["breaches"] > 0


def test_meeting_hours_are_costed_but_hold_no_server():
    s = scenario({"f": _ladder(0.0)}, categories=_leak(rate_per_day=1.0),
                 funds={"fund": {"available": False}}, citizens={"escalate_prob": 1.0},
                 horizon_days=120)
    street = run(s).units.set_index("unit").loc["street"]
    assert street["staff_hours"] > 0 and street["utilisation"] == 0.0

"""The fragmented regime's mechanisms at the seed's depth, each switched on and off."""

from __future__ import annotations

import numpy as np
import pytest
from _factory import UNITS, category, fragmented, scenario

import govsim


def run(s, reps=1, seed=5, **kw):
    return govsim.run(s, replications=reps, seed=seed, jobs=1, **kw)


def count(res, act: str) -> int:
    return int((res.events["concept:name"] == act).sum())


def line(unit: str, **call_centre) -> dict:
    ch = {"name": f"{unit} line", "unit": unit}
    if call_centre:
        ch["call_centre"] = {"hours": "24h", **call_centre}
    return ch


# ----------------------------------------------------------------------- call centres
def test_call_centre_with_ample_call_takers_answers_every_call():
    s = scenario({"f": fragmented(channels=[line("owner", call_takers=20, caller_patience_minutes=30.0)])})
    res = run(s)
    assert count(res, "call_abandoned") == 0 and res.cases["calls_abandoned"].sum() == 0
    assert res.cases["resolved"].mean() > 0.95


def test_busy_call_centre_loses_callers_who_redial():
    busy = dict(call_takers=1, call_minutes=60.0, caller_patience_minutes=2.0)
    cats = {"leak": category(rate_per_day=30.0, work_hours=0.1)}
    redial = run(scenario({"f": fragmented(channels=[line("owner", redial_prob=0.9, **busy)])},
                          categories=cats, horizon_days=20))
    assert count(redial, "call_abandoned") > 0
    # call-takers' time is costed to the channel's unit
    owner = redial.units.set_index("unit").loc["owner"]
    assert owner["staff_hours"] > redial.cases["resolved"].sum() * 0.1
    once = run(scenario({"f": fragmented(channels=[line("owner", redial_prob=0.0, **busy)])},
                        categories=cats, horizon_days=20))
    # without redialling, a lost call is a failed attempt: the citizen files fewer reports
    # per call lost
    assert (once.cases["calls_abandoned"] > 0).any()
    assert once.cases["contacts"].sum() < redial.cases["contacts"].sum() + redial.cases["calls_abandoned"].sum()


def test_no_call_centre_means_no_calls_lost():
    res = run(scenario({"f": fragmented()}))
    assert count(res, "call_abandoned") == 0


# ------------------------------------------------------------------ belief and deflection
def test_belief_changes_after_each_failure():
    chans = [line("street"), line("bureau"), line("owner")]
    res = run(scenario({"f": fragmented(channels=chans)}))
    resolved = res.cases[res.cases["resolved"]]
    # a failed channel is not tried again until every channel has failed: the owner is
    # reached by the third contact at the latest
    assert len(resolved) > 0 and resolved["contacts"].max() <= 3
    assert (resolved["contacts"] > 1).any()


def test_non_owner_closes_tickets_unresolved():
    chans = [line("street")]
    on = run(scenario({"f": fragmented(channels=chans, deflection={"refer_prob": 0.0, "close_prob": 1.0})},
                      citizens={"give_up_prob": 0.5}))
    assert count(on, "close_unresolved") > 0 and count(on, "deflect") == 0
    off = run(scenario({"f": fragmented(channels=chans, deflection={"refer_prob": 0.0, "close_prob": 0.0})},
                       citizens={"give_up_prob": 0.5}))
    assert count(off, "close_unresolved") == 0 and count(off, "deflect") > 0


def test_refer_plus_close_cannot_exceed_one():
    with pytest.raises(govsim.GovsimError, match="refer_prob \\+ close_prob"):
        scenario({"f": fragmented(deflection={"refer_prob": 0.7, "close_prob": 0.5})})


def test_partial_owners_act_on_their_share_only():
    cats = {"shared": category(owners=["owner", "street"], work_hours=4.0, work_cv=0.0)}
    chans = [line("owner"), line("street")]
    share = run(scenario({"f": fragmented(channels=chans, overlap_deflect_prob=0.0)}, categories=cats))
    resolved = share.cases[share.cases["resolved"]]
    assert count(share, "share_done") > 0
    # both owners had to be reached, each doing half the work
    assert (resolved["contacts"] >= 2).all() and (resolved["units_touched"] == 2).all()
    hours = share.units.set_index("unit")
    intake = 0.1 * share.cases["tickets"].sum()
    work = hours.loc["owner", "staff_hours"] + hours.loc["street", "staff_hours"] - intake
    assert work == pytest.approx(4.0 * 0.5 * count(share, "share_done"))
    whole = run(scenario({"f": fragmented(channels=chans, overlap_deflect_prob=0.0,
                                          overlap_acts_on_share=False)}, categories=cats))
    assert count(whole, "share_done") == 0
    assert (whole.cases.loc[whole.cases["resolved"], "contacts"] == 1).all()


# ----------------------------------------------------------------- surface fixes, seasons
def test_surface_fix_recurs_in_season_only():
    cats = {"leak": category(rate_per_day=1.0, surface_fix_prob=1.0, surface_fix_holds_days=20.0,
                             recurs_in_months=[6, 7])}
    res = run(scenario({"f": fragmented()}, categories=cats, horizon_days=365))
    rec = res.events[res.events["concept:name"] == "recurrence"]["time:timestamp"]
    assert len(rec) > 0 and set(rec.dt.month) <= {6, 7}
    free = run(scenario({"f": fragmented()}, categories={"leak": category(
        rate_per_day=1.0, surface_fix_prob=1.0, surface_fix_holds_days=20.0)}, horizon_days=365))
    months = set(free.events.loc[free.events["concept:name"] == "recurrence", "time:timestamp"].dt.month)
    assert len(months) > 4


def test_every_surface_repair_is_costed():
    cats = {"leak": category(surface_fix_prob=1.0, surface_fix_cost_yuan=300.0, surface_fix_holds_days=5.0)}
    res = run(scenario({"f": fragmented()}, categories=cats))
    paid = res.ledger[res.ledger["kind"] == "surface_fix"]
    assert len(paid) == count(res, "surface_fix") == res.cases["surface_fixes"].sum() > 0
    assert paid["amount_yuan"].sum() == pytest.approx(300.0 * len(paid))


# -------------------------------------------------------------------------- meetings
def _leak():
    return {"leak": category(rate_per_day=1.0, fix_cost_yuan=90000.0, fix_money_source="fund")}


def _with_rung(meeting: dict, **funding):
    return fragmented(
        escalation=[{"name": "convening", "unit": "super", "response_days": 1.0, "meeting": meeting}],
        funding={"mode": "advance", "advancer": "street", **funding},
    )


INVITED = ["super", "street", "owner", "bureau"]


def test_convening_without_authority_over_money_cannot_fund_the_fix():
    s = scenario({"f": _with_rung({"attendees": INVITED, "can_fund": False, "delay_days": 1.0})},
                 categories=_leak(), funds={"fund": {"available": False}}, citizens={"escalate_prob": 1.0})
    res = run(s)
    assert count(res, "meeting") > 0 and count(res, "advance") == 0
    assert res.cases["resolved"].sum() == 0
    fund = run(scenario({"f": _with_rung({"attendees": INVITED, "delay_days": 1.0})},
                        categories=_leak(), funds={"fund": {"available": False}},
                        citizens={"escalate_prob": 1.0}))
    assert count(fund, "advance") > 0 and fund.cases["resolved"].sum() > 0


def test_meeting_may_end_without_result():
    s = scenario({"f": _with_rung({"attendees": INVITED, "success_prob": 0.0, "delay_days": 1.0})},
                 categories=_leak(), funds={"fund": {"available": False}}, citizens={"escalate_prob": 1.0})
    res = run(s)
    assert count(res, "no_result") == count(res, "meeting") > 0 and count(res, "advance") == 0


def test_meeting_attendance_and_attendee_hours():
    full = run(scenario({"f": _with_rung({"attendees": INVITED, "hours_each": 2.0, "delay_days": 1.0})},
                        categories=_leak(), funds={"fund": {"available": False}},
                        citizens={"escalate_prob": 1.0}, horizon_days=120))
    met = full.cases[full.cases["meetings"] > 0]
    assert len(met) > 0 and (met["meeting_attendees"] == 4 * met["meetings"]).all()
    assert (met["meeting_hours"] == 2.0 * met["meeting_attendees"]).all()
    some = run(scenario({"f": _with_rung({"attendees": INVITED, "attend_prob": 0.5, "delay_days": 1.0})},
                        categories=_leak(), funds={"fund": {"available": False}},
                        citizens={"escalate_prob": 1.0}, horizon_days=120))
    met = some.cases[some.cases["meetings"] > 0]
    assert len(met) > 0 and met["meeting_attendees"].mean() < 4 * met["meetings"].mean()


def test_street_office_shifted_cost_splits_into_advances_meetings_and_handling():
    units = dict(UNITS)
    chans = [line("street"), line("owner")]
    s = scenario({"f": fragmented(
        channels=chans, escalation=[{"name": "supervisors", "unit": "super", "response_days": 1.0,
                                     "meeting": {"attendees": INVITED, "hours_each": 3.0, "delay_days": 1.0}}],
        funding={"mode": "advance", "advancer": "street", "recovery_prob": 0.0})},
        units=units, categories=_leak(), funds={"fund": {"available": False}},
        citizens={"escalate_prob": 1.0}, horizon_days=120)
    res = run(s)
    m = res.metrics.iloc[0]
    assert res.cases["advanced_yuan"].sum() > 0
    assert m["street_office_shifted_advance_yuan"] == pytest.approx(res.cases["advanced_yuan"].sum())
    assert m["street_office_shifted_meeting_yuan"] == pytest.approx(
        50.0 * 3.0 * int((res.cases["meetings"]).sum()))
    assert m["street_office_shifted_handling_yuan"] > 0  # intake of filings it does not own
    assert m["street_office_shifted_cost_yuan"] == pytest.approx(
        m["street_office_shifted_advance_yuan"] + m["street_office_shifted_meeting_yuan"]
        + m["street_office_shifted_handling_yuan"])
    assert np.isfinite(res.metrics["street_office_shifted_cost_yuan"]).all()


def test_no_shared_history_every_filing_is_a_new_ticket():
    chans = [line("street"), line("owner")]
    cats = {"leak": category(surface_fix_prob=0.5, surface_fix_holds_days=5.0)}
    frag = run(scenario({"f": fragmented(channels=chans)}, categories=cats))
    # each filing opens at least one ticket (more when referred), and nothing is ever "reopened"
    assert (frag.cases["tickets"] >= frag.cases["contacts"]).all()
    assert count(frag, "reopen") == 0
    cons = run(scenario({"c": __import__("_factory").consolidated()}, categories=cats))
    # the 12345 case record remembers: a repeat contact reopens the same case
    assert count(cons, "reopen") > 0


def test_shares_already_done_are_not_paid_or_worked_again():
    cats = {"shared": category(rate_per_day=1.0, owners=["owner", "street"], work_hours=4.0, work_cv=0.0,
                               fix_cost_yuan=1000.0)}
    s = scenario({"f": fragmented(
        channels=[line("owner")],  # only the owner can be reached: it does its half, then deflects
        overlap_deflect_prob=0.0,
        escalation=[{"name": "bureau", "unit": "bureau", "response_days": 1.0, "compel_prob": 1.0}])},
        categories=cats, citizens={"escalate_prob": 1.0}, horizon_days=60)
    res = run(s)
    fixed = res.cases[res.cases["resolved"]]
    assert len(fixed) > 0 and count(res, "share_done") > 0
    paid = res.ledger.groupby("case")["amount_yuan"].sum()
    assert (paid.reindex(fixed["case"]).fillna(0) <= 1000.0 + 1e-9).all()

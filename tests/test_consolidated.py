"""The consolidated 12345 regime's mechanisms at the seed's depth, each switched on and off."""

from __future__ import annotations

import pandas as pd
import pytest
from _factory import UNITS, category, consolidated, scenario

import govsim
from govsim.measure.lights import lights_over_time, settled_share_over_time


def run(s, reps=1, seed=5, **kw):
    return govsim.run(s, replications=reps, seed=seed, jobs=1, **kw)


def count(res, act: str) -> int:
    return int((res.events["concept:name"] == act).sum())


def test_intake_channels_attach_to_one_case_record():
    channels = [
        {"name": "12345 line", "unit": "centre", "weight": 2.0,
         "call_centre": {"call_takers": 1, "hours": "24h", "call_minutes": 30.0,
                         "caller_patience_minutes": 2.0, "redial_prob": 0.9}},
        {"name": "website", "unit": "centre", "weight": 1.0},
        {"name": "service hall", "unit": "hotline", "weight": 1.0},
    ]
    cats = {"leak": category(rate_per_day=20.0, surface_fix_prob=0.3, surface_fix_holds_days=3.0)}
    res = run(scenario({"c": consolidated(channels=channels)}, categories=cats, horizon_days=30))
    assert set(res.cases["channel"].dropna().astype(str)) == {"12345 line", "website", "service hall"}
    assert count(res, "call_abandoned") > 0 and res.cases["calls_abandoned"].sum() > 0
    # repeat contacts reopen the same case: one tracking number however many contacts
    assert res.cases["case"].is_unique and (res.cases["contacts"] > 1).any()


def test_slow_unit_gets_red_lights_and_supervision_follows_up():
    units = {**UNITS, "owner": {"kind": "property_company", "staff": 1, "hours": "24h"}}
    cats = {"leak": category(rate_per_day=2.0, work_hours=40.0, work_cv=0.0)}
    slow = run(scenario({"c": consolidated(supervision={"hours_per_red": 1.0})}, units=units,
                        categories=cats))
    lights = slow.lights
    red = lights[lights["colour"] == "red"]
    assert len(red) > 0 and set(red["unit"].astype(str)) == {"owner"}
    assert set(red["point"].astype(str)) >= {"handling"}
    # every breach has its red light, and each red light costs the supervision an hour
    assert len(red[red["point"].isin(["sign_for", "reply", "handling"])]) == slow.cases["breaches"].sum()
    centre = slow.units.set_index("unit").loc["centre"]
    # ... and the section urges the unit behind each yellow light (0.25 hours each)
    yellow = lights[lights["colour"] == "yellow"]
    assert centre["staff_hours"] == pytest.approx(0.2 * slow.cases["contacts"].sum()
                                                  + 1.0 * len(red) + 0.25 * len(yellow))
    assert slow.units.set_index("unit").loc["owner", "red_lights"] == len(red)
    table = lights_over_time(lights)
    assert table["lights"].sum() == len(lights)
    fast = run(scenario({"c": consolidated()}, categories={"leak": category(rate_per_day=2.0)}))
    assert not fast.lights["point"].isin(["sign_for", "reply", "handling"]).any()


def test_yellow_light_before_red():
    units = {**UNITS, "owner": {"kind": "property_company", "staff": 1, "hours": "24h"}}
    cats = {"leak": category(rate_per_day=2.0, work_hours=40.0, work_cv=0.0)}
    res = run(scenario({"c": consolidated(supervision={"yellow_share": 0.5})}, units=units, categories=cats))
    lights = res.lights[res.lights["point"] == "handling"]
    per_case = lights.pivot_table(index="case", columns="colour", values="time", aggfunc="min", observed=True)
    both = per_case.dropna()
    assert len(both) > 0 and (both["yellow"] < both["red"]).all()


def test_returns_light_up_the_returned_monitoring_point():
    perfect = run(scenario({"c": consolidated(accuracy=1.0)}))
    assert (perfect.lights["point"] == "returned").sum() == 0
    poor = run(scenario({"c": consolidated(accuracy=0.3)}))
    returned = poor.lights[poor.lights["point"] == "returned"]
    assert len(returned) == count(poor, "return") > 0
    assert (returned["colour"] == "red").any()  # a second return of the same case


def test_dissatisfied_callback_is_a_red_light():
    units = {**UNITS, "owner": {"kind": "property_company", "staff": 1, "hours": "24h"}}
    cats = {"leak": category(rate_per_day=1.0, work_hours=30.0, work_cv=0.0)}
    res = run(scenario({"c": consolidated()}, units=units, categories=cats,
                       citizens={"satisfied_within_days": 0.5}))
    dis = res.lights[res.lights["point"] == "dissatisfied"]
    assert len(dis) == int((res.cases["callback_rating"] == 0).sum()) > 0
    assert (dis["colour"] == "red").all()


def test_settled_share_grows_with_precedents():
    cats = {"a": category(owners=["owner", "street"]), "b": category(owners=["bureau", "street"])}
    res = run(scenario({"c": consolidated(adjudication={"dispute_prob": 1.0, "meets_every_working_days": 5.0})},
                       categories=cats, horizon_days=90))
    share = settled_share_over_time(res.events, res.cases, ["a", "b"])
    assert share["settled_share"].iloc[0] == 0.0 and share["settled_share"].iloc[-1] == 1.0
    assert share["settled_share"].is_monotonic_increasing


def test_suggestions_are_answered_and_adopted():
    cats = {"idea": category(kind="suggestion", owners=["bureau"], work_hours=0.5)}
    every = run(scenario({"c": consolidated(suggestion_adoption_prob=1.0)}, categories=cats))
    answered = every.cases[every.cases["resolved"]]
    assert len(answered) > 0 and (answered["adopted"] == 1.0).all()
    assert every.metrics["suggestion_adoption_share"].iloc[0] == 1.0
    never = run(scenario({"c": consolidated(suggestion_adoption_prob=0.0)}, categories=cats))
    assert never.metrics["suggestion_adoption_share"].iloc[0] == 0.0 and count(never, "adopted") == 0
    # complaints are not suggestions: no adoption figure
    plain = run(scenario({"c": consolidated(suggestion_adoption_prob=1.0)}))
    assert plain.cases["adopted"].isna().all()


def test_knowledge_base_grows():
    cats = {"ask": category(kind="consultation", rate_per_day=10.0, owners=["bureau"], work_hours=0.2)}
    res = run(scenario({"c": consolidated(kb_coverage=0.0, kb_coverage_final=1.0, kb_growth_days=60.0)},
                       categories=cats, horizon_days=120))
    ev = res.events
    answered = ev[ev["concept:name"] == "kb_answer"]["time:timestamp"]
    start = res.cases["first_filing"].min()
    early = (answered < start + pd.Timedelta(days=20)).sum()
    late = (answered > start + pd.Timedelta(days=60)).sum()
    assert late > 5 * max(early, 1)
    dispatched_late = ev[(ev["concept:name"] == "dispatch")
                         & (ev["time:timestamp"] > start + pd.Timedelta(days=61))]
    assert len(dispatched_late) == 0  # full coverage once grown


def test_salaried_units_cost_their_whole_capacity():
    worked = run(scenario({"c": consolidated()}))
    salaried = run(scenario({"c": consolidated(salaried=["centre"])}))
    w = worked.units.set_index("unit").loc["centre"]
    s = salaried.units.set_index("unit").loc["centre"]
    assert w["capacity_cost_yuan"] == pytest.approx(w["staff_cost_yuan"])
    assert s["capacity_cost_yuan"] == pytest.approx(5 * 60 * 24 * 30.0)  # 5 staff, 60 days, 24 h, 30 yuan/h
    diff = salaried.metrics["public_cost_yuan"].iloc[0] - worked.metrics["public_cost_yuan"].iloc[0]
    assert diff == pytest.approx(s["capacity_cost_yuan"] - w["staff_cost_yuan"])


def test_reply_and_callback_metrics():
    res = run(scenario({"c": consolidated()}))
    m = res.metrics.iloc[0]
    replied = res.cases["replied"]
    assert m["reply_share"] == pytest.approx(replied.mean()) and m["reply_share"] > 0.9
    rated = res.cases["callback_rating"] >= 0
    assert m["callback_satisfaction"] == pytest.approx((res.cases.loc[rated, "callback_rating"] == 1).mean())


def test_red_light_makes_the_case_jump_the_queue():
    units = {**UNITS, "owner": {"kind": "property_company", "staff": 2, "hours": "24h"}}
    cats = {"leak": category(rate_per_day=2.2, work_hours=20.0, work_cv=1.0)}

    def flagged_wait(effect):
        # urging off: the red light's own effect, alone
        res = run(scenario({"c": consolidated(supervision={"red_effect": effect,
                                                           "urge": False})}, units=units,
                           categories=cats, horizon_days=200), reps=3)
        red = res.lights[res.lights["colour"] == "red"][["replication", "case"]].drop_duplicates()
        flagged = res.cases.merge(red, on=["replication", "case"])
        return flagged["duration_days"].mean(), len(flagged)

    fifo, n_fifo = flagged_wait("none")
    jump, n_jump = flagged_wait("priority")
    assert n_fifo > 20 and n_jump > 20
    assert jump < fifo


def test_triage_outcome_and_step_times_per_unit():
    from govsim.measure.lights import step_times

    cats = {"ask": category(kind="consultation", owners=["bureau"], work_hours=0.2),
            "home": category(kind="market_social", owners=["market"]),
            "leak": category()}
    res = run(scenario({"c": consolidated(kb_coverage=0.5)}, categories=cats))
    # a case filed in the last hours may still be at intake at the horizon ("none")
    horizon = pd.Timestamp("2025-03-03") + pd.Timedelta(days=60)
    settled = res.cases[res.cases["first_filing"] < horizon - pd.Timedelta(days=1)]
    assert (settled["triage"].astype(str) != "none").all()
    triage = settled.groupby("category", observed=True)["triage"].agg(lambda s: set(s.astype(str)))
    assert triage["home"] == {"handed_out"}
    assert triage["ask"] <= {"knowledge_base", "dispatched"} and len(triage["ask"]) == 2
    times = step_times(res.events).set_index("unit")
    assert set(times.index) == {"bureau", "owner"}
    row = times.loc["owner"]
    assert 0 < row["sign_hours"] <= row["contact_hours"] <= row["finish_hours"]
    assert row["tickets"] == int((res.events["concept:name"] == "dispatch")
                                 .groupby(res.events["org:resource"], observed=True).sum()["owner"])


def test_duplicate_intake_channel_names_are_refused():
    ch = {"name": "12345", "unit": "centre"}
    with pytest.raises(govsim.GovsimError) as err:
        scenario({"c": consolidated(channels=[ch, dict(ch)])})
    assert err.value.path == "regimes.c.channels[1].name"


def test_dissatisfied_patch_gets_a_real_fix_even_without_the_repeat_rule():
    # a patch rated dissatisfied is reopened with a real fix ordered, so the case cannot be
    # patched forever (zero-hour steps would otherwise loop without time passing)
    cats = {"leak": category(surface_fix_prob=1.0, surface_fix_hours=0.0)}
    res = run(scenario({"c": consolidated(intake_hours=0.0, sign_hours=0.0, contact_hours=0.0,
                                          reopened_requires_real_fix=False)},
                       categories=cats, citizens={"satisfied_within_days": 0.001}, horizon_days=10))
    assert (res.cases.loc[res.cases["resolved"], "surface_fixes"] <= 2).all()
    assert res.cases["resolved"].mean() > 0.8

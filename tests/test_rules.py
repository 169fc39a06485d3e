"""Each rule group of :data:`govsim.scenario.RULES`, switched alone: it changes what it should.

Every test starts from a preset regime on a small world, switches one rule group (with
:func:`govsim.scenario.hybrid` or a key path) and checks the mechanism that rule governs: its
events, its case columns, its ledger. A rule that the world gives nothing to do changes nothing
at all (identical case columns under the same seed), and a hybrid that switches no rule, or
every differing rule, runs exactly like its source or its target.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _factory import UNITS, category, consolidated, fragmented, scenario

from govsim.model import simulate
from govsim.model.log import ACTIVITIES, Act
from govsim.recording import tables
from govsim.scenario import RULES, Scenario, differing_rules, hybrid, with_values
from govsim.scenario.presets import NOT_RULES

SEED = 7

STREET_LINE = {"name": "street line", "unit": "street"}
OWNER_LINE = {"name": "owner line", "unit": "owner"}
HOTLINE_LINE = {"name": "hotline line", "unit": "hotline"}
SLOW_OWNER = {**UNITS, "owner": {"kind": "property_company", "staff": 1, "hours": "24h"}}
NO_FUND = {"fund": {"available": False}}


# ----------------------------------------------------------------------------- helpers
def switched(s: Scenario, source: str, target: str, rules: list[str],
             name: str = "switched") -> Scenario:
    """``s`` with one more regime: ``source`` with ``target``'s settings for ``rules``."""
    regime = hybrid(s.regimes[source], s.regimes[target], rules, label=name)
    return s.model_copy(update={"regimes": {**s.regimes, name: regime}})


def sim(s: Scenario, regime: str, seed: int = SEED) -> Any:
    """Run one replication of ``regime``: the raw run with its tables as ``raw.t``."""
    raw = simulate(s, regime, seed, 0)
    raw.t = tables(raw)
    return raw


def count(raw: Any, act: int) -> int:
    return int((raw.t.events["concept:name"] == ACTIVITIES[act]).sum())


def events_of(raw: Any, act: int) -> Any:
    ev = raw.t.events
    return ev[ev["concept:name"] == ACTIVITIES[act]]


def assert_same_cases(a: Any, b: Any) -> None:
    assert a.cases.keys() == b.cases.keys()
    for key in a.cases:
        np.testing.assert_array_equal(a.cases[key], b.cases[key], err_msg=key)


def test_every_rule_group_is_covered_here():
    from govsim.scenario.rules.registry import _own

    assert {g.name for g in _own()} == {"intake", "case_record", "routing", "non_owner", "overlap",
                          "false_closure", "time_limits", "callbacks", "funding", "escalation",
                          "learning", "staffing"}
    assert NOT_RULES == ("preset", "label", "label_zh")


# ----------------------------------------------------------------------------- intake
def test_intake_channels_to_centre_takes_contacts_at_the_centre():
    s = scenario({"f": fragmented(channels=[HOTLINE_LINE],
                                  deflection={"refer_prob": 1.0, "referral_lost_prob": 0.0}),
                  "c": consolidated()}, horizon_days=20)
    s = switched(s, "f", "c", ["intake"])
    assert s.regimes["switched"].intake == "centre" and s.regimes["switched"].routing == "citizen"
    before, after = sim(s, "f"), sim(s, "switched")
    names = list(s.world.units)
    hotline, centre = names.index("hotline"), names.index("centre")
    # channels: every contact is filed at the hotline, which opens a ticket of its own
    assert set(events_of(before, Act.FILE)["org:resource"].astype(str)) == {"hotline"}
    assert before.unit_tickets[hotline] > 0 and before.unit_tickets[centre] == 0
    # centre: every contact reaches the centre, which dispatches to the unit the citizen names
    assert len(events_of(after, Act.FILE)) > 0
    assert set(events_of(after, Act.FILE)["org:resource"].astype(str)) == {"centre"}
    assert after.unit_tickets[hotline] == 0
    assert count(after, Act.DISPATCH) > 0 and count(before, Act.DISPATCH) == 0
    units = after.t.units.set_index("unit")
    assert units.loc["centre", "staff_hours"] > 0 and units.loc["hotline", "staff_hours"] == 0


# ------------------------------------------------------------------------ case record
def test_case_record_tracking_reopens_repeat_contacts_and_sends_them_to_the_owner():
    cats = {"leak": category(rate_per_day=4.0, surface_fix_prob=1.0, surface_fix_holds_days=2.0)}
    s = scenario({"c": consolidated(accuracy=0.4, record="per_filing"),
                  "t": consolidated(accuracy=0.4)}, categories=cats, horizon_days=40)
    s = switched(s, "c", "t", ["case_record"])
    assert differing_rules(s.regimes["c"], s.regimes["t"]) == ["case_record"]
    per_filing, tracking = sim(s, "c"), sim(s, "switched")

    def returns_on_repeat(raw: Any) -> int:
        ev = raw.t.events
        n = 0
        for _, group in ev.groupby("case:concept:name", sort=False):
            acts = group["concept:name"].astype(str).tolist()
            filed = [i for i, a in enumerate(acts) if a == "file"]
            if len(filed) > 1:
                n += sum(a == "return" for a in acts[filed[1]:])
        return n

    repeat = tracking.cases["contacts"] > 1
    assert repeat.sum() > 5
    # tracking: every repeat contact is attached to the record (a reopening) ...
    reopen = events_of(tracking, Act.REOPEN).groupby("case:concept:name").size()
    reopen = reopen.reindex(np.arange(len(repeat)), fill_value=0).to_numpy()
    done = tracking.cases["state"] == 1
    assert (reopen[done] >= tracking.cases["contacts"][done] - 1).all()
    # ... and dispatched straight to the owner: no returns after the first contact
    assert returns_on_repeat(tracking) == 0
    # per filing: a repeat contact is a new case to triage, which may go to the wrong unit
    assert returns_on_repeat(per_filing) > 0
    # a filing is only reopened by a dissatisfied callback (which is logged with it)
    assert count(per_filing, Act.REOPEN) < count(tracking, Act.REOPEN)


# ---------------------------------------------------------------------------- routing
def test_routing_citizen_to_triage_answers_from_the_knowledge_base_and_dispatches():
    cats = {"ask": category(kind="consultation", rate_per_day=5.0, owners=["owner"],
                            work_hours=0.2),
            "leak": category(rate_per_day=2.0)}
    s = scenario({"f": fragmented(), "c": consolidated(kb_coverage=0.6, accuracy=0.9)},
                 categories=cats, horizon_days=20)
    s = switched(s, "f", "c", ["routing"])
    citizen, triage = sim(s, "f"), sim(s, "switched")
    assert count(citizen, Act.KB_ANSWER) == 0 and count(citizen, Act.DISPATCH) == 0
    assert (citizen.cases["triage"] == 0).all()
    assert count(triage, Act.KB_ANSWER) > 0 and count(triage, Act.DISPATCH) > 0
    ask = triage.cases["category"] == 0
    kb = triage.cases["triage"] == 1
    assert kb.sum() == count(triage, Act.KB_ANSWER)
    assert (kb <= ask).all()  # only consultations are answered from the knowledge base
    # an answer from the knowledge base resolves the case at the unit that took the filing
    assert (triage.cases["state"][kb] == 1).all()
    assert set(events_of(triage, Act.KB_ANSWER)["org:resource"].astype(str)) == {"owner"}
    assert (triage.cases["triage"][~ask & (triage.cases["state"] == 1)] == 3).all()


# -------------------------------------------------------------------------- non-owner
def test_non_owner_deflect_to_return_sends_filings_back_instead_of_referring():
    s = scenario({"f": fragmented(channels=[STREET_LINE, OWNER_LINE],
                                  deflection={"refer_prob": 0.5, "referral_lost_prob": 0.3}),
                  "c": consolidated()})
    s = switched(s, "f", "c", ["non_owner"])
    deflect, ret = sim(s, "f"), sim(s, "switched")
    assert count(deflect, Act.REFER) > 0 and count(deflect, Act.DEFLECT) > 0
    assert count(deflect, Act.RETURN) == 0 and deflect.cases["returns"].sum() == 0
    for act in (Act.REFER, Act.REFERRAL_LOST, Act.DEFLECT, Act.CLOSE_UNRESOLVED):
        assert count(ret, act) == 0, ACTIVITIES[act]
    returned = events_of(ret, Act.RETURN)
    assert len(returned) > 0 and set(returned["org:resource"].astype(str)) == {"street"}
    assert ret.cases["returns"].sum() == len(returned)
    # each filing at the street office costs its intake, each return the return hours (one
    # filing may still be in hand at the horizon)
    filed = int((events_of(ret, Act.FILE)["org:resource"] == "street").sum())
    hours = ret.t.units.set_index("unit").loc["street", "staff_hours"]
    assert 0.1 * filed + 0.5 * len(returned) - 0.61 < hours <= 0.1 * filed + 0.5 * len(returned) + 1e-9


# ---------------------------------------------------------------------------- overlap
def test_overlap_deflect_to_adjudicate_rules_on_the_owner_instead_of_deflecting():
    cats = {"shared": category(owners=["owner", "street"], lead="owner")}
    s = scenario({"f": fragmented(channels=[OWNER_LINE, STREET_LINE], overlap_deflect_prob=0.6),
                  "c": consolidated(adjudication={"dispute_prob": 0.5,
                                                  "meets_every_working_days": 5.0})},
                 categories=cats, horizon_days=40)
    s = switched(s, "f", "c", ["overlap"])
    deflect, adjudicate = sim(s, "f"), sim(s, "switched")
    assert count(deflect, Act.DEFLECT) > 0 and count(deflect, Act.SHARE_DONE) > 0
    assert count(deflect, Act.ADJUDICATE) == 0 and count(deflect, Act.DISPUTE) == 0
    assert count(adjudicate, Act.ADJUDICATE) > 0
    assert count(adjudicate, Act.DISPUTE) == count(adjudicate, Act.ADJUDICATE)
    # no partial owner deflects or does only its share
    ruled = events_of(adjudicate, Act.ADJUDICATE)["time:timestamp"].min()
    assert count(adjudicate, Act.SHARE_DONE) == 0
    deflects = events_of(adjudicate, Act.DEFLECT)
    assert (deflects["time:timestamp"] >= ruled).all()
    # ...after the ruling the former co-owner is a non-owner, which may say "not ours"
    assert (deflects["org:resource"].astype(str) == "street").all()
    # the first ruling is a precedent: disputes stop once it is made
    assert (events_of(adjudicate, Act.DISPUTE)["time:timestamp"] <= ruled).all()
    assert adjudicate.cases["contacts"].mean() < deflect.cases["contacts"].mean()


# ---------------------------------------------------------------------- false closure
def test_false_closure_prob_closes_stalled_tickets_on_paper():
    cats = {"leak": category(fix_cost_yuan=9000.0, fix_money_source="fund")}
    s = scenario({"f": fragmented()}, categories=cats, funds=NO_FUND, horizon_days=30)
    on = with_values(s, {"regimes.f.false_closure_prob": 0.5})
    off_run, on_run = sim(s, "f"), sim(on, "f")
    assert count(off_run, Act.FALSE_CLOSURE) == 0 and off_run.cases["false_closures"].sum() == 0
    assert count(on_run, Act.FALSE_CLOSURE) > 0
    assert on_run.cases["false_closures"].sum() == count(on_run, Act.FALSE_CLOSURE)
    # a paper closure replaces a stall; nothing gets truly resolved either way
    assert count(on_run, Act.STALL) < count(off_run, Act.STALL)
    assert (off_run.cases["state"] != 1).all() and (on_run.cases["state"] != 1).all()


# ------------------------------------------------------------------------ time limits
def test_time_limits_off_to_on_lights_and_breaches_appear():
    cats = {"leak": category(rate_per_day=2.0, work_hours=40.0, work_cv=0.0)}
    # urging off: the lights alone (test_supervision_acts.py switches urging)
    s = scenario({"c": consolidated(time_limits=False),
                  "t": consolidated(supervision={"urge": False})}, units=SLOW_OWNER,
                 categories=cats)
    s = switched(s, "c", "t", ["time_limits"])
    off, on = sim(s, "c"), sim(s, "switched")
    assert len(off.t.lights) == 0 and off.cases["breaches"].sum() == 0
    assert len(on.t.lights) > 0 and on.cases["breaches"].sum() > 0
    red = on.t.lights[on.t.lights["colour"] == "red"]
    assert set(red["unit"].astype(str)) == {"owner"}
    breaches = red[red["point"].isin(["sign_for", "reply", "handling"])]
    assert len(breaches) == on.cases["breaches"].sum()
    # supervision chases each red light: costed at the centre; the cases themselves do not move
    hours = on.t.units.set_index("unit")["staff_hours"] - off.t.units.set_index("unit")["staff_hours"]
    assert hours["centre"] == pytest.approx(0.5 * len(red))
    np.testing.assert_array_equal(on.cases["end_h"], off.cases["end_h"])


def test_red_light_priority_puts_flagged_cases_ahead():
    units = {**UNITS, "owner": {"kind": "property_company", "staff": 2, "hours": "24h"}}
    cats = {"leak": category(rate_per_day=2.2, work_hours=20.0, work_cv=1.0)}
    s = scenario({"c": consolidated(supervision={"urge": False})}, units=units, categories=cats,
                 horizon_days=120)
    jump = with_values(s, {"regimes.c.supervision.red_effect": "priority"})
    fifo_run, jump_run = sim(s, "c"), sim(jump, "c")

    def flagged_days(raw: Any) -> float:
        red = raw.t.lights.loc[raw.t.lights["colour"] == "red", "case"].unique()
        assert len(red) > 20
        return float(raw.t.cases.loc[red, "duration_days"].mean())

    assert flagged_days(jump_run) < flagged_days(fifo_run)
    # without red lights there is nothing to put ahead: the same run
    calm = {"leak": category(rate_per_day=1.0, work_hours=1.0)}
    a = scenario({"c": consolidated()}, categories=calm, horizon_days=20,
                 citizens={"satisfied_within_days": 1000.0})
    b = with_values(a, {"regimes.c.supervision.red_effect": "priority"})
    ra, rb = sim(a, "c"), sim(b, "c")
    assert len(ra.t.lights) == 0
    assert_same_cases(ra, rb)


# -------------------------------------------------------------------------- callbacks
def test_callbacks_off_to_on_rate_every_result():
    s = scenario({"c": consolidated(callback=False), "t": consolidated()},
                 citizens={"satisfied_within_days": 1.0}, horizon_days=20)
    s = switched(s, "c", "t", ["callbacks"])
    off, on = sim(s, "c"), sim(s, "switched")
    assert count(off, Act.CALLBACK) == 0 and (off.cases["callback_rating"] == -1).all()
    assert count(on, Act.CALLBACK) > 0
    rated = on.cases["callback_rating"] >= 0
    assert (rated[on.cases["state"] == 1]).all()
    assert set(on.cases["callback_rating"][rated]) == {0, 1}
    assert set(events_of(on, Act.CALLBACK)["org:resource"].astype(str)) == {"centre"}
    # a dissatisfied rating of a real fix is a red light on its fixer
    dis = on.t.lights[on.t.lights["point"] == "dissatisfied"]
    assert len(dis) == int((on.cases["callback_rating"] == 0).sum())


def test_callbacks_reopen_patches_and_order_a_real_fix():
    cats = {"leak": category(surface_fix_prob=0.7, surface_fix_holds_days=2.0)}
    s = scenario({"c": consolidated(callback=False, reopened_requires_real_fix=False),
                  "t": consolidated()}, categories=cats,
                 citizens={"satisfied_within_days": 0.01}, horizon_days=20)
    s = switched(s, "c", "t", ["callbacks"])
    off, on = sim(s, "c"), sim(s, "switched")
    # without callbacks a patch holds until the problem recurs, and may be patched again
    assert count(off, Act.RECURRENCE) > 0 and off.cases["surface_fixes"].max() > 1
    # with them every patch is rated dissatisfied (too late) and reopened with a real fix
    # ordered: no patch is left to recur
    patched = on.cases["surface_fixes"] > 0
    assert patched.sum() > 10 and count(on, Act.RECURRENCE) == 0
    assert (on.cases["surface_fixes"] <= 1).all()
    assert count(on, Act.REOPEN) >= patched.sum() - 1
    assert (on.cases["state"][patched] == 1).mean() > 0.8


# ---------------------------------------------------------------------------- funding
@pytest.mark.parametrize("mode", ["release", "advance"])
def test_funding_stall_to_paying_gets_missing_money_fixed(mode):
    cats = {"leak": category(rate_per_day=3.0, fix_cost_yuan=9000.0, fix_money_source="fund")}
    target = (consolidated() if mode == "release" else
              consolidated(funding={"mode": "advance", "advancer": "street"}))
    s = scenario({"f": fragmented(), "c": target}, categories=cats, funds=NO_FUND,
                 horizon_days=60)
    s = switched(s, "f", "c", ["funding"])
    stall, paying = sim(s, "f"), sim(s, "switched")
    assert count(stall, Act.STALL) > 0 and (stall.cases["state"] != 1).all()
    assert len(stall.t.ledger) == 0
    assert (paying.cases["state"] == 1).sum() > 50
    ledger = paying.t.ledger
    if mode == "release":
        assert count(paying, Act.FUND_RELEASE) > 0 and count(paying, Act.ADVANCE) == 0
        assert set(ledger["payer"].astype(str)) == {"fund:fund"}
        assert (paying.cases["advanced_yuan"] == 0).all()
        # the release takes its working days: nothing resolved in the first two weeks
        assert paying.cases["end_h"][paying.cases["state"] == 1].min() > 14 * 24.0
    else:
        assert count(paying, Act.ADVANCE) > 0 and count(paying, Act.FUND_RELEASE) == 0
        assert set(ledger["payer"].astype(str)) == {"street"}
        assert set(ledger["kind"].astype(str)) == {"advance"}
        done = paying.cases["state"] == 1
        assert (paying.cases["advanced_yuan"][done] == 9000.0).all()


# ------------------------------------------------------------------------- escalation
def test_escalation_ladder_lets_deflected_citizens_climb_and_compel_the_owner():
    ladder = [{"name": "supervisors", "unit": "super", "response_days": 1.0, "compel_prob": 1.0}]
    s = scenario({"f": fragmented(channels=[STREET_LINE]),
                  "l": fragmented(channels=[STREET_LINE], escalation=ladder)},
                 citizens={"escalate_prob": 0.5, "give_up_prob": 0.1}, horizon_days=30)
    s = switched(s, "f", "l", ["escalation"])
    flat, climbing = sim(s, "f"), sim(s, "switched")
    assert (flat.cases["top_rung"] == 0).all() and count(flat, Act.ESCALATE) == 0
    assert (flat.cases["state"] != 1).all()  # the street office only ever deflects
    assert (climbing.cases["top_rung"] > 0).sum() > 10
    assert set(np.unique(climbing.cases["top_rung"])) <= {0, 1}
    assert count(climbing, Act.ESCALATE) == (climbing.cases["top_rung"] > 0).sum()
    done = climbing.cases["state"] == 1
    assert done.sum() > 0 and (climbing.cases["top_rung"][done] == 1).all()


def test_escalation_meeting_funds_missing_money():
    meeting = {"attendees": ["super", "owner", "street"], "hours_each": 2.0, "delay_days": 1.0}
    ladder = [{"name": "supervisors", "unit": "super", "response_days": 1.0, "meeting": meeting}]
    cats = {"leak": category(rate_per_day=2.0, fix_cost_yuan=500.0, fix_money_source="fund")}
    s = scenario({"f": fragmented(funding={"mode": "advance", "advancer": "street",
                                           "when": "meeting"}),
                  "l": fragmented(escalation=ladder)},
                 categories=cats, funds=NO_FUND, citizens={"escalate_prob": 1.0},
                 horizon_days=30)
    s = switched(s, "f", "l", ["escalation"])
    flat, climbing = sim(s, "f"), sim(s, "switched")
    assert (flat.cases["meetings"] == 0).all() and (flat.cases["state"] != 1).all()
    assert count(climbing, Act.MEETING) == climbing.cases["meetings"].sum() > 0
    met = climbing.cases["meetings"] > 0
    assert (climbing.cases["largest_meeting"][met] == 3).all()
    # the meeting can fund: the funding rule (an advance) is applied there, not at the ticket
    assert count(climbing, Act.ADVANCE) > 0 and (climbing.cases["state"][met] == 1).mean() > 0.9


# --------------------------------------------------------------------------- learning
def test_learning_suggestion_adoption_prob_changes_adopted():
    cats = {"idea": category(kind="suggestion", owners=["bureau"], work_hours=0.5),
            "leak": category(rate_per_day=2.0)}
    s = scenario({"c": consolidated(), "l": consolidated(suggestion_adoption_prob=1.0)},
                 categories=cats, horizon_days=20)
    s = switched(s, "c", "l", ["learning"])
    never, always = sim(s, "c"), sim(s, "switched")
    idea = never.cases["category"] == 0
    answered = never.cases["state"] == 1
    assert (answered & idea).sum() > 10
    assert (never.cases["adopted"][answered & idea] == 0).all()
    assert (always.cases["adopted"][answered & idea] == 1).all()
    assert count(always, Act.ADOPTED) == (answered & idea).sum() and count(never, Act.ADOPTED) == 0
    # complaints are no suggestions: no adoption figure either way
    assert (always.cases["adopted"][~idea] == -1).all()


def test_learning_knowledge_base_growth_answers_more_consultations():
    cats = {"ask": category(kind="consultation", rate_per_day=8.0, owners=["bureau"],
                            work_hours=0.2)}
    s = scenario({"c": consolidated(kb_coverage=0.1),
                  "l": consolidated(kb_coverage_final=1.0, kb_growth_days=10.0)},
                 categories=cats, horizon_days=30)
    s = switched(s, "c", "l", ["learning"])
    assert s.regimes["switched"].kb_coverage == 0.1  # the start is routing's, not learning's
    flat, grown = sim(s, "c"), sim(s, "switched")
    late = flat.cases["arrival_h"] > 12 * 24.0
    assert (flat.cases["triage"][late] == 1).mean() < 0.3
    assert (grown.cases["triage"][late] == 1).all()


# --------------------------------------------------------------------------- staffing
def test_staffing_salaried_changes_capacity_cost_not_outcomes():
    s = scenario({"c": consolidated(), "s": consolidated(salaried=["centre", "owner"])},
                 horizon_days=20)
    s = switched(s, "c", "s", ["staffing"])
    worked, salaried = sim(s, "c"), sim(s, "switched")
    assert_same_cases(worked, salaried)
    w = worked.t.units.set_index("unit")
    p = salaried.t.units.set_index("unit")
    assert (w["capacity_cost_yuan"] == w["staff_cost_yuan"]).all()
    for unit in ("centre", "owner"):
        cost = UNITS[unit]["hourly_cost_yuan"]
        assert p.loc[unit, "capacity_cost_yuan"] == pytest.approx(5 * 20 * 24 * cost)
        assert p.loc[unit, "capacity_cost_yuan"] > w.loc[unit, "capacity_cost_yuan"]
    assert (p.loc["street", "capacity_cost_yuan"] == w.loc["street", "capacity_cost_yuan"])
    assert (p["staff_hours"] == w["staff_hours"]).all()


# ----------------------------------------------------- a rule with nothing to act on
#: rule -> (source regime, target regime, world): the world gives the rule nothing to do. By
#: default the one category is owned outright by the unit behind the only channel, every first
#: filing is fixed and no money is missing. Intake, routing and callbacks act on every contact
#: or result in any world, so they have no such case.
IRRELEVANT: dict[str, tuple[str, str, dict[str, Any]]] = {
    "case_record": ("f", "c", {}),  # nobody files twice: every first filing is fixed
    "non_owner": ("f", "c", {}),  # the only channel is the owner's
    "overlap": ("f", "c", {"categories": {"a": category(), "b": category(owners=["bureau"])}}),
    "false_closure": ("f", "fc", {}),  # money is never missing
    "time_limits": ("f", "c", {}),  # citizen routing dispatches no ticket to time
    "funding": ("f", "c", {"categories": {"leak": category(fix_cost_yuan=100.0,
                                                           fix_money_source="fund")},
                           "funds": {"fund": {"available": True}}}),
    "escalation": ("f", "fl", {"citizens": {"escalate_prob": 0.0, "give_up_prob": 0.2}}),
    "learning": ("c", "cl", {}),  # no consultations, no suggestions
    "staffing": ("c", "cs", {}),
}


@pytest.mark.parametrize("rule", sorted(IRRELEVANT))
def test_a_rule_with_nothing_to_act_on_changes_nothing(rule):
    source, target, world = IRRELEVANT[rule]
    ladder = [{"name": "supervisors", "unit": "super", "compel_prob": 1.0}]
    regimes = {
        "f": fragmented(),
        "c": consolidated(),
        "fc": fragmented(false_closure_prob=0.9),
        "fl": fragmented(escalation=ladder),
        "cl": consolidated(kb_coverage_final=1.0, kb_growth_days=5.0,
                           suggestion_adoption_prob=1.0),
        "cs": consolidated(salaried=["centre"]),
    }
    s = scenario(regimes, **{"horizon_days": 20, **world})
    assert rule in differing_rules(s.regimes[source], s.regimes[target])
    s = switched(s, source, target, [rule])
    a, b = sim(s, source), sim(s, "switched")
    assert len(a.cases["state"]) > 50
    assert_same_cases(a, b)


# ---------------------------------------------------------------------------- hybrids
def _both_presets() -> Scenario:
    cats = {
        "leak": category(rate_per_day=2.0, surface_fix_prob=0.3, surface_fix_holds_days=5.0,
                         fix_cost_yuan=500.0, fix_money_source="fund"),
        "shared": category(rate_per_day=2.0, owners=["owner", "street"]),
        "ask": category(kind="consultation", rate_per_day=2.0, owners=["bureau"],
                        work_hours=0.3),
        "idea": category(kind="suggestion", rate_per_day=1.0, owners=["bureau"]),
    }
    f = fragmented(channels=[STREET_LINE, OWNER_LINE, HOTLINE_LINE],
                   deflection={"refer_prob": 0.5, "referral_lost_prob": 0.5},
                   overlap_deflect_prob=0.5, false_closure_prob=0.2,
                   escalation=[{"name": "supervisors", "unit": "super", "response_days": 2.0}])
    c = consolidated(kb_coverage=0.5, accuracy=0.8, salaried=["centre"],
                     suggestion_adoption_prob=0.5,
                     funding={"mode": "advance", "advancer": "street"})
    return scenario({"f": f, "c": c}, categories=cats, funds=NO_FUND,
                    citizens={"give_up_prob": 0.1, "escalate_prob": 0.3,
                              "knows_owner_prob": 0.3}, horizon_days=20)


def test_hybrid_of_no_rule_runs_as_the_source_and_of_every_rule_as_the_target():
    s = _both_presets()
    a, b = s.regimes["f"], s.regimes["c"]
    rules = differing_rules(a, b)
    assert rules == list(RULES)  # every rule group differs between these two
    s = s.model_copy(update={"regimes": {**s.regimes, "none": hybrid(a, b, []),
                                         "all": hybrid(a, b, rules)}})
    runs = {name: sim(s, name) for name in ("f", "c", "none", "all")}
    assert len(runs["f"].cases["state"]) > 50
    assert_same_cases(runs["f"], runs["none"])
    assert_same_cases(runs["c"], runs["all"])
    assert not np.array_equal(runs["f"].cases["state"], runs["c"].cases["state"])
    for x, y in (("f", "none"), ("c", "all")):
        for col in ("staff_hours", "capacity_cost_yuan", "money_paid_yuan"):
            np.testing.assert_array_equal(runs[x].t.units[col], runs[y].t.units[col], err_msg=col)
        ex, ey = (runs[k].t.events.drop(columns="regime") for k in (x, y))
        assert ex.equals(ey)


# --------------------------------------------------------------------------- review findings
def test_after_a_ruling_a_former_co_owner_acts_as_a_non_owner() -> None:
    """The precedent names the lead the only owner: a former co-owner that takes a filing of
    the category no longer fixes it (at a share of 0, all shifted), it deflects or refers."""
    cats = {"leak": category(owners=["owner", "street"], lead="owner", rate_per_day=5.0)}
    regime = fragmented(channels=[{"name": "street line", "unit": "street"}],
                        overlap="adjudicate", deflection={"refer_prob": 1.0,
                                                          "referral_lost_prob": 0.0},
                        adjudication={"members": ["super"], "dispute_prob": 1.0,
                                      "meets_every_working_days": 1.0})
    s = scenario({"adj": regime}, categories=cats)
    raw = simulate(s, "adj", 1, 0)
    ev = tables(raw).events
    resolved_by = ev[ev["concept:name"] == "resolved"]["org:resource"].astype(str)
    ruling = ev[ev["concept:name"] == "adjudicate"]["time:timestamp"].min()
    after = ev[(ev["concept:name"] == "resolved") & (ev["time:timestamp"] > ruling)]
    assert len(after) > 20
    assert (after["org:resource"].astype(str) == "owner").all()
    assert (resolved_by == "owner").sum() > (resolved_by == "street").sum()


def test_a_recovery_cancels_its_advance_at_the_share_it_was_advanced_at() -> None:
    cats = {"leak": category(owners=["owner", "street"], rate_per_day=2.0,
                             fix_cost_yuan=1000.0, fix_money_source="fund")}
    regime = consolidated(funding={"mode": "advance", "when": "ticket", "advancer": "street",
                                   "recovery_prob": 1.0, "recovery_days": 20.0},
                          adjudication={"members": ["super"], "dispute_prob": 0.2,
                                        "meets_every_working_days": 30.0})
    s = scenario({"c": regime}, categories=cats, funds={"fund": {"available": False}},
                 horizon_days=200)
    ledger = tables(simulate(s, "c", 1, 0)).ledger
    street = ledger[ledger["payer"].astype(str) == "street"]
    adv = street[street["kind"].astype(str) == "advance"].set_index("case")["payer_share"]
    rec = street[street["kind"].astype(str) == "recovery"].set_index("case")["payer_share"]
    assert len(rec) > 10
    assert (rec == adv.loc[rec.index]).all()

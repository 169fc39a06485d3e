"""Invariants of every rule composition (hypothesis): whatever each rule axis is set to, a run
keeps its books.

Each example draws a small world (one to four units plus a centre, one to three categories of
every kind, overlapping owners, funds that may be closed, short horizons) and a regime whose
every mode key is drawn independently of the others (with its probabilities, an optional ladder
with a meeting, a funding rule), then checks that every case ends in exactly one state at a time
no earlier than its arrival, that a case's events never go back in time, that no cost is
negative, that the ledger adds up to the units' and the cases' totals, and that the regimes of
one replication share one world.

The budget is fixed and the search derandomised (as in ``test_fuzz.py``); raise
``GOVSIM_FUZZ_EXAMPLES`` to search longer locally.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsim.experiment.replication import run_replication
from govsim.model import draw_world, simulate
from govsim.model.log import Act
from govsim.recording import tables
from govsim.scenario import Scenario, parse_scenario

SCALE = int(os.environ.get("GOVSIM_FUZZ_EXAMPLES", "1"))


def _settings(n: int) -> Any:
    return settings(max_examples=n * SCALE, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


WORK_KINDS = ("street_office", "property_company", "bureau", "market", "residents_committee")
CATEGORY_KINDS = ("complaint", "complaint", "consultation", "market_social", "suggestion")
PROB = st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0])
HOURS = st.sampled_from(["24h", "08:30-17:30"])


# ----------------------------------------------------------------------------- strategies
@st.composite
def worlds(draw: Any) -> dict[str, Any]:
    """A small world: 1-4 working units and a centre, 1-3 categories, maybe a fund."""
    n_units = draw(st.integers(1, 4))
    units = {
        f"u{i}": {"kind": draw(st.sampled_from(WORK_KINDS)), "staff": draw(st.integers(1, 3)),
                  "hours": draw(HOURS),
                  "hourly_cost_yuan": draw(st.sampled_from([0.0, 10.0, 55.5]))}
        for i in range(n_units)
    }
    units["centre"] = {"kind": "centre", "staff": draw(st.integers(1, 3)), "hours": draw(HOURS),
                       "hourly_cost_yuan": 30.0}
    names = sorted(k for k in units if k != "centre")
    has_fund = draw(st.integers(0, 3)) > 0
    funds = {"fund": {"available": draw(st.integers(0, 2)) == 0}} if has_fund else {}
    categories = {}
    for k in range(draw(st.integers(1, 3))):
        owners = draw(st.lists(st.sampled_from(names), min_size=1, max_size=min(2, len(names)),
                               unique=True))
        cost = draw(st.sampled_from([0.0, 800.0]))
        categories[f"cat{k}"] = {
            "kind": draw(st.sampled_from(CATEGORY_KINDS)),
            "rate_per_day": draw(st.sampled_from([0.5, 1.0, 3.0, 6.0])),
            "owners": owners,
            "work_hours": draw(st.sampled_from([0.2, 1.0, 6.0])),
            "work_cv": draw(st.sampled_from([0.0, 1.0])),
            "fix_cost_yuan": cost,
            "fix_money_source": "fund" if cost and has_fund and draw(st.integers(0, 3)) > 0 else None,
            "surface_fix_prob": draw(PROB),
            "surface_fix_cost_yuan": draw(st.sampled_from([0.0, 50.0])),
            "surface_fix_holds_days": draw(st.sampled_from([1.0, 5.0])),
        }
    citizens = {
        "patience_days": draw(st.sampled_from([0.5, 2.0])),
        "give_up_prob": draw(st.sampled_from([0.0, 0.1, 0.5])),
        "escalate_prob": draw(PROB),
        "knows_owner_prob": draw(PROB),
        "satisfied_within_days": draw(st.sampled_from([0.1, 2.0, 20.0])),
        "false_closure_discovery_days": draw(st.sampled_from([0.5, 5.0])),
    }
    return {
        "start": dt.date(2025, 3, 3),
        "horizon_days": draw(st.integers(3, 15)),
        "calendar": {"country": "none"},
        "citizens": citizens,
        "units": units,
        "funds": funds,
        "categories": categories,
    }


@st.composite
def regimes(draw: Any, world: dict[str, Any]) -> dict[str, Any]:
    """A regime over ``world``: a preset with every mode key drawn on its own."""
    units = sorted(world["units"])
    working = [u for u in units if u != "centre"]
    channels = [{"name": f"line {i}", "unit": draw(st.sampled_from(units)),
                 "weight": draw(st.sampled_from([0.5, 1.0, 2.0]))}
                for i in range(draw(st.integers(1, 3)))]
    for ch in channels:
        if draw(st.integers(0, 3)) == 0:
            ch["call_centre"] = {"call_takers": draw(st.integers(1, 2)), "hours": draw(HOURS),
                                 "call_minutes": draw(st.sampled_from([3.0, 30.0])),
                                 "caller_patience_minutes": 4.0, "redial_prob": draw(PROB),
                                 "redial_minutes": 30.0}
    refer = draw(PROB)
    mode = draw(st.sampled_from(["stall", "advance", "release"]))
    funding: dict[str, Any] = {"mode": mode, "when": draw(st.sampled_from(["meeting", "ticket"])),
                               "release_working_days": draw(st.sampled_from([0.0, 2.0])),
                               "recovery_prob": draw(PROB),
                               "recovery_days": draw(st.sampled_from([0.5, 5.0]))}
    if mode == "advance" or draw(st.booleans()):
        funding["advancer"] = draw(st.sampled_from(units))
    escalation = []
    for i in range(draw(st.integers(0, 2))):
        rung: dict[str, Any] = {"name": f"rung {i}", "unit": draw(st.sampled_from(units)),
                                "response_days": draw(st.sampled_from([0.0, 0.5, 2.0])),
                                "compel_prob": draw(PROB)}
        if draw(st.booleans()):
            rung["meeting"] = {
                "attendees": draw(st.lists(st.sampled_from(units), min_size=1, max_size=3,
                                           unique=True)),
                "attend_prob": draw(PROB), "delay_days": draw(st.sampled_from([0.0, 1.0])),
                "success_prob": draw(PROB), "can_fund": draw(st.booleans())}
        escalation.append(rung)
    kb = draw(PROB)
    return {
        "preset": draw(st.sampled_from(["fragmented", "consolidated"])),
        "centre": "centre",
        "intake": draw(st.sampled_from(["channels", "centre"])),
        "channels": channels,
        "intake_hours": draw(st.sampled_from([0.0, 0.2])),
        "intake_cv": draw(st.sampled_from([0.0, 0.5])),
        "record": draw(st.sampled_from(["per_filing", "tracking"])),
        "routing": draw(st.sampled_from(["citizen", "triage"])),
        "kb_coverage": kb,
        "dispatch_within_working_days": draw(st.sampled_from([0.0, 1.0])),
        "accuracy": draw(PROB),
        "non_owner": draw(st.sampled_from(["deflect", "return"])),
        "deflection": {"refer_prob": refer, "referral_lost_prob": draw(PROB),
                       "close_prob": draw(st.sampled_from([0.0, 1.0 - refer]))},
        "overlap": draw(st.sampled_from(["deflect", "adjudicate"])),
        "overlap_deflect_prob": draw(PROB),
        "overlap_acts_on_share": draw(st.booleans()),
        "adjudication": {"meets_every_working_days": draw(st.sampled_from([1.0, 5.0])),
                         "members": draw(st.lists(st.sampled_from(units), max_size=2,
                                                  unique=True)),
                         "dispute_prob": draw(PROB)},
        "false_closure_prob": draw(PROB),
        "time_limits": draw(st.booleans()),
        "limits": {"sign_days": draw(st.sampled_from([0.0, 1.0])), "contact_days": 2.0,
                   "finish_days": draw(st.sampled_from([0.5, 5.0]))},
        "supervision": {"yellow_share": draw(PROB),
                        "hours_per_red": draw(st.sampled_from([0.0, 0.5])),
                        "red_effect": draw(st.sampled_from(["none", "priority"]))},
        "callback": draw(st.booleans()),
        "reopened_requires_real_fix": draw(st.booleans()),
        "funding": funding,
        "escalation": escalation,
        "kb_coverage_final": draw(st.one_of(st.none(), PROB)),
        "kb_growth_days": draw(st.sampled_from([2.0, 30.0])),
        "suggestion_adoption_prob": draw(PROB),
        "salaried": draw(st.lists(st.sampled_from(working + ["centre"]), max_size=2,
                                  unique=True)),
    }


@st.composite
def compositions(draw: Any, n_regimes: int = 1) -> Scenario:
    world = draw(worlds())
    regs = {f"r{i}": draw(regimes(world)) for i in range(n_regimes)}
    return parse_scenario({"name": "drawn", "world": world, "regimes": regs})


# ----------------------------------------------------------------------------- checks
def check_states(raw: Any) -> None:
    c = raw.cases
    state, end, arrival = c["state"], c["end_h"], c["arrival_h"]
    assert set(np.unique(state)) <= {0, 1, 2}
    closed = state != 0
    assert np.isfinite(end[closed]).all()
    assert (end[closed] >= arrival[closed]).all()
    assert (end[closed] <= raw.horizon_h).all()
    assert np.isnan(end[~closed]).all()
    # exactly one final event for a closed case, none for an open one
    log = raw.log
    acts = log.column("ev_act").astype(np.int64)
    final = np.isin(acts, [Act.RESOLVED, Act.ABANDON])
    n_final = np.bincount(log.column("ev_case").astype(np.int64)[final], minlength=len(state))
    np.testing.assert_array_equal(n_final, closed.astype(np.int64))
    # a resolved case got through to someone at least once
    assert (c["contacts"][state == 1] >= 1).all()


def check_event_times(raw: Any) -> None:
    """Within a case, the case process's events in log order never go back in time.

    The log is appended as the processes run, but not always at the time it names: a staff
    session logs its steps (sign, contact, the start of the fix) with their times as soon as a
    staff member takes the ticket, and those may lie ahead (work waits for the office to open).
    The case process itself does nothing until the session ends, so its own events stay in
    order; only an advance's recovery, a process of its own, may be logged in between with an
    earlier time. Recoveries are checked apart: each comes after the case's advance.
    """
    log = raw.log
    case = log.column("ev_case").astype(np.int64)
    time = log.column("ev_time").astype(float)
    act = log.column("ev_act").astype(np.int64)
    recovery = act == Act.RECOVERY
    own = ~recovery
    c_own, t_own, a_own = case[own], time[own], act[own]
    order = np.argsort(c_own, kind="stable")  # log order kept within each case
    c_own, t_own, a_own = c_own[order], t_own[order], a_own[order]
    same = c_own[1:] == c_own[:-1]
    back = same & (t_own[1:] < t_own[:-1] - 1e-9)
    if back.any():
        i = int(np.flatnonzero(back)[0])
        raise AssertionError(f"case {c_own[i]}: act {a_own[i]} at {t_own[i]} is followed by "
                             f"act {a_own[i + 1]} at {t_own[i + 1]}")
    # no event before the case arose; the final event is the case process's last
    arrival = raw.cases["arrival_h"]
    assert (time >= arrival[case] - 1e-9).all()
    end = raw.cases["end_h"]
    closed = np.isfinite(end[c_own])
    assert (t_own[closed] <= end[c_own][closed] + 1e-9).all()
    if recovery.any():
        first_advance = np.full(len(arrival), np.inf)
        adv = act == Act.ADVANCE
        np.minimum.at(first_advance, case[adv], time[adv])
        assert (time[recovery] >= first_advance[case[recovery]]).all()


def check_costs(t: Any) -> None:
    units, cases, ledger = t.units, t.cases, t.ledger
    for col in ("staff_hours", "staff_cost_yuan", "capacity_cost_yuan", "shifted_hours"):
        assert (units[col] >= -1e-9).all(), col
    assert (cases["staff_hours"] >= -1e-9).all()
    # money per case, net of recoveries, is never negative; so is each payer's net
    assert (cases["money_yuan"] >= -1e-6).all()
    if len(ledger):
        per_payer = ledger.groupby("payer", observed=True)["amount_yuan"].sum()
        assert (per_payer >= -1e-6).all()
        assert (ledger.loc[ledger["kind"] != "recovery", "amount_yuan"] > 0).all()
    assert (cases["advanced_yuan"] >= 0).all() and (cases["recovered_yuan"] >= 0).all()
    assert (cases["recovered_yuan"] <= cases["advanced_yuan"] + 1e-6).all()


def check_books(t: Any) -> None:
    """The ledger adds up to the units' and the cases' totals."""
    units, cases, ledger, lights = t.units.set_index("unit"), t.cases, t.ledger, t.lights
    payer = ledger["payer"].astype(str)
    paid = ledger.groupby(payer)["amount_yuan"].sum()
    shifted = (ledger["amount_yuan"] * (1.0 - ledger["payer_share"])).groupby(payer).sum()
    advance = ledger["kind"].isin(["advance", "recovery"])
    shifted_adv = (ledger["amount_yuan"] * (1.0 - ledger["payer_share"]))[advance] \
        .groupby(payer[advance]).sum()
    for unit, row in units.iterrows():
        assert row["money_paid_yuan"] == pytest.approx(paid.get(unit, 0.0), abs=1e-6), unit
        assert row["shifted_money_yuan"] == pytest.approx(shifted.get(unit, 0.0), abs=1e-6), unit
        assert row["shifted_advance_yuan"] == pytest.approx(shifted_adv.get(unit, 0.0),
                                                            abs=1e-6), unit
        assert row["staff_cost_yuan"] == pytest.approx(row["staff_hours"] * row["hourly_cost_yuan"])
        assert row["shifted_cost_yuan"] == pytest.approx(
            row["shifted_money_yuan"] + row["shifted_hours"] * row["hourly_cost_yuan"])
        if not row["salaried"]:
            assert row["capacity_cost_yuan"] == pytest.approx(row["staff_cost_yuan"])
    # every yuan of the ledger is some case's, every staff hour some unit's
    per_case = ledger.groupby("case")["amount_yuan"].sum().reindex(cases["case"], fill_value=0.0)
    np.testing.assert_allclose(cases["money_yuan"].to_numpy(), per_case.to_numpy(), atol=1e-6)
    assert cases["staff_hours"].sum() == pytest.approx(units["staff_hours"].sum())
    assert ledger["case"].between(0, len(cases) - 1).all()
    # ledger kinds and the case columns of advances agree
    adv = ledger.loc[ledger["kind"] == "advance"].groupby("case")["amount_yuan"].sum()
    np.testing.assert_allclose(
        cases["advanced_yuan"].to_numpy(), adv.reindex(cases["case"], fill_value=0.0).to_numpy())
    # lights: every breach has its red light, and the units' counts are the lights table's
    red = lights["colour"] == "red"
    assert units["red_lights"].sum() == red.sum()
    assert units["yellow_lights"].sum() == (~red).sum()
    assert units["breaches"].sum() == cases["breaches"].sum()


@_settings(150)
@given(s=compositions())
def test_every_composition_keeps_its_books(s: Scenario) -> None:
    raw = simulate(s, "r0", seed=3, replication=0)
    t = tables(raw)
    check_states(raw)
    check_event_times(raw)
    check_costs(t)
    check_books(t)


@_settings(50)
@given(s=compositions(n_regimes=2))
def test_the_regimes_of_a_replication_share_one_world(s: Scenario) -> None:
    out = run_replication(s, ["r0", "r1"], seed=5, replication=1)
    a, b = out.cases
    assert len(a) == len(b)
    for col in ("case", "category", "first_filing", "satisfied_within_h"):
        if col in a:
            assert a[col].astype(str).equals(b[col].astype(str)), col
    # the world's draws do not depend on the regimes at all
    lone = s.model_copy(update={"regimes": {"r1": s.regimes["r1"]}})
    x, y = draw_world(s, 5, 1), draw_world(lone, 5, 1)
    for name in x.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(x, name), getattr(y, name), err_msg=name)
    # and each regime, run alone, sees exactly the world it saw beside the other
    alone = simulate(lone, "r1", seed=5, replication=1)
    np.testing.assert_array_equal(alone.cases["arrival_h"], x.arrival_h)
    np.testing.assert_array_equal(alone.cases["category"], x.category)
    b_state = b["state"].cat.codes.to_numpy()
    np.testing.assert_array_equal(alone.cases["state"], b_state)

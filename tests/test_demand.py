"""Responsive demand: citizens file more when the regime has served them well."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from govsim.errors import GovsimError
from govsim.model import simulate
from govsim.model.demand import Trust
from govsim.model.state import NOT_FILED
from govsim.recording import tables
from govsim.scenario import Demand
from tests._factory import category, fragmented, scenario


def test_trust_is_the_decaying_share_of_good_outcomes() -> None:
    t = Trust(Demand(responsiveness=2.0, reference_trust=0.5, memory_days=1.0, max_factor=3.0))
    assert t.level == 0.5 and t.propensity(0.0) == pytest.approx(1.0)
    t.outcome(0.0, 1.0)
    t.outcome(24.0, 0.0)
    # by hand: the start (0.5, weight 1) and the first outcome, both a day old, then a failure
    k = math.exp(-1.0)
    assert t.level == pytest.approx((1.5 * k + 0.0) / (2.0 * k + 1.0))
    p = t.propensity(24.0)
    assert p == pytest.approx(math.exp(2.0 * (t.level - 0.5)))
    assert t.files(24.0, p / 3.0 - 1e-9) and not t.files(24.0, p / 3.0 + 1e-9)
    # capped at max_factor
    eager = Trust(Demand(responsiveness=50.0, initial_trust=1.0, max_factor=3.0))
    assert eager.propensity(0.0) == 3.0 and eager.files(0.0, 0.999)


def _world(work_hours: float, **demand) -> object:
    return scenario({"f": fragmented(intake_hours=0.0)}, horizon_days=120,
                    categories={"a": category(rate_per_day=10.0, work_hours=work_hours)},
                    citizens={"satisfied_within_days": 1.0, "give_up_prob": 0.0,
                              "patience_days": 2.0, "escalate_prob": 0.0,
                              "knows_owner_prob": 0.0, "false_closure_discovery_days": 5.0},
                    demand=demand)


def test_off_changes_nothing() -> None:
    plain = _world(0.5)
    off = _world(0.5, responsiveness=0.0, max_factor=3.0, memory_days=10.0)
    a, b = simulate(plain, "f", seed=2), simulate(off, "f", seed=2)
    for key in a.cases:
        np.testing.assert_array_equal(a.cases[key], b.cases[key], err_msg=key)
    np.testing.assert_array_equal(a.log.column("ev_time"), b.log.column("ev_time"))
    assert plain.expected_cases() == off.expected_cases() == 1200.0


def test_a_regime_that_serves_well_attracts_filings() -> None:
    demand = {"responsiveness": 3.0, "max_factor": 2.0, "memory_days": 10.0}
    fast, slow = _world(0.2, **demand), _world(400.0, **demand)  # slow: nobody is satisfied
    assert fast.expected_cases() == 2400.0
    raw_fast, raw_slow = simulate(fast, "f", seed=5), simulate(slow, "f", seed=5)
    # the same problems arose in both (common random numbers)...
    np.testing.assert_array_equal(raw_fast.cases["arrival_h"], raw_slow.cases["arrival_h"])
    filed_fast = raw_fast.cases["state"] != NOT_FILED
    filed_slow = raw_slow.cases["state"] != NOT_FILED
    # ...and the better regime got more of them filed
    assert filed_fast.sum() > 1.3 * filed_slow.sum()
    # late in the run the fast regime's citizens are satisfied (trust near 1): they file at
    # exp(3 * 0.5) = 4.5, capped at 2, times the rate, i.e. nearly every problem
    late = raw_fast.cases["arrival_h"] > 60 * 24
    assert filed_fast[late].mean() > 0.9
    # the slow regime's citizens file at exp(3 * (0 - 0.5)) = 0.22 of the rate, i.e. 11% of
    # problems (the problems are drawn at twice the rate), once trust has gone
    late_slow = filed_slow[late].mean()
    assert abs(late_slow - math.exp(-1.5) / 2.0) < 0.03, late_slow
    # unfiled problems are not cases: no row, no event
    t = tables(raw_slow)
    assert len(t.cases) == filed_slow.sum()
    assert set(t.events["case:concept:name"]) <= set(np.flatnonzero(filed_slow))


@pytest.mark.parametrize(("demand", "path"), [
    ({"max_factor": 0.5}, "world.demand.max_factor"),
    ({"responsiveness": 1e6}, "world.demand.responsiveness"),
    ({"reference_trust": 1.5}, "world.demand.reference_trust"),
    ({"memory_days": 0}, "world.demand.memory_days"),
    ({"trust": 0.5}, "world.demand.trust"),
])
def test_bad_demand_keys_are_named(demand, path) -> None:
    with pytest.raises(GovsimError) as err:
        _world(1.0, **demand)
    assert err.value.path == path


def test_a_case_studys_dated_problem_is_always_filed() -> None:
    s = scenario({"f": fragmented()}, horizon_days=30, categories={
        "leak": category(rate_per_day=0.0, arrivals=[dt.date(2025, 3, 10)] * 2),
        "noise": category(rate_per_day=3.0)},
        demand={"responsiveness": -20.0, "max_factor": 5.0, "initial_trust": 1.0})
    for rep in range(5):
        raw = simulate(s, "f", seed=1, replication=rep)
        leak = raw.cases["category"] == 0
        assert leak.sum() == 2 and (raw.cases["state"][leak] != NOT_FILED).all()
        # the random ones are thinned hard (propensity exp(-20 * 0.5) of 5)
        assert (raw.cases["state"][~leak] == NOT_FILED).mean() > 0.9


def test_draws_pickle_after_a_run() -> None:
    import pickle

    from govsim.model import draw_world

    s = _world(0.5, responsiveness=1.0)
    d = draw_world(s, 3, 0)
    simulate(s, "f", seed=3, draws=d)
    back = pickle.loads(pickle.dumps(d))
    np.testing.assert_array_equal(back.file_u, d.file_u)
    assert back.views["file_u"][0] == d.file_u[0]

"""The compact forms of a run's state give back exactly what was written.

The event log and ledgers are compacted into typed chunks during a run, rarely-touched per-case
state lives in typed arrays, and the world's draws for repeated events are made when first read.
None of this may change a value: these tests hold each form to the plain one.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim.model import RegimeRun, draw_world
from govsim.model.draws import K_DRAWS, stream
from govsim.model.log import COLUMNS, Log
from govsim.scenario import mmc_scenario
from govsim.scenario.rules import CaseColumn

EVENT = st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 32),
                  st.floats(allow_nan=False, allow_infinity=False), st.integers(-1, 500))


@settings(max_examples=60, deadline=None)
@given(events=st.lists(EVENT, max_size=60), cuts=st.sets(st.integers(0, 60)))
def test_compacting_the_log_at_any_point_keeps_every_value(events, cuts) -> None:
    log = Log()
    for k, event in enumerate(events):
        if k in cuts:
            log.compact()
        log.event(*event)
        log.staff(event[0], event[3], event[2], 0.5, event[2], purpose=k % 5)
    for j, name in enumerate(("ev_case", "ev_act", "ev_time", "ev_unit")):
        column = log.column(name)
        assert column.dtype == np.dtype(COLUMNS[name])
        assert column.tolist() == [e[j] for e in events]
    assert log.column("st_purpose").tolist() == [k % 5 for k in range(len(events))]
    assert log.column("ev_case", release=True).tolist() == [e[0] for e in events]
    assert len(log.column("ev_case")) == 0  # released: the log is spent


def test_a_value_out_of_a_columns_range_is_an_error_not_a_wrap() -> None:
    log = Log()
    log.event(0, 300, 0.0, 0)  # an activity code beyond int8
    with pytest.raises(OverflowError):
        log.compact()
    counts = CaseColumn("x", "i", 0, None).new(3)
    with pytest.raises(OverflowError):
        counts[0] = 2**31


def test_per_case_columns_start_filled() -> None:
    assert list(CaseColumn("x", "b", -1, None).new(4)) == [-1] * 4
    assert np.isnan(CaseColumn("x", "d", np.nan, None).new(2)).all()
    assert CaseColumn("x", "list", 0, None).new(3) == [0, 0, 0]


def test_the_repeat_draws_do_not_depend_on_when_they_are_read() -> None:
    s = mmc_scenario(4.0, 3, 0.5, horizon_days=30)
    early, late = draw_world(s, 5, 2), draw_world(s, 5, 2)
    first = early.climb_u.copy(), early.patience_h.copy(), early.surface_hold_h.copy()
    # read in another order, after other draws were used
    _ = late.views, late.work_hours.sum()
    second = late.surface_hold_h, late.patience_h, late.climb_u
    for a, b in zip(first, reversed(second), strict=True):
        np.testing.assert_array_equal(a, b)
    assert early.patience_h.shape == (early.n, K_DRAWS)
    # the draws are those of their named streams, as when they were drawn with the world
    mean = s.world.citizens.patience_days * 24.0
    np.testing.assert_array_equal(
        early.patience_h, stream(5, 2, "citizens", 0).exponential(mean, (early.n, K_DRAWS)))


def test_a_run_hands_back_its_columns_and_lets_its_state_go() -> None:
    s = mmc_scenario(4.0, 3, 0.5, horizon_days=30)
    model = RegimeRun(s, "queue", seed=1, replication=0)
    raw = model.run()
    # the engine is spent: nothing of its per-case state outlives the run (cases still
    # queued at the horizon hold it in a reference cycle)
    assert not vars(model)
    n = len(raw.cases["arrival_h"])
    assert n > 0 and all(len(v) == n for v in raw.cases.values())
    # typed integer columns leave the run in their compact type, with no copy; the cases table
    # widens them to the dtype they declare
    assert raw.cases["contacts"].dtype == np.int32 and raw.cases["end_h"].dtype == float
    assert raw.cases["state"].dtype == np.int8 and raw.cases["replied"].dtype == bool
    from govsim.recording import tables
    assert tables(raw).cases["contacts"].dtype == np.int64
    assert len(raw.log.column("ev_case")) >= 3 * int((raw.cases["state"] == 1).sum())

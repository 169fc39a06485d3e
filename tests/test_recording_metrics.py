"""``recording="metrics"`` (a :class:`govsim.model.tally.Tally` in place of the full log) gives
the same metrics, daily table and cohorts as full recording, to the last bit, for every shipped
scenario and every one of its regimes, with and without a warm-up, and keeps no other table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.errors import GovsimError
from govsim.experiment.replication import TABLES, run_replication
from govsim.model import simulate
from govsim.model.blocks import BLOCK_ROWS, RowBlocks
from govsim.model.tally import Tally
from govsim.scenario import load_scenario
from govsim.scenario.catalogue import shipped_names
from govsim.scenario.edit import with_overrides

#: a horizon long enough for failures, recurrences, callbacks and rulings, short enough for CI
_DAYS = {"district": 45}


def _scenario(name: str):
    s = load_scenario(name)
    return with_overrides(s, horizon_days=_DAYS[name]) if name in _DAYS else s


def _same(a: float, b: float) -> bool:
    return a == b or (np.isnan(a) and np.isnan(b))


@pytest.mark.parametrize("warmup_days", [0.0, 7.0])
@pytest.mark.parametrize("name", shipped_names())
def test_metrics_recording_gives_the_same_metrics_to_the_last_bit(name: str, warmup_days: float):
    s = _scenario(name)
    regimes = tuple(s.regimes)
    full = run_replication(s, regimes, 11, 1, record_events=False, warmup_days=warmup_days)
    lean = run_replication(s, regimes, 11, 1, record_events=False, warmup_days=warmup_days,
                           recording="metrics")
    assert lean.regimes == full.regimes == regimes
    for k, regime in enumerate(regimes):
        differ = [m for m, v in full.metrics[k].items()
                  if isinstance(v, float) and not _same(v, lean.metrics[k][m])]
        assert not differ, f"{name}/{regime}: {differ}"
        assert lean.metrics[k].keys() == full.metrics[k].keys()
        for table in ("daily", "cohorts"):
            a, b = getattr(full, table)[k], getattr(lean, table)[k]
            assert a.equals(b), f"{name}/{regime}: {table}"
            assert np.array_equal(pd.util.hash_pandas_object(a), pd.util.hash_pandas_object(b))
    for table in TABLES:  # nothing else is kept
        assert getattr(lean, table) == []


def test_a_tally_adds_up_what_the_full_log_holds():
    """The units table made from a Tally's sums is the full log's, column for column (lights,
    shifted parts, utilisation included), under consolidated rules with lights and rulings."""
    from govsim.recording import tables
    s = _scenario("district")
    full = tables(simulate(s, "consolidated", 4, 0, warmup_h=48.0))
    raw = simulate(s, "consolidated", 4, 0, warmup_h=48.0, recording="metrics")
    assert isinstance(raw.log, Tally)
    lean = tables(raw)
    assert full.units.equals(lean.units)
    assert full.cases.equals(lean.cases)
    assert full.ledger.equals(lean.ledger)
    assert len(lean.events) == len(lean.lights) == 0
    assert (full.units["red_lights"] > 0).any()  # the check saw lights


def test_compare_with_metrics_recording_keeps_metrics_and_results_over_time():
    kw = dict(replications=2, horizon_days=20, jobs=1, regimes=["fragmented", "consolidated"])
    full = govsim.compare("district", **kw)
    lean = govsim.compare("district", recording="metrics", **kw)
    assert lean.metrics.equals(full.metrics)
    assert lean.over_time().equals(full.over_time())
    assert len(lean.cases) == len(lean.events) == 0


def test_an_unknown_recording_is_refused_by_name():
    with pytest.raises(GovsimError) as e:
        govsim.compare("district", replications=1, horizon_days=5, recording="some")
    assert e.value.path == "recording" and "'metrics'" in str(e.value)
    with pytest.raises(GovsimError) as e:
        simulate(load_scenario("district"), "fragmented", 0, recording="events")
    assert e.value.path == "recording"


@pytest.mark.parametrize("kept", [1, 3, 64])
def test_blocks_of_draws_are_the_whole_draw_read_in_any_order(kept: int):
    n = 5 * BLOCK_ROWS + 17
    whole = np.random.default_rng(9).exponential(2.5, (n, 8))
    blocks = RowBlocks(np.random.default_rng(9), lambda rng, _f, rows: rng.exponential(2.5, (rows, 8)),
                       n, kept=kept)
    order = np.random.default_rng(1).permutation(n)[:3000].tolist() + [n - 1, 0, n - 1]
    assert all(blocks.item(i, j) == whole[i, j] for i in order for j in (0, 7))
    assert len(blocks._kept) <= kept


def test_the_worlds_repeat_draws_read_by_block_are_the_whole_arrays():
    from govsim.model.draws import draw_world
    s = load_scenario("district")
    whole, read = draw_world(s, 3, 2), draw_world(s, 3, 2)
    rows = np.random.default_rng(2).integers(0, whole.n, 2000).tolist() + [whole.n - 1]
    for array, blocks in (("patience_h", "patience"), ("climb_u", "climb"),
                          ("surface_hold_h", "surface_hold")):
        a, b = getattr(whole, array), getattr(read, blocks)
        assert all(a.item(i, j) == b.item(i, j) for i in rows for j in range(8)), array

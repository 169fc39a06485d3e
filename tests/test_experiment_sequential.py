"""The precision target and its sequential rule (govsim.experiment.sequential)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _sweeps import small_experiment

from govsim.experiment import Precision, sweep
from govsim.experiment.sequential import PrecisionState, next_batch, projection
from govsim.experiment.store import ResultsStore


def test_precision_target_easy_stops_at_the_first_batch(tmp_path: Path) -> None:
    prec = Precision(metrics=("cases",), relative=0.5, max_replications=20)
    res = sweep(small_experiment(keep=(), precision=prec), tmp_path / "s", executor="serial")
    assert res.manifest["planned_replications"] == {str(p): 3 for p in range(4)}


def test_precision_target_unreachable_stops_at_the_maximum(tmp_path: Path) -> None:
    prec = Precision(metrics=("resolution_days_median",), relative=0.001, max_replications=6,
                     min_batch=2)
    res = sweep(small_experiment(keep=(), precision=prec), tmp_path / "s", executor="serial")
    assert res.manifest["planned_replications"] == {str(p): 6 for p in range(4)}
    assert res.metrics.groupby("point")["replication"].nunique().eq(6).all()


def test_precision_target_met_where_it_stopped_early(tmp_path: Path) -> None:
    prec = Precision(metrics=("contacts_per_case", "units_per_case"), relative=0.02,
                     max_replications=40, min_batch=2)
    exp = small_experiment(keep=(), replications=2, precision=prec)
    res = sweep(exp, tmp_path / "s", executor="serial")
    planned = {int(p): n for p, n in res.manifest["planned_replications"].items()}
    summ = res.summary(list(prec.metrics)).set_index(["point", "regime", "metric"])
    for p, n in planned.items():
        rel = (summ.loc[p]["half_width"] / summ.loc[p]["mean"].abs()).max()
        if n < prec.max_replications:
            assert rel <= prec.adjusted
        assert (summ.loc[p]["n"] == n).all()
    assert any(n > 2 for n in planned.values())
    # the procedure is deterministic: the local executor plans the same replications
    local = sweep(exp, tmp_path / "l", executor="local", jobs=2)
    assert local.manifest["planned_replications"] == res.manifest["planned_replications"]
    pd.testing.assert_frame_equal(local.metrics, res.metrics)


def test_precision_ignores_a_metric_a_regime_does_not_define(tmp_path: Path) -> None:
    # the reply share is NaN under the fragmented rules: only the consolidated regime counts
    prec = Precision(metrics=("reply_share", "cases"), relative=0.5,
                     max_replications=12)
    res = sweep(small_experiment(keep=(), precision=prec), tmp_path / "s", executor="serial",
                progress=False)
    assert res.manifest["planned_replications"] == {str(p): 3 for p in range(4)}
    assert all(v["met"] for v in res.manifest["precision"]["points"].values())


def test_precision_projection_uses_the_t_quantile_and_at_most_doubles() -> None:

    rng = np.random.default_rng(0)
    values = rng.normal(100.0, 10.0, 5)
    rel, need = projection(values, 0.01, 0.95, 1000)
    assert rel > 0.01 and 5 < need < 1000
    sd, mean = values.std(ddof=1), values.mean()
    from scipy import stats

    t = stats.t.ppf(0.975, need - 1)
    assert t * sd / np.sqrt(need) <= 0.01 * mean
    assert stats.t.ppf(0.975, need - 2) * sd / np.sqrt(need - 1) > 0.01 * mean
    assert projection(np.array([np.nan, np.nan]), 0.01, 0.95, 50) == (np.inf, 50)
    assert projection(np.array([-1.0, 1.0]), 0.01, 0.95, 50) == (np.inf, 50)
    # replications without a value (a median not reached) scale the projection up
    _, with_gaps = projection(np.append(values, [np.nan] * 5), 0.01, 0.95, 1000)
    assert with_gaps == min(1000, int(np.ceil(need * 2)))


def test_precision_does_not_ignore_a_metric_missing_at_one_point_only(tmp_path: Path) -> None:
    exp = small_experiment(keep=(), replications=3,
                           precision=Precision(("resolution_days_median",), relative=0.5,
                                               max_replications=9))
    out = tmp_path / "s"
    sweep(small_experiment(keep=(), replications=3), out, executor="serial", progress=False)
    # make point 0's median unreached in every replication
    f = out / "metrics" / "p0000-r0000.parquet"
    for r in range(3):
        f = out / "metrics" / f"p0000-r{r:04d}.parquet"
        frame = pd.read_parquet(f)
        frame["resolution_days_median"] = np.nan
        frame.to_parquet(f, index=False)
    store = ResultsStore(out, ())
    planned = {p: 3 for p in range(4)}
    done = [(p, r) for p in range(4) for r in range(3)]
    state = PrecisionState()
    assert exp.precision is not None
    still = next_batch(exp.precision, exp.regimes, store.read_metrics(done), planned,
                       set(range(4)), state)
    assert 0 in still and planned[0] == 6
    assert state.points["0"]["met"] is False and state.ignored == []

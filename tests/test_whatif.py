"""govsim.what_if: a regime as written and with changed values, paired replication by
replication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.errors import GovsimError
from govsim.experiment.whatif import BASE, CHANGED

SMALL = dict(replications=3, horizon_days=10, seed=5, executor="serial", recording="metrics")


@pytest.fixture(scope="module")
def changed():
    return govsim.what_if("district", {"regimes.consolidated.accuracy": 0.6}, "consolidated",
                          **SMALL)


def test_the_two_runs_are_the_two_scenarios_runs(changed) -> None:
    s = govsim.load_scenario("district")
    as_written = govsim.run(s, "consolidated", **SMALL).metrics
    other = govsim.run(govsim.scenario.with_values(s, {"regimes.consolidated.accuracy": 0.6}),
                       "consolidated", **SMALL).metrics
    got = changed.metrics
    for key, expected in ((BASE, as_written), (CHANGED, other)):
        part = got[got["regime"] == key].drop(columns="regime").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected.drop(columns="regime").reset_index(
            drop=True), check_dtype=False)


def test_differences_are_paired_by_replication(changed) -> None:
    m = changed.metrics.set_index(["regime", "replication"])["units_per_case"]
    per_rep = (m.loc[CHANGED] - m.loc[BASE]).to_numpy()
    d = changed.differences(["units_per_case"]).iloc[0]
    assert d["regime"] == CHANGED and d["baseline"] == BASE
    assert d["mean_diff"] == pytest.approx(per_rep.mean())
    assert d["n"] == 3 and np.all(per_rep > 0)  # a worse dispatcher: more units per case
    assert d["ci_low"] > 0


def test_it_is_labelled_from_the_regime(changed) -> None:
    names = changed.names("en")
    assert names.regime(BASE) == "One number, 12345: as written"
    assert names.regime(CHANGED) == "One number, 12345: changed"
    assert "One number, 12345: changed - One number, 12345: as written (paired)" in \
        changed.table(["units_per_case"])


def test_world_values_can_change_too() -> None:
    res = govsim.what_if("shanghai_leak", {"world.funds.maintenance_fund.available": True},
                         "fragmented", replications=2, seed=1, executor="serial",
                         recording="metrics")
    assert list(res.regimes) == [BASE, CHANGED]
    assert len(res.metrics) == 4


@pytest.mark.parametrize(("changes", "where"), [
    ({"regimes.consolidated.acuracy": 0.5}, "changes.regimes.consolidated.acuracy"),
    ({"regimes.consolidated.accuracy": 1.5}, "changes.regimes.consolidated.accuracy"),
    ({"world.horizon_days": 5}, "changes.world.horizon_days"),
    ({"world.start": "2025-02-01"}, "changes.world.start"),
    ({"regimes.fragmented.routing": "triage"}, "changes.regimes.fragmented.routing"),
    (["regimes.consolidated.accuracy"], "changes"),
    ({3: 1}, "changes"),
])
def test_bad_changes_are_refused_by_name_before_anything_runs(changes, where) -> None:
    with pytest.raises(GovsimError) as err:
        govsim.what_if("district", changes, "consolidated", **SMALL)
    assert str(err.value).startswith(where + ":")

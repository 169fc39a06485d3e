"""ABC-SMC calibration (optional extra govsim[abc]): a posterior that covers a known value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from govsim.calibration.abc import weighted_quantile
from govsim.calibration.search import calibrate
from govsim.errors import GovsimError
from tests.test_calibration import TRUE_TREND, _targets, _world


def test_weighted_quantile() -> None:
    v = np.array([3.0, 1.0, 2.0, 4.0])
    assert weighted_quantile(v, np.ones(4), 0.5) == 2.0
    assert weighted_quantile(v, np.array([0.0, 0.0, 0.0, 1.0]), 0.5) == 4.0
    assert weighted_quantile(v, np.array([1.0, 1.0, 0.0, 0.0]), 0.05) == 1.0


def test_abc_posterior_covers_a_known_trend(tmp_path: Path) -> None:
    pytest.importorskip("pyabc")
    s = _world()
    cal = calibrate(_targets(s.name), s, "f", ["world.categories.*.trend_per_year=-0.2:0.8"],
                    method="abc", budget=60, replications=1, seed=2, executor="serial")
    row = cal.posterior_summary.iloc[0]
    # the prior is uniform on [-0.2, 0.8]; the posterior must be much narrower and cover 0.35
    assert row["q05"] <= TRUE_TREND <= row["q95"], row
    assert row["q95"] - row["q05"] < 0.5 * (0.8 - -0.2), row
    assert cal.best["world.categories.*.trend_per_year"] == row["median"]
    weights = cal.posterior["weight"].to_numpy()
    assert np.isclose(weights.sum(), 1.0) and (weights >= 0).all()
    assert set(cal.trace["stage"]) >= {"posterior", "check", "start"}
    cal.write(tmp_path / "abc")
    assert {"posterior.csv", "posterior_summary.csv", "posterior.png"} <= {
        p.name for p in (tmp_path / "abc").iterdir()}


def test_an_unknown_method_is_refused() -> None:
    s = _world()
    with pytest.raises(GovsimError) as err:
        calibrate(_targets(s.name), s, "f", ["world.categories.*.trend_per_year=0:1"],
                  method="mcmc")
    assert err.value.path == "method"

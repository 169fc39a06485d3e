"""Effects of factors (govsim.stats.effects): main effects and sensitivity on frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim.errors import GovsimError
from govsim.stats.effects import main_effects, sensitivity


def test_main_effects_need_a_full_factorial() -> None:
    points = pd.DataFrame({"a": [0.1, 0.5, 0.9]}, index=pd.RangeIndex(3, name="point"))
    points["b"] = [1.0, 2.0, 3.0]
    metrics = pd.DataFrame({"point": [0, 1, 2], "regime": "r", "replication": 0, "y": 1.0})
    with pytest.raises(GovsimError, match="full factorial"):
        main_effects(metrics, points, "y", "r")


def test_sensitivity_ranks_the_influential_factor_first() -> None:
    rng = np.random.default_rng(1)
    n = 40
    points = pd.DataFrame({"weak": rng.random(n), "strong": rng.random(n),
                           "none": rng.random(n)}, index=pd.RangeIndex(n, name="point"))
    rows = []
    for p, x in points.iterrows():
        for r in range(3):
            y = 10.0 * x["strong"] + 1.0 * x["weak"] + rng.normal(0.0, 0.05)
            rows.append({"point": p, "regime": "r", "replication": r, "y": y})
    out = sensitivity(pd.DataFrame(rows), points, "y", "r", boot=200)
    assert out["factor"].tolist()[:2] == ["strong", "weak"]
    strong = out.iloc[0]
    assert strong["prcc"] > 0.9 and strong["prcc_ci_low"] > 0.8
    none = out.set_index("factor").loc["none"]
    assert none["prcc_ci_low"] < 0.0 < none["prcc_ci_high"]
    assert out["r2_rank"].iloc[0] > 0.8

"""One replication (govsim.experiment.replication): world draws shared by every regime
and independent of the horizon."""

from __future__ import annotations

import pandas as pd
from _sweeps import ROOT

import govsim


def test_a_short_run_is_the_opening_of_a_long_one() -> None:
    """World draws do not depend on the horizon, so with one seed the first days of a long
    run are the short run (common random numbers hold across horizon_days too)."""
    s = govsim.load_scenario(ROOT / "scenarios" / "district.toml")
    short = govsim.compare(s, replications=1, seed=3, horizon_days=5, jobs=1)
    long = govsim.compare(s, replications=1, seed=3, horizon_days=9, jobs=1)
    cut = pd.Timestamp(s.world.start) + pd.Timedelta(days=5)
    for regime in ("fragmented", "consolidated"):
        a = short.cases[short.cases["regime"] == regime].set_index("case")
        b = long.cases[long.cases["regime"] == regime].set_index("case")
        assert len(b) > len(a) > 500
        b = b.loc[a.index]
        pd.testing.assert_series_equal(a["first_filing"], b["first_filing"])
        pd.testing.assert_series_equal(a["category"], b["category"])
        done = a["resolved"]
        pd.testing.assert_series_equal(a["ended"][done], b["ended"][done])
        ea = short.events[short.events["regime"] == regime].reset_index(drop=True)
        eb = long.events[(long.events["regime"] == regime)
                         & (long.events["time:timestamp"] <= cut)].reset_index(drop=True)
        pd.testing.assert_frame_equal(ea, eb)
        assert (ea["time:timestamp"] <= cut).all()

"""Warm-up periods: what they leave out, and Welch's method for choosing them
(govsim.recording, govsim.experiment, govsim.stats.warmup)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _factory import category, consolidated, fragmented, scenario

import govsim
from govsim.cli import main
from govsim.errors import GovsimError
from govsim.figures.warmup import plot_warmup
from govsim.stats.warmup import _moving_average, welch


def tiny(**kw: object) -> govsim.Scenario:
    return scenario(
        {"fragmented": fragmented(), "consolidated": consolidated(accuracy=0.9, **kw)},
        categories={"leak": category(rate_per_day=8.0, work_hours=2.0)},
        horizon_days=30,
    )


def test_warmup_only_filters_the_same_run() -> None:
    full = govsim.compare(tiny(), replications=2, seed=3, jobs=1)
    warm = govsim.compare(tiny(), replications=2, seed=3, jobs=1, warmup_days=10)
    start = pd.Timestamp(tiny().world.start) + pd.Timedelta(days=10)
    assert (warm.cases["first_filing"] >= start).all()
    kept = full.cases[full.cases["first_filing"] >= start].reset_index(drop=True)
    # the simulation is the same; the tables just leave the early cases out
    pd.testing.assert_frame_equal(kept, warm.cases)
    assert set(warm.events["case:concept:name"]) == set(warm.cases["case"])
    assert set(warm.ledger["case"]) <= set(warm.cases["case"])
    m = warm.metrics.set_index(["regime", "replication"])
    counts = warm.cases.groupby(["regime", "replication"], observed=True).size()
    assert (m["cases"] == counts.reindex(m.index)).all()
    # staff hours count only the kept cases' work
    hours = warm.units.groupby(["regime", "replication"], observed=True)["staff_hours"].sum()
    case_hours = warm.cases.groupby(["regime", "replication"], observed=True)["staff_hours"].sum()
    np.testing.assert_allclose(hours.to_numpy(), case_hours.reindex(hours.index).to_numpy())
    assert warm.warmup_days == 10.0


def test_salaried_capacity_is_costed_from_the_end_of_the_warmup() -> None:
    s = tiny(salaried=["centre"])
    full = govsim.run(s, "consolidated", replications=1, seed=1, jobs=1, record_events=False)
    warm = govsim.run(s, "consolidated", replications=1, seed=1, jobs=1, record_events=False,
                      warmup_days=12)
    centre = lambda r: r.units.set_index("unit").loc["centre"]  # noqa: E731
    staff, cost = centre(full)["staff"], centre(full)["hourly_cost_yuan"]
    assert centre(full)["capacity_cost_yuan"] == pytest.approx(30 * 24 * staff * cost)
    assert centre(warm)["capacity_cost_yuan"] == pytest.approx(18 * 24 * staff * cost)


@pytest.mark.parametrize("days", [-1, 30, 45.5, True])
def test_warmup_must_end_before_the_horizon(days: float) -> None:
    with pytest.raises(GovsimError) as err:
        govsim.run(tiny(), replications=1, jobs=1, warmup_days=days)
    assert err.value.path == "warmup_days"


def test_cli_warmup_flag(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    district = Path(__file__).resolve().parents[1] / "scenarios" / "district.toml"
    assert main(["run", str(district), "-n", "1", "--horizon-days", "3", "--jobs", "1",
                 "--warmup-days", "5"]) == 2
    assert "error: --warmup-days: must be a number of days" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:  # argparse refuses it
        main(["run", str(district), "-n", "1", "--horizon-days", "3", "--warmup-days", "-2"])
    assert exc.value.code == 2
    assert "--warmup-days must be a number >= 0" in capsys.readouterr().err


def test_welch_open_cases_counts_by_hand() -> None:
    t0 = pd.Timestamp("2025-01-01")
    day = pd.Timedelta(days=1)
    cases = pd.DataFrame({
        "regime": "r",
        "replication": [0, 0, 0, 1],
        "first_filing": [t0 + 0.5 * day, t0 + 1.2 * day, t0 + 1.5 * day, t0 + 0.1 * day],
        "ended": [t0 + 2.5 * day, pd.NaT, t0 + 1.9 * day, t0 + 0.2 * day],
    })
    w = welch(cases, window_days=0)
    # replication 0: end of day 0 -> 1 open; day 1 -> 2 open (one ended at 1.9); day 2 -> 1
    # replication 1: always 0 after day 0
    np.testing.assert_allclose(w["mean"], [0.5, 1.0, 0.5])
    np.testing.assert_allclose(w["moving_average"], w["mean"])


def test_moving_average_is_laws() -> None:
    y = np.arange(10, dtype=float) ** 2
    out = _moving_average(y, 2)
    assert out[0] == y[0]
    assert out[1] == pytest.approx(y[:3].mean())
    assert out[5] == pytest.approx(y[3:8].mean())
    assert np.isnan(out[-2:]).all()


def test_welch_on_a_run_and_its_plot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    res = govsim.compare(tiny(), replications=2, seed=2, jobs=1, record_events=False)
    with pytest.raises(GovsimError, match="several regimes"):
        welch(res.cases)
    curve = welch(res.cases, "duration_days", regime="consolidated", window_days=3)
    assert curve["replications"].iloc[0] == 2 and len(curve) >= 30
    ax = plot_warmup(welch(res.cases, regime="fragmented"), warmup_days=5, label="open cases")
    ax.figure.savefig(tmp_path / "w.png")
    assert (tmp_path / "w.png").stat().st_size > 0

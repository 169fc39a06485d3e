"""`govsim robustness`: the sign of B − A across horizons, funding and the [assumptions] table."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govsim
from govsim.errors import GovsimError
from govsim.experiment.robustness import ROBUSTNESS_METRICS, plan, robustness
from govsim.scenario import Scenario, parse_scenario, scenario_data, scenario_toml
from govsim.scenario.edit import get_path
from tests._factory import assert_one_sentence, category, consolidated, fragmented, world_dict
from tests.test_cli import assert_user_error, cli

ASSUMPTIONS = {
    "world.citizens.patience_days": {"low": 1.0, "high": 5.0, "note": "mean wait"},
    "regimes.*.false_closure_prob": {"low": 0.0, "high": 0.5},
}


def tiny_data(assumptions: Any = None, **world: Any) -> dict[str, Any]:
    """Two regimes on a small world; B advances money where its preset releases a fund."""
    cats = {"leak": category(rate_per_day=1.5, fix_cost_yuan=500.0, fix_money_source="fund"),
            "order": category(rate_per_day=1.0, owners=["owner", "street"])}
    kw: dict[str, Any] = {"horizon_days": 30, "country": "CN",
                          "funds": {"fund": {"available": False}}}
    kw.update(world)
    data: dict[str, Any] = {
        "name": "tiny", "world": world_dict(cats, **kw),
        "regimes": {"a": fragmented(false_closure_prob=0.2),
                    "b": consolidated(false_closure_prob=0.2,
                                      funding={"mode": "advance", "advancer": "street",
                                               "when": "ticket"})}}
    if assumptions is not None:
        data["assumptions"] = assumptions
    return data


def tiny(assumptions: Any = ASSUMPTIONS, **world: Any) -> Scenario:
    return parse_scenario(tiny_data(assumptions, **world))


@pytest.fixture(scope="module")
def result() -> govsim.Robustness:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("govsim.experiment.robustness.BOOTSTRAP", 200)  # the test's time
        return robustness(tiny(), "a", "b", horizons=[20, 40], points=5, replications=2,
                          seed=3, jobs=1)


def test_the_tables_columns_and_values(result: govsim.Robustness) -> None:
    f = result.frames
    assert set(f) == {"horizons", "holds", "prcc", "points", "design", "runs"}
    h = f["horizons"]
    assert list(h.columns) == ["horizon", "funding", "metric", "source", "target", "difference",
                               "ci_low", "ci_high", "n", "sign", "settled"]
    # both fundings at both horizons for every metric
    assert len(h) == 2 * 2 * len(ROBUSTNESS_METRICS)
    assert set(h["funding"]) == {"as written", "preset"}
    assert result.preset_funding == "b (preset funding)"
    holds = f["holds"]
    assert list(holds.columns) == ["horizon", "metric", "base_difference", "base_sign", "points",
                                   "defined", "same_sign", "share", "share_ci_low",
                                   "share_ci_high", "flips", "drivers"]
    assert len(holds) == 2 * len(ROBUSTNESS_METRICS)
    for row in holds.to_dict("records"):
        written = h[(h["horizon"] == row["horizon"]) & (h["metric"] == row["metric"])
                    & (h["funding"] == "as written")].iloc[0]
        assert row["base_difference"] == written["difference"] or (
            math.isnan(row["base_difference"]) and math.isnan(written["difference"]))
        assert row["base_sign"] == written["sign"]
        assert row["points"] == 5
        if row["defined"] and row["base_sign"] != "?":
            assert 0.0 <= row["share"] <= 1.0
            assert row["share_ci_low"] <= row["share"] <= row["share_ci_high"]
            assert row["share_ci_low"] >= 0.0 and row["share_ci_high"] <= 1.0
            flips = row["flips"].split()
            assert len(flips) == row["defined"] - row["same_sign"]
    assert (holds["defined"] > 0).any()
    pts = f["points"]
    for row in holds[holds["base_sign"] != "?"].to_dict("records"):
        mine = pts[(pts["horizon"] == row["horizon"]) & (pts["metric"] == row["metric"])]
        assert sorted(mine["point"]) == list(range(5))
        assert (mine["sign"] == row["base_sign"]).sum() == row["same_sign"]
    design = f["design"]
    assert list(design.columns) == ["point", *ASSUMPTIONS]
    for path, spec in ASSUMPTIONS.items():
        assert design[path].between(spec["low"], spec["high"]).all()
    # 5 points >= 2 assumptions + 3: every PRCC computed, with its interval
    prcc = f["prcc"]
    assert set(prcc["assumption"]) == set(ASSUMPTIONS)
    ok = prcc.dropna(subset=["prcc", "ci_low", "ci_high"])
    assert ((ok["prcc"].abs() <= 1 + 1e-9) & (ok["ci_low"] <= ok["ci_high"])).all()
    assert (ok["excludes_zero"] == ((ok["ci_low"] > 0) | (ok["ci_high"] < 0))).all()


def test_the_runs_pair_a_and_b_within_a_replication(result: govsim.Robustness) -> None:
    runs = result.frames["runs"]
    base = runs[runs["point"] == -1]
    assert set(base["regime"]) == {"a", "b", "b (preset funding)"}
    at_points = runs[runs["point"] >= 0]
    assert set(at_points["regime"]) == {"a", "b"}
    assert len(at_points) == 2 * 5 * 2 * 2  # horizons x points x replications x regimes
    # the same world under a and b: the same problems arise
    for _, group in runs.groupby(["horizon", "point", "replication"]):
        assert group["cases"].nunique() == 1


def test_the_table_and_json(result: govsim.Robustness) -> None:
    text = result.table()
    assert "B − A" in text and "as written" in text and "preset" in text
    assert "time to true resolution, median (days): B − A" in text
    assert "resolution_days_median (days): B − A" in result.table(lang="keys")
    with pytest.raises(GovsimError, match="^lang: must be en or keys"):
        result.table(lang="zh")
    assert "across 5 points of a Latin hypercube over 2 assumptions" in text
    payload = json.loads(result.to_json())
    assert payload["from"] == "a" and payload["to"] == "b"
    assert payload["horizons"] == [20, 40]
    assert set(payload["assumptions"]) == set(ASSUMPTIONS)
    assert len(payload["holds"]) == len(result.frames["holds"])


def test_the_same_seed_gives_the_same_bytes_serial_or_local() -> None:
    kw: dict[str, Any] = dict(horizons=[15], points=3, replications=2, seed=5,
                              metrics=["resolution_days_median", "resolved_share"])
    serial = robustness(tiny(), "a", "b", executor="serial", **kw)
    local = robustness(tiny(), "a", "b", executor="local", jobs=2, **kw)
    assert serial.to_json() == local.to_json()
    pd.testing.assert_frame_equal(serial.frames["runs"], local.frames["runs"])


def test_a_funding_as_its_preset_sets_it_is_said_and_skipped() -> None:
    data = tiny_data(None)
    data["regimes"]["b"].pop("funding")
    p = plan(parse_scenario(data), "a", "b", horizons=[10], points=0, replications=2)
    assert p.preset_funding is None
    assert "skipped" in p.funding_note
    assert {r for s in p.base.values() for r in s.regimes} == {"a", "b"}


def test_without_assumptions_the_hypercube_is_skipped_with_a_note() -> None:
    res = robustness(tiny(None), "a", "b", horizons=[10], points=4, replications=2, jobs=1,
                     metrics=["resolved_share"])
    assert res.frames["holds"].empty and res.frames["design"].shape[0] == 0
    assert any("labels no assumptions" in n for n in res.notes)


def test_too_few_points_for_the_prcc_say_so() -> None:
    p = plan(tiny(), "a", "b", horizons=[10], points=3, replications=2)
    assert len(p.design) == 3
    res = robustness(tiny(), "a", "b", horizons=[10], points=3, replications=2, jobs=1,
                     metrics=["resolved_share"])
    assert res.frames["prcc"].empty
    assert any("too few" in n for n in res.notes)


# ------------------------------------------------------------------------------ refusals
@pytest.mark.parametrize(("assumptions", "where"), [
    ({"world.citizens.nope": {"low": 0.0, "high": 1.0}}, "assumptions.world.citizens.nope"),
    ({"world.citizens.give_up_prob": {"low": 0.5, "high": 0.5}},
     "assumptions.world.citizens.give_up_prob"),
    ({"world.citizens.give_up_prob": {"low": 0.6, "high": 0.1}},
     "assumptions.world.citizens.give_up_prob"),
    ({"name": {"low": 0.0, "high": 1.0}}, "assumptions.name"),
    ({"world.citizens": {"low": 0.0, "high": 1.0}}, "assumptions.world.citizens"),
    ({"world.*": {"low": 0.0, "high": 1.0}}, "assumptions.world.*"),
    ({"regimes.*.channels.*.weight": {"low": 0.0, "high": 1.0}},
     "assumptions.regimes.*.channels.*.weight"),
    ({"regimes.*.false_closure_prob": {"low": 0.0, "high": 0.5},
      "regimes.a.false_closure_prob": {"low": 0.1, "high": 0.3}},
     "assumptions.regimes.a.false_closure_prob"),
    ({"world.citizens.give_up_prob": {"low": 0.0, "high": 0.5, "bounds": 1}},
     "assumptions.world.citizens.give_up_prob.bounds"),
    ({"world.citizens.give_up_prob": {"low": "0", "high": 0.5}},
     "assumptions.world.citizens.give_up_prob.low"),
    ({"world.horizon_days": {"low": 10, "high": 20}}, "assumptions.world.horizon_days"),
])
def test_a_bad_assumptions_table_is_refused_when_parsed(assumptions: dict[str, Any],
                                                        where: str) -> None:
    with pytest.raises(GovsimError) as info:
        tiny(assumptions)
    assert info.value.path == where, info.value.problems  # type: ignore[attr-defined]
    assert_one_sentence(info.value.message)


def test_both_ends_must_be_valid_values_for_the_key() -> None:
    s = tiny({"world.citizens.give_up_prob": {"low": 0.1, "high": 1.5}})  # the schema is fine
    with pytest.raises(GovsimError) as info:
        plan(s, "a", "b", horizons=[10], points=4, replications=2)
    assert info.value.path == "assumptions"
    assert "give_up_prob" in info.value.message


@pytest.mark.parametrize(("kw", "where"), [
    ({"source": "nope"}, "source"),
    ({"target": "nope"}, "target"),
    ({"target": "a"}, "target"),
    ({"horizons": [10, 800]}, "horizons"),
    ({"horizons": [10, 10]}, "horizons"),
    ({"horizons": []}, "horizons"),
    ({"horizons": [0]}, "horizons"),
    ({"replications": 1}, "replications"),
    ({"points": -1}, "points"),
    ({"metrics": ["nope"]}, "metrics"),
    ({"confidence": 1.5}, "confidence"),
])
def test_bad_arguments_are_refused_in_one_sentence(kw: dict[str, Any], where: str) -> None:
    args: dict[str, Any] = {"source": "a", "target": "b", "horizons": [10], "points": 2,
                            "replications": 2}
    args.update(kw)
    with pytest.raises(GovsimError) as info:
        plan(tiny(), args.pop("source"), args.pop("target"), **args)
    assert info.value.path == where
    assert_one_sentence(info.value.message)


def test_a_horizon_past_the_calendar_names_the_longest() -> None:
    with pytest.raises(GovsimError, match=r"at most 669 days from 2025-03-03"):
        plan(tiny(), "a", "b", horizons=[800], points=0, replications=2)


# ------------------------------------------------------------------------------ the shipped district
def test_the_district_labels_its_behavioural_assumptions_within_their_bounds() -> None:
    s = govsim.load_scenario("district")
    assert s.assumptions is not None
    assert {"world.behaviour.urged_response", "world.citizens.patience_days",
            "regimes.*.false_closure_prob"} <= set(s.assumptions)
    data = scenario_data(s)
    for path, a in s.assumptions.items():
        keys = [path.replace("*", r) for r in s.regimes] if "*" in path else [path]
        for key in keys:
            assert a.low <= get_path(data, key) <= a.high, key
        assert a.note


def test_assumptions_survive_a_round_trip_through_toml(tmp_path: Path) -> None:
    s = tiny()
    path = tmp_path / "tiny.toml"
    path.write_text(scenario_toml(s), encoding="utf-8")
    again = govsim.load_scenario(path)
    assert again.assumptions == s.assumptions
    assert tiny(None).assumptions is None


def test_the_command_on_the_district(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rob"
    code, text, err = cli(["robustness", "district", "--from", "fragmented", "--to",
                           "consolidated", "--points", "3", "-n", "2", "--horizons", "5,10",
                           "-j", "2", "--metrics", "resolved_share,street_office_shifted_cost_yuan",
                           "--out", str(out)], capsys)
    assert code == 0, err
    assert "truly resolved (share): B − A" in text
    assert "street office: cost shifted onto it (yuan): B − A" in text
    assert "across 3 points of a Latin hypercube over 9 assumptions" in text
    assert "too few for the partial rank correlations" in text
    lines = text.splitlines()
    for horizon in ("5", "10"):
        assert any(line.split()[:2] == [horizon, "as"] for line in lines)
        assert any(line.split()[:2] == [horizon, "preset"] for line in lines)
    assert sorted(p.name for p in out.iterdir()) == [
        "design.csv", "holds.csv", "horizons.csv", "points.csv", "prcc.csv", "robustness.json",
        "runs.csv"]
    holds = pd.read_csv(out / "holds.csv")
    assert len(holds) == 4
    defined = holds[holds["defined"] > 0]
    assert defined["share"].between(0, 1).all()


@pytest.mark.parametrize(("extra", "where"), [
    (["--horizons", "90,800"], "--horizons"),
    (["--horizons", "90,x"], "--horizons"),
    (["--to", "nope"], "--to"),
    (["--metrics", "nope"], "--metrics"),
])
def test_the_command_refuses_bad_flags(extra: list[str], where: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "untouched"
    args = ["robustness", "district", "--from", "fragmented", "--to", "consolidated",
            "--points", "2", "-n", "2", *extra, "--out", str(out)]
    code, _, err = cli(args, capsys)
    assert_user_error(code, err, where)
    assert where in err.strip().splitlines()[-1]
    assert not out.exists()


# ------------------------------------------------------------------------------ fuzzing
_PATHS = st.sampled_from([
    "world.citizens.patience_days", "world.citizens.give_up_prob", "regimes.*.accuracy",
    "regimes.*.false_closure_prob", "regimes.a.channels[0].weight", "regimes.a.channels.owner line.weight",
    "world.units.*.staff", "world.units.street.hourly_cost_yuan", "world.*.*", "*", "", ".",
    "world..x", "world.citizens[0]", "regimes.a.channels[9].weight", "world.start", "assumptions.x",
    "world.categories.leak.owners[0]", "world.horizon_days", "regimes.*.deflection.refer_prob",
])
_NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                     st.booleans(), st.text(max_size=3), st.none())
_ENTRY = st.one_of(
    st.fixed_dictionaries({"low": _NUMBERS, "high": _NUMBERS},
                          optional={"note": st.one_of(st.text(max_size=8), st.integers()),
                                    "extra": st.integers()}),
    _NUMBERS, st.lists(_NUMBERS, max_size=2))


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.dictionaries(st.one_of(_PATHS, st.text(max_size=12)), _ENTRY, max_size=4),
                 _NUMBERS, st.lists(_NUMBERS, max_size=2)))
def test_any_assumptions_table_parses_or_is_one_govsim_error(assumptions: Any) -> None:
    data = tiny_data(assumptions, country="none")
    try:
        s = parse_scenario(data)
    except GovsimError as exc:
        assert exc.message and isinstance(exc.path, str)
        return
    for path, a in (s.assumptions or {}).items():
        assert math.isfinite(a.low) and a.low < a.high, path

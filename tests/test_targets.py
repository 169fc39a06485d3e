"""Calibration targets: the file is checked key by key, and each observation model measures
what it says on tables whose answer is known."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest

import govsim
from govsim.errors import GovsimError
from govsim.measure.targets import check_against, load_targets, observe, parse_targets, rank_of
from govsim.scenario import load_scenario, with_values
from tests._factory import category, fragmented, scenario

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ROOT / "calibration" / "targets.toml"


def _raw() -> dict:
    return tomllib.loads(TARGETS.read_text(encoding="utf-8"))


def test_the_shipped_targets_read_and_fit_their_scenarios() -> None:
    targets = load_targets(TARGETS)
    assert {t.role for t in targets} == {"emergent", "fitted", "input", "out_of_scope"}
    for name in {t.scenario for t in targets}:
        s = load_scenario(ROOT / "scenarios" / f"{name}.toml")
        mine = [t for t in targets if t.scenario == name]
        # windows may run past a shipped horizon (the Yangpu trend needs three years): check
        # names only, on a scenario long enough for every window
        longest = max([t.observe.get("to_day", 0) for t in mine]
                      + [t.observe["later"][1] for t in mine if "later" in t.observe])
        if longest > s.world.horizon_days:
            s = with_values(s, {"world.horizon_days": int(longest), "world.calendar.country": "none"})
        check_against(mine, s)
    assert all(t.source for t in targets)


@pytest.mark.parametrize(("edit", "path"), [
    (lambda d: d["target"][0].update(role="maybe"), "target[0].role"),
    (lambda d: d["target"][0].update(statistic="median"), "target[0].statistic"),
    (lambda d: d["target"][0].pop("tolerance"), "target[0].tolerance"),
    (lambda d: d["target"][0]["observe"].update(kind="guess"), "target[0].observe.kind"),
    (lambda d: d["target"][1]["observe"].update(metric="happiness"), "target[1].observe.metric"),
    (lambda d: d["target"][0]["observe"].update(to_day=-3), "target[0].observe.to_day"),
    (lambda d: d["target"][0].update(colour="red"), "target[0].colour"),
    (lambda d: d["target"][7].update(rank_band=[0.8, 0.2]), "target[7].rank_band"),
    (lambda d: d["target"][1].update(name=d["target"][0]["name"]), "target[1].name"),
    (lambda d: d["target"][8]["observe"].update(activity="party"), "target[8].observe.activity"),
])
def test_a_bad_target_names_its_key(edit, path) -> None:
    data = copy.deepcopy(_raw())
    edit(data)
    with pytest.raises(GovsimError) as err:
        parse_targets(data)
    assert err.value.path == path, (err.value.path, err.value.message)


def test_a_target_naming_what_the_scenario_lacks_is_refused() -> None:
    targets = [t for t in load_targets(TARGETS) if t.name == "shishi_hall_per_day"]
    s = load_scenario(ROOT / "scenarios" / "district.toml")
    with pytest.raises(GovsimError, match="no regime|no unit"):
        check_against(targets, s)


def test_observations_measure_what_they_say() -> None:
    s = scenario({"f": fragmented()}, horizon_days=40, categories={
        "a": category(rate_per_day=6.0), "s": category(rate_per_day=2.0, kind="suggestion")})
    res = govsim.run(s, replications=3, seed=4, executor="serial")
    rows = [
        {"name": "n", "observe": {"kind": "count", "from_day": 10, "to_day": 30}},
        {"name": "ns", "observe": {"kind": "count", "from_day": 0, "to_day": 40,
                                   "category_kind": "suggestion"}},
        {"name": "r", "observe": {"kind": "count_ratio", "base": [0, 20], "later": [20, 40]}},
        {"name": "done", "observe": {"kind": "resolved_share", "from_day": 0, "to_day": 20}},
        {"name": "m", "observe": {"kind": "metric", "metric": "contacts_per_case"}},
        {"name": "perday", "observe": {"kind": "contacts_per_day", "unit": "owner",
                                       "from_day": 0, "to_day": 40}},
        {"name": "meet", "observe": {"kind": "largest_meeting"}},
    ]
    base = {"scenario": "x", "regime": "f", "value": 1.0, "source": "test", "role": "emergent",
            "statistic": "mean", "tolerance": 1.0}
    targets = {t.name: t for t in parse_targets({"target": [{**base, **r} for r in rows]})}
    check_against(list(targets.values()), s)
    # a per-case observation over years is refused here (random problems: late ones would be
    # cut off by the horizon), but measured all the same when asked directly
    targets["fix"] = parse_targets({"target": [{**base, "name": "fix", "observe": {
        "kind": "years_to_first", "activity": "resolved"}}]})[0]
    with pytest.raises(GovsimError, match="case-study scenario"):
        check_against([targets["fix"]], s)
    c, ev = res.cases, res.events
    day = (c["first_filing"] - np.datetime64(s.world.start)).dt.total_seconds() / 86400
    for k, rep in enumerate(sorted(c["replication"].unique())):
        mine = (c["replication"] == rep).to_numpy()
        got = {name: observe(t, s, c, ev, res.metrics)[k] for name, t in targets.items()}
        assert got["n"] == ((day >= 10) & (day < 30) & mine).sum()
        assert got["ns"] == ((c["category"] == "s") & mine).sum()
        first, second = ((day < 20) & mine).sum(), ((day >= 20) & mine).sum()
        assert got["r"] == pytest.approx(second / first)
        early = mine & (day < 20)
        assert got["done"] == pytest.approx(c.loc[early, "resolved"].mean())
        assert got["m"] == pytest.approx(res.metrics.loc[res.metrics["replication"] == rep,
                                                         "contacts_per_case"].item())
        files = ev[(ev["replication"] == rep) & (ev["concept:name"] == "file")]
        assert got["perday"] == pytest.approx(len(files) / 40)
        years = c.loc[mine, "resolution_days"].to_numpy() / 365.25
        held = mine & (c["meetings"] > 0).to_numpy()
        if held.any():
            assert got["meet"] == pytest.approx(c.loc[held, "largest_meeting"].mean())
        else:
            assert np.isnan(got["meet"])
        # every case's first resolved event is its resolution; unresolved ones are infinite
        assert got["fix"] == pytest.approx(np.mean(np.where(np.isnan(years), np.inf, years)))


def test_rank_of_counts_below_and_at() -> None:
    assert rank_of(3.0, [1, 2, 3, 4]) == (0.5, 0.75)
    assert np.isnan(rank_of(3.0, [np.nan])[0])


def test_years_observations_need_the_case_followed_long_enough() -> None:
    leak = load_scenario(ROOT / "scenarios" / "shanghai_leak.toml")
    mine = [t for t in load_targets(TARGETS) if t.scenario == "shanghai_leak"]
    check_against(mine, leak)
    short = with_values(leak, {"world.horizon_days": 800})
    with pytest.raises(GovsimError, match="lengthen the horizon"):
        check_against(mine, short)


@pytest.mark.parametrize(("key", "value"), [("metric", ["x"]), ("category_kind", ["a"]),
                                            ("unit", 3), ("activity", "")])
def test_names_in_an_observation_must_be_text(key, value) -> None:
    data = copy.deepcopy(_raw())
    obs = {"metric": {"kind": "metric", "metric": value},
           "category_kind": {"kind": "count", "from_day": 0, "to_day": 9, "category_kind": value},
           "unit": {"kind": "contacts_per_day", "unit": value, "from_day": 0, "to_day": 9},
           "activity": {"kind": "years_to_first", "activity": value}}[key]
    data["target"][0]["observe"] = obs
    with pytest.raises(GovsimError) as err:
        parse_targets(data)
    assert err.value.path == f"target[0].observe.{key}"


def test_a_negative_window_start_is_named() -> None:
    data = copy.deepcopy(_raw())
    data["target"][0]["observe"]["from_day"] = -1
    with pytest.raises(GovsimError) as err:
        parse_targets(data)
    assert err.value.path == "target[0].observe.from_day"


def test_a_targets_interval_is_clipped_to_what_the_quantity_can_be() -> None:
    from govsim.calibration.evaluate import target_table
    from govsim.measure.targets import Target

    def target(**observe):
        return Target(name="t", scenario="s", regime="r", value=1.0, source="", role="input",
                      statistic="mean", observe=observe)

    meeting, share = target(kind="largest_meeting"), target(kind="resolved_share")
    metric = target(kind="metric", metric="resolved_share")
    obs = np.array([[1.0, 0.02, 0.97], [17.0, 0.9, 0.99]])  # two wide-apart replications
    table = target_table([meeting, share, metric], obs)
    table.index = ["m", "s", "x"]
    assert table.loc["m", "ci_low"] == 0.0 and table.loc["m", "ci_high"] > 17
    assert table.loc["s", "ci_low"] == 0.0 and table.loc["s", "ci_high"] == 1.0
    assert table.loc["x", "ci_high"] == 1.0 and 0 < table.loc["x", "ci_low"] < 0.97
    assert meeting.bounds == (0.0, np.inf) and metric.bounds == (0.0, 1.0)

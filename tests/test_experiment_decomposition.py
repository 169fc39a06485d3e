"""The decomposition of a paired regime difference rule by rule (govsim.experiment.decomposition)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from govsim.errors import GovsimError
from govsim.experiment.decomposition import decompose, plan
from govsim.experiment.replication import run_replication
from govsim.scenario import PRESETS, RULES, differing_rules, hybrid, with_values
from govsim.scenario.dependencies import (
    REQUIREMENTS,
    linked_groups,
    meaningful,
    unmet_requirements,
)
from govsim.stats.shapley import shapley_exact, shapley_sampled
from tests._factory import category, consolidated, fragmented, scenario

METRICS = ["resolved_share", "street_office_shifted_cost_yuan", "contacts_per_case"]


def small_world():  # type: ignore[no-untyped-def]
    """Clear and overlapping duty, a street office answering a channel, a consultation."""
    cats = {
        "leak": category(rate_per_day=3.0, owners=["owner"], surface_fix_prob=0.3,
                         surface_fix_holds_days=5.0),
        "shared": category(rate_per_day=2.0, owners=["bureau", "street"], work_hours=2.0),
        "ask": category(kind="consultation", rate_per_day=2.0, owners=["bureau"], work_hours=0.3),
    }
    channels = [{"name": "owner line", "unit": "owner"}, {"name": "street", "unit": "street"},
                {"name": "hotline", "unit": "hotline"}]
    frag = fragmented(channels=channels, deflection={"refer_prob": 0.4, "referral_lost_prob": 0.3},
                      overlap_deflect_prob=0.5, false_closure_prob=0.2)
    cons = consolidated(accuracy=0.8, kb_coverage=0.6, adjudication={"members": ["super"]})
    return scenario({"fragmented": frag, "consolidated": cons}, categories=cats, horizon_days=40,
                    citizens={"give_up_prob": 0.05, "knows_owner_prob": 0.3})


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    return small_world()


@pytest.fixture(scope="module")
def exact(world):  # type: ignore[no-untyped-def]
    # three rules differ: exact Shapley values over 8 subsets
    b = hybrid(world.regimes["fragmented"], world.regimes["consolidated"],
               ["routing", "non_owner"]).model_copy(update={"suggestion_adoption_prob": 0.5})
    s = world.model_copy(update={"regimes": {"fragmented": world.regimes["fragmented"], "b": b}})
    return decompose(s, "fragmented", "b", metrics=METRICS, replications=4, seed=3, jobs=1)


def test_the_hybrid_with_nothing_switched_is_a_and_with_everything_switched_is_b(world) -> None:  # type: ignore[no-untyped-def]
    a, b = world.regimes["fragmented"], world.regimes["consolidated"]
    rules = differing_rules(a, b)
    s = world.model_copy(update={"regimes": {
        "a": a, "b": b, "none": hybrid(a, b, []), "all": hybrid(a, b, rules)}})
    out = run_replication(s, ["a", "b", "none", "all"], seed=5, replication=0)
    metrics = {m["regime"]: m for m in out.metrics}
    for key in metrics["a"]:
        if key != "regime":
            np.testing.assert_equal(metrics["none"][key], metrics["a"][key])
            np.testing.assert_equal(metrics["all"][key], metrics["b"][key])


def test_contributions_add_up_to_the_paired_total(exact) -> None:  # type: ignore[no-untyped-def]
    assert exact.exact and exact.rules == ["routing", "non_owner", "learning"]
    for metric in METRICS:
        rows = exact.contributions[exact.contributions["metric"] == metric]
        total = exact.totals.set_index("metric").loc[metric]
        assert rows["contribution"].sum() == pytest.approx(total["difference"], abs=1e-6)
        # and replication by replication, from the variants' metrics
        v = exact.variants
        diff = (v[v["subset"] == "routing+non_owner+learning"][metric].to_numpy()
                - v[v["subset"] == ""][metric].to_numpy())
        assert np.nanmean(diff) == pytest.approx(total["difference"], abs=1e-6)


def test_a_rule_that_changes_nothing_gets_exactly_zero(exact) -> None:  # type: ignore[no-untyped-def]
    # the world has no suggestion category and no knowledge-base growth: learning is inert
    rows = exact.contributions[exact.contributions["rule"] == "learning"]
    assert (rows["contribution"] == 0.0).all()
    assert (rows["alone"] == 0.0).all() and (rows["last"] == 0.0).all()


def test_a_rule_that_matters_gets_an_interval(exact) -> None:  # type: ignore[no-untyped-def]
    rows = exact.contributions.set_index(["metric", "rule"])
    routing = rows.loc[("contacts_per_case", "routing")]
    assert routing["n"] == 4 and routing["ci_low"] <= routing["contribution"] <= routing["ci_high"]
    assert routing["contribution"] != 0.0


def test_sampled_orders_add_up_too_and_report_their_sampling_error(world) -> None:  # type: ignore[no-untyped-def]
    dec = decompose(world, "fragmented", "consolidated", metrics=["contacts_per_case"],
                    replications=2, seed=1, exact=False, orders=4, jobs=1)
    assert not dec.exact and len(dec.rules) > 3
    total = dec.totals["difference"].iloc[0]
    assert dec.contributions["contribution"].sum() == pytest.approx(total, abs=1e-6)
    assert dec.contributions["sampling_se"].notna().any()
    payload = json.loads(dec.to_json())
    assert payload["from"] == "fragmented" and len(payload["contributions"]) == len(dec.rules)
    text = dec.table(lang="keys")
    assert "total = consolidated - fragmented" in text and "sampled orders" in text


def test_same_seed_same_decomposition(world) -> None:  # type: ignore[no-untyped-def]
    runs = [decompose(world, "fragmented", "consolidated", metrics=["contacts_per_case"],
                      replications=2, seed=9, exact=False, orders=2, jobs=1).to_json()
            for _ in range(2)]
    assert runs[0] == runs[1]


@pytest.mark.parametrize(("kwargs", "where"), [
    ({"source": "nope"}, "source"),
    ({"target": "fragmented"}, "target"),
    ({"metrics": ["nope"]}, "metrics"),
    ({"replications": 1}, "replications"),
    ({"exact": False, "orders": 3}, "orders"),
])
def test_bad_arguments_name_their_parameter(world, kwargs, where) -> None:  # type: ignore[no-untyped-def]
    args = {"source": "fragmented", "target": "consolidated", **kwargs}
    with pytest.raises(GovsimError) as err:
        decompose(world, args.pop("source"), args.pop("target"), **args)
    assert err.value.path == where


def test_identical_rules_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    s = world.model_copy(update={"regimes": {"a": world.regimes["fragmented"],
                                             "b": world.regimes["fragmented"]}})
    with pytest.raises(GovsimError, match="no difference"):
        decompose(s, "a", "b")


def test_every_regime_key_belongs_to_exactly_one_rule_or_names_the_regime() -> None:
    from govsim.scenario import NOT_RULES, Regime

    keys = [k for keys in RULES.values() for k in keys]
    assert len(keys) == len(set(keys))
    assert set(keys) | set(NOT_RULES) == set(Regime.model_fields)
    for preset in PRESETS.values():
        assert set(preset) <= set(keys)


def test_presets_keep_old_files_meaning_and_refuse_a_disagreement(world) -> None:  # type: ignore[no-untyped-def]
    frag = world.regimes["fragmented"]
    assert frag.preset == frag.kind == "fragmented" and frag.intake == "channels"
    assert frag.funding.mode == "stall" and frag.funding.when == "meeting"
    with pytest.raises(GovsimError, match="disagree"):
        scenario({"x": {**fragmented(), "preset": "consolidated"}})
    # overriding one key of a preset's table keeps the preset's other keys
    s = with_values(world, {"regimes.consolidated.funding.mode": "advance",
                            "regimes.consolidated.funding.advancer": "street"})
    assert s.regimes["consolidated"].funding.when == "ticket"


def test_either_direction_decomposes_and_borrows_the_centre(world) -> None:  # type: ignore[no-untyped-def]
    a, b = world.regimes["consolidated"], world.regimes["fragmented"]
    # the consolidated side names the centre; switching its intake to the fragmented one keeps it
    assert hybrid(a, b, ["intake"]).centre == a.centre
    dec = decompose(world, "consolidated", "fragmented", metrics=["contacts_per_case"],
                    replications=2, seed=2, exact=False, orders=2, jobs=1)
    total = dec.totals["difference"].iloc[0]
    assert dec.contributions["contribution"].sum() == pytest.approx(total, abs=1e-6)


def test_an_undefined_metric_leaves_out_its_replication_everywhere(world) -> None:  # type: ignore[no-untyped-def]
    # a 2-day horizon: in some variants and replications nothing is resolved and the
    # Kaplan-Meier median is undefined
    dec = decompose(world, "fragmented", "consolidated", metrics=["resolution_days_p90"],
                    replications=4, seed=0, horizon_days=2, exact=False, orders=2, jobs=1)
    total = dec.totals.iloc[0]
    assert total["left_out"] > 0
    rows = dec.contributions
    if total["n"] > 0:
        assert rows["contribution"].sum() == pytest.approx(total["difference"], abs=1e-6)
        assert (rows["n"] == total["n"]).all()
    assert "left out" in dec.table()
    assert json.loads(dec.to_json())["order_list"] == dec.order_list


def test_rules_named_together_are_one_group_and_keep_their_shares(world) -> None:  # type: ignore[no-untyped-def]
    apart = decompose(world, "fragmented", "consolidated", metrics=["contacts_per_case"],
                      replications=2, seed=4, exact=False, orders=2, jobs=1)
    joint = decompose(world, "fragmented", "consolidated", metrics=["contacts_per_case"],
                      replications=2, seed=4, exact=False, orders=2, jobs=1,
                      together=[["intake", "case_record"]])
    assert joint.groups["intake&case_record"] == ("intake", "case_record")
    assert joint.group_notes["intake&case_record"] == ["named together"]
    assert joint.within["intake&case_record"] is None  # every order: Shapley within
    assert joint.rules == apart.rules and len(joint.groups) == len(apart.groups) - 1
    rows = joint.contributions.set_index("rule")
    assert rows.loc["intake", "group"] == rows.loc["case_record", "group"] == "intake&case_record"
    # the same paired total, shared among the same rules
    total = joint.totals["difference"].iloc[0]
    assert total == pytest.approx(apart.totals["difference"].iloc[0])
    assert joint.contributions["contribution"].sum() == pytest.approx(total, abs=1e-6)
    effect = joint.group_effects.set_index("group").loc["intake&case_record", "contribution"]
    assert effect == pytest.approx(rows.loc[["intake", "case_record"], "contribution"].sum())
    # a group named together that meets a group of dependent rules is merged with it
    merged = plan(world, "fragmented", "consolidated", replications=2, exact=False, orders=2,
                  together=[["non_owner", "overlap"]])
    assert merged.groups["routing&non_owner&overlap"] == ("routing", "non_owner", "overlap")
    assert merged.within["routing&non_owner&overlap"] == [
        ["routing", "non_owner", "overlap"], ["routing", "overlap", "non_owner"],
        ["overlap", "routing", "non_owner"]]
    assert all(meaningful(r) for r in merged.world.regimes.values())


# -- requirements between rules, groups and Owen values ----------------------------------------


def test_a_return_with_nobody_to_re_dispatch_is_meaningless(world) -> None:  # type: ignore[no-untyped-def]
    a, b = world.regimes["fragmented"], world.regimes["consolidated"]
    assert meaningful(a) and meaningful(b)
    bare = hybrid(a, b, ["non_owner"])  # return under citizen routing
    [req] = unmet_requirements(bare)
    assert req in REQUIREMENTS and (req.rule, req.needs_rule) == ("non_owner", "routing")
    assert "non_owner = 'return' needs routing = 'triage'" in req.sentence()
    assert meaningful(hybrid(a, b, ["routing"])) and meaningful(hybrid(a, b, ["routing", "non_owner"]))
    assert not meaningful(hybrid(b, a, ["routing"]))  # triage removed under return
    # every requirement names keys of its rule groups
    for r in REQUIREMENTS:
        assert r.key in RULES[r.rule] and r.needs_key in RULES[r.needs_rule]
    # linked only when both differ and a mix would break the requirement
    assert linked_groups(a, b, differing_rules(a, b))[0][0] == ("routing", "non_owner")
    assert linked_groups(a, hybrid(a, b, ["routing"]), ["routing"]) == []


@pytest.mark.parametrize(("source", "target", "first"), [
    ("fragmented", "consolidated", "routing"), ("consolidated", "fragmented", "non_owner")])
def test_the_districts_plan_groups_dependent_rules_and_runs_no_meaningless_variant(
        source: str, target: str, first: str) -> None:
    p = plan("district", source, target, replications=2, horizon_days=3)
    assert p.groups["routing&non_owner"] == ("routing", "non_owner")
    assert sum(len(m) > 1 for m in p.groups.values()) == 1
    assert "needs routing = 'triage'" in p.group_notes["routing&non_owner"][0]
    # the one order that passes through no meaningless variant: triage comes before returns,
    # and leaves after them
    second = ({"routing", "non_owner"} - {first}).pop()
    assert p.within["routing&non_owner"] == [[first, second]]
    assert not p.exact and all(len(o) == len(p.groups) for o in p.order_list)
    assert p.keys and all(meaningful(r) for r in p.world.regimes.values())
    assert second not in p.keys and first in p.keys  # the second alone is never run
    exact = plan("district", source, target, replications=2, horizon_days=3, exact=True)
    assert all(meaningful(r) for r in exact.world.regimes.values())


def test_owen_values_add_up_and_say_which_groups_they_formed(exact) -> None:  # type: ignore[no-untyped-def]
    assert exact.groups == {"routing&non_owner": ("routing", "non_owner"), "learning": ("learning",)}
    assert exact.owen and exact.within["routing&non_owner"] == [["routing", "non_owner"]]
    # non_owner alone (a return to the citizen) was not run: its "alone" is NaN
    assert "non_owner" not in set(exact.variants["subset"])
    rows = exact.contributions.set_index(["metric", "rule"])
    for metric in METRICS:
        assert np.isnan(rows.loc[(metric, "non_owner"), "alone"])
        assert np.isfinite(rows.loc[(metric, "routing"), "alone"])
        assert rows.loc[(metric, "non_owner"), "group"] == "routing&non_owner"
    payload = json.loads(exact.to_json())
    assert payload["attribution"] == "owen"
    assert payload["groups"][0]["group"] == "routing&non_owner"
    assert payload["groups"][0]["orders"] == [["routing", "non_owner"]]
    assert "needs routing = 'triage'" in payload["groups"][0]["why"][0]
    assert len(payload["group_effects"]) == len(METRICS)
    text = exact.table(lang="keys")
    assert "Owen values" in text
    # a column names each rule's group
    lines = text.splitlines()
    assert lines[2].split()[:2] == ["rule", "group"]
    assert any(line.split()[:2] == ["non_owner", "routing&non_owner"] for line in lines)
    assert any(line.split()[:2] == ["learning", "0"] for line in lines)
    assert "Group routing&non_owner: non_owner = 'return' needs routing = 'triage'" in text
    assert "not run" in text
    zh = exact.table("zh")
    assert "Owen 值" in zh and "须以" in zh


def test_without_dependencies_the_values_are_todays_shapley_values_to_the_bit(world) -> None:  # type: ignore[no-untyped-def]
    a, b = world.regimes["fragmented"], world.regimes["consolidated"]
    # intake, case record and overlap: no requirement between them
    pair = world.model_copy(update={"regimes": {
        "a": a, "b": hybrid(a, b, ["intake", "case_record", "overlap"])}})
    for exact in (True, False):
        dec = decompose(pair, "a", "b", metrics=METRICS, replications=2, seed=6, exact=exact,
                        orders=4, jobs=1)
        assert not dec.owen and dec.rules == ["intake", "case_record", "overlap"]
        v = dec.variants
        subsets = set(v["subset"])
        if exact:
            assert len(subsets) == 2**3
        for metric in METRICS:
            def value(x, metric=metric, v=v, rules=dec.rules):  # type: ignore[no-untyped-def]
                key = "+".join(r for r in rules if r in x)
                return v[v["subset"] == key].sort_values("replication")[metric].to_numpy(float)

            if exact:
                today, errors = shapley_exact(dec.rules, value), None
            else:
                today, errors = shapley_sampled(dec.rules, value, dec.order_list)
            rows = dec.contributions[dec.contributions["metric"] == metric]
            for rule, row in zip(dec.rules, rows.itertuples(), strict=True):
                assert row.contribution == float(np.mean(today[rule]))  # bit-identical
                if errors is not None:
                    assert row.sampling_se == errors[rule] or np.isnan(errors[rule])
        text = dec.table()
        assert "Owen" not in text and "Shapley values" in text


def test_an_endpoint_that_is_itself_meaningless_is_run_as_it_is_and_said(world) -> None:  # type: ignore[no-untyped-def]
    a, b = world.regimes["fragmented"], world.regimes["consolidated"]
    pair = world.model_copy(update={"regimes": {
        "a": a, "bare": hybrid(a, b, ["non_owner", "overlap"])}})
    p = plan(pair, "a", "bare", replications=2)
    assert all(len(m) == 1 for m in p.groups.values())
    assert len(p.notes) == 1 and p.notes[0].startswith("bare itself leaves a requirement unmet")


@pytest.mark.parametrize(("together", "message"), [
    ([["routing"]], "two or more"),
    ([["routing", "nope"]], "not a rule in which"),
    ([["routing", "non_owner"], ["non_owner", "intake"]], "two groups"),
    ("routing", "list of groups"),
])
def test_bad_groups_are_refused(world, together, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GovsimError, match=message) as err:
        decompose(world, "fragmented", "consolidated", together=together)
    assert err.value.path == "together"

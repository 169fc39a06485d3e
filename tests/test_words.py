"""English output in words: metrics, regimes, units, categories, rules and activities are named
as people name them (each thing's label, a plain name for each metric with its unit), and
``lang="keys"`` still names them by their keys."""

from __future__ import annotations

import re

import pytest

import govsim
from govsim import lang
from govsim.errors import GovsimError
from govsim.measure.metrics import HEADLINE, METRICS
from govsim.scenario import RULES, display_names
from govsim.scenario.names import short_label
from govsim.scenario.rules import rule_name
from tests.test_cli import cli

#: a key as a scenario file or a metric writes it: lower case joined by underscores
KEY = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


@pytest.fixture(scope="module")
def district_cmp():
    return govsim.compare("district", ["fragmented", "consolidated"], replications=2,
                          horizon_days=6, seed=3, executor="serial")


def test_every_metric_has_an_english_name_of_its_own() -> None:
    names = {m: lang.metric_name(m, "en") for m in METRICS}
    assert not [m for m, n in names.items() if KEY.search(n)], names
    assert len(set(names.values())) == len(names), "two metrics share an English name"
    for m in METRICS:
        assert lang.metric_name(m, "keys") == m
        assert lang.metric_label(m, METRICS[m][0], "keys") == f"{m} ({METRICS[m][0]})"


def test_every_activity_and_rule_has_english_words() -> None:
    for activity in lang._ACTIVITIES_ZH:
        assert not KEY.search(lang.activity_name(activity, "en")), activity
        assert lang.activity_name(activity, "keys") == activity
    for rule in RULES:
        assert not KEY.search(rule_name(rule, "en")), rule
        assert rule_name(rule, "keys") == rule
    assert rule_name("routing+non_owner", "en") == "how cases are routed+what a non-owner does"


def test_short_label_drops_a_closing_parenthetical_only() -> None:
    assert short_label("Many hotlines (Shanghai, case A)") == "Many hotlines"
    assert short_label("Mayor's hotline (市长服务热线)") == "Mayor's hotline"
    assert short_label("Social organisations (mediation, volunteers)") == "Social organisations"
    assert short_label("(only a parenthetical)") == "(only a parenthetical)"
    assert short_label("A (b) c") == "A (b) c"


@pytest.mark.parametrize("name", ["district", "shanghai_leak", "shishi_12345"])
def test_every_shipped_thing_is_named_in_words(name: str) -> None:
    s = govsim.load_scenario(name)
    words = display_names(s, "en")
    keys = display_names(s, "keys")
    for key in s.regimes:
        assert words.regime(key) == short_label(s.regimes[key].label) != key
        assert keys.regime(key) == key
    for key in s.world.units:
        assert not KEY.search(words.unit(key)), (key, words.unit(key))
        assert keys.unit(key) == key


def test_english_table_names_metrics_regimes_and_units_in_words(district_cmp) -> None:
    text = district_cmp.table()
    assert "Many hotlines" in text and "One number, 12345" in text
    assert "time to true resolution, median (days)" in text
    assert "street office: cost shifted onto it (yuan)" in text
    body = text.split("\n\n")[1]  # the table itself (the notes name the median's key once)
    assert not [k for k in KEY.findall(body)], body
    keys = district_cmp.table(lang="keys")
    assert "resolution_days_median (days)" in keys and "fragmented" in keys
    # the same numbers, whatever the names
    def cells(table: str) -> list[list[str]]:
        return [re.split(r"\s{2,}", line.strip())[1:] for line in table.splitlines()[2:]]

    assert cells(body) == cells(keys.split("\n\n")[1])
    assert len(body.splitlines()) == len([m for m in HEADLINE if m in district_cmp.metrics
                                          and district_cmp.metrics[m].notna().any()]) + 2


def test_bad_vocabulary_is_refused_by_name(district_cmp) -> None:
    with pytest.raises(GovsimError, match=r"^lang: must be one of en, zh, keys, got 'words'"):
        district_cmp.table(lang="words")


def test_cli_names_in_words_and_by_key(capsys) -> None:
    common = ["compare", "district", "--regimes", "fragmented,consolidated", "-n", "2",
              "--horizon-days", "5", "--no-events", "--jobs", "1"]
    code, words, _ = cli(common, capsys)
    assert code == 0 and "Many hotlines" in words and "truly resolved (share)" in words
    code, keys, _ = cli([*common, "--lang", "keys"], capsys)
    assert code == 0 and "resolved_share (share)" in keys and "fragmented" in keys


def test_the_reports_first_table_is_in_words() -> None:
    from govsim.experiment.report_study import make_report
    from tests.test_report import parse

    page = make_report("district", ["fragmented", "consolidated"], replications=2, seed=1,
                       horizon_days=5, executor="serial", decompose=False)
    tables = parse(page.html).tables
    first = tables[0]  # the rules that differ: a rule a row, a regime a column
    assert first[0] == ["rule", "Many hotlines", "One number, 12345"]
    assert [row[0] for row in first[1:]] and not KEY.findall(" ".join(r[0] for r in first[1:]))
    assert "property company (Property management company)" in first[1][1]
    results = next(t for t in tables if t[0][0] == "metric")
    assert results[1][0] == "time to true resolution, median (days)"
    assert not KEY.findall(" ".join(" ".join(row) for row in results))


def test_labels_are_shortened_only_where_the_short_forms_stay_apart() -> None:
    s = govsim.load_scenario("district")
    twins = govsim.scenario.with_values(s, {
        "regimes.fragmented.label": "City hotline (2010)",
        "regimes.consolidated.label": "City hotline (2020)"})
    names = display_names(twins)
    assert names.regime("fragmented") == "City hotline (2010)"
    assert names.regime("consolidated") == "City hotline (2020)"
    assert names.regime("consolidated_fund_released") == short_label(
        s.regimes["consolidated_fund_released"].label)  # the others are still shortened

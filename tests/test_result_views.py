"""Results people can read: HTML tables in a notebook, text in a terminal, memo tables, and the
public metric catalogue (govsim/experiment/result_views.py, govsim/report/html_tables.py,
govsim/report/memo.py, govsim/measure/metric_catalogue.py)."""

from __future__ import annotations

import math
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from _factory import category, consolidated, fragmented, scenario
from _sweeps import small_experiment

import govsim
from govsim.errors import GovsimError
from govsim.experiment import sweep
from govsim.lang import metric_label, metric_name, unit_name
from govsim.measure.metric_catalogue import BETTER, DIRECTIONS, metric_catalogue
from govsim.measure.metrics import HEADLINE, METRICS
from govsim.report.html_tables import sweep_rows, text_html
from govsim.report.memo import p_text
from govsim.report.text import comparison_rows, results_json, sweep_table
from govsim.scenario import display_names

#: a number as the text tables write it: 44,246 / -0.489 / 0.000 / 5.19
NUMBER = r"-?\d{1,3}(?:,\d{3})*(?:\.\d{1,3})?"
CELL = re.compile(rf"^(?:n/a|{NUMBER}(?: \[{NUMBER}, {NUMBER}\]\*?)?)$")


class Tables(HTMLParser):
    """Every table of a piece of HTML as rows of (tag, class, text) cells, and its style."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, str, str]]]] = []
        self.style = ""
        self._cell: list[str] | None = None
        self._in_style = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = [tag, dict(attrs).get("class") or "", ""]
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(tuple(self._cell))  # type: ignore[arg-type]
            self._cell = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[2] += data
        elif self._in_style:
            self.style += data


def texts(table: list[list[tuple[str, str, str]]]) -> list[list[str]]:
    return [[cell[2] for cell in row] for row in table]


def defined(res: govsim.Results, metrics: list[str]) -> list[str]:
    """The metrics with a value under some regime, worked out here from the metrics table."""
    return [m for m in metrics if res.metrics[m].notna().any()]


def odd_scenario() -> govsim.Scenario:
    """Two regimes whose file order is not alphabetical, one label with HTML's own characters."""
    return scenario({"zeta": fragmented(label="Zeta <many> & co", label_zh="泽塔"),
                     "alpha": consolidated(label="Alpha (one number)")},
                    categories={"leak": category(rate_per_day=8.0, work_hours=2.0)},
                    horizon_days=20)


@pytest.fixture(scope="module")
def cmp() -> govsim.Comparison:
    return govsim.compare("district", replications=2, horizon_days=20, executor="serial",
                          recording="metrics")


@pytest.fixture(scope="module")
def odd() -> govsim.Comparison:
    return govsim.compare(odd_scenario(), replications=3, executor="serial", recording="metrics")


def test_a_comparison_shows_in_a_notebook_as_one_html_table(cmp: govsim.Comparison) -> None:
    html = cmp._repr_html_()
    parsed = Tables(html)
    assert len(parsed.tables) == 1
    rows = texts(parsed.tables[0])
    file_order = list(cmp.scenario.regimes)
    assert cmp.regimes == file_order and file_order != sorted(file_order)
    names = display_names(cmp.scenario, "en")
    base = names.regime(cmp.baseline)
    assert rows[0] == ["metric", *(names.regime(r) for r in file_order),
                       *(f"{names.regime(r)} - {base} (paired)" for r in file_order[1:])]
    # one row per headline metric that has a value, in the headline's order
    shown = defined(cmp, HEADLINE)
    assert [r[0] for r in rows[1:]] == [metric_label(m, METRICS[m][0]) for m in shown]
    # the very cells of the text table, each a number that never breaks across lines
    assert rows == comparison_rows(cmp, HEADLINE, "en")
    for row in parsed.tables[0][1:]:
        for tag, cls, text in row[1:]:
            assert tag == "td" and "num" in cls.split() and CELL.match(text), (tag, cls, text)
    assert re.search(r"td\.num\s*\{[^}]*white-space:\s*nowrap", parsed.style)
    # the header line and the footnotes; self-contained (nothing fetched, no script)
    assert "scenario &#x27;district&#x27;: 2 replications, seed 0, horizon 20 days" in html
    assert "Student t over replications" in html
    assert "<script" not in html and "src=" not in html and "@import" not in html
    # every rule of the view's style is scoped to it, so nothing else on the page changes
    selectors = re.findall(r"(?:^|\})\s*([^{}]+?)\s*\{", parsed.style)
    assert selectors and all(s.startswith("div.govsim-view") for sel in selectors
                             for s in map(str.strip, sel.split(",")))


def test_html_escapes_what_the_scenario_names(odd: govsim.Comparison) -> None:
    html = odd._repr_html_()
    assert "Zeta &lt;many&gt; &amp; co" in html
    assert "<many>" not in html and "& co" not in html
    rows = texts(Tables(html).tables[0])
    assert rows[0][1:3] == ["Zeta <many> & co", "Alpha"]


def test_print_gives_the_text_table_and_repr_one_line(cmp: govsim.Comparison) -> None:
    assert str(cmp) == cmp.table()
    line = repr(cmp)
    assert "\n" not in line and len(line) < 300
    assert line.startswith("<Comparison of 'district': fragmented, consolidated")
    assert "baseline fragmented" in line and "2 replications" in line
    assert "DataFrame" not in line and "regime" not in line


def test_memo_is_a_wide_table_with_units_in_file_order(cmp: govsim.Comparison) -> None:
    memo = cmp.memo()
    names = display_names(cmp.scenario, "en")
    base = names.regime(cmp.baseline)
    others = [r for r in cmp.regimes if r != cmp.baseline]
    expected = ["unit", *(names.regime(r) for r in cmp.regimes)]
    for o in others:
        expected += [f"{names.regime(o)} - {base} (paired)", f"p ({names.regime(o)} - {base})"]
    assert list(memo.columns) == expected
    shown = defined(cmp, HEADLINE)
    assert list(memo.index) == [metric_name(m, "en") for m in shown]
    assert memo.index.name == "metric"
    assert list(memo["unit"]) == [METRICS[m][0] for m in shown]
    # cells as the text tables write them (no 69,990.500), p-values as <0.001 or three decimals
    text = comparison_rows(cmp, HEADLINE, "en")
    k = len(cmp.regimes)
    diff = cmp.differences(shown).set_index(["regime", "metric"])
    for i, m in enumerate(shown):
        row = memo.iloc[i]
        assert list(row.iloc[1:1 + k]) == text[i + 1][1:1 + k]
        for j, o in enumerate(others):
            assert row.iloc[1 + k + 2 * j] == text[i + 1][1 + k + j]
            p = row.iloc[2 + k + 2 * j]
            assert p == p_text(float(diff.loc[(o, m), "p_value"]))
            assert re.fullmatch(r"<0\.001|[01]\.\d{3}|n/a", p), p
        for cell in row.iloc[1:1 + k + len(others) * 2:1]:
            assert cell in ("n/a",) or CELL.match(cell) or re.fullmatch(r"<0\.001|[01]\.\d{3}", cell)
    assert "mean [95% CI]" in memo.attrs["header"]
    assert any(n.startswith("p: two-sided paired t-test") for n in memo.attrs["notes"])


def test_memo_other_languages_metrics_and_levels(odd: govsim.Comparison) -> None:
    chosen = ["resolved_share", "cases", "deadline_breach_share"]
    zh = odd.memo(chosen, lang="zh")
    assert list(zh.index) == [metric_name(m, "zh") for m in chosen]
    assert list(zh["单位"]) == [unit_name(METRICS[m][0], "zh") for m in chosen]
    assert list(zh.columns[1:3]) == ["泽塔", "alpha"] and zh.index.name == "指标"
    keys = odd.memo(chosen, lang="keys")
    assert list(keys.index) == chosen
    assert list(keys.columns) == ["unit", "zeta", "alpha", "alpha - zeta (paired)",
                                  "p (alpha - zeta)"]
    # a metric asked for is shown even with no value (n/a under both regimes here)
    assert keys.loc["deadline_breach_share", "zeta"] == "n/a"

    def width(cell: str) -> float:
        low, high = re.search(r"\[(.*), (.*)\]", cell).groups()  # type: ignore[union-attr]
        return float(high.replace(",", "")) - float(low.replace(",", ""))

    narrow = odd.memo(["resolved_share"], lang="keys", confidence=0.5)
    assert width(narrow.loc["resolved_share", "zeta"]) < width(keys.loc["resolved_share", "zeta"])
    assert "50% CI" in narrow.attrs["header"]
    for bad, where in ((dict(metrics=["no_such_metric"]), "metrics"),
                       (dict(confidence=1.5), "confidence"), (dict(lang="fr"), "lang")):
        with pytest.raises(GovsimError) as err:
            odd.memo(**bad)  # type: ignore[arg-type]
        assert err.value.path == where


def test_summary_and_differences_keep_the_file_order(odd: govsim.Comparison) -> None:
    assert odd.regimes == ["zeta", "alpha"]
    summary = odd.summary()
    assert list(summary.pivot(index="metric", columns="regime", values="mean").columns) \
        == ["zeta", "alpha"]
    assert list(summary.sort_values("regime")["regime"].unique()) == ["zeta", "alpha"]
    diff = odd.differences()
    assert list(diff.pivot(index="metric", columns="regime", values="mean_diff").columns) \
        == ["alpha"]
    # written out, nothing changes: the same CSV bytes as plain strings give, the same JSON
    for frame in (summary, diff):
        assert frame.to_csv(index=False) == frame.astype({"regime": str}).to_csv(index=False)
    assert list(results_json(odd, ["cases"])["regimes"]) == ["zeta", "alpha"]


def test_a_single_regime_shows_and_makes_a_memo_without_differences() -> None:
    res = govsim.run(odd_scenario(), "alpha", replications=2, executor="serial",
                     recording="metrics")
    memo = res.memo(["resolved_share", "contacts_per_case"])
    assert list(memo.columns) == ["unit", "Alpha"]
    assert all(CELL.match(c) for c in memo["Alpha"])
    rows = texts(Tables(res._repr_html_()).tables[0])
    assert rows[0] == ["metric", "Alpha"]
    assert [r[0] for r in rows[1:]] == [metric_label(m, METRICS[m][0])
                                        for m in defined(res, HEADLINE)]
    assert str(res).startswith("scenario 'tiny': 2 replications")
    assert repr(res).startswith("<Results of 'tiny': alpha; 2 replications")


def test_the_catalogue_covers_every_metric_with_a_direction() -> None:
    cat = metric_catalogue()
    assert list(cat["key"]) == list(METRICS)
    assert list(cat.columns) == ["key", "name", "unit", "meaning", "better", "note"]
    assert set(cat["better"]) <= set(DIRECTIONS) and set(BETTER) == set(METRICS)
    assert list(cat["unit"]) == [u for u, _ in METRICS.values()]
    assert list(cat["meaning"]) == [m for _, m in METRICS.values()]
    assert all(cat["name"].str.len() > 0)
    # where there is no direction, or the direction needs care, the catalogue says why
    assert all(cat.loc[cat["better"] == "neither", "note"].str.len() > 0)
    by = cat.set_index("key")["better"]
    assert by["street_office_shifted_cost_yuan"] == "lower" and by["resolved_share"] == "higher"
    assert by["cases"] == "neither" and by["resolution_days_median"] == "lower"
    zh = metric_catalogue("zh")
    assert list(zh["key"]) == list(METRICS) and list(zh["better"]) == list(cat["better"])
    assert zh.set_index("key").loc["resolved_share", "name"] == metric_name("resolved_share", "zh")
    assert list(metric_catalogue("keys")["name"]) == list(METRICS)
    with pytest.raises(GovsimError):
        metric_catalogue("fr")


def test_a_decomposition_shows_as_html_tables() -> None:
    dec = govsim.decompose(odd_scenario(), "zeta", "alpha", replications=2, executor="serial",
                           metrics=["resolved_share", "contacts_per_case"])
    html = dec._repr_html_()
    tables = [texts(t) for t in Tables(html).tables]
    assert len(tables) == 2  # contributions, then interactions
    contributions, interactions = tables
    # a row per rule, the total, A and B; a column per metric (and the rules' groups)
    assert len(contributions) == 1 + len(dec.rules) + 3
    assert contributions[0][-2:] == [metric_label("resolved_share", "share"),
                                     metric_label("contacts_per_case", "contacts")]
    assert contributions[-2][0] == "Zeta <many> & co" and "&lt;many&gt;" in html
    assert len(interactions) >= 1 + len(dec.rules)
    assert str(dec) == dec.table()
    assert "\n" not in repr(dec) and repr(dec).startswith("<Decomposition of 'tiny': alpha - zeta")


def test_a_sweep_shows_as_html_tables(tmp_path: Path) -> None:
    res = sweep(small_experiment(replications=2), tmp_path / "s", executor="serial")
    html = res._repr_html_()
    tables = [texts(t) for t in Tables(html).tables]
    shown = ["resolution_days_median", "street_office_shifted_cost_yuan"]
    assert len(tables) == len(shown)
    for rows, m in zip(tables, shown, strict=True):
        assert rows == sweep_rows(res, m)
        assert len(rows) == 1 + len(res.points)
        assert rows[0][-4:] == ["fragmented", "consolidated", "consolidated - fragmented", "n"]
        assert [r[-1] for r in rows[1:]] == ["2"] * len(res.points)
        # the cells are the text table's
        assert all(c in sweep_table(res, m) for r in rows[1:] for c in r[3:])
    assert str(res).count("mean [95% CI] over replications") == len(shown)
    assert "\n" not in repr(res) and "4 design points x 2 regimes" in repr(res)
    summary = res.summary(["cases"])
    assert list(summary["regime"].cat.categories) == ["fragmented", "consolidated"]


def test_text_views_are_kept_as_they_are() -> None:
    html = text_html("a < b & c\n  x")
    assert "<pre>a &lt; b &amp; c\n  x</pre>" in html


def test_p_values_read_as_a_memo_writes_them() -> None:
    assert [p_text(p) for p in (0.0, 0.00099, 0.001, 0.0312, 1.0, math.nan)] \
        == ["<0.001", "<0.001", "0.001", "0.031", "1.000", "n/a"]


def test_numbers_do_not_wrap_in_a_notebook_at_1280_pixels(cmp: govsim.Comparison,
                                                          tmp_path: Path) -> None:
    """In a browser 1280 pixels wide, under a stand-in for JupyterLab's own table style
    (fixed layout, wrapping cells), no figure of the five-regime table breaks across lines."""
    from _chromium import Browser, require_chromium

    page = tmp_path / "notebook.html"
    notebook_style = (".jp-RenderedHTMLCommon table { table-layout: fixed; margin: auto; "
                      "font-size: 12px; } .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th "
                      "{ text-align: right; white-space: normal; padding: 0.5em; }")
    page.write_text("<!doctype html><html><head><meta charset='utf-8'><style>"
                    f"{notebook_style}</style></head><body><div class='jp-RenderedHTMLCommon' "
                    f"style='width: 1100px'>{cmp._repr_html_()}</div></body></html>",
                    encoding="utf-8")
    wrapped = """Array.from(document.querySelectorAll('td.num')).filter(td => {
        const r = document.createRange(); r.selectNodeContents(td);
        return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size > 1;
    }).length"""
    with Browser(require_chromium()) as browser:
        report = browser.open(page, expressions={
            "wrapped": wrapped, "cells": "document.querySelectorAll('td.num').length"})
    assert report.values["cells"] == (len(cmp.regimes) * 2 - 1) * len(defined(cmp, HEADLINE))
    assert report.values["wrapped"] == 0


def test_the_memo_frame_is_plain_strings(odd: govsim.Comparison) -> None:
    memo = odd.memo(["cases"])
    assert isinstance(memo, pd.DataFrame)
    assert all(isinstance(v, str) for v in memo.to_numpy().ravel())


def test_a_robustness_study_shows_its_text_whole() -> None:
    study = govsim.robustness(odd_scenario(), "zeta", "alpha", metrics=["resolved_share"],
                              horizons=[10, 20], points=0, replications=2, executor="serial")
    html = study._repr_html_()
    assert html.count("<pre>") == 1 and "<table" not in html
    assert f"<pre>{escape(study.table())}</pre>" in html
    assert str(study) == study.table()
    line = repr(study)
    assert "\n" not in line and line.startswith("<Robustness of alpha - zeta in 'tiny'")

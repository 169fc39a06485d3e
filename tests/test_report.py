"""``govsim report``: one self-contained page with the comparison, the decomposition, the
figures and the provenance -- checked as text here and rendered in headless Chromium."""

from __future__ import annotations

import base64
import re
from html import unescape
from html.parser import HTMLParser

import pytest

import govsim
from govsim.errors import GovsimError
from govsim.experiment.report_study import make_report
from govsim.report.text import comparison_rows
from govsim.report.words import scenario_hash
from govsim.scenario import display_names, load_scenario
from govsim.scenario.rules import rule_name
from tests.test_cli import cli

SMALL = {"replications": 2, "horizon_days": 6, "seed": 4, "executor": "serial"}


class _Page(HTMLParser):
    """The tables (as rows of cell texts), images and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.images: list[dict[str, str]] = []
        self.urls: list[str] = []
        self.scripts = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(a)
        elif tag == "script":
            self.scripts += 1
        for key in ("src", "href"):
            if key in a:
                self.urls.append(a[key])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def report():
    return make_report("district", ["fragmented", "consolidated"], **SMALL)


def test_the_page_holds_the_comparison_table_cell_for_cell(report) -> None:
    page = parse(report.html)
    rows = comparison_rows(report.comparison, govsim.measure.metrics.HEADLINE)
    assert rows in page.tables
    text = unescape(report.html)
    assert "scenario 'district': 2 replications" in text and "Provenance" in text


def test_the_page_holds_the_decomposition_that_adds_up(report) -> None:
    dec = report.decomposition
    assert dec is not None and (dec.source, dec.target) == ("fragmented", "consolidated")
    page = parse(report.html)
    contributions = next(t for t in page.tables if t[0][0] == "rule" and len(t) > 3
                         and t[-3][0].startswith("total"))
    assert [r[0] for r in contributions[1:len(dec.rules) + 1]] == [rule_name(r) for r in dec.rules]
    # the contributions add up to the paired total in every replication
    c = dec.contributions
    for m, g in c.groupby("metric"):
        total = dec.totals.set_index("metric").loc[m, "difference"]
        if total == total:
            assert g["contribution"].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)


def test_every_figure_is_embedded_and_the_page_fetches_nothing(report) -> None:
    page = parse(report.html)
    assert page.scripts == 0
    assert len(page.images) >= 6  # survival, costs, workload, lights, 2 process maps, waterfall
    for img in page.images:
        assert img["src"].startswith("data:image/png;base64,") and img["alt"]
        assert base64.b64decode(img["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(u.startswith("data:") for u in page.urls)
    assert "default-src 'none'" in report.html  # nothing may be fetched


def test_provenance_makes_the_page_again(report) -> None:
    s = report.comparison.scenario
    assert scenario_hash(s) in report.html and len(scenario_hash(s)) == 64
    assert govsim.__version__ in report.html
    for needle in ("seed", ">4<", ">2<", "6 days from 2025-01-01"):
        assert needle in report.html
    again = make_report("district", ["fragmented", "consolidated"], **SMALL)
    assert again.html == report.html  # no time stamp: the same inputs, the same bytes
    other = make_report("district", ["fragmented", "consolidated"], decompose=False,
                        **{**SMALL, "seed": 5})
    assert scenario_hash(other.comparison.scenario) == scenario_hash(s)
    assert other.html != report.html and other.decomposition is None


def test_scenario_in_words_names_what_differs(report) -> None:
    html = report.html
    s = load_scenario("district")
    assert unescape(s.description) in unescape(html)
    page = parse(html)
    names = display_names(s)
    rules = next(t for t in page.tables
                 if t[0][:1] == ["rule"] and t[0][1] == names.regime("fragmented"))
    assert {r[0] for r in rules[1:]} >= {rule_name(g) for g in ("intake", "case_record",
                                                                 "routing", "overlap")}
    categories = next(t for t in page.tables if t[0][0] == "category")
    assert [r[0] for r in categories[1:]] == [names.category(c) for c in s.world.categories]


def test_bad_requests_are_refused_before_anything_runs(tmp_path, capsys) -> None:
    with pytest.raises(GovsimError) as err:
        make_report("district", ["fragmented", "consolidated"], decompose=("fragmented", "x"),
                    **SMALL)
    assert err.value.path == "decompose"
    with pytest.raises(GovsimError) as err:
        make_report("district", ["fragmented", "consolidated"], lang="fr", **SMALL)
    assert err.value.path == "lang"
    out = tmp_path / "sub" / "r.html"
    for argv, flag in ((["--no-decomposition", "--from", "fragmented"], "--no-decomposition"),
                       (["--orders", "3"], "--orders"), (["--to", "nope"], "--to"),
                       (["-n", "1"], "--replications")):
        code, stdout, stderr = cli(["report", "district", "--out", str(out), "--horizon-days",
                                    "3", "-j", "1", *argv], capsys)
        assert code == 2 and flag in stderr and stdout == "", (argv, stderr)
        assert not out.exists()
    code, _, stderr = cli(["report", "district", "--out", str(tmp_path), "-n", "2"], capsys)
    assert code == 2 and "is a directory" in stderr


def test_cli_writes_the_page(tmp_path, capsys) -> None:
    out = tmp_path / "report.html"
    code, stdout, stderr = cli(["report", "district", "--regimes", "fragmented,consolidated",
                                "-n", "2", "--horizon-days", "4", "--seed", "4", "-j", "1",
                                "--no-decomposition", "--out", str(out)], capsys)
    assert code == 0 and stdout == "" and "report written" in stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "govsim report --" not in html
    assert re.search(r"govsim report district --regimes fragmented,consolidated", html)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_renders_in_headless_chromium(lang, report, tmp_path) -> None:
    from tests._chromium import open_page, require_chromium

    require_chromium()
    if lang == "zh":
        from tests.test_lang import require_cjk_font

        require_cjk_font()
        page = make_report("district", ["fragmented", "consolidated"], lang="zh", **SMALL)
    else:
        page = report
    path = page.save(tmp_path / f"report-{lang}.html")
    shot = tmp_path / f"report-{lang}.png"  # kept with the test's files, as an artifact
    seen = open_page(path, screenshot=shot, expressions={
        "tables": "document.querySelectorAll('table').length",
        "lang": "document.documentElement.lang",
        "first_row": "Array.from(document.querySelector('#comparison table').rows[1].cells)"
                     ".map(c => c.textContent)",
        "height": "document.documentElement.scrollHeight",
        "headings": "Array.from(document.querySelectorAll('h2')).map(h => h.textContent)"})
    assert seen.errors == [] and seen.failed_loads == [] and seen.external_requests == []
    assert seen.images.total >= 6 and seen.images.loaded == seen.images.total
    assert seen.values["tables"] >= 5 and seen.values["lang"] == ("zh-Hans" if lang == "zh"
                                                                   else "en")
    rows = comparison_rows(page.comparison, govsim.measure.metrics.HEADLINE, lang)
    assert seen.values["first_row"] == rows[1]  # the comparison table, as rendered
    assert len(seen.values["headings"]) == 6 and seen.values["height"] > 3000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def _tiny(**regimes):
    from tests._factory import consolidated, fragmented, scenario

    return scenario(regimes or {"f": fragmented(), "c": consolidated()}, horizon_days=5)


def test_rules_table_shows_every_setting_that_differs_even_deep_in_a_table() -> None:
    from tests._factory import fragmented

    s = _tiny(f=fragmented(), g=fragmented(deflection={"refer_prob": 0.7,
                                                       "referral_lost_prob": 0.0}))
    page = make_report(s, decompose=False, replications=2, seed=1, executor="serial")
    rules = next(t for t in parse(page.html).tables if t[0] == ["rule", "f", "g"])
    assert rules[1:] == [["what a non-owner does", "deflection.refer_prob: 0",
                          "deflection.refer_prob: 0.7"]]


def test_decomposition_skips_a_regime_with_the_baselines_rules() -> None:
    from tests._factory import consolidated, fragmented

    s = _tiny(f=fragmented(), twin=fragmented(), c=consolidated())
    page = make_report(s, replications=2, seed=1, executor="serial")
    assert (page.decomposition.source, page.decomposition.target) == ("f", "c")
    alike = make_report(s, ["f", "twin"], replications=2, seed=1, executor="serial")
    assert alike.decomposition is None and "No decomposition on this page" in alike.html


def test_one_regime_baseline_and_refusals_leave_nothing_behind(tmp_path, capsys) -> None:
    from tests._factory import fragmented

    with pytest.raises(GovsimError) as err:
        make_report(_tiny(f=fragmented()), replications=2, executor="serial")
    assert err.value.path == "scenario" and "has one" in err.value.message
    out = tmp_path / "new" / "sub" / "r.html"
    for argv, flag in ((["--baseline", "nonesuch"], "--baseline"),
                       (["--from", "consolidated", "--to", "consolidated"], "--to"),
                       (["--baseline", "nonesuch", "--from", "fragmented"], "--baseline")):
        code, _, stderr = cli(["report", "district", "--out", str(out), "-n", "2",
                               "--horizon-days", "3", "-j", "1", *argv], capsys)
        assert code == 2 and flag in stderr, (argv, stderr)
        assert not (tmp_path / "new").exists(), argv  # no folder made for a refused request


def test_provenance_names_the_baseline_and_leaves_out_how_it_ran(tmp_path, capsys) -> None:
    page = make_report("district", ["fragmented", "consolidated"], baseline="consolidated",
                       decompose=False, **SMALL)
    prov = parse(page.html)
    text = unescape(page.html)
    assert "baseline (differences are taken from it)</dt><dd>consolidated" in text
    rows = comparison_rows(page.comparison, govsim.measure.metrics.HEADLINE)
    assert rows[0][-1] == "Many hotlines - One number, 12345 (paired)" and rows in prov.tables
    a, b = tmp_path / "a.html", tmp_path / "b" / "b.html"
    common = ["report", "district", "--regimes", "fragmented,consolidated", "-n", "2",
              "--horizon-days", "3", "--no-decomposition"]
    assert cli([*common, "--out", str(a), "-j", "1"], capsys)[0] == 0
    assert cli([*common, "--executor", "serial", "--out", str(b)], capsys)[0] == 0
    assert a.read_bytes() == b.read_bytes()  # where and how it ran is not part of the page
    assert "govsim report district --regimes" in unescape(a.read_text(encoding="utf-8"))


def test_the_same_page_from_a_process_pool() -> None:
    kw = {**SMALL, "executor": "local", "jobs": 2}
    first = make_report("district", ["fragmented", "consolidated"], decompose=False, **kw)
    serial = make_report("district", ["fragmented", "consolidated"], decompose=False, **SMALL)
    assert first.html == serial.html


def test_names_are_text_not_markup_or_mathematics() -> None:
    from tests._factory import consolidated, fragmented

    odd = "<script>alert(1)</script> $\\notacommand{x}$ & co"
    s = _tiny(f=fragmented(label_zh="甲"), c=consolidated(label_zh=odd))
    page = make_report(s, replications=2, seed=1, executor="serial", decompose=False)
    assert "<script>" not in page.html and parse(page.html).scripts == 0
    import govsim.figures as gp

    res = page.comparison
    names = res.names("en")
    fig = gp.plot_survival(res.cases, names=govsim.scenario.Names(regimes={"c": odd}))
    fig.draw_without_rendering()  # a "$" is a dollar sign: no mathtext error
    shown = [" ".join(t.get_text().split()) for t in fig.axes[0].get_legend().get_texts()]
    assert odd in shown  # (a long name may be wrapped onto two lines)
    assert names.regime("c") == "c"


def test_dated_problems_are_said_apart_from_the_daily_rate() -> None:
    page = make_report("shanghai_leak", replications=2, seed=1, executor="serial",
                       decompose=False)
    text = unescape(page.html)
    assert "1 problem(s) arise on given dates" in text
    categories = next(t for t in parse(page.html).tables if t[0][0] == "category")
    assert categories[0] == ["category", "new a day (at random)", "on given dates", "owners"]
    roof = display_names(page.comparison.scenario).category("roof_leak")
    assert categories[1][:3] == [roof, "0.00", "1"]

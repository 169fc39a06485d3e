"""Chinese output: tables and figures in Chinese with the scenario's own labels, a font that
draws the characters (never empty boxes), and a clear error when none is installed."""

from __future__ import annotations

import os
import re
import string

import pytest

import govsim
from govsim import lang
from govsim.errors import GovsimError
from govsim.figures import style
from govsim.figures.labels import unwrap
from govsim.scenario import display_names
from govsim.scenario.catalogue import shipped_by_name
from tests.test_cli import cli

SCENARIOS = ("district", "shanghai_leak", "shishi_12345")
HAN = re.compile(r"[\u4e00-\u9fff]")


def require_cjk_font() -> str:
    """The CJK font family, or skip (fail where GOVSIM_REQUIRE_CJK_FONT is set, as in CI)."""
    family = style.cjk_font()
    if family is None:
        if os.environ.get("GOVSIM_REQUIRE_CJK_FONT", "") not in ("", "0"):
            pytest.fail("no font with Chinese characters; CI installs fonts-wqy-microhei "
                        "(tests/install_test_tools.sh)")
        pytest.skip("no font with Chinese characters is installed (Debian: apt-get install "
                    "fonts-noto-cjk, or bash tests/install_test_tools.sh as root)")
    return family


@pytest.fixture(scope="module")
def district_cmp():
    return govsim.compare("district", ["fragmented", "consolidated"], replications=2,
                          horizon_days=6, seed=3, executor="serial")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_sentence_exists_in_both_languages_with_the_same_fields() -> None:
    from govsim.report.words import TEXT

    for catalogue in (lang._TEXT, TEXT):
        for key, (en, zh) in catalogue.items():
            # only punctuation around a field needs no Chinese word
            assert en and zh and (HAN.search(zh) or key == "fig.pm.of"), key
            assert _fields(en) - {"name!r"} == _fields(zh) - {"name!r"}, key
    assert set(lang._METRICS_ZH) == set(govsim.measure.metrics.METRICS)
    from govsim.scenario.rules import GROUPS

    assert all(g.label_zh for g in GROUPS)


def test_lang_is_checked_by_name() -> None:
    assert lang.check_lang("zh") == "zh"
    with pytest.raises(GovsimError) as err:
        lang.check_lang("fr")
    assert err.value.path == "lang" and "en, zh" in err.value.message


def test_terminal_width_counts_chinese_as_two_columns() -> None:
    assert lang.display_width("ab") == 2 and lang.display_width("街道") == 4
    assert lang.pad("街道", 6) == "街道  " and lang.pad("1.5", 5, right=True) == "  1.5"


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_shipped_thing_has_a_chinese_name(name: str) -> None:
    s = govsim.load_scenario(name)
    names = display_names(s, "zh")
    w = s.world
    for kind, things, shown in (("regime", s.regimes, names.regimes),
                                ("unit", w.units, names.units),
                                ("category", w.categories, names.categories),
                                ("fund", w.funds, names.funds)):
        for key in things:
            assert HAN.search(shown.get(key, "")), f"{name}: {kind} {key} has no label_zh"
    assert HAN.search(names.description)
    assert display_names(s, "keys").regime("fragmented") == "fragmented"  # keys: the key
    assert shipped_by_name(name) is not None


def test_chinese_table_has_the_english_tables_numbers(district_cmp) -> None:
    en, zh = district_cmp.table(lang="keys"), district_cmp.table(lang="zh")
    names = district_cmp.names("zh")
    assert names.regime("consolidated") in zh and names.regime("fragmented") in zh
    assert "真正解决用时中位数（天）" in zh and "配对差" in zh and "置信区间" in zh
    assert "resolution_days_median" not in zh
    # the same cells: every number of the English table, in the same order
    number = re.compile(r"-?[\d,]+\.?\d*|n/a")
    body = lambda text: [number.findall(line) for line in text.split("\n\n")[1].splitlines()[2:]]  # noqa: E731
    assert body(en) == body(zh)
    # columns line up in a terminal: every row as wide as the rule under the header
    lines = zh.split("\n\n")[1].splitlines()
    width = lang.display_width(lines[1])
    assert all(lang.display_width(line) <= width for line in lines)
    assert lang.display_width(lines[2]) == width  # numbers are right-aligned to the edge


def test_chinese_decomposition_table_names_rules_in_chinese() -> None:
    dec = govsim.decompose("district", "consolidated", "consolidated_no_adjudication",
                           replications=2, horizon_days=5, seed=1, executor="serial")
    zh = dec.table("zh")
    assert "职责交叉" in zh and "合计" in zh and "单独切换 / 最后切换" in zh
    assert "12345 不设裁定组" in zh or display_names(dec.scenario, "zh").regime(
        "consolidated_no_adjudication") in zh
    with pytest.raises(GovsimError):
        dec.table("fr")
    if style.cjk_font() is not None:
        from govsim.figures.waterfall import plot_waterfall

        names = display_names(dec.scenario, "zh")
        fig = plot_waterfall(dec.contributions, dec.totals, "street_office_shifted_cost_yuan",
                             dec.source, dec.target, "yuan", lang="zh", names=names)
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert ticks == [names.regime(dec.source), "职责交叉", names.regime(dec.target)]
        assert style.missing_glyphs(fig) == set()


def test_cli_lang_flag(capsys) -> None:
    code, out, _ = cli(["compare", "district", "--regimes", "fragmented,consolidated", "-n", "2",
                        "--horizon-days", "4", "--no-events", "-j", "1", "--lang", "zh"], capsys)
    assert code == 0 and "情景“district”" in out and "指标" in out
    code, out, err = cli(["compare", "district", "-n", "2", "--lang", "fr"], capsys)
    assert code == 2 and "--lang" in err and out == ""


def test_chinese_figure_draws_every_character(district_cmp) -> None:
    family = require_cjk_font()
    import govsim.figures as gp

    names = district_cmp.names("zh")
    fig = gp.plot_survival(district_cmp.cases, lang="zh", names=names)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "自首次反映起的天数"
    assert ax.get_ylabel() == lang.tr("fig.surv.y", "zh")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        names.regime("fragmented"), names.regime("consolidated")]
    assert HAN.search(ax.get_title())
    assert ax.xaxis.label.get_fontproperties().get_family()[0] == family
    assert style.missing_glyphs(fig) == set()
    # the same figure in English keeps English labels and the caller's font
    en = gp.plot_survival(district_cmp.cases)
    assert en.axes[0].get_xlabel() == "days since the first filing"
    assert not any(HAN.search(t.get_text()) for t in en.findobj(lambda a: hasattr(a, "get_text")))


def test_chinese_cost_and_workload_figures_draw_every_character(district_cmp) -> None:
    require_cjk_font()
    import govsim.figures as gp
    import govsim.measure.figure_tables as ft

    names = district_cmp.names("zh")
    costs = gp.plot_costs(district_cmp.units, district_cmp.metrics, lang="zh", names=names)
    legend = [t.get_text() for t in costs.legends[0].get_texts()]
    assert "街道：处理非本职诉求" in legend and len(legend) == len(ft.cost_table(
        district_cmp.units, district_cmp.metrics)["payer"].unique())
    work = gp.plot_workload(district_cmp.units, lang="zh", names=names)
    ticks = [t.get_text() for t in work.axes[1].get_xticklabels()]
    shown = {v.replace(" ", "") for v in names.units.values()}  # (a break may eat a space)
    assert ticks and all(unwrap(t).replace(" ", "") in shown for t in ticks)  # wrapped to fit
    for fig in (costs, work):
        assert style.missing_glyphs(fig) == set()


def test_missing_font_is_an_error_that_says_how_to_install_one(monkeypatch, district_cmp,
                                                               capsys, tmp_path) -> None:
    monkeypatch.setattr(style, "cjk_font", lambda: None)
    import govsim.figures as gp

    with pytest.raises(GovsimError) as err:
        gp.plot_survival(district_cmp.cases, lang="zh")
    assert err.value.path == "lang" and "fonts-noto-cjk" in err.value.message
    assert "GOVSIM_CJK_FONT" in err.value.message
    # the report says so before it runs anything, and writes nothing
    out = tmp_path / "r.html"
    code, _, text = cli(["report", "district", "--out", str(out), "--lang", "zh", "-n", "2",
                         "--horizon-days", "3", "-j", "1"], capsys)
    assert code == 2 and "--lang" in text and "fonts-noto-cjk" in text and not out.exists()


def test_none_hides_every_chinese_font_and_the_tests_that_need_one_skip(monkeypatch) -> None:
    # GOVSIM_CJK_FONT=none is how .ci/run plays a machine without a Chinese font
    monkeypatch.setenv("GOVSIM_CJK_FONT", "none")
    assert style.cjk_font() is None
    monkeypatch.delenv("GOVSIM_REQUIRE_CJK_FONT", raising=False)
    with pytest.raises(pytest.skip.Exception, match="fonts-noto-cjk"):
        require_cjk_font()
    monkeypatch.setenv("GOVSIM_REQUIRE_CJK_FONT", "1")
    with pytest.raises(pytest.fail.Exception):
        require_cjk_font()
    with pytest.raises(GovsimError, match="fonts-noto-cjk"):
        style.require_cjk_font()


def test_a_font_file_named_by_the_environment(monkeypatch, tmp_path) -> None:
    bad = tmp_path / "not-a-font.ttf"
    bad.write_bytes(b"no font here")
    monkeypatch.setenv("GOVSIM_CJK_FONT", str(bad))
    with pytest.raises(GovsimError) as err:
        style.cjk_font()
    assert err.value.path == "lang" and "not-a-font.ttf" in err.value.message
    monkeypatch.delenv("GOVSIM_CJK_FONT")
    family = require_cjk_font()
    from matplotlib.font_manager import FontProperties, findfont

    path = findfont(FontProperties(family=family), fallback_to_default=False)
    monkeypatch.setenv("GOVSIM_CJK_FONT", path)
    assert style.cjk_font() == family


def test_chinese_swimlane_names_lanes_notes_and_dates_in_chinese() -> None:
    require_cjk_font()
    from govsim.figures.swimlane import swimlane_figure
    from govsim.figures.swimlane_marks import SwimlaneMarks
    from govsim.measure.journey import journey_from

    res = govsim.run("shanghai_leak", "fragmented", replications=1, seed=5, executor="serial")
    names = res.names("zh")
    journey = journey_from(res, 0)
    fig = swimlane_figure(journey, lang="zh", names=names)
    assert style.missing_glyphs(fig) == set()  # draws the figure: every text, notes included
    ax = fig.axes[0]
    lanes = [t.get_text() for t in ax.get_yticklabels()]
    assert lanes[:2] == ["反映序号", "市民"]
    assert names.unit("street_office") in lanes and "street_office" not in lanes
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("市民反映（") for t in legend)
    assert any(t.strip().startswith("非办公时间（") for t in legend)
    marks = next(a for a in ax.artists if isinstance(a, SwimlaneMarks))
    notes = [t.get_text() for t in marks.note_texts]
    paid = journey.loc[journey["activity"] == "advance", "amount_yuan"].sum()
    assert f"垫付 ¥{paid:,.0f}" in notes
    assert any("个单位参加的协调会" in n for n in notes)
    dates = [t.get_text() for t in ax.get_xticklabels()]
    assert any(d.endswith(("年", "月", "日")) for d in dates)
    # and in English, as before
    en = swimlane_figure(journey)
    assert [t.get_text() for t in en.axes[0].get_yticklabels()][:2] == ["contact no.", "citizen"]


def test_chinese_process_map_and_lights_draw_every_character(district_cmp) -> None:
    require_cjk_font()
    import govsim.figures as gp

    names = district_cmp.names("zh")
    pm = gp.plot_process_map(district_cmp.events, "consolidated", lang="zh", names=names)
    boxes = {t.get_text() for t in pm.axes[0].texts}
    assert {"市民反映", "派单", "真正解决"} <= boxes and "file" not in boxes
    lights = gp.plot_lights(district_cmp.lights, lang="zh", names=names)
    assert lights.axes[0].get_title() == names.regime("consolidated")
    for fig in (pm, lights):
        assert style.missing_glyphs(fig) == set()


def test_case_study_table_in_chinese(capsys) -> None:
    code, out, _ = cli(["run", "shanghai_leak", "-n", "2", "-j", "1", "--lang", "zh"], capsys)
    assert code == 0
    assert "前 6 年反映次数" in out and "未收回垫付（元）" in out and "reports_by" not in out
    code, en, _ = cli(["run", "shanghai_leak", "-n", "2", "-j", "1"], capsys)
    def figures(text: str) -> list[list[str]]:  # each table row's last five cells
        return [line.split()[-5:] for line in text.splitlines()
                if line.split() and line.split()[-1].isdigit()]

    assert figures(out) == figures(en) and len(figures(en)) >= 12  # the same figures


def test_journey_in_chinese(capsys, tmp_path) -> None:
    require_cjk_font()
    figure = tmp_path / "j.png"
    args = ["journey", "shanghai_leak", "--seed", "5", "--figure", str(figure)]
    code, out, _ = cli([*args, "--lang", "zh"], capsys)
    s = govsim.load_scenario("shanghai_leak")
    names = display_names(s, "zh")
    assert code == 0 and out.startswith("案件 0（" + names.category("roof_leak"))
    assert "反映序号" in out and "推诿" in out and names.unit("mayors_hotline") in out
    assert "deflect" not in out and figure.stat().st_size > 10_000
    code, en, _ = cli(args, capsys)
    english = display_names(s, "en")
    assert code == 0 and en.startswith("case 0 (" + english.category("roof_leak"))
    assert "'not ours'" in en and english.unit("mayors_hotline") in en


def test_swimlane_words_and_activities_exist_in_chinese() -> None:
    from govsim.figures import swimlane_text
    from govsim.model.log import ACTIVITIES

    assert set(swimlane_text.TEXT) == set(swimlane_text.TEXT_ZH)
    for key, en in swimlane_text.TEXT.items():
        assert _fields(en) == _fields(swimlane_text.TEXT_ZH[key]), key
    assert set(ACTIVITIES) <= set(lang._ACTIVITIES_ZH)


def test_two_things_may_not_share_a_chinese_name() -> None:
    from tests._factory import consolidated, fragmented, scenario

    with pytest.raises(GovsimError) as err:
        scenario({"f": fragmented(label_zh="同名"), "c": consolidated(label_zh="同名")})
    assert "regimes.c.label_zh" in str(err.value) or any(
        p == "regimes.c.label_zh" for p, _ in getattr(err.value, "problems", []))


def test_decompose_writes_chinese_waterfalls(tmp_path, capsys) -> None:
    require_cjk_font()
    out = tmp_path / "dec"
    code, stdout, _ = cli(["decompose", "district", "--from", "consolidated", "--to",
                           "consolidated_no_adjudication", "-n", "2", "--horizon-days", "4",
                           "-j", "1", "--lang", "zh", "--out", str(out)], capsys)
    assert code == 0 and "职责交叉" in stdout
    assert (out / "waterfall-street_office_shifted_cost_yuan.png").stat().st_size > 5_000

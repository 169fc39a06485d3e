"""Figures for a room: the talk style, names in words that never overlap, titles that say the
horizon and the replications, a process map whose numbers do not collide, and a swimlane
that stays readable with hundreds of reports."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import govsim
import govsim.figures as gp
from govsim.errors import GovsimError
from govsim.figures.labels import fit_ticks, overlapping, unwrap, wrap
from govsim.figures.process_map import EdgeTags
from govsim.figures.style import get_style
from govsim.scenario.names import Names

RUN = {"replications": 2, "seed": 1, "horizon_days": 30, "executor": "serial"}


@pytest.fixture(scope="module")
def cmp() -> govsim.Comparison:
    return govsim.compare("district", ["fragmented", "consolidated"], **RUN)


def _english(label: str) -> str:
    """A scenario label without its trailing Chinese in brackets (no Chinese font needed)."""
    return re.sub(r"\s*\([^)]*[^\x00-\x7f][^)]*\)$", "", label)


@pytest.fixture(scope="module")
def long_names(cmp) -> Names:
    """Each regime and unit by its whole English label -- the longest names a figure gets,
    e.g. "12345 citizen service centre (call-takers, triage, supervision)"."""
    s = cmp.scenario
    return Names(regimes={k: _english(r.label) for k, r in s.regimes.items()},
                 units={k: _english(u.label) for k, u in s.world.units.items()})


def _texts(fig: Figure) -> list[Text]:
    fig.draw_without_rendering()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _flat(text: str) -> str:
    """A label or title as one line (wrapping undone)."""
    return unwrap(text)


FIGURES = ("plot_survival", "plot_costs", "plot_workload", "plot_lights", "plot_over_time",
           "plot_process_map")


# ------------------------------------------------------------------------------ style
@pytest.mark.parametrize("name", FIGURES)
def test_talk_style_sets_every_text_at_14_points_or_more(cmp, name):
    talk = getattr(cmp, name)(style="talk")
    paper = getattr(cmp, name)(style="paper")
    sizes = [t.get_fontsize() for t in _texts(talk)]
    assert sizes and min(sizes) >= 14.0
    assert min(t.get_fontsize() for t in _texts(paper)) < 14.0  # print stays small
    assert talk.get_figwidth() > paper.get_figwidth()
    assert talk.get_figheight() > paper.get_figheight()


def test_talk_lines_are_thicker_and_ticks_fewer(cmp):
    talk, paper = cmp.plot_survival(style="talk"), cmp.plot_survival(style="paper")
    for fig in (talk, paper):
        fig.draw_without_rendering()

    def curves(fig):
        return [ln for ln in fig.axes[0].get_lines() if ln.get_label() in
                {_flat(t.get_text()) for t in fig.axes[0].get_legend().get_texts()}
                | {t.get_text() for t in fig.axes[0].get_legend().get_texts()}]

    assert curves(talk) and curves(paper)
    assert min(ln.get_linewidth() for ln in curves(talk)) > max(
        ln.get_linewidth() for ln in curves(paper))
    ticks = [len([v for v in fig.axes[0].get_yticks() if 0.0 <= v <= 1.02])
             for fig in (talk, paper)]
    assert ticks[0] <= 4 < ticks[1]


def test_styles_are_chosen_by_argument_block_or_session(cmp):
    assert get_style() == "paper"
    with gp.use_style("talk"):
        assert get_style() == "talk"
        fig = gp.plot_costs(cmp.units, cmp.metrics)
        assert min(t.get_fontsize() for t in _texts(fig)) >= 14.0
        assert get_style("paper") == "paper"  # an argument wins over the block
    assert get_style() == "paper"
    gp.set_style("talk")
    try:
        assert min(t.get_fontsize() for t in _texts(cmp.plot_lights())) >= 14.0
    finally:
        gp.set_style("paper")
    assert min(t.get_fontsize() for t in _texts(cmp.plot_lights())) < 14.0


@pytest.mark.parametrize("call", [
    lambda c: c.plot_survival(style="poster"),
    lambda c: gp.plot_costs(c.units, c.metrics, style="large"),
    lambda c: gp.set_style(None),
    lambda c: gp.use_style("Talk").__enter__(),
])
def test_a_style_not_known_is_refused(cmp, call):
    with pytest.raises(GovsimError) as err:
        call(cmp)
    assert err.value.path == "style" and "paper, talk" in str(err.value)


# ----------------------------------------------------------------------------- labels
def test_regimes_and_units_are_shown_by_their_names(cmp, long_names):
    costs = gp.plot_costs(cmp.units, cmp.metrics, names=long_names)
    costs.draw_without_rendering()
    shown = [_flat(t.get_text()) for t in costs.axes[0].get_xticklabels()]
    assert shown == [long_names.regime(r) for r in cmp.regimes]
    assert "Many hotlines (Shanghai, case A)" in shown and "fragmented" not in shown
    survival = gp.plot_survival(cmp.cases, names=long_names, style="talk")
    legend = [_flat(t.get_text()) for t in survival.axes[0].get_legend().get_texts()]
    assert legend == [long_names.regime(r) for r in cmp.regimes]
    work = gp.plot_workload(cmp.units, top=12, names=long_names)
    units = [_flat(t.get_text()) for t in work.axes[1].get_xticklabels()]
    assert "12345 citizen service centre (call-takers, triage, supervision)" in units
    assert not [u for u in units if "_" in u]  # no key left
    # the results' own figures name things as the results do (words, once names are words)
    own = cmp.names("en")
    legend = [_flat(t.get_text()) for t in cmp.plot_survival().axes[0].get_legend().get_texts()]
    assert legend == [_flat(own.regime(r)) for r in cmp.regimes]


@pytest.mark.parametrize("style", ["paper", "talk"])
@pytest.mark.parametrize("top", [4, 12])
def test_no_two_tick_labels_overlap(cmp, long_names, style, top):
    for fig in (gp.plot_workload(cmp.units, top=top, names=long_names, style=style),
                gp.plot_costs(cmp.units, cmp.metrics, names=long_names, style=style),
                gp.plot_survival(cmp.cases, names=long_names, style=style)):
        fig.draw_without_rendering()
        for ax in fig.axes:
            assert not overlapping(ax.get_xticklabels()), [t.get_text()
                                                           for t in ax.get_xticklabels()]
            assert not overlapping(ax.get_yticklabels())
            # nor a title its neighbour's
        titles = [ax.title for ax in fig.axes]
        assert not overlapping(titles)


def test_the_overlap_check_sees_overlapping_labels_and_fitting_removes_them(long_names):
    units = list(long_names.units.values())
    fig = Figure(figsize=(7.0, 3.0), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(range(len(units)), np.ones(len(units)))
    ax.set_xticks(range(len(units)), units)
    fig.draw_without_rendering()
    assert overlapping(ax.get_xticklabels())  # the names as they are collide
    fit_ticks(fig)
    assert not overlapping(ax.get_xticklabels())
    assert [_flat(t.get_text()) for t in ax.get_xticklabels()] == units  # every word kept


def test_names_wrap_between_words_and_chinese_by_width():
    assert wrap("Street office and its housing office", 16) == \
        "Street office\nand its housing\noffice"
    assert wrap("district_housing_bureau", 8) == "district_housing_bureau"  # a key stays whole
    lines = wrap("街道房管办与区房管局联合处理", 10).split("\n")
    assert len(lines) == 3 and "".join(lines) == "街道房管办与区房管局联合处理"


# ------------------------------------------------------------------------------ titles
@pytest.mark.parametrize("name", FIGURES)
def test_titles_say_the_horizon_and_the_replications(cmp, name):
    fig = getattr(cmp, name)()
    fig.draw_without_rendering()
    said = _flat(" ".join([fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)]))
    assert "30 simulated days from 1 Jan 2025" in said and "2 replications" in said
    assert "warm-up" not in said


def test_a_warm_up_is_said_too():
    res = govsim.run("district", "consolidated", replications=2, seed=3, horizon_days=20,
                     warmup_days=5, executor="serial")
    fig = res.plot_costs(style="talk")
    said = _flat(fig.get_suptitle())
    assert "20 simulated days" in said and "2 replications" in said
    assert "first 5 days left out as warm-up" in said
    assert gp.run_line(365, 1) == "365 simulated days; 1 replication"
    assert "次重复" in gp.run_line(365, 4, lang="zh")
    with pytest.raises(GovsimError) as err:
        gp.run_line(30, 0)
    assert err.value.path == "replications"


def test_a_results_figure_checks_its_regime(cmp):
    with pytest.raises(GovsimError) as err:
        cmp.plot_process_map("nowhere")
    assert err.value.path == "regime"
    with pytest.raises(GovsimError) as err:
        gp.plot_process_map(cmp.events, "fragmented", max_edges=0)
    assert err.value.path == "max_edges"


# -------------------------------------------------------------------------- process map
@pytest.mark.parametrize("style", ["paper", "talk"])
@pytest.mark.parametrize("max_edges", [12, 30])
def test_process_map_numbers_overlap_nothing(cmp, style, max_edges):
    from govsim.measure.figure_tables import directly_follows

    fig = cmp.plot_process_map("fragmented", min_share=0.0, max_edges=max_edges, style=style)
    fig.draw_without_rendering()
    graph = fig.axes[0]
    tags = [a for a in graph.artists if isinstance(a, EdgeTags)]
    assert len(tags) == 1
    numbers = tags[0].texts
    edges = directly_follows(cmp.events, "fragmented").head(max_edges)
    assert len(numbers) == len(graph.patches) == len(edges)
    assert [t.get_text() for t in numbers] == [str(k) for k in range(1, len(edges) + 1)]
    boxes = [EdgeTags.extent(t) for t in numbers]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    nodes = [t.get_bbox_patch().get_window_extent() for t in graph.texts if t.get_bbox_patch()]
    assert nodes and not any(a.overlaps(n) for a in boxes for n in nodes)
    # the list beside the graph: each numbered edge with the count the log gives
    assert not overlapping(fig.axes[1].texts)  # the list's heading and its entries
    frame = fig.axes[1].get_window_extent()
    assert all(frame.y0 - 1 <= t.get_window_extent().y0 for t in fig.axes[1].texts)  # inside
    listed = _flat(" ".join(t.get_text() for t in fig.axes[1].texts))
    for k, row in enumerate(edges.itertuples(), start=1):
        assert f"{k}. " in listed and f"({row.count:,}" in listed


def test_process_map_keeps_the_most_frequent_edges(cmp):
    fig = cmp.plot_process_map("consolidated")
    assert len(fig.axes[0].patches) <= 12
    assert "rarer edges" in fig.get_suptitle()


# ----------------------------------------------------------------------------- swimlane
@pytest.fixture(scope="module")
def crowded_journey():
    from govsim.measure.journey import journey_from

    res = govsim.run("shanghai_leak", replications=1, seed=3, jobs=1)
    return journey_from(res, 0)


@pytest.mark.parametrize("style", ["paper", "talk"])
def test_a_swimlane_of_hundreds_of_reports_stays_readable(crowded_journey, style):
    from govsim.figures.swimlane import swimlane_figure
    from govsim.figures.swimlane_density import rare
    from govsim.figures.swimlane_marks import SwimlaneMarks

    journey = crowded_journey
    assert journey["contact"].max() > 100
    fig = swimlane_figure(journey, style=style)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    # the frequent steps are counted in bars, only the rare ones marked
    marked = sum(len(c.get_offsets()) for c in ax.collections)
    kept = rare(journey["activity"].astype(str).to_numpy())
    assert marked == int(kept.sum()) < 60
    assert any(t.get_text().startswith("frequent steps") for t in ax.get_legend().get_texts())
    # labels: contact numbers, notes, lanes and legend overlap nothing
    marks = next(a for a in ax.artists if isinstance(a, SwimlaneMarks))
    assert not overlapping([*marks.contact_texts, *marks.note_texts])
    assert not overlapping(ax.get_yticklabels())
    assert not overlapping(ax.get_legend().get_texts())
    if style == "talk":
        assert min(t.get_fontsize() for t in _texts(fig)) >= 14.0


def test_the_bars_count_every_frequent_step(crowded_journey):
    import matplotlib.dates as mdates

    from govsim.figures.swimlane_density import BINS, draw_counts, rare

    journey = crowded_journey
    activity = journey["activity"].astype(str).to_numpy()
    units = journey["unit"].astype(str).to_numpy()
    lanes = sorted(set(units))
    lane = np.array([lanes.index(u) for u in units])
    x = np.asarray(mdates.date2num(journey["time"].to_numpy()), dtype=float)
    counted = ~rare(activity)
    fig = Figure()
    width, tallest, counts = draw_counts(
        fig.add_subplot(), x[counted], lane[counted], np.array(["filing"] * int(counted.sum())),
        {"filing": "k"}, x.min(), x.max(), len(lanes))
    assert counts.shape == (len(lanes), BINS) and counts.sum() == counted.sum()
    for k, unit in enumerate(lanes):  # per lane, as the journey says
        assert counts[k].sum() == int((counted & (units == unit)).sum())
    assert tallest == counts.max() and width == pytest.approx((x.max() - x.min()) / BINS)
    # the bars drawn are as tall as the counts (the tallest 0.8 of a lane)
    heights = sorted(-p.get_height() for p in fig.axes[0].patches if p.get_height())
    assert heights[-1] == pytest.approx(0.8)


def test_a_few_reports_keep_every_marker(cmp):
    from govsim.figures.swimlane import swimlane_figure
    from govsim.measure.journey import journey_from

    cases = cmp.cases[cmp.cases["regime"] == "fragmented"]
    case = int(cases.sort_values("contacts", ascending=False).iloc[0]["case"])
    journey = journey_from(cmp, case, regime="fragmented")
    fig = swimlane_figure(journey)
    ax = fig.axes[0]
    assert sum(len(c.get_offsets()) for c in ax.collections) >= len(journey)
    fig = cmp.plot_swimlane(case, regime="fragmented", style="talk")
    assert min(t.get_fontsize() for t in _texts(fig)) >= 14.0

"""One self-contained HTML page about a scenario: the regimes compared, the gap decomposed.

Layer: report. :func:`report_page` writes the page from a comparison and a decomposition (read
through :class:`~govsim.report.views.ReportView` and
:class:`~govsim.report.views.DecompositionView`): the scenario in words, the comparison table
with its intervals, the decomposition, the street office's burden over time (where the paired
difference changes sign), the figures, and the provenance that makes the page again. The page
fetches nothing (figures are embedded PNG, the style inline, no script) and carries no time
stamp, so the same inputs give the same bytes. Its comparison and decomposition tables are the
blocks a notebook shows too (:mod:`govsim.report.html_tables`). ``lang="zh"`` writes it in Chinese.
:func:`govsim.make_report` (:mod:`govsim.experiment.report_study`) runs the study behind it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from govsim.lang import metric_name
from govsim.measure.metrics import HEADLINE, METRICS
from govsim.report import html_page as h
from govsim.report.html_tables import comparison_blocks, decomposition_blocks
from govsim.report.views import DecompositionView, ReportView
from govsim.report.words import category_rows, over_time_words, rules_rows, scenario_words, t
from govsim.scenario import display_names

__all__ = ["report_page"]


def report_page(cmp: ReportView, dec: DecompositionView | None, lang: str,
                prov: list[tuple[str, str]]) -> str:
    """The whole page: the scenario in words, the comparison table, the decomposition, the
    burden over time, the figures and the provenance ``prov`` (label, value pairs)."""
    s = cmp.scenario
    names = display_names(s, lang)
    regimes = list(cmp.regimes)
    rules = rules_rows(s, regimes, names, lang)
    scenario_part = [h.paragraph(p) for p in scenario_words(s, names, lang)]
    scenario_part.append(h.table(rules, caption=t("rules.caption", lang), numeric=())
                         if len(rules) > 1 else h.paragraph(t("rules.same", lang)))
    scenario_part.append(h.section(t("categories", lang), h.table(
        category_rows(s, names, lang), numeric=(1,)), level=3))
    comparison = comparison_blocks(cmp, HEADLINE, lang)
    return h.page(t("title", lang, name=s.name), lang,
                  f"<h1>{escape(t('title', lang, name=s.name))}</h1>",
                  h.paragraph(t("lead", lang, regimes=", ".join(names.regime(r)
                                                                for r in regimes))),
                  h.section(t("s.scenario", lang), *scenario_part, anchor="scenario"),
                  h.section(t("s.comparison", lang), *comparison, anchor="comparison"),
                  h.section(t("s.decomposition", lang), *_decomposition(dec, lang),
                            anchor="decomposition"),
                  h.section(t("s.over_time", lang), *_over_time(cmp, lang),
                            anchor="over-time"),
                  h.section(t("s.figures", lang), *_figures(cmp, dec, lang), anchor="figures"),
                  h.section(t("s.provenance", lang), h.definition_list(prov),
                            h.paragraph(t("p.note", lang)), anchor="provenance"))


def _decomposition(dec: DecompositionView | None, lang: str) -> list[str]:
    if dec is None:
        return [h.paragraph(t("dec.none", lang))]
    from govsim.figures.waterfall import plot_waterfall

    names = display_names(dec.scenario, lang)
    parts = [h.paragraph(t("dec.lead", lang, a=names.regime(dec.source),
                           b=names.regime(dec.target))), *decomposition_blocks(dec, lang)]
    totals = dec.totals.set_index("metric")["difference"]
    # a metric undefined in every replication of some variant has nothing to draw
    for m in [m for m in totals.index if totals[m] == totals[m]]:
        fig = plot_waterfall(dec.contributions, dec.totals, m, dec.source, dec.target,
                             METRICS[m][0], lang=lang, names=names)
        text = t("fig.waterfall", lang, metric=metric_name(m, lang))
        parts.append(h.figure(fig, text, text))
    return parts


def _over_time(cmp: ReportView, lang: str) -> list[str]:
    """The street office's burden over time: where the paired difference changes sign (one
    sentence per regime, computed), and the figure. Weeks up to 120 days, months beyond."""
    from govsim.figures.over_time import plot_over_time
    from govsim.measure import over_time as ot

    freq = "W" if cmp.scenario.world.horizon_days <= 120 else "M"
    names = cmp.names(lang)
    frame = cmp.over_time(freq)
    diffs = ot.over_time_differences(frame, cmp.baseline, ["street_office_burden_yuan"],
                                     cmp.confidence)
    words = over_time_words(diffs, ot.crossings(diffs), names, lang, freq,
                            round(cmp.confidence * 100))
    fig = plot_over_time(frame, freq=freq, confidence=cmp.confidence, lang=lang, names=names)
    text = t("fig.over_time", lang, period=t(f"ot.{freq}", lang))
    return [*(h.paragraph(w) for w in words), h.figure(fig, text, text)]


def _figures(cmp: ReportView, dec: DecompositionView | None, lang: str) -> list[str]:
    from govsim.figures.costs import plot_costs
    from govsim.figures.headings import run_line
    from govsim.figures.process_map import plot_process_map
    from govsim.figures.survival import plot_survival
    from govsim.figures.workload import plot_lights, plot_workload

    names = cmp.names(lang)
    w = cmp.scenario.world
    # under each title: the horizon, the replications and any warm-up
    ran = run_line(int(w.horizon_days), int(cmp.replications), w.start,
                   float(getattr(cmp, "warmup_days", 0.0)), lang)
    drawn: list[tuple[Any, str]] = [
        (plot_survival(cmp.cases, lang=lang, names=names, subtitle=ran),
         t("fig.survival", lang)),
        (plot_costs(cmp.units, cmp.metrics, lang=lang, names=names, subtitle=ran),
         t("fig.costs", lang)),
        (plot_workload(cmp.units, lang=lang, names=names, subtitle=ran),
         t("fig.workload", lang))]
    if len(cmp.lights):
        drawn.append((plot_lights(cmp.lights, lang=lang, names=names, subtitle=ran),
                      t("fig.lights", lang)))
    shown = [cmp.baseline] + ([dec.target] if dec is not None and dec.target != cmp.baseline
                              else [r for r in cmp.regimes if r != cmp.baseline][:1])
    for regime in shown:
        drawn.append((plot_process_map(cmp.events, regime, lang=lang, names=names,
                                       subtitle=ran),
                      t("fig.process", lang, regime=names.regime(regime))))
    # one case, step by step: the baseline's case with the most contacts in replication 0
    first = cmp.cases[(cmp.cases["regime"].astype(str) == cmp.baseline)
                      & (cmp.cases["replication"] == 0)]
    if len(first):
        from govsim.figures.swimlane import swimlane_figure
        from govsim.measure.journey import journey_from

        case = int(first.loc[first["contacts"].idxmax(), "case"])
        journey = journey_from(cmp, case, 0, cmp.baseline)
        drawn.append((swimlane_figure(journey, lang=lang, names=names),
                      t("fig.swimlane", lang, regime=names.regime(cmp.baseline), case=case)))
    return [h.figure(fig, text, text) for fig, text in drawn]

"""One self-contained HTML page about a scenario: the regimes compared, the gap decomposed.

Layer: experiment. :func:`make_report` runs a comparison (and, unless told not to, a
decomposition of the gap between two regimes), draws govsim's figures and writes them into
one page: the scenario in words, the comparison table with its intervals, the decomposition,
the street office's burden over time (where the paired difference changes sign), the figures, and the provenance that makes the page again. The page fetches nothing (figures
are embedded PNG, the style inline, no script) and carries no time stamp, so the same inputs
give the same bytes. ``lang="zh"`` writes it in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsim.analysis.metrics import HEADLINE, METRICS
from govsim.atomic import save_file
from govsim.errors import GovsimError, shown
from govsim.experiment import html_page as h
from govsim.experiment.checks import resolve_scenario
from govsim.experiment.comparison import Comparison, ScenarioLike, compare
from govsim.experiment.decomposition import DECOMPOSE_METRICS, Decomposition, execute, plan
from govsim.experiment.report import (
    COMPARISON_NOTES,
    comparison_rows,
    results_header,
    table_notes,
)
from govsim.experiment.report_decomposition import decomposition_parts
from govsim.experiment.report_words import (
    category_rows,
    over_time_words,
    provenance,
    rules_rows,
    scenario_words,
    t,
)
from govsim.lang import check_lang, metric_name
from govsim.progress import Progress
from govsim.scenario import Scenario, check_baseline, differing_rules, display_names

if TYPE_CHECKING:
    import os


__all__ = ["Report", "make_report"]


@dataclass(frozen=True)
class Report:
    """A report page and the results behind it."""

    #: the whole page
    html: str
    comparison: Comparison
    #: the decomposition shown, or None when none was asked for
    decomposition: Decomposition | None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page and return the absolute path written.

        As every govsim writer: ``path`` is checked first (a path, a name the file system
        can hold, not a directory; its folder created if missing and tried), the file is
        written atomically (complete or absent), and any failure is a
        :class:`~govsim.errors.GovsimError` at ``path`` in one sentence (a disk that fails
        midway: the page is saved in a temporary directory instead, and the sentence says
        where)."""
        data = self.html.encode("utf-8")
        return save_file(path, lambda fh: fh.write(data), "path", len(data))


def make_report(scenario: ScenarioLike, regimes: Sequence[str] | None = None, *,
                baseline: str | None = None, decompose: tuple[str, str] | bool = True,
                orders: int = 8, replications: int = 10, seed: int = 0,
                horizon_days: int | None = None, warmup_days: float = 0.0, lang: str = "en",
                jobs: int | None = None, progress: Progress | None = None,
                executor: str | Executor | None = None, scheduler: str | None = None,
                memory_budget: float | None = None, source: str = "",
                command: str = "", ready: Callable[[], object] | None = None) -> Report:
    """Run the comparison behind a report and build its page.

    Parameters
    ----------
    scenario, regimes, baseline, replications, seed, horizon_days, warmup_days, jobs,
    executor, scheduler, memory_budget:
        As in :func:`~govsim.experiment.compare` (the event log is kept: the process map and
        the swimlane are drawn from it).
    decompose:
        ``True`` (default): decompose the gap from the baseline to the first other regime
        whose rules differ from it (none such: no decomposition, and the page says so); a
        pair ``(A, B)``: from A to B (both among ``regimes``); ``False``: no decomposition.
    orders:
        Sampled orders when more than five rules differ (see :func:`govsim.decompose`).
    lang:
        ``"en"`` or ``"zh"``: the language of the page, its tables and figures (Chinese
        figures need a font with Chinese characters: see :func:`govsim.analysis.style.cjk_font`).
    progress:
        Told of the comparison's replications, then of the decomposition's tasks.
    source, command:
        Where the scenario came from and the command that made the page, for the provenance.
    ready:
        Called once every check has passed, before anything runs (``govsim report`` tries
        the page's destination there, so a refused request leaves nothing behind).

    Returns
    -------
    Report
        The page (``Report.html``, ``Report.save(path)``) and the results behind it.
    """
    for where, text in (("source", source), ("command", command)):
        if not isinstance(text, str):
            raise GovsimError(f"must be text (it is shown in the page's provenance), got "
                              f"{shown(text)}", where)
    if ready is not None and not callable(ready):
        raise GovsimError(f"must be a function of no arguments or None, got {shown(ready)}", "ready")
    lang = check_lang(lang)
    s = resolve_scenario(scenario, horizon_days)
    if regimes is None and len(s.regimes) < 2:
        raise GovsimError(f"a report compares regimes, and {s.name!r} has one "
                          f"({', '.join(s.regimes)}): add another regime to the scenario",
                          "scenario")
    chosen = s.check_regimes(regimes, minimum=2)
    check_baseline(chosen, baseline)
    base = chosen[0] if baseline is None else baseline
    pair = _pair(decompose, chosen, base, s)
    dec_plan = None
    if pair is not None:  # every check before the long runs
        dec_plan = plan(s, pair[0], pair[1], replications=replications, seed=seed,
                        warmup_days=warmup_days, orders=orders, memory_budget=memory_budget)
    if lang == "zh":
        from govsim.analysis.style import require_cjk_font

        require_cjk_font()  # before the runs: a missing font is said at once
    if ready is not None:
        ready()
    cmp = compare(s, list(chosen), baseline=base, replications=replications, seed=seed,
                  record_events=True, jobs=jobs, progress=progress, executor=executor,
                  scheduler=scheduler, warmup_days=warmup_days, memory_budget=memory_budget)
    dec = None
    if dec_plan is not None:
        dec = execute(dec_plan, jobs=jobs, progress=progress, executor=executor,
                      scheduler=scheduler)
    how = "" if pair is None else f"{pair[0]} → {pair[1]}"
    html = _page(cmp, dec, lang, provenance(
        cmp.scenario, lang, source=source, seed=seed, replications=replications,
        regimes=list(cmp.regimes), baseline=base, warmup_days=warmup_days, decomposition=how,
        orders=orders, command=command))
    return Report(html=html, comparison=cmp, decomposition=dec)


def _pair(decompose: tuple[str, str] | bool, chosen: Sequence[str], base: str,
          s: Scenario) -> tuple[str, str] | None:
    if decompose is False:
        return None
    if decompose is True:  # the first other regime whose rules differ from the baseline's
        others = [r for r in chosen if r != base
                  and differing_rules(s.regimes[base], s.regimes[r])]
        return (base, others[0]) if others else None
    if (not isinstance(decompose, Sequence) or isinstance(decompose, str)
            or len(decompose) != 2):
        raise GovsimError(f"must be true, false or a pair of regimes, got {shown(decompose)}",
                          "decompose")
    for r in decompose:
        if r not in chosen:
            raise GovsimError(f"{shown(r)} is not among the regimes compared ({', '.join(chosen)})",
                              "decompose")
    return (str(decompose[0]), str(decompose[1]))


def _page(cmp: Comparison, dec: Decomposition | None, lang: str,
          prov: list[tuple[str, str]]) -> str:
    s = cmp.scenario
    names = display_names(s, lang)
    regimes = list(cmp.regimes)
    rules = rules_rows(s, regimes, names, lang)
    scenario_part = [h.paragraph(p) for p in scenario_words(s, names, lang)]
    scenario_part.append(h.table(rules, caption=t("rules.caption", lang), numeric=())
                         if len(rules) > 1 else h.paragraph(t("rules.same", lang)))
    scenario_part.append(h.section(t("categories", lang), h.table(
        category_rows(s, names, lang), numeric=(1,)), level=3))
    rows = comparison_rows(cmp, HEADLINE, lang)
    comparison = [h.paragraph(results_header(cmp, lang)),
                  h.table(rows, table_notes(rows, *COMPARISON_NOTES[lang], lang=lang))]
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


def _decomposition(dec: Decomposition | None, lang: str) -> list[str]:
    if dec is None:
        return [h.paragraph(t("dec.none", lang))]
    from govsim.analysis.waterfall import plot_waterfall

    names = display_names(dec.scenario, lang)
    head, rows, inter_title, inter, more = decomposition_parts(dec, lang)
    parts = [h.paragraph(t("dec.lead", lang, a=names.regime(dec.source),
                           b=names.regime(dec.target))),
             h.paragraph(head), h.table(rows, table_notes(rows, *more, lang=lang)),
             h.paragraph(inter_title), h.table(inter)]
    totals = dec.totals.set_index("metric")["difference"]
    # a metric undefined in every replication of some variant has nothing to draw
    for m in [m for m in DECOMPOSE_METRICS if m in totals.index and totals[m] == totals[m]]:
        fig = plot_waterfall(dec.contributions, dec.totals, m, dec.source, dec.target,
                             METRICS[m][0], lang=lang, names=names)
        text = t("fig.waterfall", lang, metric=metric_name(m, lang))
        parts.append(h.figure(fig, text, text))
    return parts


def _over_time(cmp: Comparison, lang: str) -> list[str]:
    """The street office's burden over time: where the paired difference changes sign (one
    sentence per regime, computed), and the figure. Weeks up to 120 days, months beyond."""
    from govsim.analysis import over_time as ot
    from govsim.analysis.fig_over_time import plot_over_time

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


def _figures(cmp: Comparison, dec: Decomposition | None, lang: str) -> list[str]:
    from govsim.analysis.fig_costs import plot_costs
    from govsim.analysis.fig_process import plot_process_map
    from govsim.analysis.fig_survival import plot_survival
    from govsim.analysis.fig_workload import plot_lights, plot_workload

    names = cmp.names(lang)
    drawn: list[tuple[Any, str]] = [
        (plot_survival(cmp.cases, lang=lang, names=names), t("fig.survival", lang)),
        (plot_costs(cmp.units, cmp.metrics, lang=lang, names=names), t("fig.costs", lang)),
        (plot_workload(cmp.units, lang=lang, names=names), t("fig.workload", lang))]
    if len(cmp.lights):
        drawn.append((plot_lights(cmp.lights, lang=lang, names=names), t("fig.lights", lang)))
    shown = [cmp.baseline] + ([dec.target] if dec is not None and dec.target != cmp.baseline
                              else [r for r in cmp.regimes if r != cmp.baseline][:1])
    for regime in shown:
        drawn.append((plot_process_map(cmp.events, regime, lang=lang, names=names),
                      t("fig.process", lang, regime=names.regime(regime))))
    # one case, step by step: the baseline's case with the most contacts in replication 0
    first = cmp.cases[(cmp.cases["regime"].astype(str) == cmp.baseline)
                      & (cmp.cases["replication"] == 0)]
    if len(first):
        from govsim.analysis.journey import journey_from
        from govsim.analysis.plots import swimlane_figure

        case = int(first.loc[first["contacts"].idxmax(), "case"])
        journey = journey_from(cmp, case, 0, cmp.baseline)
        drawn.append((swimlane_figure(journey, lang=lang, names=names),
                      t("fig.swimlane", lang, regime=names.regime(cmp.baseline), case=case)))
    return [h.figure(fig, text, text) for fig, text in drawn]

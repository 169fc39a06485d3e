"""Plain-text and JSON views of results, for the terminal and for scripts.

Layer: report (the views of its result types; it reads them, they import it only lazily,
from :meth:`Comparison.table <govsim.experiment.comparison.Comparison.table>`). A
decomposition's table is in :mod:`govsim.report.decomposition`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from govsim.lang import (
    KEYS,
    VOCABULARIES,
    activity_name,
    display_width,
    metric_label,
    outcome_meaning,
    outcome_name,
    pad,
    tr,
)
from govsim.measure.journey import CONTACT_COLUMNS
from govsim.measure.metrics import METRICS
from govsim.report.views import ComparisonView, ResultsView
from govsim.scenario.names import Names, display_names
from govsim.stats.intervals import SMALL_SAMPLE

__all__ = ["comparison_table", "comparison_rows", "table_notes", "results_header", "summary_table",
           "results_json", "case_distribution_table", "sweep_rows", "sweep_table",
           "interval_text"]


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def interval_text(value: float, low: float, high: float) -> str:
    """``value [low, high]`` as the tables print it; ``n/a`` without a value, the value alone
    without an interval (one replication)."""
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if isinstance(low, float) and math.isnan(low):
        return _fmt(value)
    return f"{_fmt(value)} [{_fmt(low)}, {_fmt(high)}]"


def _cell(s: pd.Series, mean: str = "mean") -> str:
    """:func:`interval_text` of a summary row; ``*`` marks an interval from fewer than
    :data:`~govsim.stats.intervals.SMALL_SAMPLE` values."""
    text = interval_text(s[mean], s["ci_low"], s["ci_high"])
    return text + "*" if text.endswith("]") and int(s["n"]) < SMALL_SAMPLE else text


def _notes(rows: list[list[str]], *more: str, lang: str = "en") -> str:
    """Footnotes under a table: how its intervals are made, flagged ones, and ``more``."""
    lines = table_notes(rows, *more, lang=lang)
    return "\n\n" + "\n".join(lines) if lines else ""


def table_notes(rows: list[list[str]], *more: str, lang: str = "en") -> list[str]:
    """The footnotes a table of cells needs, one a line: how its intervals are made (if it
    has any), what ``*`` means (if any cell has one), then ``more``."""
    cells = [cell for row in rows[1:] for cell in row[1:]]
    lines = []
    if any(cell.endswith(("]", "]*")) for cell in cells):
        lines.append(tr("note.ci", lang))
    if any(cell.endswith("]*") for cell in cells):
        lines.append(tr("note.small", lang, k=SMALL_SAMPLE))
    lines.extend(more)
    return lines


def results_header(res: ResultsView, lang: str = "en", confidence: float | None = None) -> str:
    """The line above a results table: scenario, replications, seed, horizon, what is shown
    (intervals at ``confidence``, default the results' own level)."""
    w = res.scenario.world
    head = tr("head.scenario", lang, name=res.scenario.name)
    tail = tr("head.horizon", lang, seed=res.seed, days=w.horizon_days, start=w.start)
    if res.replications == 1:
        return head + tr("head.one", lang) + tail + tr("head.one_tail", lang)
    pct = round((res.confidence if confidence is None else confidence) * 100)
    return (head + tr("head.many", lang, n=res.replications) + tail
            + tr("head.mean_ci", lang, pct=pct))


def _render(rows: list[list[str]]) -> str:
    """Columns aligned in a terminal (a Chinese character takes two columns)."""
    widths = [max(display_width(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(pad(cell, widths[k], right=k > 0)
                               for k, cell in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _metric_label(metric: str, lang: str) -> str:
    """``metric (unit)``, in ``lang``."""
    return metric_label(metric, METRICS[metric][0], lang)


def summary_table(res: ResultsView, metrics: list[str], lang: str = "en") -> str:
    """Each regime's mean and CI per metric; ``lang`` as in :mod:`govsim.lang`."""
    metrics = _defined(res, metrics)
    names = display_names(res.scenario, lang)
    summ = res.summary(metrics).set_index(["regime", "metric"])
    rows = [[tr("metric", lang), *(names.regime(r) for r in res.regimes)]]
    for m in metrics:
        row = [_metric_label(m, lang)]
        for r in res.regimes:
            s = summ.loc[(r, m)]
            row.append(_cell(s))
        rows.append(row)
    return results_header(res, lang) + "\n\n" + _render(rows) + _notes(rows, lang=lang)


def _defined(res: ResultsView, metrics: list[str]) -> list[str]:
    """The metrics with a value under at least one regime (rows of n/a only are left out)."""
    m = res.metrics
    return [k for k in metrics if k in m and m[k].notna().any()]


def comparison_table(res: ComparisonView, metrics: list[str], lang: str = "en") -> str:
    """Each regime's mean and CI, then the paired difference of each regime to the baseline;
    ``lang`` as in :mod:`govsim.lang`."""
    rows = comparison_rows(res, metrics, lang)
    note = _notes(rows, *COMPARISON_NOTES[lang], lang=lang)
    return results_header(res, lang) + "\n\n" + _render(rows) + note


#: the notes every comparison table carries, by language
COMPARISON_NOTES = {lang: (tr("note.km", lang), tr("note.na", lang)) for lang in VOCABULARIES}


def comparison_rows(res: ComparisonView, metrics: list[str], lang: str = "en") -> list[list[str]]:
    """The cells of :func:`comparison_table`, its header row first."""
    metrics = _defined(res, metrics)
    names = display_names(res.scenario, lang)
    summ = res.summary(metrics).set_index(["regime", "metric"])
    diff = res.differences(metrics).set_index(["regime", "metric"])
    others = [r for r in res.regimes if r != res.baseline]
    rows = [[tr("metric", lang), *(names.regime(r) for r in res.regimes),
             *(tr("paired", lang, a=names.regime(o), b=names.regime(res.baseline))
               for o in others)]]
    for m in metrics:
        row = [_metric_label(m, lang)]
        for r in res.regimes:
            s = summ.loc[(r, m)]
            row.append(_cell(s))
        for o in others:
            d = diff.loc[(o, m)] if (o, m) in diff.index else None
            row.append("n/a" if d is None else _cell(d, "mean_diff"))
        rows.append(row)
    return rows


def _num(x: Any) -> float | int | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def results_json(res: ResultsView, metrics: list[str]) -> dict[str, Any]:
    """A machine-readable summary (NaN becomes ``null``)."""
    summ = res.summary(metrics)
    out: dict[str, Any] = {
        "scenario": res.scenario.name,
        "seed": res.seed,
        "replications": res.replications,
        "horizon_days": res.scenario.world.horizon_days,
        "confidence": res.confidence,
        # how the intervals are made; n < 2 gives none (null), n < small_sample flags them
        "intervals": "Student t over replications, clipped to each metric's feasible range",
        "small_sample": SMALL_SAMPLE,
        "regimes": {},
    }
    for r in res.regimes:
        part = summ[summ["regime"] == r]
        out["regimes"][r] = {
            row.metric: {"mean": _num(row.mean), "ci_low": _num(row.ci_low),
                         "ci_high": _num(row.ci_high), "n": int(row.n),
                         "small_sample": int(row.n) < SMALL_SAMPLE}
            for row in part.itertuples()
        }
    baseline = getattr(res, "baseline", "")
    if baseline:
        diff = res.differences(metrics)  # type: ignore[attr-defined]
        out["baseline"] = baseline
        out["differences"] = {}
        for r in res.regimes:
            if r == baseline:
                continue
            part = diff[diff["regime"] == r]
            out["differences"][f"{r} - {baseline}"] = {
                row.metric: {"mean": _num(row.mean_diff), "ci_low": _num(row.ci_low),
                             "ci_high": _num(row.ci_high), "n": int(row.n),
                             "small_sample": int(row.n) < SMALL_SAMPLE,
                             "p_value": _num(row.p_value)}
                for row in part.itertuples()
            }
    return out


def case_distribution_table(res: ResultsView, reports_within_years: float = 6.0,
                            lang: str = "en") -> str:
    """For case-study scenarios: the distribution of each case's outcome over replications;
    ``lang`` as in :mod:`govsim.lang`."""
    from govsim.measure.casestudy import OUTCOMES, case_outcomes, distribution

    dist = distribution(case_outcomes(res.cases, res.events, reports_within_years))
    regimes = list(dict.fromkeys(dist["regime"]))
    names = display_names(res.scenario, lang)
    years = f"{reports_within_years:g}"
    lines = []
    for r in regimes:
        part = dist[dist["regime"] == r]
        rows = [[tr("cd.quantity", lang), tr("cd.mean", lang), "p10", tr("cd.median", lang),
                 "p90", "n"]]
        for row in part.itertuples():
            name = outcome_name(row.quantity, lang)
            if row.quantity == "reports_by":
                name = (f"reports_by_{years}_years" if lang == KEYS
                        else name.replace("N", years))
            rows.append([name, _fmt(row.mean), _fmt(row.p10), _fmt(row.p50), _fmt(row.p90),
                         str(row.n)])
        lines.append(tr("cd.head", lang, regime=names.regime(str(r)), n=res.replications)
                     + "\n\n" + _render(rows))
    notes = "\n".join(f"  {outcome_name(k, lang)}: {outcome_meaning(k, v, lang)}"
                      for k, v in OUTCOMES.items())
    if lang == "zh":  # the window the table was made with, in place of N
        notes = notes.replace("前 N 年", f"前 {years} 年")
    elif lang == "en":
        notes = notes.replace("N years", f"{years} years")
    return "\n\n".join(lines) + "\n\n" + notes


def contacts_text(table: pd.DataFrame, names: Names | None = None, lang: str = "en") -> str:
    """A journey's contacts table (:func:`govsim.measure.journey.contacts_table`) as text, its
    units and outcomes named in ``lang`` (its columns too in Chinese; ``"keys"``: as the table
    has them)."""
    if lang == KEYS:
        return table.to_string(index=False)
    names = names or Names()
    shown = table.assign(
        unit=[names.unit(str(u)) for u in table["unit"]],
        outcome=[activity_name(str(o), lang) for o in table["outcome"]],
        units=[[names.unit(str(u)) for u in us] for us in table["units"]])
    if lang == "zh":
        shown = shown.rename(columns={k: tr(f"ct.{k}", lang) for k in CONTACT_COLUMNS})
    return shown.to_string(index=False)


def sweep_rows(res: ResultsView, metric: str, confidence: float = 0.95,
               lang: str = "en") -> list[list[str]]:
    """One metric across a sweep as cells, the header row first: a row per design point (its
    factor values), each regime's mean [CI] over replications, each regime's paired difference
    to the baseline, and the replications it rests on (``n``); regimes named in ``lang``."""
    names = display_names(res.scenario, lang)
    summ = res.summary([metric], confidence).set_index(["point", "regime"])
    baseline = getattr(res, "baseline", "")
    others = [r for r in res.regimes if r != baseline]
    diff = (res.differences([metric], confidence)  # type: ignore[attr-defined]
            if len(res.regimes) > 1 else None)
    diff = diff.set_index(["point", "regime"]) if diff is not None and len(diff) else None
    factors = res.factors
    last = [f.rsplit(".", 1)[-1] for f in factors]
    short = [s if last.count(s) == 1 else f for f, s in zip(factors, last, strict=True)]
    head = ["point", *short, *(names.regime(r) for r in res.regimes)]
    if diff is not None:
        head += [f"{names.regime(o)} - {names.regime(baseline)}" for o in others]
    rows = [[*head, "n"]]
    # format column by column: a row of mixed factors would turn whole numbers into floats
    shown = {f: [(_fmt(v) if isinstance(v, float) else str(v)) for v in res.points[f].tolist()]
             for f in factors}
    for i, p in enumerate(res.points.index):
        row, n = [str(p), *(shown[f][i] for f in factors)], 0
        for r in res.regimes:
            if (p, r) in summ.index:
                row.append(_cell(summ.loc[(p, r)]))
                n = max(n, int(summ.loc[(p, r), "n"]))
            else:
                row.append("-")
        if diff is not None:
            row += [_cell(diff.loc[(p, o)], "mean_diff") if (p, o) in diff.index else "-"
                    for o in others]
        rows.append([*row, str(n)])
    return rows


def sweep_table(res: ResultsView, metric: str, confidence: float = 0.95,
                lang: str = "en") -> str:
    """One metric across a sweep (:func:`sweep_rows`) as text, under its name and unit."""
    rows = sweep_rows(res, metric, confidence, lang)
    pct = round(confidence * 100)
    title = (f"{_metric_label(metric, lang)}: mean [{pct}% CI] over replications; differences "
             "paired by replication (common random numbers)")
    return title + "\n\n" + _render(rows) + _notes(rows)

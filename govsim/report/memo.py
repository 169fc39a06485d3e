"""A memo table: one row per metric, its unit, each regime's mean [CI], the paired differences.

Layer: report (a view of :class:`~govsim.experiment.comparison.Results` and
:class:`~govsim.experiment.comparison.Comparison`, read through
:class:`~govsim.report.views.ResultsView`; :meth:`Results.memo
<govsim.experiment.result_views.ResultViews.memo>` imports it lazily). The cells are written
as the text tables write them (:mod:`govsim.report.text`: ``44,246 [29,350, 59,142]``, ``*``
on an interval from few replications, ``n/a`` where a metric is undefined), regimes in the
results' order, and a p-value below 0.001 is ``<0.001``: a frame to paste into a memo, not to
compute with (:meth:`~govsim.experiment.comparison.Results.summary` and
:meth:`~govsim.experiment.comparison.Comparison.differences` hold the numbers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from govsim.lang import lookup, metric_label, metric_name, tr, unit_name
from govsim.measure.metrics import METRICS
from govsim.report.text import _cell, results_header, table_notes
from govsim.report.views import ResultsView
from govsim.scenario.names import display_names

__all__ = ["memo_table", "memo_rows", "label_rows", "p_text"]

#: the memo's own words: (English, Chinese); ``lang="keys"`` takes the English
_WORDS: dict[str, tuple[str, str]] = {
    "unit": ("unit", "单位"),
    "p": ("p ({a} - {b})", "p 值（{a} − {b}）"),
    "p_note": ("p: two-sided paired t-test of the per-replication differences against 0 "
               "(<0.001 below one in a thousand; n/a where every difference is 0 or fewer than 2 "
               "replications have one).",
               "p 值：各次重复配对差相对于 0 的双侧配对 t 检验（小于千分之一记为 <0.001；所有差值均为 0 "
               "或不足 2 次重复时记为 n/a）。"),
}


def p_text(p: float) -> str:
    """A p-value as a memo prints it: ``<0.001`` below one in a thousand, three decimals
    otherwise, ``n/a`` when there is none.

    Examples
    --------
    >>> p_text(0.0), p_text(0.0312), p_text(float("nan"))
    ('<0.001', '0.031', 'n/a')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def memo_rows(res: ResultsView, metrics: Sequence[str], lang: str = "en",
              confidence: float | None = None) -> tuple[list[str], list[list[str]]]:
    """The memo's column headers (unit, regimes, then each paired difference and its p-value)
    and one row of cells per metric of ``metrics``, in that order (the metric's name first)."""
    names = display_names(res.scenario, lang)
    metrics = list(metrics)
    summ = res.summary(metrics, confidence).set_index(["regime", "metric"])
    baseline = str(getattr(res, "baseline", "") or "")
    others = [r for r in res.regimes if r != baseline] if baseline else []
    diff = (res.differences(metrics, confidence).set_index(["regime", "metric"])  # type: ignore[attr-defined]
            if others else None)
    base = names.regime(baseline) if baseline else ""
    head = [lookup(_WORDS, "unit", lang), *(names.regime(r) for r in res.regimes)]
    for o in others:
        head += [tr("paired", lang, a=names.regime(o), b=base),
                 lookup(_WORDS, "p", lang, a=names.regime(o), b=base)]
    rows = []
    for m in metrics:
        row = [metric_name(m, lang), unit_name(METRICS[m][0], lang)]
        row += [_cell(summ.loc[(r, m)]) for r in res.regimes]
        for o in others:
            d = diff.loc[(o, m)] if diff is not None and (o, m) in diff.index else None
            row += (["n/a", "n/a"] if d is None
                    else [_cell(d, "mean_diff"), p_text(float(d["p_value"]))])
        rows.append(row)
    return head, rows


def memo_table(res: ResultsView, metrics: Sequence[str], lang: str = "en",
               confidence: float | None = None) -> pd.DataFrame:
    """A wide table for a memo: index the metrics' names in ``lang`` (``"keys"``: their keys),
    a ``unit`` column, one column per regime (its mean [CI]), and for a comparison one per
    paired difference to the baseline with its p-value beside it; every cell a string.

    ``frame.attrs`` holds ``"header"`` (the line that says what the table shows: scenario,
    replications, seed, horizon, level) and ``"notes"`` (the footnotes its cells need), for
    the memo's caption.

    Examples
    --------
    >>> import govsim  # doctest: +SKIP
    >>> cmp = govsim.compare("district", ["fragmented", "consolidated"], replications=2,
    ...                      horizon_days=10, recording="metrics")  # doctest: +SKIP
    >>> memo_table(cmp, ["resolved_share"]).columns.tolist()  # doctest: +SKIP
    ['unit', 'Many hotlines', 'One number, 12345', 'One number, 12345 - Many hotlines (paired)',
     'p (One number, 12345 - Many hotlines)']
    """
    head, rows = memo_rows(res, metrics, lang, confidence)
    frame = pd.DataFrame([row[1:] for row in rows], columns=head,
                         index=pd.Index([row[0] for row in rows], name=tr("metric", lang)))
    # the footnotes read the cells as a table with a header row and a name column
    cells = [["", *head], *([row[0], *row[2:]] for row in rows)]
    notes = table_notes(cells, lang=lang)
    if getattr(res, "baseline", ""):
        notes.append(lookup(_WORDS, "p_note", lang))
    frame.attrs["header"] = results_header(res, lang, confidence)
    frame.attrs["notes"] = notes
    return frame


def label_rows(res: ResultsView, metrics: Sequence[str], lang: str = "en") -> list[list[str]]:
    """Each regime's mean [CI] per metric as a table's cells, its header row first and each
    row named ``name (unit)``: the table of a single regime's results."""
    names = display_names(res.scenario, lang)
    _, rows = memo_rows(res, metrics, lang)
    k = len(res.regimes)
    out = [[tr("metric", lang), *(names.regime(r) for r in res.regimes)]]
    for m, row in zip(metrics, rows, strict=True):
        out.append([metric_label(m, METRICS[m][0], lang), *row[2:2 + k]])
    return out


"""Results as HTML tables: the blocks the report page and a notebook share, and a notebook's view.

Layer: report. A comparison's and a decomposition's tables are made once, as blocks of HTML
from the very cells the terminal prints (:func:`~govsim.report.text.comparison_rows`,
:func:`~govsim.report.decomposition.decomposition_parts`) through the report page's renderer
(:func:`govsim.report.html_page.table`); the report page (:mod:`govsim.report.html`) and a
notebook both show them. :func:`notebook_view` wraps blocks for Jupyter's ``_repr_html_``: a
style of its own, scoped to the view and inline (nothing fetched, no script), figures that never
break across lines (metric names may), colours taken from JupyterLab's theme where it sets them
and see-through greys where it does not, so the table reads in light and dark themes alike and
in an exported HTML file.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from govsim.lang import metric_label, tr
from govsim.measure.metrics import METRICS
from govsim.report import html_page as h
from govsim.report.decomposition import decomposition_parts
from govsim.report.memo import label_rows
from govsim.report.text import (
    _defined,
    comparison_rows,
    results_header,
    sweep_rows,
    table_notes,
)
from govsim.report.views import ComparisonView, DecompositionView, ResultsView

__all__ = ["comparison_blocks", "results_blocks", "decomposition_blocks", "sweep_blocks",
           "sweep_rows", "text_block", "notebook_view", "results_html", "decomposition_html",
           "sweep_html", "text_html"]

#: the view's style, every rule under ``div.govsim-view`` (it touches nothing else on the page,
#: and outranks the notebook's own table style: centred, fixed layout, right-aligned headers)
_CSS = """
div.govsim-view { line-height: 1.4; }
div.govsim-view p { margin: 0.3em 0; }
div.govsim-view .scroll { overflow-x: auto; max-width: 100%; }
div.govsim-view table { border-collapse: collapse; table-layout: auto; margin: 0.4em 0;
  font-size: 0.9em; color: inherit; }
div.govsim-view table caption { text-align: left; font-weight: 600; padding: 0.2em 0; }
div.govsim-view table th, div.govsim-view table td { border: 1px solid
  var(--jp-border-color2, rgba(128, 128, 128, 0.4)); padding: 0.25em 0.6em; text-align: left;
  vertical-align: top; line-height: 1.35; }
div.govsim-view table thead th { background: var(--jp-layout-color2, rgba(128, 128, 128, 0.14));
  vertical-align: bottom; white-space: normal; min-width: 6em; }
div.govsim-view table tbody th { font-weight: normal; white-space: normal; min-width: 16em;
  max-width: 28em; }
div.govsim-view table td.num { text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
div.govsim-view table tbody tr:nth-child(even) > * { background: rgba(128, 128, 128, 0.07); }
div.govsim-view .notes { font-size: 0.85em; opacity: 0.8; }
div.govsim-view pre { white-space: pre; overflow-x: auto; font-size: 0.85em; }
"""


def comparison_blocks(res: ComparisonView, metrics: Sequence[str],
                      lang: str = "en") -> list[str]:
    """A comparison as HTML: the line that says what is shown, then the table of
    :func:`~govsim.report.text.comparison_table` (each regime's mean [CI], each paired
    difference to the baseline) with its footnotes."""
    rows = comparison_rows(res, list(metrics), lang)
    notes = table_notes(rows, tr("note.km", lang), tr("note.na", lang), lang=lang)
    return [h.paragraph(results_header(res, lang)), h.table(rows, notes)]


def results_blocks(res: ResultsView, metrics: Sequence[str], lang: str = "en") -> list[str]:
    """One regime's results (no baseline) as HTML: the header line, then its mean [CI] per
    metric that has a value, with the footnotes."""
    rows = label_rows(res, _defined(res, list(metrics)), lang)
    return [h.paragraph(results_header(res, lang)),
            h.table(rows, table_notes(rows, lang=lang))]


def decomposition_blocks(dec: DecompositionView, lang: str = "en") -> list[str]:
    """A decomposition's tables as HTML: its header line, the contributions (each rule's, the
    total they add up to, A's and B's means) with their notes, and the interactions (each rule
    switched alone and last)."""
    head, rows, inter_title, inter, more = decomposition_parts(dec, lang)
    return [h.paragraph(head), h.table(rows, table_notes(rows, *more, lang=lang)),
            h.paragraph(inter_title), h.table(inter)]


def sweep_blocks(res: ResultsView, metrics: Sequence[str], head: str,
                 confidence: float = 0.95) -> list[str]:
    """A sweep as HTML: ``head``, then a table per metric of :func:`sweep_rows` under its
    name, with the footnotes."""
    pct = round(confidence * 100)
    blocks = [h.paragraph(head)]
    for m in metrics:
        rows = sweep_rows(res, m, confidence)
        caption = (f"{metric_label(m, METRICS[m][0])}: mean [{pct}% CI] over replications; "
                   "differences paired by replication")
        blocks.append(h.table(rows, table_notes(rows), caption=caption,
                              numeric=range(1 + len(res.factors), len(rows[0]))))
    return blocks


def text_block(text: str) -> str:
    """Text laid out for a terminal, kept as it is (a table of aligned columns).

    Examples
    --------
    >>> text_block("a < b")
    '<pre>a &lt; b</pre>'
    """
    return f"<pre>{escape(text)}</pre>"


def notebook_view(*blocks: str) -> str:
    """``blocks`` as one self-contained piece of HTML for a notebook, with the view's style.

    Examples
    --------
    >>> view = notebook_view(h.paragraph("two regimes"), h.table([["metric", "A"], ["x", "1"]]))
    >>> view.startswith('<div class="govsim-view"><style>'), '<td class="num">1</td>' in view
    (True, True)
    """
    return f'<div class="govsim-view"><style>{_CSS}</style>' + "".join(blocks) + "</div>"


def results_html(res: ResultsView, metrics: Sequence[str], lang: str = "en") -> str:
    """A run's or a comparison's results for a notebook (``Results._repr_html_``)."""
    if getattr(res, "baseline", ""):
        return notebook_view(*comparison_blocks(res, metrics, lang))  # type: ignore[arg-type]
    return notebook_view(*results_blocks(res, metrics, lang))


def decomposition_html(dec: DecompositionView, lang: str = "en") -> str:
    """A decomposition for a notebook (``Decomposition._repr_html_``)."""
    return notebook_view(*decomposition_blocks(dec, lang))


def sweep_html(res: ResultsView, metrics: Sequence[str], head: str) -> str:
    """A sweep for a notebook (``SweepResults._repr_html_``)."""
    return notebook_view(*sweep_blocks(res, metrics, head))


def text_html(text: str) -> str:
    """A study whose table is text only, for a notebook: the text as it is, scrolled sideways
    rather than wrapped."""
    return notebook_view(text_block(text))

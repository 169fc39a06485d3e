"""The pieces of a self-contained HTML page: text, tables, figures as embedded PNG.

Layer: report (used by :mod:`govsim.report.html`). The page makes no request
of its own: its style is inline, its figures are ``data:`` URIs, it has no script. The same
figures and text give the same bytes (the PNGs carry no software or date metadata).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

__all__ = ["page", "section", "paragraph", "table", "figure", "definition_list", "png_bytes"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
       "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1.5em; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border: 1px solid #d0d0d0; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #f2f4f7; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:nth-child(even) td { background: #fafafa; }
.scroll { overflow-x: auto; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.88em; color: #444; margin-top: 0.3em; }
.notes { font-size: 0.85em; color: #444; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; font-size: 0.9em; }
dt { font-weight: 600; }
dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
@media print { body { max-width: none; } h2 { break-before: auto; } figure { break-inside: avoid; } }
"""


def png_bytes(fig: Any, dpi: int = 110) -> bytes:
    """A matplotlib figure as PNG bytes with no metadata (the same figure, the same bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def figure(fig: Any, caption: str, alt: str, dpi: int = 110) -> str:
    """``fig`` embedded as a PNG ``data:`` URI, with its caption; ``alt`` says in words what
    it shows (for screen readers and when images are off)."""
    data = base64.b64encode(png_bytes(fig, dpi)).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def table(rows: Sequence[Sequence[str]], notes: Iterable[str] = (), caption: str = "",
          numeric: Iterable[int] | None = None) -> str:
    """A table whose first row is its header and whose first column names its rows; the
    columns in ``numeric`` (default: all but the first) are right-aligned figures; ``notes``
    follow it in small type."""
    head, *body = rows
    figures = set(range(1, len(head)) if numeric is None else numeric)
    out = ['<div class="scroll"><table>']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{escape(c)}</th>' for c in head)
               + "</tr></thead><tbody>")
    for row in body:
        cells = []
        for k, c in enumerate(row):
            if k == 0:
                cells.append(f'<th scope="row">{escape(c)}</th>')
            else:
                cells.append(f'<td class="num">{escape(c)}</td>' if k in figures
                             else f"<td>{escape(c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    notes = list(notes)
    if notes:
        out.append('<div class="notes">' + "".join(f"<p>{escape(n)}</p>" for n in notes)
                   + "</div>")
    return "".join(out)


def paragraph(text: str) -> str:
    """One paragraph of plain text."""
    return f"<p>{escape(text)}</p>"


def definition_list(items: Iterable[tuple[str, str]]) -> str:
    """Terms and their values (the provenance)."""
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items) + "</dl>"


def section(title: str, *parts: str, level: int = 2, anchor: str = "") -> str:
    """A heading and what follows it."""
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return f"<section{ident}><h{level}>{escape(title)}</h{level}>" + "".join(parts) + "</section>"


def page(title: str, lang: str, *sections: str) -> str:
    """The whole document: UTF-8, the language tag, inline style, no script."""
    tag = "zh-Hans" if lang == "zh" else "en"
    return ("<!DOCTYPE html>\n"
            f'<html lang="{tag}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            # nothing may be fetched: no network, no scripts, images only from the page itself
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'\">"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
            + "".join(sections) + "</body></html>\n")

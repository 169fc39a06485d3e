"""Labels that fit: names wrapped to the room they have, tick labels that never overlap.

Layer: figures (matplotlib, imported only when drawing). Names of regimes and units are
whole phrases ("Street office and its housing office"); :func:`wrap` breaks them into lines
(Chinese, which has no spaces, by width), and :func:`fit_ticks` draws a figure once and,
wherever neighbouring tick labels of an axis would overlap, wraps them narrower and, if that
is not enough, turns them upright. :func:`overlapping` finds overlapping texts (what the
tests check).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

from govsim.lang import display_width

__all__ = ["wrap", "unwrap", "wrap_all", "wrap_to", "overlapping", "fit_ticks", "finish", "set_heading"]


def wrap(text: str, width: int = 18) -> str:
    """``text`` in lines of at most ``width`` columns, broken between words (a word longer
    than ``width``, such as a key, keeps its line); Chinese, which has no spaces, is broken
    by width (a wide character takes two columns).

    Examples
    --------
    >>> wrap("Street office and its housing office", 16)
    'Street office\\nand its housing\\noffice'
    """
    width = max(int(width), 4)
    out: list[str] = []
    for line in str(text).split("\n"):
        if display_width(line) <= width:
            out.append(line)
        elif " " in line.strip():
            out += textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
        elif display_width(line) == len(line):  # one long word (a key): kept whole
            out.append(line)
        else:  # no spaces (Chinese): cut by display width
            piece = ""
            for ch in line:
                if piece and display_width(piece + ch) > width:
                    out.append(piece)
                    piece = ""
                piece += ch
            out.append(piece)
    return "\n".join(out)


def unwrap(text: str) -> str:
    """A wrapped label back on one line: lines joined by a space, but none after a hyphen
    or next to Chinese (where :func:`wrap` and :func:`fit_ticks` broke them without one).

    Examples
    --------
    >>> unwrap("City-\\nmanagement\\nbureau")
    'City-management bureau'
    """
    out = ""
    for line in (part.strip() for part in str(text).split("\n")):
        if not line:
            continue
        wide = out and (display_width(out[-1]) > 1 or display_width(line[0]) > 1)
        out += line if not out or out.endswith("-") or wide else " " + line
    return out


def wrap_all(texts: Iterable[str], width: int = 18) -> list[str]:
    """:func:`wrap` of each of ``texts``.

    Examples
    --------
    >>> wrap_all(["Many hotlines", "One number, 12345"], 12)
    ['Many\\nhotlines', 'One number,\\n12345']
    """
    return [wrap(t, width) for t in texts]


def _boxes(texts: Sequence[Any], renderer: Any) -> list[Any]:
    return [t.get_window_extent(renderer) for t in texts]


def overlapping(texts: Iterable[Any], renderer: Any = None, pad: float = 0.0
                ) -> list[tuple[int, int]]:
    """Pairs (by position in ``texts``) of drawn, visible, non-empty texts whose boxes on
    the canvas overlap (by more than ``pad`` pixels; edges may touch). Draw the figure first.

    Examples
    --------
    >>> fig.draw_without_rendering()   # doctest: +SKIP
    >>> overlapping(ax.get_xticklabels())   # doctest: +SKIP
    []
    """
    shown = [t for t in texts if t.get_visible() and t.get_text().strip()]
    boxes = _boxes(shown, renderer)
    return [(i, j) for (i, a), (j, b) in combinations(enumerate(boxes), 2)
            if a.x0 < b.x1 - pad and b.x0 < a.x1 - pad and a.y0 < b.y1 - pad
            and b.y0 < a.y1 - pad]


def _labels(axis: Any) -> list[Any]:
    return [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text().strip()]


def _named(axis: Any) -> bool:
    """Whether the axis's ticks are labelled by name (a fixed list), not by number or date."""
    from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter

    return isinstance(axis.get_major_locator(), FixedLocator) and isinstance(
        axis.get_major_formatter(), FixedFormatter | FuncFormatter)


def _relabel(axis: Any, texts: Sequence[str], **props: Any) -> None:
    """Set the axis's tick labels through its formatter (drawing would undo a plain
    ``set_text``), with text properties ``props``."""
    axis.set_ticks(axis.get_ticklocs(), list(texts), **props)


def fit_ticks(fig: Any, axes: Sequence[Any] | None = None, rounds: int = 4) -> None:
    """Wrap and, if need be, turn the named tick labels of ``axes`` (default: every axes of
    ``fig``) so that no two of an axis overlap: the figure is drawn, each x axis whose
    labels overlap gets them wrapped to the width each has (the space between ticks), and one
    where a single word is still too wide gets them upright; overlapping y labels are set in
    fewer, longer lines, then smaller. Repeated (the layout moves as labels grow) up to
    ``rounds`` times. Axes labelled by numbers or dates are left as they are.

    Examples
    --------
    >>> fit_ticks(fig)   # doctest: +SKIP
    """
    for _ in range(rounds):
        fig.draw_without_rendering()
        renderer = None  # each text finds the figure's own
        changed = False
        for ax in axes if axes is not None else fig.get_axes():
            changed |= _fit_title(ax)
            if _named(ax.xaxis):
                changed |= _fit_x(ax, renderer)
            if _named(ax.yaxis):
                changed |= _fit_y(ax, renderer)
        if not changed:
            return
    fig.draw_without_rendering()


def _fit_title(ax: Any) -> bool:
    """Wrap the axes' centred title to the axes' width where it is wider."""
    t = ax.title
    if not t.get_visible() or not t.get_text().strip():
        return False
    room = ax.get_window_extent().width * 1.02
    if t.get_window_extent().width <= room:
        return False
    width = _measure(ax, t)
    lines = [wrap_to(line, room, width) or line for line in t.get_text().split("\n")]
    new = "\n".join(lines)
    if new == t.get_text():
        return False
    t.set_text(new)
    return True


def _texts(axis: Any) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels()]


def _measure(where: Any, like: Any) -> Any:
    """A function giving the width in pixels of a line of text set like the text ``like``
    in the figure of ``where`` (a figure or an axes)."""
    from matplotlib.text import Text

    probe = Text(0, 0, "", fontproperties=like.get_fontproperties())
    probe.set_figure(where if hasattr(where, "suptitle") and not hasattr(where, "transData")
                     else where.get_figure(root=True))
    seen: dict[str, float] = {}

    def width(line: str) -> float:
        if line not in seen:
            probe.set_text(line)
            seen[line] = probe.get_window_extent().width
        return seen[line]
    return width


#: marks that stay at the end of the line before rather than start one
_CLOSING = frozenset("）)]】」』，。、；：！？,.;:!?")


def _pieces(text: str, fits: Any) -> list[tuple[str, str]]:
    """The pieces a label may be broken between, each with what joins it to the one before
    on one line: words (a word too wide for ``fits`` also after its hyphens), or -- in
    Chinese, which has no spaces -- single characters."""
    flat = unwrap(text)
    if " " not in flat and display_width(flat) != len(flat):
        return [(ch, "") for ch in flat]
    out: list[tuple[str, str]] = []
    for word in flat.split(" "):
        parts = re.split(r"(?<=-)(?=.)", word) if not fits(word) else [word]
        out += [(part, " " if k == 0 else "") for k, part in enumerate(parts)]
    return out


def wrap_to(text: str, room: float, width: Any) -> str | None:
    """``text`` in lines no wider than ``room`` pixels (``width(line)`` measures one), broken
    between words (or after a hyphen), or None where one piece alone is wider.

    Examples
    --------
    >>> wrap_to("One number, 12345", 70.0, lambda line: 6.0 * len(line))
    'One number,\\n12345'
    """
    pieces = _pieces(text, lambda word: width(word) <= room)
    if any(width(p) > room for p, _ in pieces):
        return None
    lines: list[str] = []
    for p, glue in pieces:
        # (closing punctuation never starts a line)
        if lines and (width(lines[-1] + glue + p) <= room or p in _CLOSING):
            lines[-1] += glue + p
        else:
            lines.append(p)
    return "\n".join(lines)


def _fit_x(ax: Any, renderer: Any) -> bool:
    labels = _labels(ax.xaxis)
    if len(labels) < 2 or not overlapping(labels, renderer):
        return False
    size = labels[0].get_fontsize()
    if labels[0].get_rotation() != 0.0:  # already upright and still crowded: smaller text
        _relabel(ax.xaxis, _texts(ax.xaxis), rotation=90.0, ha="center", va="top",
                 fontsize=max(size * 0.85, 6.0))
        return True
    xs = sorted(ax.transData.transform((t.get_position()[0], 0.0))[0] for t in labels)
    room = min(b - a for a, b in zip(xs, xs[1:], strict=False)) * 0.92
    width = _measure(ax, labels[0])
    new = [wrap_to(s, room, width) if s.strip() else s for s in _texts(ax.xaxis)]
    if all(s is not None for s in new) and new != _texts(ax.xaxis):
        _relabel(ax.xaxis, new, rotation=0.0, ha="center")
        return True
    # a word too long for its room: every label upright, in lines of a readable length
    _relabel(ax.xaxis, [wrap(unwrap(s), 24) for s in _texts(ax.xaxis)],
             rotation=90.0, ha="center", va="top")
    return True


def _fit_y(ax: Any, renderer: Any) -> bool:
    labels = _labels(ax.yaxis)
    if len(labels) < 2 or not overlapping(labels, renderer):
        return False
    texts = _texts(ax.yaxis)
    longest = max(display_width(line) for s in texts for line in s.split("\n"))
    joined = [wrap(unwrap(s), 2 * longest) for s in texts]
    if joined != texts:  # fewer, longer lines take less height
        _relabel(ax.yaxis, joined)
    else:
        _relabel(ax.yaxis, texts, fontsize=max(labels[0].get_fontsize() * 0.85, 6.0))
    return True


def finish(fig: Any, style: str | None = None) -> Any:
    """The last touches every figure gets: fewer ticks in a talk
    (:func:`govsim.figures.style.fewer_ticks`), then named tick labels that do not overlap
    (:func:`fit_ticks`). Returns ``fig``.

    Examples
    --------
    >>> fig = finish(fig)   # doctest: +SKIP
    """
    from govsim.figures.style import fewer_ticks

    fewer_ticks(fig, style)
    fit_ticks(fig)
    return fig


def set_heading(target: Any, text: str, share: float = 1.0, **props: Any) -> Any:
    """Set ``text`` as the title of ``target`` -- a figure (its suptitle) or an axes --
    each of its lines wrapped (by measuring it) to fit ``share`` of the figure's width.
    Returns the title's text artist.

    Examples
    --------
    >>> set_heading(fig, "Who pays: cost by payer\\n30 simulated days")   # doctest: +SKIP
    """
    if hasattr(target, "suptitle"):
        t = target.suptitle(text, **props)
        fig = target
    else:
        t = target.set_title(text, **props)
        fig = target.get_figure(root=True)
    room = fig.get_figwidth() * fig.dpi * share * 0.94
    width = _measure(fig, t)
    lines = [wrap_to(line, room, width) or wrap(line, 40) if line.strip() else line
             for line in str(text).split("\n")]
    t.set_text("\n".join(lines))
    return t

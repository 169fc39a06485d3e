"""The swimlane's labels: its words, the contact numbers, and notes placed where they fit.

Layer: figures (matplotlib, imported only when drawing). :mod:`govsim.figures.swimlane` draws
the lanes and markers; this module holds

- (its words live in :mod:`govsim.figures.swimlane_text`, in English and Chinese);
- :func:`contact_groups`, which folds filings too close to number one by one into ranges
  ("12–30") so that the numbers never overlap;
- :func:`meeting_marks` and :func:`money_notes`: each meeting as a bracket across its
  invitees' lanes with a note of how many came, and a note in yuan on each step that moved
  money;
- :class:`SwimlaneMarks`, an artist that places the contact numbers and the notes (money in
  yuan, meetings and their attendance) when the figure is drawn, from the axes' final size,
  so that no two labels overlap whatever the figure's size, layout or resolution.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform

from govsim.figures.swimlane_text import (
    ACTIVITY_TEXT,
    TEXT,
    activity_label,
    meeting_text,
    money_text,
    parse_range,
    plural,
    range_text,
    text,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase

__all__ = ["TEXT", "ACTIVITY_TEXT", "text", "plural", "activity_label", "money_text",
           "meeting_text", "range_text", "MONEY_SUMMED", "money_notes", "meeting_marks",
           "parse_range", "contact_groups", "Note", "SwimlaneMarks"]

# ---------------------------------------------------------------------- contact numbers
def contact_groups(x: Sequence[float], width: Callable[[int, int], float], rows: int = 2,
                   gap: float = 4.0, bounds: tuple[float, float] = (-np.inf, np.inf)
                   ) -> list[tuple[int, int, int, float]]:
    """Fold consecutive filings into groups whose labels do not overlap, and give each label
    a row and a place.

    Labels sit in ``rows`` staggered rows, each centred on its group's time span (shifted
    inwards where it would cross ``bounds``). Wherever two labels would collide with labels
    taking turns in the rows, the two neighbouring groups of that stretch that are closest in
    time are joined, until no labels touch. Then each label goes to the lowest row where it
    clears the label before it (so labels with room to spare stay on one line), or -- should
    that fail -- every label takes its turn.

    Parameters
    ----------
    x:
        The filings' positions (in display units, increasing).
    width:
        ``width(first, last)``: the width of the label of filings ``first..last`` (indices),
        in the units of ``x``.
    rows, gap:
        The number of rows, and the least space between two labels of one row.
    bounds:
        Where labels must stay (the axes' left and right edges).

    Returns
    -------
    list of (int, int, int, float)
        The groups in order, as index ranges with their row and the centre of their label:
        ``(first, last, row, centre)``, row 0 the lowest. Every filing is in exactly one group.
    """
    pos = np.asarray(x, dtype=float)
    groups = [(i, i) for i in range(len(pos))]

    def edges(g: tuple[int, int]) -> tuple[float, float]:
        """A label's left and right ends, centred on its filings and kept inside."""
        half = width(*g) / 2.0
        centre = min(max((pos[g[0]] + pos[g[1]]) / 2.0, bounds[0] + half), bounds[1] - half)
        return centre - half, centre + half

    k = 0
    while k + rows < len(groups):
        if edges(groups[k])[1] + gap <= edges(groups[k + rows])[0]:
            k += 1
            continue
        # join the two neighbours closest in time between the colliding labels
        m = min(range(k, k + rows), key=lambda t: pos[groups[t + 1][0]] - pos[groups[t][1]])
        groups[m:m + 2] = [(groups[m][0], groups[m + 1][1])]
        k = max(m - rows, 0)  # a wider label may now reach the one before it in its row
    ends = [-np.inf] * rows
    out = []
    for g in groups:
        left, right = edges(g)
        row = next((r for r in range(rows) if ends[r] + gap <= left), None)
        if row is None:  # first fit failed: labels take turns, which the folding made fit
            return [(a, b, n % rows, sum(edges((a, b))) / 2.0)
                    for n, (a, b) in enumerate(groups)]
        ends[row] = right
        out.append((g[0], g[1], row, (left + right) / 2.0))
    return out


# ------------------------------------------------------------------------------- notes
@dataclass(frozen=True)
class Note:
    """A note on one point of the figure (data coordinates), placed where it fits.

    ``kind`` names what it says (``"money"`` or ``"meeting"``); ``value`` is the number it
    shows (yuan, or units at each meeting; NaN when it shows none) and ``count`` how many
    steps it stands for (like meetings next to each other share one note), for tests and
    readers of the figure.
    """

    x: float
    y: float
    label: str
    colour: str
    kind: str
    value: float = float("nan")
    count: int = 1
    prefer_left: bool = False


#: money moved by these steps is summed in the legend, not noted step by step (a long history
#: has dozens of patches)
MONEY_SUMMED = frozenset({"surface_fix"})


def money_notes(activity: np.ndarray, x: np.ndarray, y: np.ndarray, amount: np.ndarray,
                colour: str) -> list[Note]:
    """A note in yuan on each step that moved money (``amount_yuan`` of the journey, NaN
    where none moved), but those of :data:`MONEY_SUMMED`."""
    return [Note(float(x[k]), float(y[k]), money_text(activity[k], float(amount[k])),
                 colour, "money", float(amount[k]))
            for k in np.flatnonzero(np.isfinite(amount))
            if activity[k] not in MONEY_SUMMED]


def meeting_marks(ax: Axes, activity: np.ndarray, x: np.ndarray, y: np.ndarray,
                  lane: np.ndarray, lane_of: dict[str, int], invited: list[tuple[str, ...]],
                  came: np.ndarray, colour: str, size: float
                  ) -> tuple[list[Note], list[Line2D], np.ndarray]:
    """Draw each meeting as a bracket across its invitees' lanes with a hollow hexagon (area
    ``size``) on each, and make a note of how many came; like meetings of one convener close
    together share one note ("6 meetings of 4 units each").

    ``x``, ``y``, ``lane``: each step's position and lane; ``lane_of``: a unit's lane;
    ``invited``: each step's invitees (empty but at meetings); ``came``: how many units came
    to each meeting (NaN: not known). Returns the notes, the invitees' legend handle (none
    without invitees), and boxes ``x0, y0, x1, y1`` notes should keep clear of (the brackets
    and the hexagons).
    """
    notes: list[Note] = []
    guests_at: list[tuple[float, float]] = []
    clear: list[tuple[float, float, float, float]] = []
    span = max(float(x.max() - x.min()), 1.0 / 24.0) if len(x) else 1.0
    mid = float(x.min()) + span / 2.0 if len(x) else 0.0
    previous: tuple[object, ...] | None = None
    first = 0.0
    for k in np.flatnonzero(activity == "meeting"):
        guests = [lane_of[u] for u in invited[k] if lane_of[u] != lane[k]]
        reach = [float(lane[k]), *map(float, guests)]
        if guests:
            ax.plot([x[k], x[k]], [min(reach), max(reach)], color=colour, lw=2.0, alpha=0.55,
                    zorder=2, solid_capstyle="butt")
            guests_at += [(x[k], g) for g in guests]
            clear.append((x[k], min(reach), x[k], max(reach)))
        label = meeting_text(1, came[k], len(invited[k]))
        if label is None:
            continue
        # at the foot of the bracket: the lanes below the busy ones are empty before it
        foot = max(reach) if guests else float(y[k])
        key = (lane[k], invited[k], label)
        if previous is not None and previous[0] == key and x[k] - previous[1] < 0.08 * span:
            n = notes[-1].count + 1
            notes[-1] = replace(notes[-1], count=n, x=(first + x[k]) / 2.0,
                                label=meeting_text(n, came[k], len(invited[k])) or label)
        else:
            first = float(x[k])
            notes.append(Note(first, foot, label, colour, "meeting", float(came[k]),
                              prefer_left=bool(x[k] > mid)))
        previous = (key, x[k])
    clear += [(gx, gy, gx, gy) for gx, gy in guests_at]
    if not guests_at:
        return notes, [], np.asarray(clear, dtype=float).reshape(-1, 4)
    gx, gy = zip(*guests_at, strict=True)
    ax.scatter(gx, gy, s=size, marker="H", c="white", edgecolors=colour, linewidths=1.6,
               zorder=3)
    handle = Line2D([], [], linestyle="none", marker="H", color="white", markeredgecolor=colour,
                    markeredgewidth=1.6, markersize=np.sqrt(size),
                    label="  " + text("legend.invited", n=len(guests_at)))
    return notes, [handle], np.asarray(clear, dtype=float).reshape(-1, 4)


def _overlaps(box: Bbox, placed: np.ndarray, pad: float) -> bool:
    if not len(placed):
        return False
    return bool(np.any((placed[:, 0] < box.x1 + pad) & (placed[:, 2] > box.x0 - pad)
                       & (placed[:, 1] < box.y1 + pad) & (placed[:, 3] > box.y0 - pad)))


class SwimlaneMarks(Artist):
    """The contact numbers and notes of a swimlane, laid out each time the figure is drawn.

    Contact numbers go in the strip between ``strip`` (data y, top and bottom) in two
    staggered rows (one, if the strip is too narrow for two) over a rug of the filings,
    folded into ranges by :func:`contact_groups`; each range has a bracket under its label
    spanning its filings. Notes go next to their
    point at the first of a ring of offsets where they overlap no label, no note and no marker
    or line (``obstacles``: boxes ``x0, y0, x1, y1`` in data coordinates, a marker's a point)
    and stay inside the axes.

    After a draw, ``contact_texts`` and ``note_texts`` hold the texts drawn (with
    ``groups``, the contact numbers of each label, and ``notes``, the note behind
    each text).
    """

    zorder = 6

    def __init__(self, ax: Axes, filings_x: np.ndarray, numbers: np.ndarray,
                 strip: tuple[float, float] | None, notes: Sequence[Note],
                 obstacles: np.ndarray, fontsize: float, colour: str) -> None:
        super().__init__()
        self._ax = ax
        self._fx = np.asarray(filings_x, dtype=float)
        self._numbers = np.asarray(numbers, dtype=np.int64)
        self._strip = strip
        self.notes = list(notes)
        self._obstacles = np.asarray(obstacles, dtype=float).reshape(-1, 4)
        self._fontsize = fontsize
        self._colour = colour
        # its texts are made when the figure is drawn: keep the font chosen now (a Chinese
        # figure's font is set only while plot_swimlane runs)
        self._family = list(mpl.rcParams["font.family"])
        self.contact_texts: list[Text] = []
        self.groups: list[tuple[int, int]] = []
        self.note_texts: list[Text] = []
        self._lines: list[Line2D] = []
        self.set_in_layout(False)

    def _text(self, x: float, y: float, label: str, colour: str, ha: str, va: str,
              bold: bool = False) -> Text:
        """A text at display coordinates, with a white halo so lines under it stay legible."""
        t = Text(x, y, label, color=colour, fontsize=self._fontsize, ha=ha, va=va,
                 fontfamily=self._family,
                 fontweight="bold" if bold else "normal", transform=IdentityTransform(),
                 path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
        t.set_figure(self.get_figure(root=False))
        return t

    def get_children(self) -> list[Artist]:
        """The lines and texts of the last draw (so ``findobj`` sees them)."""
        return [*self._lines, *self.contact_texts, *self.note_texts]

    def draw(self, renderer: RendererBase) -> None:
        if not self.get_visible():
            return
        self.contact_texts, self.note_texts, self._lines = [], [], []
        placed = self._draw_contacts(renderer)
        self._draw_notes(renderer, placed)
        for artist in (*self._lines, *self.contact_texts, *self.note_texts):
            artist.draw(renderer)
        self.stale = False

    def _draw_contacts(self, renderer: RendererBase) -> list[Bbox]:
        if self._strip is None or not len(self._fx):
            self.groups = []
            return []
        to_px = self._ax.transData
        px = to_px.transform(np.column_stack([self._fx, np.zeros_like(self._fx)]))[:, 0]
        top, bottom = (to_px.transform([(0.0, y) for y in self._strip])[:, 1])
        lo, hi = min(top, bottom), max(top, bottom)
        probe = self._text(0, 0, "0", self._colour, "center", "baseline", bold=True)
        widths: dict[str, float] = {}
        numbers = self._numbers

        def width(first: int, last: int) -> float:
            label = range_text(int(numbers[first]), int(numbers[last]))
            if label not in widths:
                probe.set_text(label)
                widths[label] = probe.get_window_extent(renderer).width
            return widths[label]

        height = probe.get_window_extent(renderer).height
        gap = renderer.points_to_pixels(5.0)
        frame = self._ax.get_window_extent(renderer)
        # a rug of the filings in the lowest part of the strip, labels in rows above it: two
        # where the strip has room for them, else one
        room = hi - lo
        rows = 2 if room >= 3.9 * height else 1
        rug_bottom = lo + 0.06 * room
        rug_top = lo + 0.26 * room if room >= 2.05 * height else \
            max(lo + 0.1 * room, hi - 1.5 * height)
        index = contact_groups(px, width, rows=rows, gap=gap, bounds=(frame.x0, frame.x1))
        self.groups = [(int(numbers[a]), int(numbers[b])) for a, b, _, _ in index]
        rug = Line2D(np.repeat(px, 3), np.tile([rug_bottom, rug_top, np.nan], len(px)),
                     color=self._colour, lw=0.8, alpha=0.7, transform=IdentityTransform())
        rug.set_figure(self.get_figure(root=False))
        self._lines.append(rug)
        row_base = [rug_top + 0.3 * height, rug_top + 1.65 * height]
        placed = []
        for a, b, row, centre in index:
            base = row_base[row]
            t = self._text(centre, base + 0.2 * height,
                           range_text(int(numbers[a]), int(numbers[b])), self._colour,
                           "center", "bottom", bold=True)
            self.contact_texts.append(t)
            placed.append(t.get_window_extent(renderer))
            if b > a:  # a bracket under the label over its filings' time span
                tick = 0.2 * height
                line = Line2D([px[a], px[a], px[b], px[b]],
                              [base - tick, base, base, base - tick], color=self._colour,
                              lw=0.9, transform=IdentityTransform(), solid_joinstyle="miter")
                line.set_figure(self.get_figure(root=False))
                self._lines.append(line)
        return placed

    def _draw_notes(self, renderer: RendererBase, placed: list[Bbox]) -> None:
        if not self.notes:
            return
        to_px = self._ax.transData
        frame = self._ax.get_window_extent(renderer)
        r = renderer.points_to_pixels(6.0)  # half a marker
        corners = self._obstacles.reshape(-1, 2)
        ends = to_px.transform(corners).reshape(-1, 4) if len(corners) else np.empty((0, 4))
        obstacles = np.column_stack([np.minimum(ends[:, 0], ends[:, 2]) - r,
                                     np.minimum(ends[:, 1], ends[:, 3]) - r,
                                     np.maximum(ends[:, 0], ends[:, 2]) + r,
                                     np.maximum(ends[:, 1], ends[:, 3]) + r])
        boxes = [list(b.extents) for b in placed] + obstacles.tolist()
        pad = renderer.points_to_pixels(1.5)
        for note in self.notes:
            px, py = to_px.transform((note.x, note.y))
            labels = np.asarray(boxes[:len(placed)] + boxes[len(placed) + len(obstacles):])
            labels = labels.reshape(-1, 4)
            # clear of everything; else of labels only (over a marker or a line, with its
            # halo); else shifted sideways into narrow axes; else anywhere near
            t = self._place(renderer, note, px, py, frame, np.asarray(boxes), pad) \
                or self._place(renderer, note, px, py, frame, labels, pad) \
                or self._place(renderer, note, px, py, frame, labels, pad, shift=True) \
                or self._place(renderer, note, px, py, None, labels[:0], pad)
            assert t is not None
            self.note_texts.append(t)
            boxes.append(list(t.get_window_extent(renderer).extents))

    def _place(self, renderer: RendererBase, note: Note, px: float, py: float,
               frame: Bbox | None, taken: np.ndarray, pad: float,
               shift: bool = False) -> Text | None:
        """The note at the first offset where it stays in ``frame`` and clear of ``taken``
        (``shift``: moved sideways to stay in the frame, where it is wide enough)."""
        for dx, dy, ha in _offsets(note.prefer_left, renderer.points_to_pixels(1.0)):
            t = self._text(px + dx, py + dy, note.label, note.colour, ha, "center",
                           bold=note.kind == "meeting")
            t.set_multialignment("center" if ha == "center" else ha)
            box = t.get_window_extent(renderer)
            if shift and frame is not None:
                move = max(frame.x0 - box.x0, 0.0) - max(box.x1 - frame.x1, 0.0)
                t.set_x(px + dx + move)
                box = t.get_window_extent(renderer)
            inside = frame is None or (frame.x0 <= box.x0 and box.x1 <= frame.x1
                                       and frame.y0 <= box.y0 and box.y1 <= frame.y1)
            if inside and not _overlaps(box, taken, pad):
                return t
        return None


def _offsets(prefer_left: bool, pt: float) -> list[tuple[float, float, str]]:
    """Where a note may go, nearest first: beside its point (the preferred side first) or
    centred over or under it, then further up or down."""
    near = 10.0 * pt
    sides = [(-near, "right"), (near, "left")] if prefer_left else \
        [(near, "left"), (-near, "right")]
    out = []
    for step in range(0, 40):
        for sign in ((1,) if step == 0 else (-1, 1)):
            dy = sign * step * 7.0 * pt
            out += [(dx, dy, ha) for dx, ha in sides]
            if step >= 2:
                out.append((0.0, dy, "center"))
    return out

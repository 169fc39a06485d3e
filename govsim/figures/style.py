"""One look for every govsim figure, in two sizes, and a colour per regime.

Layer: figures (matplotlib, imported only when drawing). Two styles (:data:`STYLES`):
``"paper"``, small text for print (the default), and ``"talk"``, for a room: text of 14 pt or
more, thicker lines, fewer ticks and larger figures. Every ``plot_*`` function takes
``style=``; :func:`set_style` changes the default for the session and :func:`use_style` for a
block.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import matplotlib as mpl

from govsim.errors import GovsimError

__all__ = ["PALETTE", "regime_colours", "figure_style", "cjk_font", "require_cjk_font",
           "missing_glyphs", "font_for", "say_empty", "EMPTY", "CJK_FAMILIES", "CJK_HELP",
           "STYLES", "check_style", "set_style", "get_style", "use_style", "points", "scaled",
           "fewer_ticks"]

#: colour-blind-safe (Okabe-Ito), in the order regimes are listed
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_RC = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "axes.grid": True, "grid.alpha": 0.3,
    "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100,
    # names come from scenario files: a "$" in a label is a dollar sign, not mathematics
    "text.parse_math": False,
}

#: the figure styles: ``paper`` (print) and ``talk`` (a room: 14 pt or more, thick lines)
STYLES = ("paper", "talk")

_TALK = {
    **_RC, "font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15, "legend.fontsize": 14,
    "legend.title_fontsize": 15, "xtick.labelsize": 14, "ytick.labelsize": 14,
    "figure.titlesize": 18, "lines.linewidth": 2.8, "lines.markersize": 8,
    "axes.linewidth": 1.5, "xtick.major.width": 1.5, "ytick.major.width": 1.5,
    "xtick.major.size": 6, "ytick.major.size": 6, "grid.linewidth": 1.0, "grid.alpha": 0.35,
    "patch.linewidth": 1.2, "errorbar.capsize": 5, "figure.dpi": 100,
}

_RCS = {"paper": _RC, "talk": _TALK}
#: how much larger a talk figure is than a paper one (each side)
_GROW = {"paper": 1.0, "talk": 1.45}
#: the smallest text of each style, in points (a talk's legend is read from the back row)
_LEAST = {"paper": 0.0, "talk": 14.0}

_DEFAULT = ["paper"]  # set_style's choice for the session
_STYLE: ContextVar[str | None] = ContextVar("govsim_figure_style", default=None)


def check_style(style: object, where: str = "style") -> str:
    """``style`` if it is one of :data:`STYLES`, else a :class:`GovsimError` at ``where``.

    Examples
    --------
    >>> check_style("talk")
    'talk'
    """
    if not isinstance(style, str) or style not in STYLES:
        raise GovsimError(f"must be one of {', '.join(STYLES)}, got {style!r}", where)
    return style


def set_style(style: str) -> None:
    """Draw every later figure of this session in ``style`` (``"paper"`` or ``"talk"``),
    unless a figure is asked for another with ``style=``.

    Examples
    --------
    >>> import govsim.figures as gp
    >>> gp.set_style("talk")   # doctest: +SKIP
    """
    _DEFAULT[0] = check_style(style)


def get_style(style: str | None = None) -> str:
    """``style`` checked, or -- when None -- the style in force (:func:`use_style`'s block,
    else :func:`set_style`'s choice, else ``"paper"``).

    Examples
    --------
    >>> get_style("talk")
    'talk'
    """
    if style is not None:
        return check_style(style)
    return _STYLE.get() or _DEFAULT[0]


@contextmanager
def use_style(style: str) -> Iterator[None]:
    """Inside this block figures are drawn in ``style`` (unless asked otherwise).

    Examples
    --------
    >>> import govsim.figures as gp
    >>> with gp.use_style("talk"):   # doctest: +SKIP
    ...     fig = cmp.plot_survival()
    """
    token = _STYLE.set(check_style(style))
    try:
        yield
    finally:
        _STYLE.reset(token)


def scaled(width: float, height: float, style: str | None = None) -> tuple[float, float]:
    """A figure size in inches for the style in force (a talk's is larger).

    Examples
    --------
    >>> scaled(6.4, 4.0, "paper")
    (6.4, 4.0)
    """
    grow = _GROW[get_style(style)]
    return (width * grow, height * grow)


def points(size: float, style: str | None = None) -> float:
    """A font size written for print, in the style in force (in a talk, never under 14).

    Examples
    --------
    >>> points(7, "paper"), points(7, "talk")
    (7, 14.0)
    """
    s = get_style(style)
    return max(size * _TALK["font.size"] / _RC["font.size"], _LEAST[s]) if s == "talk" else size


def fewer_ticks(fig: Any, style: str | None = None) -> None:
    """In a talk, at most four numbered ticks on each plain numeric axis of ``fig``.

    Examples
    --------
    >>> fewer_ticks(fig, "talk")   # doctest: +SKIP
    """
    if get_style(style) != "talk":
        return
    from matplotlib.ticker import AutoLocator, MaxNLocator

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_locator()) is AutoLocator:
                axis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 2.5, 5, 10]))


#: what an empty figure says in its axes, in English and Chinese: empty results are results
EMPTY: dict[str, tuple[str, str]] = {
    "cases": ("no cases", "没有案件"),
    "lights": ("no monitoring lights", "没有亮灯"),
    "values": ("no values: no case arose, or the metric is undefined under these rules",
               "没有数值：没有案件，或该指标在这些规则下没有定义"),
}


def say_empty(ax: Any, what: str = "cases", lang: str = "en") -> None:
    """Say in the middle of ``ax`` that there is nothing to draw (:data:`EMPTY`'s ``what``)."""
    from govsim.lang import lookup

    ax.text(0.5, 0.5, lookup(EMPTY, what, lang), transform=ax.transAxes, ha="center",
            va="center", fontsize=points(11), color="0.3", wrap=True,
            bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "0.7"})


def regime_colours(regimes: Sequence[str]) -> dict[str, str]:
    """A colour per regime, by position (the first regime always gets the first colour)."""
    return {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(regimes)}


#: font families that cover simplified Chinese, the most preferred first
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
                "Hiragino Sans GB", "Heiti SC", "STHeiti", "SimHei", "Noto Sans CJK JP",
                "Noto Sans CJK TC", "AR PL UMing CN", "Droid Sans Fallback", "Arial Unicode MS")

#: characters a font must draw to serve Chinese figures (a common sample, not a guarantee:
#: :func:`missing_glyphs` checks a figure's own text)
_PROBE = "中文图表天元比例街道热线解决"

CJK_HELP = ("no installed font has Chinese characters, so a Chinese figure would show empty "
            "boxes instead of text. Install one and run again: on Debian or Ubuntu "
            "'sudo apt-get install fonts-noto-cjk' (or the smaller fonts-wqy-microhei), on "
            "Fedora 'sudo dnf install google-noto-sans-cjk-sc-fonts'; macOS and Windows ship one "
            "(PingFang SC, Microsoft YaHei). Or set GOVSIM_CJK_FONT to the path of any .ttf, .otf "
            "or .ttc font file with Chinese characters.")


@functools.cache
def _covers(path: str) -> bool:
    """Whether the font file draws :data:`_PROBE` (each file opened once per process)."""
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in _PROBE)


def cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None.

    ``GOVSIM_CJK_FONT`` (a font file's path) wins, and ``GOVSIM_CJK_FONT=none`` means none,
    as on a machine without one (the test suite runs once so); then the first of
    :data:`CJK_FAMILIES` matplotlib knows; then any system font file that draws Chinese and
    that matplotlib's font cache does not list yet (a font installed after the cache was
    built)."""
    from matplotlib import font_manager as fm

    path = os.environ.get("GOVSIM_CJK_FONT")
    if path == "none":
        return None
    if path:
        if not os.path.isfile(path) or not _covers(path):
            raise GovsimError(f"GOVSIM_CJK_FONT={path!r} is no font file with Chinese "
                              "characters", "lang")
        fm.fontManager.addfont(path)
        return str(fm.FontProperties(fname=path).get_name())
    known = {f.name: f.fname for f in fm.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known and _covers(known[family]):
            return family
    for family, fname in known.items():  # any other font matplotlib knows that draws Chinese
        if not family.replace(" ", "").startswith("LastResort") and _covers(fname):
            return family  # (Last Resort "draws" every character as a box: never that)
    listed = set(known.values())
    for candidate in sorted(fm.findSystemFonts()):
        if candidate not in listed and _covers(candidate):
            fm.fontManager.addfont(candidate)
            return str(fm.FontProperties(fname=candidate).get_name())
    return None


def require_cjk_font() -> str:
    """:func:`cjk_font`, or a :class:`GovsimError` at ``lang`` saying how to install one."""
    family = cjk_font()
    if family is None:
        raise GovsimError(CJK_HELP, "lang")
    return family


def missing_glyphs(fig: object) -> set[str]:
    """Characters in ``fig``'s text that the font chosen to draw them lacks (empty: no boxes).
    Draws the figure once."""
    from matplotlib.figure import Figure
    from matplotlib.font_manager import findfont
    from matplotlib.ft2font import FT2Font
    from matplotlib.text import Text

    assert isinstance(fig, Figure)
    fig.draw_without_rendering()  # every text placed, also those made at draw time
    missing: set[str] = set()
    fonts: dict[str, FT2Font] = {}
    for text in fig.findobj(Text):
        content = text.get_text()
        if not content or not text.get_visible():
            continue
        families = text.get_fontproperties().get_family()
        paths = []
        for family in families:  # matplotlib falls back along the family list, glyph by glyph
            props = text.get_fontproperties().copy()
            props.set_family(family)
            paths.append(findfont(props, fallback_to_default=True))
        for ch in set(content) - set(" \n\t$"):
            if not any((fonts.setdefault(p, FT2Font(p))).get_char_index(ord(ch)) for p in paths):
                missing.add(ch)
    return missing


@contextmanager
def font_for(lang: str = "en") -> Iterator[None]:
    """Inside this block text is drawn in a font for ``lang``: for ``"zh"`` one that has
    Chinese characters (or a :class:`GovsimError` saying how to install one); for English the
    caller's settings."""
    if lang != "zh":
        yield
        return
    # concrete family names: a generic "sans-serif" would be looked up when the figure is
    # drawn, after this block has restored the caller's settings
    with mpl.rc_context({"font.family": [require_cjk_font(), "DejaVu Sans"],
                         "axes.unicode_minus": False}):
        yield


@contextmanager
def figure_style(lang: str = "en", style: str | None = None) -> Iterator[None]:
    """Draw inside this block for govsim's look (restored afterwards) in ``style`` (None: the
    style in force, see :func:`get_style`); ``lang="zh"`` draws text in a font that has
    Chinese characters, or raises :class:`GovsimError` (never empty boxes)."""
    chosen = get_style(style)
    token = _STYLE.set(chosen)
    try:
        with mpl.rc_context(_RCS[chosen]), font_for(lang):
            yield
    finally:
        _STYLE.reset(token)

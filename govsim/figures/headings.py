"""What a figure's title says about the run behind it: horizon, replications, warm-up.

Layer: figures (no matplotlib). A figure is read away from the code that made it, so its
title says how long the simulated world ran (days, from which date), over how many
replications, and the warm-up left out. :func:`run_line` writes that line;
:func:`headline` puts it under a title; :data:`TEXT` holds the words (English, Chinese).
"""

from __future__ import annotations

import datetime as dt

from govsim.errors import GovsimError
from govsim.lang import lookup

__all__ = ["TEXT", "run_line", "headline", "say"]

#: the figures' sentences that :mod:`govsim.lang` does not hold: key -> (English, Chinese)
TEXT: dict[str, tuple[str, str]] = {
    "run.horizon": ("{days:,} simulated days from {start}", "模拟 {days:,} 天（自 {start} 起）"),
    "run.days": ("{days:,} simulated days", "模拟 {days:,} 天"),
    "run.replications.one": ("1 replication", "1 次重复"),
    "run.replications.many": ("{n:,} replications", "{n:,} 次重复"),
    "run.warmup": ("first {days:g} days left out as warm-up", "前 {days:g} 天作为预热期不计"),
    "run.sep": ("; ", "；"),
    "pm.title": ("Process map{of}: {total:,} transitions; the {kept} most frequent edges, "
                 "numbered and listed on the right ({k} rarer edges left out)",
                 "流程图{of}：共 {total:,} 次转移；最常见的 {kept} 条边已编号并列于右侧"
                 "（省略 {k} 条较少见的边）"),
    "pm.edges": ("Edges (count; median hours between the two events)",
                 "边（次数；两事件间隔小时数的中位数）"),
}


def say(key: str, lang: str = "en", **fields: object) -> str:
    """Sentence ``key`` of :data:`TEXT` in ``lang`` (``"zh"``: Chinese; else English).

    Examples
    --------
    >>> say("run.replications.many", n=10)
    '10 replications'
    """
    return lookup(TEXT, key, "zh" if lang == "zh" else "en", **fields)


def _date(day: dt.date, lang: str) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else \
        f"{day.day} {day:%b} {day.year}"


def run_line(horizon_days: int | None = None, replications: int | None = None,
             start: dt.date | None = None, warmup_days: float = 0.0,
             lang: str = "en") -> str:
    """The line under a figure's title saying what run it shows: the horizon in days (from
    ``start``), the number of replications and the warm-up left out; parts not given are
    not said.

    Examples
    --------
    >>> import datetime as dt
    >>> run_line(365, 10, dt.date(2025, 1, 1), 30)
    '365 simulated days from 1 Jan 2025; 10 replications; first 30 days left out as warm-up'
    """
    parts = []
    if horizon_days is not None:
        if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) \
                or horizon_days < 1:
            raise GovsimError(f"must be a whole number of days of at least 1, got "
                              f"{horizon_days!r}", "horizon_days")
        parts.append(say("run.horizon", lang, days=horizon_days, start=_date(start, lang))
                     if start is not None else say("run.days", lang, days=horizon_days))
    if replications is not None:
        if isinstance(replications, bool) or not isinstance(replications, int) \
                or replications < 1:
            raise GovsimError(f"must be a whole number of at least 1, got {replications!r}",
                              "replications")
        parts.append(say("run.replications.one", lang) if replications == 1
                     else say("run.replications.many", lang, n=replications))
    if warmup_days:
        parts.append(say("run.warmup", lang, days=float(warmup_days)))
    return say("run.sep", lang).join(parts)


def headline(title: str, subtitle: str | None) -> str:
    """``title`` with ``subtitle`` (e.g. a :func:`run_line`) on a line of its own under it.

    Examples
    --------
    >>> headline("Who pays", "30 simulated days; 2 replications")
    'Who pays\\n30 simulated days; 2 replications'
    """
    return f"{title}\n{subtitle}" if subtitle else title

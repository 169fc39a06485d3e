"""The words of the swimlane figure, in English and Chinese.

Layer: figures (no matplotlib). :func:`text` looks a key up in the language set by
:func:`language` (a context manager that :func:`govsim.figures.swimlane.plot_swimlane` opens
while it draws; English outside it), so the drawing code passes no language around. The
activities' Chinese names come from :func:`govsim.lang.activity_name`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from govsim.lang import activity_name, check_lang

__all__ = ["TEXT", "TEXT_ZH", "ACTIVITY_TEXT", "language", "text", "plural", "activity_label",
           "money_text", "meeting_text", "range_text", "parse_range"]

_LANG: ContextVar[str] = ContextVar("govsim_swimlane_lang", default="en")


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Inside this block :func:`text` and :func:`activity_label` answer in ``lang``."""
    token = _LANG.set(check_lang(lang))
    try:
        yield
    finally:
        _LANG.reset(token)


#: Every word of the swimlane figure, by key, in English. Formats take the named fields shown;
#: ``*.one``/``*.many`` are the singular and plural of a count (see :func:`plural`).
TEXT: dict[str, str] = {
    "title": "One case's journey: {contacts}, {steps}, {days}",
    # strftime formats of the date axis, by tick level (years, months, days, hours, ...)
    "date.formats": "%Y|%b|%d %b|%H:%M|%H:%M|%S.%f",
    "date.offsets": "|%Y|%Y|%d %b %Y|%d %b %Y|%d %b %Y %H:%M",
    "contacts.one": "{n} contact",
    "contacts.many": "{n} contacts",
    "steps.one": "{n} step",
    "steps.many": "{n} steps",
    "days.one": "{n:.1f} day",
    "days.many": "{n:.1f} days",
    "axis.days": "days since the first filing",
    "lane.contacts": "contact no.",
    "lane.citizen": "citizen",
    "lane.fund": "fund",
    "legend.title": "step (number of times)",
    "legend.entry": "{activity} ({n})",
    "legend.entry_money": "{activity} ({n}; {money})",
    "legend.outside": "outside office hours ({n})",
    "legend.invited": "invited to a meeting ({n})",
    "legend.bars": "frequent steps: bars of steps\nper {width} in each lane\n(tallest: {n})",
    "family.filing": "filing & intake",
    "family.deflection": "deflection & referral",
    "family.repair": "repair",
    "family.money": "money",
    "family.escalation": "escalation, meetings & rulings",
    "family.other": "other",
    "money": "¥{amount:,.0f}",
    "money.advance": "{money} advanced",
    "money.recovery": "{money} paid back",
    "money.fund_release": "{money} released",
    "money.resolved": "{money} for the fix",
    "money.share_done": "{money} for its share",
    "money.other": "{money}",
    "range": "{first}–{last}",
    "meeting.all": "meeting of {n} units",
    "meeting.some": "meeting of {n} units ({invited} invited)",
    "meeting.invited": "meeting: {invited} units invited",
    "meetings.all": "{count} meetings\nof {n} units each",
    "meetings.some": "{count} meetings of {n} units\neach ({invited} invited)",
    "meetings.invited": "{count} meetings:\n{invited} units invited to each",
}

#: The same words in Chinese, by the keys of :data:`TEXT`.
TEXT_ZH: dict[str, str] = {
    "title": "一件诉求的历程：{contacts}，{steps}，{days}",
    "date.formats": "%Y年|%m月|%m月%d日|%H:%M|%H:%M|%S.%f",
    "date.offsets": "|%Y年|%Y年|%Y年%m月%d日|%Y年%m月%d日|%Y年%m月%d日 %H:%M",
    "contacts.one": "{n} 次反映",
    "contacts.many": "{n} 次反映",
    "steps.one": "{n} 个步骤",
    "steps.many": "{n} 个步骤",
    "days.one": "{n:.1f} 天",
    "days.many": "{n:.1f} 天",
    "axis.days": "自首次反映起的天数",
    "lane.contacts": "反映序号",
    "lane.citizen": "市民",
    "lane.fund": "基金",
    "legend.title": "步骤（次数）",
    "legend.entry": "{activity}（{n}）",
    "legend.entry_money": "{activity}（{n}；{money}）",
    "legend.outside": "非办公时间（{n}）",
    "legend.invited": "受邀参会（{n}）",
    "legend.bars": "常见步骤：各泳道每 {width}\n的步骤数（最高 {n}）",
    "family.filing": "反映与受理",
    "family.deflection": "推诿与转交",
    "family.repair": "维修",
    "family.money": "资金",
    "family.escalation": "逐级反映、会议与裁定",
    "family.other": "其他",
    "money": "¥{amount:,.0f}",
    "money.advance": "垫付 {money}",
    "money.recovery": "收回 {money}",
    "money.fund_release": "基金支付 {money}",
    "money.resolved": "维修支出 {money}",
    "money.share_done": "分担部分 {money}",
    "money.other": "{money}",
    "range": "{first}–{last}",
    "meeting.all": "{n} 个单位参加的协调会",
    "meeting.some": "{n} 个单位参加的协调会（邀请 {invited} 个）",
    "meeting.invited": "协调会：邀请 {invited} 个单位",
    "meetings.all": "{count} 次协调会\n每次 {n} 个单位",
    "meetings.some": "{count} 次协调会，每次\n{n} 个单位（邀请 {invited} 个）",
    "meetings.invited": "{count} 次协调会：\n每次邀请 {invited} 个单位",
}

#: activity -> the words shown for it; an activity not listed shows its name, underscores
#: as spaces (see :func:`activity_label`)
ACTIVITY_TEXT: dict[str, str] = {}


def text(key: str, **fields: Any) -> str:
    """The words of ``key`` in :data:`TEXT` (:data:`TEXT_ZH` inside ``language("zh")``),
    formatted with ``fields``."""
    words = TEXT_ZH if _LANG.get() == "zh" else TEXT
    return words[key].format(**fields)


def plural(key: str, n: float) -> str:
    """``"{n} contact"`` or ``"{n} contacts"``: ``key.one`` when ``n`` is 1, else ``key.many``."""
    return text(f"{key}.one" if n == 1 else f"{key}.many", n=n)


def activity_label(activity: str) -> str:
    """The words shown for an activity: :data:`ACTIVITY_TEXT`, else
    :func:`govsim.lang.activity_name` in the block's language (``"keys"``: its name, spaced)."""
    lang = _LANG.get()
    if lang == "keys":
        return activity.replace("_", " ")
    return ACTIVITY_TEXT.get(activity) or activity_name(activity, lang)


def money_text(activity: str, amount: float) -> str:
    """The note on a step that moved ``amount`` yuan, e.g. ``"¥90,000 advanced"``."""
    key = f"money.{activity}"
    return text(key if key in TEXT else "money.other", money=text("money", amount=amount))


def meeting_text(count: int, came: float, invited: int) -> str | None:
    """The note on ``count`` like meetings (next to each other) that ``came`` units attended
    (NaN: not known) of ``invited`` (0: not known); None when nothing is known."""
    many = "meetings" if count > 1 else "meeting"
    if np.isfinite(came):
        return text(f"{many}.{'all' if came == invited or not invited else 'some'}",
                    count=count, n=int(came), invited=invited)
    if invited:
        return text(f"{many}.invited", count=count, invited=invited)
    return None


def range_text(first: int, last: int) -> str:
    """A contact number, or a range of them: ``"7"``, ``"12–30"``."""
    return str(first) if first == last else text("range", first=first, last=last)


def parse_range(label: str) -> tuple[int, int]:
    """The contact numbers a label of :func:`range_text` stands for: (first, last)."""
    numbers = [int(n) for n in re.findall(r"\d+", label)]
    return numbers[0], numbers[-1]

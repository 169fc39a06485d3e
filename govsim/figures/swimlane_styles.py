"""The swimlane's colours and markers: activity families and the marker of each activity.

Layer: figures (no matplotlib; used by :mod:`govsim.figures.swimlane`, which re-exports these
names).
"""

from __future__ import annotations

from dataclasses import dataclass

from govsim.figures.swimlane_text import text

__all__ = ["Family", "FAMILIES", "ACTIVITY_STYLES", "activity_family", "DEFAULT_STYLE",
           "ORDER", "BIG"]


@dataclass(frozen=True)
class Family:
    """A family of activities drawn in one colour."""

    key: str
    label: str
    colour: str


#: Activity families in legend order (colours from the Okabe–Ito colour-blind-safe palette).
FAMILIES: tuple[Family, ...] = tuple(Family(key, text(f"family.{key}"), colour) for key, colour in (
    ("filing", "#0072B2"),
    ("deflection", "#D55E00"),
    ("repair", "#009E73"),
    ("money", "#E69F00"),
    ("escalation", "#CC79A7"),
    ("other", "#4D4D4D"),
))

#: Family and marker of each known activity, in legend order within a family. Activities not
#: listed are drawn in the ``other`` family with a plain dot.
ACTIVITY_STYLES: dict[str, tuple[str, str]] = {
    "file": ("filing", "o"),
    "ticket": ("filing", "s"),
    "reopen": ("filing", "D"),
    "dispatch": ("filing", ">"),
    "sign": ("filing", "d"),
    "contact": ("filing", "p"),
    "call_abandoned": ("filing", "X"),
    "deflect": ("deflection", "<"),
    "refer": ("deflection", ">"),
    "referral_lost": ("deflection", "X"),
    "return": ("deflection", "v"),
    "dispute": ("deflection", "^"),
    "handoff": ("deflection", "D"),
    "close_unresolved": ("deflection", "d"),
    "surface_fix": ("repair", "v"),
    "false_closure": ("repair", "X"),
    "work_start": ("repair", "s"),
    "share_done": ("repair", "p"),
    "finish": ("repair", "P"),
    "kb_answer": ("repair", "h"),
    "resolved": ("repair", "*"),
    "stall": ("money", "s"),
    "advance": ("money", "^"),
    "recovery": ("money", "v"),
    "fund_release": ("money", "P"),
    "escalate": ("escalation", "^"),
    "meeting": ("escalation", "H"),
    "adjudicate": ("escalation", "D"),
    "no_result": ("escalation", "X"),
    "recurrence": ("other", "o"),
    "callback": ("other", "h"),
    "abandon": ("other", "X"),
}
DEFAULT_STYLE = ("other", ".")
ORDER = {a: k for k, a in enumerate(ACTIVITY_STYLES)}
BIG = {"resolved": 2.2, "abandon": 1.6, "file": 1.25}  # marker area multipliers



def activity_family(activity: str) -> str:
    """The family an activity is drawn in.

    Parameters
    ----------
    activity:
        An activity name (``concept:name``).

    Returns
    -------
    str
        The key of one of :data:`FAMILIES`; ``"other"`` for activities not in
        :data:`ACTIVITY_STYLES`.
    """
    return ACTIVITY_STYLES.get(activity, DEFAULT_STYLE)[0]

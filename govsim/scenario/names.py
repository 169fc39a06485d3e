"""What a scenario's regimes, units, categories and funds are called in one language.

Layer: scenario. English output names each thing by the short form of its ``label``
(:func:`short_label`: "Many hotlines" for "Many hotlines (Shanghai, case A)"), Chinese output by
its ``label_zh``; either falls back to the key where the file gives none. ``lang="keys"`` names
everything by its key (``consolidated``, ``street_office``), as the scenario file and the
machine-readable outputs do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from govsim.lang import KEYS, check_lang

if TYPE_CHECKING:
    from govsim.scenario.parse import Scenario

__all__ = ["Names", "display_names", "short_label"]

#: a parenthetical at the end of a label: "(Shanghai, case A)", "(维修基金)"
_TAIL = re.compile(r"\s*\([^()]*\)\s*$")


def short_label(label: str) -> str:
    """``label`` without a parenthetical at its end (the whole label if that is all it is):
    "Mayor's hotline (市长服务热线)" -> "Mayor's hotline"."""
    short = _TAIL.sub("", label).strip()
    return short or label.strip()


@dataclass(frozen=True)
class Names:
    """Display names by key, per kind of thing; a key without one is shown as itself."""

    lang: str = "en"
    regimes: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)
    funds: Mapping[str, str] = field(default_factory=dict)
    #: the scenario's description in this language ("" if it has none)
    description: str = ""

    def regime(self, key: str) -> str:
        """The regime's display name."""
        return self.regimes.get(key) or key

    def unit(self, key: str) -> str:
        """The unit's display name (``"citizen"`` and other non-units stay as they are)."""
        return self.units.get(key) or key

    def category(self, key: str) -> str:
        """The category's display name."""
        return self.categories.get(key) or key

    def fund(self, key: str) -> str:
        """The fund's display name."""
        return self.funds.get(key) or key


def display_names(scenario: Scenario, lang: str = "en") -> Names:
    """The display names of ``scenario``'s things in ``lang`` (``"en"``: short English labels,
    ``"zh"``: Chinese labels, ``"keys"``: none, so every thing shows as its key)."""
    check_lang(lang)
    if lang == KEYS:
        return Names(lang=lang, description=scenario.description)
    w = scenario.world
    if lang == "zh":
        return Names(
            lang=lang,
            regimes={k: r.label_zh for k, r in scenario.regimes.items() if r.label_zh},
            units={k: u.label_zh for k, u in w.units.items() if u.label_zh},
            categories={k: c.label_zh for k, c in w.categories.items() if c.label_zh},
            funds={k: f.label_zh for k, f in w.funds.items() if f.label_zh},
            description=scenario.description_zh or scenario.description)
    return Names(
        lang=lang, regimes=_shortened(scenario.regimes), units=_shortened(w.units),
        categories=_shortened(w.categories), funds=_shortened(w.funds),
        description=scenario.description)


def _shortened(things: Mapping[str, object]) -> dict[str, str]:
    """Each labelled thing's :func:`short_label`, where no other thing of its kind has the same
    short form (two hotlines "(2010)" and "(2020)" keep their whole labels); things without a
    label are left out (shown by their keys)."""
    labels = {k: str(getattr(t, "label", "")) for k, t in things.items()}
    short = {k: short_label(v) for k, v in labels.items() if v}
    taken = [*short.values(), *(k for k, v in labels.items() if not v)]
    return {k: s if taken.count(s) == 1 else labels[k] for k, s in short.items()}

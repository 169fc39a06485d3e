"""Presets and rule groups: a regime as a bundle of rule settings.

Layer: scenario (no SimPy here). Every key of a :class:`~govsim.scenario.rules.Regime` belongs to
exactly one rule group of :data:`RULES` (or names the regime: :data:`NOT_RULES`), each declared
in a module of :mod:`govsim.scenario.rules`, which builds :data:`RULES` and :data:`PRESETS`
from the declarations. A preset is a named bundle of the mode
keys -- ``fragmented`` is the seed's "many hotlines" (Shanghai), ``consolidated`` its 12345
centre (Shishi) -- and a regime is a preset plus whatever keys it
overrides. :func:`hybrid` builds the regime that takes some rule groups from one regime and the
rest from another, which is what :func:`govsim.decompose` switches one group at a time. What a
rule setting needs from another rule to mean anything (``non_owner = "return"`` needs
``routing = "triage"``) is declared beside it, in :mod:`govsim.scenario.dependencies`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

# built from the rule groups' declarations (govsim.scenario.rules)
from govsim.scenario.rules.registry import NOT_RULES, PRESETS, RULES, apply_preset


class _Model(Protocol):
    def model_dump(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=_Model)

__all__ = ["PRESETS", "RULES", "NOT_RULES", "apply_preset", "differing_rules", "hybrid"]

def differing_rules(a: _Model, b: _Model) -> list[str]:
    """The rule groups in which two regimes' settings differ, in :data:`RULES` order."""
    da, db = a.model_dump(), b.model_dump()
    # a regime that names no centre borrows the other's (see :func:`hybrid`)
    da["centre"] = da["centre"] or db["centre"]
    db["centre"] = db["centre"] or da["centre"]
    return [rule for rule, keys in RULES.items() if any(da[k] != db[k] for k in keys)]


def hybrid(a: R, b: R, rules: Iterable[str], label: str = "") -> R:
    """The regime with ``b``'s settings for the rule groups in ``rules`` and ``a``'s for the
    rest; its preset's name is ``a``'s. A regime that names no centre borrows the other's: the
    centre is a unit of the world, and naming it changes nothing unless a rule uses it (callbacks
    and supervision need one whatever the intake).
    """
    data = a.model_dump()
    other = b.model_dump()
    own_centre = data["centre"]
    for rule in rules:
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r} (known: {', '.join(RULES)})")
        for key in RULES[rule]:
            data[key] = other[key]
    if data["centre"] is None:
        data["centre"] = own_centre or other["centre"]
    data["label"] = label
    data["label_zh"] = ""
    return type(a).model_validate(data)  # type: ignore[attr-defined, no-any-return]

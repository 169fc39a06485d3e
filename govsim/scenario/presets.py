"""Presets and rule groups: a regime as a bundle of rule settings.

Layer: scenario (no SimPy here). Every key of a :class:`~govsim.scenario.rules.Regime` belongs to
exactly one rule group of :data:`RULES` (or names the regime: :data:`NOT_RULES`). A preset is a
named bundle of the mode keys -- ``fragmented`` is the seed's "many hotlines" (Shanghai),
``consolidated`` its 12345 centre (Shishi) -- and a regime is a preset plus whatever keys it
overrides. :func:`hybrid` builds the regime that takes some rule groups from one regime and the
rest from another, which is what :func:`govsim.decompose` switches one group at a time. What a
rule setting needs from another rule to mean anything (``non_owner = "return"`` needs
``routing = "triage"``) is declared beside it, in :mod:`govsim.scenario.dependencies`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar


class _Model(Protocol):
    def model_dump(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=_Model)

__all__ = ["PRESETS", "RULES", "NOT_RULES", "apply_preset", "differing_rules", "hybrid"]

#: preset name -> the rule settings it fixes (a regime's own keys override them; a table such
#: as ``funding`` is merged key by key)
PRESETS: dict[str, dict[str, Any]] = {
    "fragmented": {
        "intake": "channels",          # several numbers, each answered by its own unit
        "intake_hours": 0.25,
        "record": "per_filing",        # every filing opens a new ticket, no shared history
        "routing": "citizen",          # the citizen chooses where to file, by belief
        "non_owner": "deflect",        # refer on (maybe lost), close unresolved, or "not ours"
        "overlap": "deflect",          # a partial owner may deflect, or does only its share
        "time_limits": False,
        "callback": False,
        "reopened_requires_real_fix": False,
        "funding": {"mode": "stall", "when": "meeting"},
    },
    "consolidated": {
        "intake": "centre",            # one number answered by a centre
        "intake_hours": 0.2,
        "record": "tracking",          # one record per case; repeat contacts attach to it
        "routing": "triage",           # knowledge base, market/social hand-off, dispatch
        "non_owner": "return",         # a wrong unit returns the case for re-dispatch
        "overlap": "adjudicate",       # disputes go to the adjudication group (precedent)
        "time_limits": True,           # 1-2-5 working days, monitoring lights
        "callback": True,              # a satisfaction callback after every result
        "reopened_requires_real_fix": True,
        "funding": {"mode": "release", "when": "ticket"},
    },
}

#: rule group -> the regime keys it holds; decomposition switches whole groups
RULES: dict[str, tuple[str, ...]] = {
    "intake": ("intake", "centre", "channels", "intake_hours", "intake_cv"),
    "case_record": ("record",),
    "routing": ("routing", "kb_coverage", "dispatch_within_working_days", "accuracy",
                "sign_hours", "contact_hours"),
    "non_owner": ("non_owner", "deflection", "return_hours"),
    "overlap": ("overlap", "overlap_deflect_prob", "overlap_acts_on_share", "adjudication"),
    "false_closure": ("false_closure_prob",),
    "time_limits": ("time_limits", "limits", "supervision"),
    "callbacks": ("callback", "reopened_requires_real_fix"),
    "funding": ("funding",),
    "escalation": ("escalation",),
    "learning": ("kb_coverage_final", "kb_growth_days", "suggestion_adoption_prob"),
    "staffing": ("salaried",),
}

#: regime keys that are no rule: its preset's name and its labels
NOT_RULES = ("preset", "label", "label_zh")


def apply_preset(data: Any) -> Any:
    """A regime's table with its preset's settings filled in under its own keys.

    ``kind`` (the name older files use) is read as ``preset``. A value that is not a table, or
    names no known preset, is passed on unchanged for the schema to report.
    """
    if not isinstance(data, Mapping):
        return data
    data = dict(data)
    if "kind" in data:
        kind = data.pop("kind")
        if "preset" in data and data["preset"] != kind:
            raise ValueError(f"'kind' ({kind!r}) and 'preset' ({data['preset']!r}) disagree; "
                             "write only 'preset'")
        data["preset"] = kind
    preset = PRESETS.get(data.get("preset")) if isinstance(data.get("preset"), str) else None
    if preset is None:
        return data
    for key, value in preset.items():
        if key not in data:
            data[key] = dict(value) if isinstance(value, dict) else value
        elif isinstance(value, dict) and isinstance(data[key], Mapping):
            data[key] = {**value, **data[key]}
    return data


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

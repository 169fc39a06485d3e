"""Regimes written ``like = "OTHER"`` plus overrides: resolved into whole tables before validation.

Layer: scenario (no SimPy here). A ``like`` regime is the other regime's table with its own keys
laid over it (tables merged key by key, anything else replaced); a problem it only inherits is
reported once, where it is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govsim.errors import GovsimError

__all__ = ["resolve_like", "likes_of", "drop_inherited"]


def resolve_like(data: Mapping[str, Any]) -> Mapping[str, Any] | GovsimError:
    """Regimes written as ``like = "OTHER"`` plus overrides, as whole tables: the other regime's
    table with this one's keys laid over it (tables merged key by key, anything else replaced).
    Returns the problem instead of raising it, so the caller reports it like any other."""
    regimes = data.get("regimes")
    if not isinstance(regimes, Mapping) or not any(
            isinstance(t, Mapping) and "like" in t for t in regimes.values()):
        return data
    done: dict[str, Any] = {}

    def resolve(name: str) -> Any:
        # follow the chain of ``like`` down to a regime written in full, then lay each table
        # over the one below it on the way back (a loop: a chain may be as long as the file)
        chain: list[str] = []
        while name not in done:
            table = regimes[name]
            if not isinstance(table, Mapping) or "like" not in table:
                done[name] = table
                break
            base = table["like"]
            if not isinstance(base, str) or base not in regimes:
                raise GovsimError(f"names no regime of this file (got {base!r})",
                                  f"regimes.{name}.like")
            chain.append(name)
            if base in chain:
                loop = chain[chain.index(base):]
                raise GovsimError(f"regimes are 'like' each other in a circle: "
                                  f"{' -> '.join((*loop, base))}", f"regimes.{name}.like")
            name = base
        below = done[name]
        for upper in reversed(chain):
            below = done[upper] = _merge(below, {k: v for k, v in regimes[upper].items()
                                                 if k != "like"})
        return below

    try:
        out = {name: resolve(name) for name in regimes}
    except GovsimError as exc:
        return exc
    return {**data, "regimes": out}


def likes_of(data: Mapping[str, Any]) -> dict[str, str]:
    """Regime name -> the regime it is written ``like``."""
    regimes = data.get("regimes") if isinstance(data, Mapping) else None
    if not isinstance(regimes, Mapping):
        return {}
    return {name: t["like"] for name, t in regimes.items()
            if isinstance(t, Mapping) and isinstance(t.get("like"), str)}


def drop_inherited(problems: list[tuple[str, str]],
                    likes: Mapping[str, str]) -> list[tuple[str, str]]:
    """A problem a ``like`` regime only inherits is reported once, where it is written."""
    if not likes:
        return problems
    seen = set(problems)
    out = []
    for path, sentence in problems:
        parts = path.split(".", 2)
        base = likes.get(parts[1]) if len(parts) == 3 and parts[0] == "regimes" else None
        if base is not None and (f"regimes.{base}.{parts[2]}", sentence) in seen:
            continue
        out.append((path, sentence))
    return out


def _merge(base: Any, over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base) if isinstance(base, Mapping) else {}
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged

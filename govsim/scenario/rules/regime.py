"""The regimes' schema: the institutional rules laid over a world, built from the rule groups'
declarations.

Layer: scenario (no SimPy here). :class:`Regime` has the keys every regime shares (its preset
and labels, :class:`RegimeBase`) and then every key of every rule group in
:data:`govsim.scenario.rules.registry.GROUPS`, in their order, with the types, bounds and
defaults the groups declare. Every key is documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import create_model, model_validator

from govsim.errors import GovsimError
from govsim.scenario.base import Strict
from govsim.scenario.rules.registry import GROUPS, PRESET_NAMES, apply_preset

__all__ = ["RegimeBase", "Regime"]


class RegimeBase(Strict):
    """What every regime has whatever its rules: the preset it starts from, and its labels."""

    preset: Literal[PRESET_NAMES]  # type: ignore[valid-type]
    label: str = ""
    #: its name in Chinese tables, figures and reports (``lang="zh"``); empty: its key
    label_zh: str = ""

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        return apply_preset(data)

    @model_validator(mode="after")
    def _coherent(self) -> RegimeBase:
        rules: Any = self
        if rules.intake == "channels" and not rules.channels:
            raise ValueError("intake 'channels' needs at least one channel (key 'channels')")
        if rules.centre is None and (rules.intake == "centre" or rules.time_limits
                                     or rules.callback):
            raise ValueError("'centre' names no unit, but intake 'centre', time limits or "
                             "callbacks need one (key 'centre')")
        return self

    def __setstate__(self, state: dict[Any, Any]) -> None:
        # a regime made where a rule plug-in was installed, unpickled where it is not (a worker
        # without the package): no rule here would read its keys, so refuse rather than run
        # another model in silence
        unknown = sorted(set(state.get("__dict__", {})) - set(type(self).model_fields))
        if unknown:
            raise GovsimError(f"a regime sets {', '.join(unknown)}, which no rule group of this "
                              "process declares: install the rule plug-in that does in every "
                              "process that runs it", "govsim.rules")
        super().__setstate__(state)

    @property
    def kind(self) -> str:
        """The preset's name (what older code called the regime's kind)."""
        return self.preset


Regime = create_model(  # type: ignore[call-overload]
    "Regime",
    __base__=RegimeBase,
    __module__=__name__,
    __doc__="""The rules one regime lays over the world: one value for every rule axis.

    A regime names a ``preset`` (a bundle of rule settings, see
    :mod:`govsim.scenario.presets`) and overrides any key of it. The keys fall into the rule
    groups of :data:`govsim.scenario.presets.RULES`, each declared in a module of
    :mod:`govsim.scenario.rules`; each mode key says how one decision is taken, and the
    parameters beside it say how often or how long. ``kind`` is read as ``preset`` (the name
    older scenario files use).
    """,
    **{key: spec for g in GROUPS for key, spec in g.keys.items()},
)
